"""Where log lines come from: CloudWatch groups, CodeBuild builds, ECS services, Lambda functions.

Each resolver turns a resource into LogTargets for ``tail_logs``; a failed
call is raised to the caller as the SDK's exception (classify it with
``cloud.errors.classify``) except in ``list_log_groups``, which returns a
Fetched with the error kept as data for a picker pane.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from cloud.errors import classify, recoverable_errors
from cloud.logs.limits import SHARED_LIMITERS, RegionLimiters
from cloud.logs.merge import BUSY_INTERVAL
from cloud.logs.polling import ClientFactory
from cloud.logs.records import LogBatch, LogEvent, LogStatus, LogTarget, StatusKind
from cloud.logs.tail import TailMode, tail_logs
from cloud.records import Fetched, FetchError

if TYPE_CHECKING:
    from types_boto3_codebuild import CodeBuildClient
    from types_boto3_ecs import ECSClient
    from types_boto3_lambda import LambdaClient
    from types_boto3_logs import CloudWatchLogsClient

BUILD_STATUS_EVERY = 5.0  # seconds between BatchGetBuilds checks while following a build
_ENTERING = re.compile(r"Entering phase (\w+)")
_COMPLETE = re.compile(r"Phase complete: (\w+) State: (\w+)")


@dataclass(frozen=True)
class LogGroupInfo:
    """A CloudWatch log group as a picker row shows it."""

    name: str
    region: str
    arn: str | None
    stored_bytes: int | None
    retention_days: int | None  # None: never expire
    created_at: datetime | None


def list_log_groups(clients: ClientFactory, region: str, prefix: str = "") -> Fetched[LogGroupInfo]:
    """Every log group in ``region`` (optionally by name prefix); errors kept as data."""
    client: CloudWatchLogsClient = clients("logs", region)
    found: list[LogGroupInfo] = []
    try:
        pages = client.get_paginator("describe_log_groups")
        query = pages.paginate(logGroupNamePrefix=prefix) if prefix else pages.paginate()
        for page in query:
            for group in page.get("logGroups", ()):
                created = group.get("creationTime")
                found.append(
                    LogGroupInfo(
                        name=group.get("logGroupName", ""),
                        region=region,
                        arn=group.get("logGroupArn") or group.get("arn"),
                        stored_bytes=group.get("storedBytes"),
                        retention_days=group.get("retentionInDays"),
                        created_at=(
                            datetime.fromtimestamp(created / 1000, tz=UTC) if created else None
                        ),
                    )
                )
    except recoverable_errors() as exc:
        return Fetched(tuple(found), (classify(exc, "logs", region),), datetime.now(tz=UTC))
    return Fetched(tuple(found), (), datetime.now(tz=UTC))


def group_exists(clients: ClientFactory, region: str, group: str) -> bool:
    """Whether ``group`` exists in ``region`` (one DescribeLogGroups call)."""
    client: CloudWatchLogsClient = clients("logs", region)
    answer = client.describe_log_groups(logGroupNamePrefix=group)
    return any(g.get("logGroupName") == group for g in answer.get("logGroups", ()))


def lambda_target(clients: ClientFactory, region: str, function: str) -> LogTarget:
    """The log group of a Lambda function: its LoggingConfig group, else ``/aws/lambda/<name>``."""
    client: LambdaClient = clients("lambda", region)
    name = function.rpartition(":function:")[2].split(":")[0] or function
    group = f"/aws/lambda/{name}"
    try:
        config = client.get_function_configuration(FunctionName=function)
    except recoverable_errors():
        # Without the configuration the default group is still right for most functions.
        return LogTarget(region=region, group=group, label=f"lambda {name}")
    group = config.get("LoggingConfig", {}).get("LogGroup") or group
    return LogTarget(region=region, group=group, label=f"lambda {name}")


def ecs_targets(
    clients: ClientFactory,
    region: str,
    cluster: str,
    service: str,
    task_id: str | None = None,
) -> tuple[LogTarget, ...]:
    """Targets of an ECS service's awslogs containers (or of one task, by stream names).

    Streams are ``prefix/container/taskid``; for the whole service the
    prefix ``prefix/container/`` covers every task, past and future.
    """
    client: ECSClient = clients("ecs", region)
    described = client.describe_services(cluster=cluster, services=[service])
    services = described.get("services", [])
    if not services:
        raise LookupError(f"ECS service {service} not found in cluster {cluster} ({region})")
    task_def = services[0].get("taskDefinition", "")
    definition = client.describe_task_definition(taskDefinition=task_def)["taskDefinition"]
    targets: list[LogTarget] = []
    for container in definition.get("containerDefinitions", []):
        config = container.get("logConfiguration", {})
        options = config.get("options", {})
        group = options.get("awslogs-group")
        if config.get("logDriver") != "awslogs" or not group:
            continue
        name = container.get("name", "")
        prefix = options.get("awslogs-stream-prefix")
        label = f"ecs {service}/{name}"
        if task_id and prefix:
            short = task_id.rpartition("/")[2]
            stream = f"{prefix}/{name}/{short}"
            targets.append(LogTarget(region, group, streams=(stream,), label=label))
        else:
            stream_prefix = f"{prefix}/{name}/" if prefix else None
            targets.append(LogTarget(region, group, stream_prefix=stream_prefix, label=label))
    if not targets:
        raise LookupError(f"task definition {task_def} has no awslogs container")
    return tuple(targets)


@dataclass(frozen=True)
class BuildLogs:
    """A CodeBuild build's log location and whether it is still running."""

    build_id: str
    status: str  # "IN_PROGRESS", "SUCCEEDED", "FAILED", ...
    target: LogTarget | None  # None until CodeBuild has created the stream


