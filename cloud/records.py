"""Typed, immutable records of what shipdeck reads from AWS and Kubernetes.

Records are the only thing the read side hands to the console: screens turn
them into rows, widgets never see AWS. Every record is a frozen dataclass so a
worker thread can pass it to the UI thread without copying or locking.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Generic, TypeVar

from cloud.text import safe_text, safe_value


class Severity(StrEnum):
    """How urgently a flag asks for a person's attention."""

    CRITICAL = "critical"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Flag:
    """Something on a row a person acts on, e.g. ``latest`` missing.

    Flags are not read: the diagnosis marks rows with them, from the same
    findings ``shipdeck doctor`` prints (``finding`` is that finding's id).
    """

    code: str  # the finding's kind, e.g. "missing-tag", "buildcache-bloat"
    severity: Severity
    text: str  # one short sentence for the row / detail, e.g. "latest missing; deployed by 2 pods"
    finding: str | None = None


class ErrorKind(StrEnum):
    """Why a call failed, in the words a person would use."""

    THROTTLED = "throttled"
    ACCESS_DENIED = "access denied"
    EXPIRED_CREDENTIALS = "expired credentials"
    NO_CREDENTIALS = "no credentials"
    UNREACHABLE = "unreachable"
    NOT_FOUND = "not found"
    MALFORMED = "malformed response"  # garbage, cut short, an HTML page, required fields missing
    OTHER = "error"


@dataclass(frozen=True)
class FetchError:
    """A failed call, kept as data so its pane can show it in place."""

    service: str  # "ecr", "codebuild", "ecs", "lambda", "kubernetes", "service-quotas", ...
    region: str  # AWS region, or the kube context for Kubernetes
    kind: ErrorKind
    message: str  # one readable line, no traceback
    profile: str = ""  # the AWS profile whose read failed, when several are shown

    def __post_init__(self) -> None:
        # The message quotes the service's answer: outside text, made safe here.
        object.__setattr__(self, "message", safe_text(self.message))

    def line(self) -> str:
        """One line for a status bar or a pane: ``ecr ap-northeast-1: access denied: ...``."""
        where = f"{self.profile} {self.region}" if self.profile else self.region
        return f"{self.service} {where}: {self.kind.value}: {self.message}"


T = TypeVar("T")


@dataclass(frozen=True)
class Fetched(Generic[T]):
    """The result of one fetch: the records that could be read and the errors of the rest."""

    records: tuple[T, ...]
    errors: tuple[FetchError, ...] = ()
    fetched_at: datetime | None = None

    def __post_init__(self) -> None:
        # The boundary for records: every string read from AWS or Kubernetes
        # (names, tags, event messages, crash logs) is made safe for a terminal
        # once, here, so no screen or command has to remember it.
        object.__setattr__(self, "records", safe_value(tuple(self.records)))


# --- ECR -------------------------------------------------------------------


@dataclass(frozen=True)
class ImageRecord:
    """One image (one digest) of a repository, with all the tags on it."""

    repository: str
    region: str
    digest: str
    tags: tuple[str, ...]
    size_bytes: int
    pushed_at: datetime | None
    scan_status: str | None  # "COMPLETE", "FAILED", "IN_PROGRESS", None when never scanned
    finding_counts: tuple[tuple[str, int], ...] = ()  # (severity, count), e.g. ("HIGH", 3)


@dataclass(frozen=True)
class RepositoryRecord:
    """An ECR repository with what its row needs to show at a glance."""

    name: str
    region: str
    uri: str
    arn: str
    created_at: datetime | None
    scan_on_push: bool
    encryption: str  # "AES256" or "KMS"
    tag_mutability: str
    has_lifecycle_policy: bool | None  # None when it could not be read
    image_count: int
    has_latest: bool
    newest_tags: tuple[str, ...]
    newest_size_bytes: int | None
    newest_pushed_at: datetime | None
    total_size_bytes: int
    buildcache_size_bytes: int | None  # size of the image tagged "buildcache", if any
    runtime_size_bytes: int | None  # size of the image tagged latest, else the newest runnable
    images: tuple[ImageRecord, ...] = ()  # newest first
    partial: bool = False  # listed only: its images and policy are still being read
    profile: str = ""  # the AWS profile read with, when several are shown (ResourceRef)


# --- CodeBuild -------------------------------------------------------------


@dataclass(frozen=True)
class PhaseRecord:
    """One phase of a CodeBuild build."""

    phase_type: str  # "BUILD"
    status: str | None  # "SUCCEEDED", "FAILED", None while running
    start: datetime | None
    end: datetime | None
    duration_seconds: int | None
    # messages, e.g. "COMMAND_EXECUTION_ERROR: docker: command not found"
    contexts: tuple[str, ...] = ()


