"""The kind registry: every resource kind declared once, as k9s's registrar does.

A ``Kind`` says what its record is, how its part of the snapshot is read, how
a record is named (its ``ResourceRef``), which images it runs, which log it has
and when a change to it has settled. Everything else looks kinds up here: the
snapshot builder reads the registered kinds, the diagnosis names rows by their
refs, actions name their targets by kind, and the console's view registry
(``tui.kinds``) adds columns, cells and a detail screen to each.

Adding a kind: its record and reader (``cloud/<service>.py``), one ``Kind(...)``
here, and its view in ``tui/kinds/``. See docs/architecture.md.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from cloud.alarms import fetch_alarms
from cloud.arrivals import Early
from cloud.classify import crashing_container
from cloud.codebuild import fetch_projects
from cloud.ecr import fetch_repositories
from cloud.ecs import fetch_ecs_services
from cloud.kube import KUBE_SERVICE, fetch_deployments
from cloud.lambdas import fetch_functions
from cloud.logs.subjects import (
    BuildSource,
    EcsSource,
    LambdaSource,
    LogSubject,
    pod_subject,
)
from cloud.model.ref import ResourceRef
from cloud.records import (
    AlarmRecord,
    BuildRecord,
    DeploymentRecord,
    EcsServiceRecord,
    Fetched,
    LambdaFunctionRecord,
    PodRecord,
    ProjectRecord,
    QuotaRecord,
    RepositoryRecord,
)
from cloud.service_quotas import fetch_quotas
from cloud.session import CloudSession

R = TypeVar("R")


def _nothing(record: Any) -> None:
    return None


def _no_images(record: Any) -> tuple[str, ...]:
    return ()


def _always(record: Any) -> bool:
    return True


@dataclass(frozen=True)
class Kind(Generic[R]):
    """One resource kind: its record, reader, names, images, log and settling."""

    name: str  # "ecr": also the KIND of a written target (``ecr:nova/cdn-service``)
    title: str  # "ECR repository"
    record: type[R]
    service: str  # the service its read errors are reported under
    key: Callable[[R], tuple[str, str]]  # (name, region or kube context)
    read: Callable[[CloudSession], Fetched[R]]  # every region (or the kube context)
    images: Callable[[R], tuple[str, ...]] = _no_images  # what a workload runs
    log: Callable[[R], LogSubject | None] = _nothing  # what ``l`` follows
    settled: Callable[[R], bool] = _always  # a change to it has finished rolling out
    read_early: Callable[[CloudSession, Early], Fetched[R]] | None = None
    """``read`` that also tells ``Early`` the records listed so far (a first read's rows)."""

    def ref(self, record: R) -> ResourceRef:
        """The ResourceRef of ``record``."""
        name, scope = self.key(record)
        return ResourceRef(self.name, name, scope, getattr(record, "profile", ""))


# --- how each kind names, runs, logs and settles ------------------------------


def _project_log(record: ProjectRecord) -> LogSubject | None:
    build = record.last_build
    return BuildSource(build.region, build.build_id) if build is not None else None


def _project_settled(record: ProjectRecord) -> bool:
    return record.last_build is None or record.last_build.status != "IN_PROGRESS"


def _ecs_settled(record: EcsServiceRecord) -> bool:
    if any(d.rollout_state == "IN_PROGRESS" for d in record.deployments):
        return False
    return len(record.deployments) <= 1 and record.running == record.desired


def _lambda_images(record: LambdaFunctionRecord) -> tuple[str, ...]:
    return (record.image_uri,) if record.image_uri else ()


def _lambda_settled(record: LambdaFunctionRecord) -> bool:
    return record.last_update_status != "InProgress" and record.state != "Pending"


def _deployment_images(record: DeploymentRecord) -> tuple[str, ...]:
    found = list(record.images)
    for pod in record.pods:
        found.extend(c.image for c in pod.containers if c.image and c.image not in found)
    return tuple(dict.fromkeys(found))


def deployment_log(record: DeploymentRecord) -> LogSubject | None:
    """A crashing pod's (previous) log, else the first pod's."""
    for pod in record.pods:
        container = crashing_container(pod)
        if container is not None:
            return pod_subject(pod, container.name)
    return pod_subject(record.pods[0]) if record.pods else None


def _deployment_settled(record: DeploymentRecord) -> bool:
    desired = record.desired
    return (
        record.ready == desired
        and record.updated == desired
        and record.available == desired
        and len(record.pods) <= desired
    )


ECR = Kind[RepositoryRecord](
    "ecr",
    "ECR repository",
    RepositoryRecord,
    "ecr",
    key=lambda r: (r.name, r.region),
    read=fetch_repositories,
    read_early=fetch_repositories,
)
CODEBUILD = Kind[ProjectRecord](
    "codebuild",
    "CodeBuild project",
    ProjectRecord,
    "codebuild",
    key=lambda r: (r.name, r.region),
    read=fetch_projects,
    read_early=fetch_projects,
    log=_project_log,
    settled=_project_settled,
)
ECS = Kind[EcsServiceRecord](
    "ecs",
    "ECS service",
    EcsServiceRecord,
    "ecs",
    key=lambda r: (f"{r.cluster}/{r.name}", r.region),
    read=fetch_ecs_services,
    read_early=fetch_ecs_services,
    images=lambda r: r.images,
    log=lambda r: EcsSource(r.region, r.cluster, r.name),
    settled=_ecs_settled,
)
LAMBDA = Kind[LambdaFunctionRecord](
    "lambda",
    "Lambda function",
    LambdaFunctionRecord,
    "lambda",
    key=lambda r: (r.name, r.region),
    read=fetch_functions,
    images=_lambda_images,
    log=lambda r: LambdaSource(r.region, r.name),
    settled=_lambda_settled,
)
K8S = Kind[DeploymentRecord](
    "k8s",
    "Kubernetes deployment",
    DeploymentRecord,
    KUBE_SERVICE,
    key=lambda r: (f"{r.namespace}/{r.name}", r.context),
    read=fetch_deployments,
    read_early=fetch_deployments,
    images=_deployment_images,
    log=deployment_log,
    settled=_deployment_settled,
)
QUOTA = Kind[QuotaRecord](
    "quota",
    "Service quota",
    QuotaRecord,
    "service-quotas",
    key=lambda r: (f"{r.service_code}/{r.quota_code}", r.region),
    read=fetch_quotas,
    read_early=fetch_quotas,
)

ALARM = Kind[AlarmRecord](
    "alarm",
    "CloudWatch alarm",
    AlarmRecord,
    "cloudwatch",
    key=lambda r: (r.name, r.region),
    read=fetch_alarms,
    read_early=fetch_alarms,
)

KINDS: tuple[Kind[Any], ...] = (ECR, CODEBUILD, ECS, LAMBDA, K8S, QUOTA, ALARM)
KIND_NAMES: tuple[str, ...] = tuple(k.name for k in KINDS)
WORKLOAD_KINDS: tuple[str, ...] = tuple(k.name for k in KINDS if k.images is not _no_images)
"""The kinds that run images."""
_BY_NAME: Mapping[str, Kind[Any]] = {k.name: k for k in KINDS}
_BY_RECORD: Mapping[type, Kind[Any]] = {k.record: k for k in KINDS}


def kind(name: str) -> Kind[Any]:
    """The kind called ``name`` (KeyError for an unknown one)."""
    return _BY_NAME[name]


def kind_of(record: object) -> Kind[Any] | None:
    """The kind of ``record``, None when it is not a registered kind's record."""
    return _BY_RECORD.get(type(record))


def ref_of(record: object) -> ResourceRef | None:
    """The ResourceRef of a registered kind's record."""
    found = kind_of(record)
    return found.ref(record) if found is not None else None


def log_of(record: object) -> LogSubject | None:
    """What ``l`` follows for ``record``: a kind's log, a build's, a pod's."""
    if isinstance(record, BuildRecord):
        return BuildSource(record.region, record.build_id)
    if isinstance(record, PodRecord):
        return pod_subject(record)
    found = kind_of(record)
    return found.log(record) if found is not None else None


def workload_label(ref: ResourceRef) -> str:
    """How a workload is named where it is listed: ``k8s nova-backend/cdn-service``."""
    return f"{ref.kind} {ref.name}"


# --- panes: which kinds the console shows together ----------------------------


@dataclass(frozen=True)
class Pane:
    """A pane of the console: its name (config, commands, binding ids) and its kinds."""

    name: str
    kinds: tuple[str, ...]
    refresh_seconds: float  # default interval; ``[refresh]`` in the config file
    watched_by: tuple[str, ...] = ()
    """Kinds read with it: their findings flag its rows (an alarm flags a service)."""


PANES: tuple[Pane, ...] = (
    Pane("repositories", ("ecr",), 60.0),
    Pane("builds", ("codebuild",), 10.0, watched_by=("alarm",)),
    Pane("services", ("ecs", "lambda", "k8s"), 10.0, watched_by=("alarm",)),
    Pane("quotas", ("quota",), 60.0),
    Pane("alarms", ("alarm",), 30.0),
)
PANE_NAMES: tuple[str, ...] = tuple(p.name for p in PANES)


def pane(name: str) -> Pane:
    """The pane called ``name``."""
    return next(p for p in PANES if p.name == name)
