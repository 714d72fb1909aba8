"""Typed, immutable description of an incident world, as loaded from a scenario file.

Times are resolved when the scenario is loaded: absolute ISO-8601 values stay as
they are, relative ones (``-2h30m``) are anchored at the moment of loading, so a
world started today has fresh logs (CloudWatch, like moto, refuses log events
older than 14 days).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from demo.accounts import ExtraAccount

BUILD_PHASES: tuple[str, ...] = (
    "SUBMITTED",
    "QUEUED",
    "PROVISIONING",
    "DOWNLOAD_SOURCE",
    "INSTALL",
    "PRE_BUILD",
    "BUILD",
    "POST_BUILD",
    "UPLOAD_ARTIFACTS",
    "FINALIZING",
    "COMPLETED",
)
BUILD_STATUSES: tuple[str, ...] = ("SUCCEEDED", "FAILED", "FAULT", "TIMED_OUT", "STOPPED")
POD_STATES: tuple[str, ...] = ("Running", "NotReady", "ImagePullBackOff", "CrashLoopBackOff")


@dataclass(frozen=True)
class WorldSettings:
    """Account, credentials and pacing of the world."""

    name: str
    account_id: str
    default_region: str
    access_key_id: str
    secret_access_key: str
    tick_seconds: float
    speed: float
    throttle_rate: float = 0.0  # share of calls answered with ThrottlingException
    throttle_services: tuple[str, ...] = ()  # signing names; empty: every JSON service
    page_size: int | None = None  # at most this many items per page of a list call


@dataclass(frozen=True)
class EcrImage:
    """One image manifest in a repository, with every tag that points at it."""

    tags: tuple[str, ...]
    layers: tuple[int, ...]
    pushed_at: datetime

    @property
    def size(self) -> int:
        """Size as ECR reports it: the sum of the compressed layer sizes."""
        return sum(self.layers)


@dataclass(frozen=True)
class EcrRepository:
    """An ECR repository in one region."""

    region: str
    name: str
    scan_on_push: bool
    encryption: str
    tag_mutability: str
    lifecycle_policy: dict[str, Any] | None
    created_at: datetime
    images: tuple[EcrImage, ...]


@dataclass(frozen=True)
class PhaseRecord:
    """One phase of a recorded (historical) build."""

    phase_type: str
    status: str
    start: datetime
    duration: float
    status_code: str | None
    message: str | None
    output: tuple[str, ...]


@dataclass(frozen=True)
class BuildRecord:
    """A build that already happened when the world starts."""

    number: int
    status: str
    source_version: str
    resolved_source_version: str
    initiator: str
    start: datetime
    phases: tuple[PhaseRecord, ...]
    environment_overrides: dict[str, str]


@dataclass(frozen=True)
class BuildRun:
    """How a build started in the world runs: phase durations and commands."""

    durations: dict[str, float]
    commands: dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class CodeBuildProject:
    """A CodeBuild project, its history and how new builds of it run."""

    region: str
    name: str
    description: str
    source_type: str
    source_location: str
    buildspec: str
    source_version: str
    environment_type: str
    compute_type: str
    image: str
    privileged_mode: bool
    service_role: str
    log_group: str
    timeout_minutes: int
    queued_timeout_minutes: int
    concurrent_build_limit: int | None
    created_at: datetime
    tags: dict[str, str]
    run: BuildRun
    builds: tuple[BuildRecord, ...]


@dataclass(frozen=True)
class Quota:
    """One Service Quotas quota: default value and the applied value per region."""

    code: str
    name: str
    default: float
    adjustable: bool
    unit: str
    compute_type: str | None
    applied: dict[str, float | None]
    usage_metric: dict[str, Any] | None = None  # Service Quotas' UsageMetric, as AWS gives it


@dataclass(frozen=True)
class QuotaService:
    """The quotas of one service code (e.g. ``codebuild``)."""

    service_code: str
    service_name: str
    quotas: tuple[Quota, ...]


@dataclass(frozen=True)
class QuotaRequestPacing:
    """Seconds after which a quota increase request moves to the next status."""

    case_opened_after: float
    approved_after: float


@dataclass(frozen=True)
class EcsContainer:
    """A container definition of a task definition."""

    name: str
    image: str
    port: int | None
    environment: dict[str, str]
    log_group: str | None
    log_stream_prefix: str | None
    health_check: str | None
    essential: bool


@dataclass(frozen=True)
class EcsTaskDefinition:
    """One revision of a task definition family (revisions follow file order)."""

    family: str
    cpu: int
    memory: int
    execution_role: str
    task_role: str | None
    containers: tuple[EcsContainer, ...]


@dataclass(frozen=True)
class EcsContainerState:
    """What a stopped (or running) task's container reports."""

    exit_code: int | None
    reason: str | None


@dataclass(frozen=True)
class EcsTask:
    """A task of a service, running or stopped."""

    status: str
    task_definition: str
    started_at: datetime | None
    stopped_at: datetime | None
    stop_code: str | None
    stopped_reason: str | None
    containers: dict[str, EcsContainerState]


@dataclass(frozen=True)
class ServiceEvent:
    """A line of an ECS service's event history."""

    at: datetime
    message: str


@dataclass(frozen=True)
class EcsService:
    """An ECS service with its tasks and events."""

    name: str
    task_definition: str
    desired: int
    launch_type: str
    created_at: datetime
    tasks: tuple[EcsTask, ...]
    events: tuple[ServiceEvent, ...]
    deployed_at: datetime  # createdAt of its PRIMARY deployment (the current task definition)
    memory_needed: int | None = None  # MiB; tasks with less task memory are killed out of memory


@dataclass(frozen=True)
class EcsCluster:
    """An ECS cluster in one region, its task definitions and services."""

    region: str
    name: str
    task_definitions: tuple[EcsTaskDefinition, ...]
    services: tuple[EcsService, ...]