@dataclass(frozen=True)
class BuildRecord:
    """One CodeBuild build."""

    build_id: str
    project: str
    region: str
    number: int | None
    status: str  # "SUCCEEDED", "FAILED", "FAULT", "TIMED_OUT", "IN_PROGRESS", "STOPPED"
    current_phase: str | None
    start: datetime | None
    end: datetime | None
    source_version: str | None
    initiator: str | None
    log_group: str | None
    log_stream: str | None
    phases: tuple[PhaseRecord, ...] = ()

    @property
    def duration_seconds(self) -> int | None:
        """Wall time of the build, up to now when it is still running."""
        if self.start is None:
            return None
        if self.end is None:
            return None
        return int((self.end - self.start).total_seconds())


@dataclass(frozen=True)
class BlockedReason:
    """Why a project cannot start builds, with the quota arithmetic a person needs."""

    quota_code: str  # "L-4DDC4A99"
    quota_name: str
    applied_value: float | None
    default_value: float | None
    effective_concurrency: int
    queue_capacity: int  # 5 x effective concurrency
    project_limit: int | None
    explanation: str  # one sentence, e.g. "No applied value for L-4DDC4A99 (default 15): ..."


@dataclass(frozen=True)
class ProjectRecord:
    """A CodeBuild project with its recent history and whether it can start builds."""

    name: str
    region: str
    arn: str
    source_type: str
    source_location: str | None
    compute_type: str
    environment_type: str  # "LINUX_CONTAINER", ...
    image: str
    privileged: bool
    service_role: str | None
    log_group: str | None
    timeout_minutes: int | None
    concurrent_build_limit: int | None
    last_build: BuildRecord | None
    recent_statuses: tuple[str, ...]  # newest first, up to 10
    blocked: BlockedReason | None = None
    recent_builds: tuple[BuildRecord, ...] = ()  # newest first, up to 10, with their phases
    partial: bool = False  # described only: its builds and quota values are still being read
    profile: str = ""  # the AWS profile read with, when several are shown (ResourceRef)


# --- Services --------------------------------------------------------------


@dataclass(frozen=True)
class EcsDeploymentRecord:
    """One deployment of an ECS service (PRIMARY / ACTIVE)."""

    deployment_id: str
    status: str
    task_definition: str  # "query-service:1"
    desired: int
    running: int
    pending: int
    rollout_state: str | None
    created_at: datetime | None


@dataclass(frozen=True)
class EcsTaskRecord:
    """A task of an ECS service, running or stopped."""

    task_arn: str
    task_definition: str
    last_status: str
    desired_status: str
    started_at: datetime | None
    stopped_at: datetime | None
    stop_code: str | None
    stopped_reason: str | None
    # (name, exit, reason)
    container_exit_codes: tuple[tuple[str, int | None, str | None], ...] = ()


@dataclass(frozen=True)
class EcsServiceRecord:
    """An ECS service and what its detail shows."""

    cluster: str
    name: str
    region: str
    arn: str
    status: str
    launch_type: str | None
    desired: int
    running: int
    pending: int
    task_definition: str
    images: tuple[str, ...]
    cpu: str | None
    memory: str | None
    log_group: str | None
    log_stream_prefix: str | None
    deployments: tuple[EcsDeploymentRecord, ...] = ()
    events: tuple[tuple[datetime | None, str], ...] = ()  # newest first
    tasks: tuple[EcsTaskRecord, ...] = ()  # running and recently stopped
    partial: bool = False  # listed only: its description and tasks are still being read
    profile: str = ""  # the AWS profile read with, when several are shown (ResourceRef)


@dataclass(frozen=True)
class LambdaFunctionRecord:
    """A Lambda function (image or zip)."""

    name: str
    region: str
    arn: str
    package_type: str  # "Image" or "Zip"
    image_uri: str | None
    runtime: str | None
    memory_mb: int | None
    timeout_seconds: int | None
    state: str | None
    last_update_status: str | None
    last_update_reason: str | None
    last_modified: datetime | None
    log_group: str
    profile: str = ""  # the AWS profile read with, when several are shown (ResourceRef)


@dataclass(frozen=True)
class ContainerStateRecord:
    """One container of a pod, as `kubectl describe pod` would show it."""

    name: str
    image: str
    ready: bool
    restart_count: int
    state: str  # "running", "waiting", "terminated"
    reason: str | None  # "CrashLoopBackOff", "ImagePullBackOff", "OOMKilled", ...
    message: str | None
    last_exit_code: int | None
    last_reason: str | None
    last_message: str | None