def build_logs(clients: ClientFactory, region: str, build_id: str) -> BuildLogs:
    """Where a build logs (BatchGetBuilds ``logs``) and its status."""
    client: CodeBuildClient = clients("codebuild", region)
    builds = client.batch_get_builds(ids=[build_id]).get("builds", [])
    if not builds:
        raise LookupError(f"CodeBuild build {build_id} not found in {region}")
    build = builds[0]
    logs = build.get("logs", {})
    group, stream = logs.get("groupName"), logs.get("streamName")
    project = build.get("projectName") or build_id.partition(":")[0]
    label = f"build {project}:{build.get('buildNumber', build_id.rpartition(':')[2])}"
    target = LogTarget(region, group, (stream,), label=label) if group and stream else None
    return BuildLogs(build_id, build.get("buildStatus", "IN_PROGRESS"), target)


def _error_code(exc: BaseException) -> str:
    response = getattr(exc, "response", None)
    error = response.get("Error", {}) if isinstance(response, dict) else {}
    return str(error.get("Code", "")) if isinstance(error, dict) else ""


def build_by_number(client: CodeBuildClient, project: str, number: int) -> str | None:
    """The id of ``project``'s build ``#number`` (its ``buildNumber``), None if it has none.

    ListBuildsForProject pages newest first; each page is described with BatchGetBuilds
    and the walk stops at the first page that reaches below ``number``. A project that
    does not exist raises the SDK's ResourceNotFoundException.
    """
    pages = client.get_paginator("list_builds_for_project")
    for page in pages.paginate(projectName=project, sortOrder="DESCENDING"):
        ids = page.get("ids", [])
        if not ids:
            continue
        builds = client.batch_get_builds(ids=ids[:100]).get("builds", [])
        numbers = {b.get("buildNumber"): b.get("id") for b in builds}
        if number in numbers:
            return str(numbers[number])
        if any(isinstance(n, int) and n < number for n in numbers):
            return None
    return None


def find_build(clients: ClientFactory, regions: Sequence[str], build: str) -> tuple[str, str]:
    """(region, build id) of ``PROJECT:NUMBER`` (``#35`` as the console shows it, ``35``)
    or of a whole id ``PROJECT:UUID``, looked for in each of ``regions`` in turn.

    LookupError (one line naming what is missing and where) when no region has it.
    """
    project, _, rest = build.partition(":")
    number = rest.removeprefix("#")
    by_number = number.isascii() and number.isdigit()
    where = ", ".join(regions)
    for region in regions:
        client: CodeBuildClient = clients("codebuild", region)
        if not by_number:
            if client.batch_get_builds(ids=[build]).get("builds"):
                return region, build
            continue
        try:
            found = build_by_number(client, project, int(number))
        except recoverable_errors() as exc:
            if _error_code(exc) == "ResourceNotFoundException":
                continue  # the project lives in another region
            raise
        if found is None:
            raise LookupError(f"CodeBuild project {project} has no build #{number} in {region}")
        return region, found
    if by_number:
        raise LookupError(f"CodeBuild project {project} not found in {where}")
    raise LookupError(f"CodeBuild build {build} not found in {where}")