@dataclass(frozen=True)
class LambdaFunction:
    """A Lambda function packaged as a container image."""

    region: str
    name: str
    image: str
    memory: int
    timeout: int
    role: str
    environment: dict[str, str]
    description: str
    last_modified: datetime  # LastModified: the last change to its code or configuration


@dataclass(frozen=True)
class Secret:
    """A Secrets Manager secret; its value is never shown by the world."""

    region: str
    name: str
    description: str
    value: str


@dataclass(frozen=True)
class LogEvent:
    """One CloudWatch log event."""

    at: datetime
    message: str


@dataclass(frozen=True)
class StreamCondition:
    """What keeps a live stream's incident going: the resource that writes it, as it runs.

    It holds while the Lambda function (``kind`` ``lambda``) is configured so, or while a
    running task of the ECS service (``kind`` ``ecs_service``, ``name`` ``cluster/service``)
    is; every test given must match (an absent one matches anything).
    """

    kind: str
    region: str
    name: str
    image: str | None = None  # the function's ImageUri, or an image of the task's containers
    task_definition: str | None = None  # ``family:revision`` of the task (ECS only)
    memory_below: int | None = None  # MiB: the function's MemorySize or the task's memory


@dataclass(frozen=True)
class LogStream:
    """A log stream and its events; a live one keeps writing its lines on the clock.

    With ``live_while``, the live lines are written while that condition holds, and
    ``healthy_lines`` (or nothing, when there are none) once it no longer does.
    """

    name: str
    events: tuple[LogEvent, ...]
    live_every: float | None = None  # seconds between live lines (already scaled by speed)
    live_lines: tuple[str, ...] = ()
    live_while: StreamCondition | None = None
    healthy_lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class LogGroup:
    """A CloudWatch log group in one region."""

    region: str
    name: str
    retention_days: int | None
    streams: tuple[LogStream, ...]


@dataclass(frozen=True)
class Alarm:
    """A CloudWatch metric alarm."""

    region: str
    name: str
    namespace: str
    metric: str
    threshold: float
    period: int
    evaluation_periods: int
    comparison: str
    dimensions: dict[str, str]
    state: str
    state_reason: str
    statistic: str = "Average"


@dataclass(frozen=True)
class MetricShape:
    """How a metric series moves: around ``level`` by up to ``swing``, or climbing.

    With ``climb_to`` the series is a saw: from ``level`` up to ``climb_to`` over
    ``cycle`` seconds, then down again (memory before each out-of-memory kill).
    """

    level: float
    swing: float = 0.0
    climb_to: float | None = None
    cycle: float = 600.0
    whole: bool = False  # a count: values are whole numbers


@dataclass(frozen=True)
class MetricSeries:
    """A CloudWatch metric the world writes: its history at start, then a point each ``every``.

    Before ``since`` the series is ``healthy``; from ``since`` on it is ``incident``,
    for as long as ``live_while`` holds (checked before each point), healthy again after.
    """

    region: str
    namespace: str
    metric: str
    dimensions: dict[str, str]
    unit: str
    every: float  # seconds between points of the history
    live_every: float  # seconds between points on the clock (``every`` scaled by speed)
    history: float  # seconds of history written when the world starts
    healthy: MetricShape
    incident: MetricShape | None = None
    since: datetime | None = None
    live_while: StreamCondition | None = None


@dataclass(frozen=True)
class PodGroup:
    """``count`` pods of a deployment in the same state."""

    state: str
    count: int
    restarts: int
    started_at: datetime
    image: str | None


@dataclass(frozen=True)
class EnvSource:
    """An env var value: a literal or a reference to a Kubernetes secret key."""

    value: str | None
    secret: str | None
    key: str | None


@dataclass(frozen=True)
class Deployment:
    """A Kubernetes deployment and the pods the world shows for it."""

    name: str
    namespace: str
    image: str
    port: int
    env: dict[str, EnvSource]
    requires_env: tuple[str, ...]
    log: tuple[str, ...]
    crash_log: tuple[str, ...]
    exit_code: int
    created_at: datetime
    pods: tuple[PodGroup, ...]

    @property
    def replicas(self) -> int:
        """Desired replicas: the number of pods the scenario lists."""
        return sum(group.count for group in self.pods)


@dataclass(frozen=True)
class KubeSecret:
    """A Kubernetes secret that exists when the world starts."""

    namespace: str
    name: str
    data: dict[str, str]


@dataclass(frozen=True)
class Kubernetes:
    """The EKS cluster of the world."""

    context: str
    cluster_arn: str
    registry_region: str
    namespaces: tuple[str, ...]
    deployments: tuple[Deployment, ...]
    secrets: tuple[KubeSecret, ...]


@dataclass(frozen=True)
class Scenario:
    """A whole incident world."""

    source: str
    loaded_at: datetime
    world: WorldSettings
    ecr: tuple[EcrRepository, ...] = ()
    codebuild: tuple[CodeBuildProject, ...] = ()
    quotas: tuple[QuotaService, ...] = ()
    quota_requests: QuotaRequestPacing = QuotaRequestPacing(3.0, 8.0)
    ecs: tuple[EcsCluster, ...] = ()
    functions: tuple[LambdaFunction, ...] = ()
    secrets: tuple[Secret, ...] = ()
    logs: tuple[LogGroup, ...] = ()
    alarms: tuple[Alarm, ...] = ()
    metrics: tuple[MetricSeries, ...] = ()
    kubernetes: Kubernetes | None = None
    regions: tuple[str, ...] = field(default=())
    accounts: tuple[ExtraAccount, ...] = ()
    """Other accounts of the world, each with its profile (``demo.accounts``)."""