@dataclass(frozen=True)
class PodRecord:
    """A Kubernetes pod."""

    name: str
    namespace: str
    context: str
    phase: str
    node: str | None
    created_at: datetime | None
    containers: tuple[ContainerStateRecord, ...]
    owner: str | None  # the deployment it belongs to, when known
    events: tuple[tuple[datetime | None, str, str, str], ...] = ()  # (time, type, reason, message)

    @property
    def problem(self) -> str | None:
        """The first waiting/terminated reason of a not-ready container, if any."""
        for c in self.containers:
            if not c.ready and c.reason:
                return c.reason
        return None


@dataclass(frozen=True)
class DeploymentRecord:
    """A Kubernetes deployment with its pods."""

    name: str
    namespace: str
    context: str
    desired: int
    ready: int
    updated: int
    available: int
    images: tuple[str, ...]
    env_names: tuple[tuple[str, tuple[str, ...]], ...]  # (container, names); values never read
    pods: tuple[PodRecord, ...] = ()
    partial: bool = False  # listed only: its pods are still being read
    profile: str = ""  # the AWS profile read with, when several are shown (ResourceRef)


ServiceRecord = EcsServiceRecord | LambdaFunctionRecord | DeploymentRecord


# --- Service Quotas --------------------------------------------------------


@dataclass(frozen=True)
class QuotaRequestRecord:
    """A quota increase request and where it is."""

    request_id: str
    service_code: str
    quota_code: str
    region: str
    desired_value: float
    status: str  # PENDING, CASE_OPENED, APPROVED, DENIED, CASE_CLOSED
    created: datetime | None
    case_id: str | None


@dataclass(frozen=True)
class UsageMetric:
    """The CloudWatch metric that counts what a quota limits (Service Quotas' UsageMetric)."""

    namespace: str  # "AWS/Usage"
    metric: str  # "ResourceCount", "CallCount"
    dimensions: tuple[tuple[str, str], ...]
    statistic: str  # the recommended one, e.g. "Maximum"


@dataclass(frozen=True)
class QuotaRecord:
    """A service quota with applied, default and effective values."""

    service_code: str
    quota_code: str
    name: str
    region: str
    applied_value: float | None  # None when the account has no applied value
    default_value: float | None
    effective_value: float  # what the service enforces today
    unit: str | None
    adjustable: bool
    running_builds: int | None = None  # for CodeBuild concurrency quotas
    queue_capacity: int | None = None  # 5 x effective, for CodeBuild concurrency quotas
    explanation: str | None = None  # one sentence, why effective is what it is
    requests: tuple[QuotaRequestRecord, ...] = ()
    # the CodeBuild projects whose builds this quota limits (concurrency quotas)
    used_by: tuple[str, ...] = ()
    partial: bool = False  # values read; the running builds are still being read
    usage_metric: UsageMetric | None = None  # where CloudWatch counts the quota's usage
    profile: str = ""  # the AWS profile read with, when several are shown (ResourceRef)


# --- What the findings read besides the panes' records -----------------------


@dataclass(frozen=True)
class LogLine:
    """One log line with its time (None when the source gave none)."""

    at: datetime | None
    text: str


@dataclass(frozen=True)
class PodLogTail:
    """The last lines of one pod container's log (the crashed one when ``previous``)."""

    context: str
    namespace: str
    pod: str
    container: str | None
    previous: bool
    text: str
    restarts: int = 0  # of that container when it was read: a new crash means a new tail


@dataclass(frozen=True)
class BuildLogTail:
    """The last lines of a CodeBuild build's log."""

    region: str
    build_id: str
    text: str


@dataclass(frozen=True)
class FunctionLog:
    """A Lambda function's recent log lines, oldest first."""

    region: str
    function: str
    lines: tuple[LogLine, ...]


@dataclass(frozen=True)
class AlarmRecord:
    """A CloudWatch metric alarm, as DescribeAlarms gives it."""

    name: str
    region: str
    arn: str
    state: str  # "OK", "ALARM", "INSUFFICIENT_DATA"
    reason: str  # StateReason, as CloudWatch words it
    updated_at: datetime | None  # when the state last changed
    namespace: str
    metric: str
    statistic: str  # "Average", "Maximum", ... or an extended statistic ("p99")
    dimensions: tuple[tuple[str, str], ...]
    threshold: float | None
    comparison: str  # "GreaterThanThreshold", ...
    period: int | None  # seconds
    evaluation_periods: int | None
    datapoints_to_alarm: int | None = None
    description: str = ""
    actions_enabled: bool = True
    profile: str = ""  # the AWS profile read with, when several are shown (ResourceRef)

    def dimension(self, name: str) -> str | None:
        """The value of dimension ``name``, None when the alarm has none."""
        return next((value for key, value in self.dimensions if key == name), None)


@dataclass(frozen=True)
class AlarmHistoryItem:
    """One change of an alarm: DescribeAlarmHistory's item."""

    at: datetime | None
    kind: str  # "StateUpdate", "ConfigurationUpdate", "Action"
    summary: str
