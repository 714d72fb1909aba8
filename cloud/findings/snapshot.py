"""Read a snapshot for the rules: the four panes' fetches in parallel, then the extras they need.

The extras are read only where a rule can use them: the tail of a crashed
pod's log when its termination message names no cause, the recent builds of a
project with failures and the log tails of the failed ones, the images of
repositories that ECS services or Lambda functions run, and the last hour of
each Lambda function's log.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, TypeVar, cast

from cloud.errors import recoverable_errors
from cloud.findings.images import ecr_region
from cloud.findings.model import LogLine, Snapshot
from cloud.findings.workloads import crashing_pods, missing_env_name
from cloud.inventory import (
    fetch_builds,
    fetch_images,
    fetch_pod_log_tail,
    fetch_projects,
    fetch_quotas,
    fetch_repositories,
    fetch_services,
)
from cloud.records import (
    BuildRecord,
    DeploymentRecord,
    EcsServiceRecord,
    ImageRecord,
    LambdaFunctionRecord,
    PodRecord,
)
from cloud.session import CloudSession
from cloud.workloads import parse_image

if TYPE_CHECKING:
    from types_boto3_logs import CloudWatchLogsClient

T = TypeVar("T")
LOG_TAIL_LINES = 40
FUNCTION_LOG_WINDOW_MS = 3_600_000  # the last hour of a function's log
FUNCTION_LOG_EVENTS = 500
_FAILED = frozenset({"FAILED", "FAULT", "TIMED_OUT"})


def read_snapshot(session: CloudSession) -> Snapshot:
    """Fetch what ``find`` looks at; fetch errors stay in the snapshot as data."""
    with ThreadPoolExecutor(max_workers=4, thread_name_prefix="shipdeck-findings") as pool:
        repositories_f = pool.submit(fetch_repositories, session)
        projects_f = pool.submit(fetch_projects, session)
        services_f = pool.submit(fetch_services, session)
        quotas_f = pool.submit(fetch_quotas, session)
        repositories, projects = repositories_f.result(), projects_f.result()
        services, quotas = services_f.result(), quotas_f.result()
        first = Snapshot(repositories, projects, services, quotas)
        pod_logs_f = pool.submit(_pod_logs, session, first)
        builds_f = pool.submit(_builds, session, first)
        images_f = pool.submit(_images, session, first)
        function_logs_f = pool.submit(_function_logs, session, first)
        builds = builds_f.result()
        build_logs = _build_logs(session, builds)
        return Snapshot(
            repositories,
            projects,
            services,
            quotas,
            pod_logs=pod_logs_f.result(),
            builds=builds,
            build_logs=build_logs,
            images=images_f.result(),
            function_logs=function_logs_f.result(),
        )


def _optional(read: Callable[[], T]) -> T | None:
    """An extra that could not be read is left out: the rules fall back to the records."""
    try:
        return read()
    except recoverable_errors():
        return None


def _pod_logs(session: CloudSession, snapshot: Snapshot) -> dict[tuple[str, str], str]:
    wanted: list[PodRecord] = []
    for record in snapshot.services.records:
        if not isinstance(record, DeploymentRecord):
            continue
        for pod in crashing_pods(record):
            said = "\n".join(c.last_message or "" for c in pod.containers)
            if missing_env_name(said) is None:
                wanted.append(pod)
                break  # one pod per deployment tells why they all crash
    logs: dict[tuple[str, str], str] = {}
    for pod in wanted:
        container = next((c.name for c in pod.containers if c.reason == "CrashLoopBackOff"), None)
        read = partial(fetch_pod_log_tail, session, pod.namespace, pod.name, container, True)
        text = _optional(partial(read, LOG_TAIL_LINES))
        if text:
            logs[(pod.namespace, pod.name)] = text
    return logs


def _builds(
    session: CloudSession, snapshot: Snapshot
) -> dict[tuple[str, str], tuple[BuildRecord, ...]]:
    found: dict[tuple[str, str], tuple[BuildRecord, ...]] = {}
    for project in snapshot.projects.records:
        if not _FAILED & set(project.recent_statuses):
            continue
        fetched = fetch_builds(session, project.region, project.name, limit=10)
        if not fetched.errors:
            found[(project.region, project.name)] = fetched.records
    return found


def _build_logs(
    session: CloudSession, builds: dict[tuple[str, str], tuple[BuildRecord, ...]]
) -> dict[str, str]:
    logs: dict[str, str] = {}
    for (region, _), records in builds.items():
        client = cast("CloudWatchLogsClient", session.client("logs", region))
        for build in records:
            if build.status not in _FAILED or not build.log_group or not build.log_stream:
                continue
            answer = _optional(
                partial(
                    client.get_log_events,
                    logGroupName=build.log_group,
                    logStreamName=build.log_stream,
                    limit=LOG_TAIL_LINES,
                    startFromHead=False,
                )
            )
            if answer is not None:
                logs[build.build_id] = "\n".join(
                    e.get("message", "").rstrip() for e in answer.get("events", [])
                )
    return logs


def _images(
    session: CloudSession, snapshot: Snapshot
) -> dict[tuple[str, str], tuple[ImageRecord, ...]]:
    wanted: set[tuple[str, str]] = set()
    for record in snapshot.services.records:
        refs: list[str] = []
        if isinstance(record, EcsServiceRecord):
            refs = list(record.images)
        elif isinstance(record, LambdaFunctionRecord) and record.image_uri:
            refs = [record.image_uri]
        for ref in map(parse_image, refs):
            region = ecr_region(ref)
            if region is not None:
                wanted.add((region, ref.path))
    known = {(r.region, r.name) for r in snapshot.repositories.records}
    images: dict[tuple[str, str], tuple[ImageRecord, ...]] = {}
    for region, name in sorted(wanted & known):
        fetched = fetch_images(session, region, name)
        if not fetched.errors:
            images[(region, name)] = fetched.records
    return images


def _function_logs(
    session: CloudSession, snapshot: Snapshot
) -> dict[tuple[str, str], tuple[LogLine, ...]]:
    logs: dict[tuple[str, str], tuple[LogLine, ...]] = {}
    since = int(time.time() * 1000) - FUNCTION_LOG_WINDOW_MS
    for record in snapshot.services.records:
        if not isinstance(record, LambdaFunctionRecord):
            continue
        client = cast("CloudWatchLogsClient", session.client("logs", record.region))
        answer = _optional(
            partial(
                client.filter_log_events,
                logGroupName=record.log_group,
                startTime=since,
                limit=FUNCTION_LOG_EVENTS,
            )
        )
        if answer is None:
            continue
        logs[(record.region, record.name)] = tuple(
            LogLine(
                datetime.fromtimestamp(e["timestamp"] / 1000, UTC) if "timestamp" in e else None,
                e.get("message", "").rstrip(),
            )
            for e in answer.get("events", [])
        )
    return logs
