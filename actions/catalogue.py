"""Every remediation by name, and how a command-line target names its resource."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from actions.builds import DraftSupportCase, RetryBuild, ScanImage, StopBuild
from actions.codebuild import RemoveBuildLimit, RequestQuotaIncrease, StartBuild
from actions.ecr import DeleteTag, EnableScanOnPush, PutLifecyclePolicy, RetagLatest
from actions.ecs import ForceDeploy, ResizeTask, RollbackLambda, RollbackService, ScaleService
from actions.kube import DeletePod, RestartRollout, ScaleDeployment, SetImage, WireSecretEnv
from actions.model import Action, BadParameter

if TYPE_CHECKING:
    from actions.audit import AuditLog

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

TARGET_KINDS = ("ecr", "codebuild", "ecs", "lambda", "k8s", "quota")


def parse_target(text: str) -> tuple[str, str]:
    """``ecr:nova/cdn-service`` -> ("ecr", "nova/cdn-service")."""
    kind, colon, rest = text.partition(":")
    if not colon or kind not in TARGET_KINDS or not rest:
        raise BadParameter(
            f"target {text!r} must be KIND:NAME with KIND one of {', '.join(TARGET_KINDS)}"
        )
    return kind, rest


def make_action(
    name: str,
    target: str,
    values: Mapping[str, str],
    session: Any,
    *,
    region: str | None = None,
    read_only: bool = False,
    audit: AuditLog | None = None,
) -> Action:
    """The action ``name`` on ``target`` (``KIND:NAME``), checked against its kind."""
    cls = CATALOGUE.get(name)
    if cls is None:
        raise BadParameter(f"unknown action {name!r} (see: shipdeck action --list)")
    kind, resource = parse_target(target)
    if kind != cls.target_kind:
        raise BadParameter(f"{name} acts on {cls.target_kind}:... targets, not {kind}:")
    return cls(session, resource, values, region=region, read_only=read_only, audit=audit)
