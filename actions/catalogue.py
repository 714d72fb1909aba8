"""Every remediation by name, and how a written target (``KIND:NAME``) names its resource."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from actions.builds import DraftSupportCase, RetryBuild, ScanImage, StopBuild
from actions.codebuild import RemoveBuildLimit, RequestQuotaIncrease, StartBuild
from actions.ecr import DeleteTag, EnableScanOnPush, PutLifecyclePolicy, RetagLatest
from actions.ecs import ForceDeploy, ResizeTask, RollbackLambda, RollbackService, ScaleService
from actions.fallback.action import FallbackBuild
from actions.kube import DeletePod, RestartRollout, ScaleDeployment, SetImage, WireSecretEnv
from actions.model import Action, BadParameter
from cloud.model.kinds import KIND_NAMES
from cloud.model.ref import BadRef, ResourceRef

if TYPE_CHECKING:
    from actions.audit import AuditLog
    from actions.progress import ProgressListener
    from cloud.settings import Settings

CATALOGUE: dict[str, type[Action]] = {
    cls.name: cls
    for cls in (
        RetagLatest,
        DeleteTag,
        PutLifecyclePolicy,
        EnableScanOnPush,
        ScanImage,
        StartBuild,
        StopBuild,
        RetryBuild,
        RemoveBuildLimit,
        RequestQuotaIncrease,
        DraftSupportCase,
        FallbackBuild,
        ForceDeploy,
        RollbackService,
        ScaleService,
        ResizeTask,
        RollbackLambda,
        RestartRollout,
        SetImage,
        ScaleDeployment,
        DeletePod,
        WireSecretEnv,
    )
}

TARGET_KINDS = tuple(k for k in KIND_NAMES if any(c.target_kind == k for c in CATALOGUE.values()))


def parse_target(text: str, scope: str) -> ResourceRef:
    """``ecr:nova/cdn-service`` in ``scope`` (a region, or the kube context for ``k8s:``)."""
    try:
        return ResourceRef.parse(text, scope, TARGET_KINDS)
    except BadRef as exc:
        raise BadParameter(str(exc)) from exc


def default_scope(session: Any, kind: str, region: str | None = None) -> str:
    """Where a written target lives: ``region`` (or the session's first), the kube context."""
    if kind == "k8s":
        return str(session.kube_context or "")
    return region or session.regions[0]


def make_action(
    name: str,
    target: str | ResourceRef,
    values: Mapping[str, str],
    session: Any,
    *,
    region: str | None = None,
    read_only: bool = False,
    audit: AuditLog | None = None,
    progress: ProgressListener | None = None,
    settings: Settings | None = None,
) -> Action:
    """The action ``name`` on ``target`` (a ref, or ``KIND:NAME`` in ``region``), checked."""
    cls = CATALOGUE.get(name)
    if cls is None:
        raise BadParameter(f"unknown action {name!r} (see: shipdeck action --list)")
    if isinstance(target, str):
        kind = target.partition(":")[0]
        target = parse_target(target, default_scope(session, kind, region))
    return cls(
        session,
        target,
        values,
        read_only=read_only,
        audit=audit,
        progress=progress,
        settings=settings,
    )
