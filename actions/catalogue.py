"""Every remediation by name, and how a written target (``KIND:NAME``) names its resource."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from actions.builds import DraftSupportCase, RetryBuild, ScanImage, StopBuild
from actions.codebuild import RemoveBuildLimit, RequestQuotaIncrease, StartBuild
from actions.custom import CustomAction, custom_action_class
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


def custom_actions(settings: Settings) -> tuple[dict[str, type[CustomAction]], tuple[str, ...]]:
    """The config file's own actions by name, and one line per entry left out.

    An entry named like a built-in action is left out (the built-in one keeps its name).
    """
    found: dict[str, type[CustomAction]] = {}
    problems = list(settings.action_problems)
    where = settings.path or "config file"
    for spec in settings.actions:
        if spec.name in CATALOGUE:
            problems.append(
                f"{where}: [[actions]] entry {spec.index} ({spec.name!r}): "
                "name: a built-in action has it (see: shipdeck action --list)"
            )
            continue
        found[spec.name] = custom_action_class(spec)
    return found, tuple(problems)


def action_class(name: str, settings: Settings | None) -> type[Action] | None:
    """The catalogue's action ``name``, or the config file's own (None when neither has it).

    Without ``settings`` the config file is read here (a bad file is a bad parameter).
    """
    found = CATALOGUE.get(name)
    if found is not None:
        return found
    if settings is None:
        from cloud.settings import ConfigError, load_settings

        try:
            settings = load_settings()
        except ConfigError as exc:
            raise BadParameter(str(exc)) from exc
    return custom_actions(settings)[0].get(name)


def parse_target(text: str, scope: str, kinds: tuple[str, ...] = TARGET_KINDS) -> ResourceRef:
    """``ecr:nova/cdn-service`` in ``scope`` (a region, or the kube context for ``k8s:``)."""
    try:
        return ResourceRef.parse(text, scope, kinds)
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
    cls = action_class(name, settings)
    if cls is None:
        raise BadParameter(f"unknown action {name!r} (see: shipdeck action --list)")
    if isinstance(target, str):
        kind = target.partition(":")[0]
        kinds = TARGET_KINDS
        if issubclass(cls, CustomAction):
            kinds = tuple(k for k in KIND_NAMES if cls.acts_on(k))
        target = parse_target(target, default_scope(session, kind, region), kinds)
    return cls(
        session,
        target,
        values,
        read_only=read_only,
        audit=audit,
        progress=progress,
        settings=settings,
    )