class PhaseTracker:
    """Recognises CodeBuild phase markers and tags every line with the phase it belongs to."""

    def __init__(self, source: str) -> None:
        self._source = source
        self.phase: str | None = None

    def annotate(self, batch: LogBatch) -> LogBatch:
        """The batch with ``phase`` set on its events and PHASE statuses for the markers."""
        events: list[LogEvent] = []
        statuses = list(batch.statuses)
        for event in batch.events:
            entering = _ENTERING.search(event.message)
            complete = None if entering else _COMPLETE.search(event.message)
            if entering:
                self.phase = entering.group(1)
                text = f"entering phase {self.phase}"
                statuses.append(
                    LogStatus(StatusKind.PHASE, self._source, text, None, event.timestamp_ms)
                )
            elif complete:
                text = f"phase {complete.group(1)} complete: {complete.group(2)}"
                statuses.append(
                    LogStatus(StatusKind.PHASE, self._source, text, None, event.timestamp_ms)
                )
            events.append(event._replace(phase=self.phase) if self.phase else event)
        return LogBatch(tuple(events), tuple(statuses))


def tail_build(
    clients: ClientFactory,
    region: str,
    build_id: str,
    *,
    since_ms: int = 0,
    follow: bool = True,
    pattern: str | None = None,
    mode: TailMode = "auto",
    stop: threading.Event | None = None,
    status_every: float = BUILD_STATUS_EVERY,
    limiters: RegionLimiters = SHARED_LIMITERS,
    page_limit: int | None = None,
    busy_interval: float = BUSY_INTERVAL,
) -> Iterator[LogBatch]:
    """A build's log from ``since_ms``, followed while it runs, ending once it completes."""
    found = build_logs(clients, region, build_id)
    while found.target is None:  # queued / provisioning: the stream does not exist yet
        if not follow or found.status != "IN_PROGRESS":
            text = f"build {build_id} has no CloudWatch log ({found.status})"
            yield LogBatch((), (LogStatus(StatusKind.ENDED, build_id, text),))
            return
        if stop is not None and stop.wait(status_every):
            return
        if stop is None:
            time.sleep(status_every)
        found = build_logs(clients, region, build_id)
    target = found.target
    tracker = PhaseTracker(target.shown)
    running = _BuildWatch(clients, region, build_id, found.status, status_every)
    batches = tail_logs(
        clients,
        [target],
        since_ms=since_ms,
        follow=follow and running(),
        pattern=pattern,
        mode=mode,
        stop=stop,
        keep_following=running,
        limiters=limiters,
        page_limit=page_limit,
        busy_interval=busy_interval,
    )
    for batch in batches:
        yield tracker.annotate(batch)
    if follow and not running():
        text = f"build finished: {running.status}"
        yield LogBatch((), (LogStatus(StatusKind.ENDED, target.shown, text),))


class _BuildWatch:
    """``() -> still running?``, asking BatchGetBuilds at most every ``every`` seconds."""

    def __init__(
        self, clients: ClientFactory, region: str, build_id: str, status: str, every: float
    ) -> None:
        self._clients = clients
        self._region = region
        self._build_id = build_id
        self.status = status
        self._every = every
        self._checked = time.monotonic()
        self._clock: Callable[[], float] = time.monotonic
        self.last_error: FetchError | None = None

    def __call__(self) -> bool:
        if self.status != "IN_PROGRESS":
            return False
        if self._clock() - self._checked >= self._every:
            self._checked = self._clock()
            try:
                self.status = build_logs(self._clients, self._region, self._build_id).status
                self.last_error = None
            except recoverable_errors() as exc:
                # Keep following: the next check may succeed; the error stays readable.
                self.last_error = classify(exc, "codebuild", self._region)
        return self.status == "IN_PROGRESS"
