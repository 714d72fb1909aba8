"""``read_snapshot``: the one reader of the incident model, for the console and every command.

It reads the parts asked for (every kind by default) in parallel on a bounded
pool, and as soon as a kind's part is in, the extras the findings need from it:
the log tails of crashing pods (``k8s``), of recent failed builds
(``codebuild``), and the last hour of each Lambda function's log (``lambda``).
Each part keeps its read time and its errors; a reader that raises is an error
of its part, never a crash of the whole read. ``on_parts`` hears of each kind's
part together with its extras as soon as they are in, so a console can draw the
first rows before the last part is read, and never diagnoses a kind without the
logs that explain it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, Any, cast

from cloud.classify import crashing_container
from cloud.errors import classify, malformed, malformed_errors, recoverable_errors
from cloud.fanout import parallel_map
from cloud.kube import KUBE_SERVICE, fetch_pod_log_tail
from cloud.model.kinds import KIND_NAMES, kind
from cloud.model.snapshot import BUILD_LOGS, EXTRAS_OF, FUNCTION_LOGS, POD_LOGS, Snapshot
from cloud.records import (
    BuildLogTail,
    DeploymentRecord,
    ErrorKind,
    Fetched,
    FetchError,
    FunctionLog,
    LambdaFunctionRecord,
    LogLine,
    PodLogTail,
    ProjectRecord,
)
from cloud.session import CloudSession

if TYPE_CHECKING:
    from types_boto3_logs import CloudWatchLogsClient

LOG_TAIL_LINES = 40
FUNCTION_LOG_WINDOW_MS = 3_600_000  # the last hour of a function's log
FUNCTION_LOG_EVENTS = 500
READ_THREADS = 6
FAILED_BUILD = frozenset({"FAILED", "FAULT", "TIMED_OUT"})

OnParts = Callable[[Mapping[str, Fetched[Any]]], None]
OnEarly = Callable[[str, Fetched[Any]], None]
"""Hears the records a kind's first read has listed so far: (kind name, records)."""


def wall_ms() -> int:
    """Milliseconds since the epoch (the default clock of the function-log window)."""
    return int(time.time() * 1000)


def read_snapshot(
    session: CloudSession,
    kinds: Iterable[str] | None = None,
    *,
    previous: Snapshot | None = None,
    on_parts: OnParts | None = None,
    now_ms: Callable[[], int] = wall_ms,
    threads: int = READ_THREADS,
    extras: bool = True,
    on_early: OnEarly | None = None,
) -> Snapshot:
    """Read ``kinds`` (all by default) and their extras; the parts replace those of ``previous``.

    Without ``extras`` only the kinds' own parts are read (an action's check).
    ``on_early`` hears, for a kind never read before (not in ``previous``), the
    records its reader has listed so far, so rows can be drawn before its part is in.
    """
    wanted = tuple(KIND_NAMES if kinds is None else kinds)
    parts: dict[str, Fetched[Any]] = {}
    held: dict[str, str] = {}  # a kind whose part waits for its extra: extra -> kind
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="shipdeck-model") as pool:
        running: dict[Future[Fetched[Any]], str] = {
            pool.submit(
                _guarded, name, kind(name).service, _reader(session, name, previous, on_early)
            ): name
            for name in wanted
        }
        while running:
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                name = running.pop(future)
                parts[name] = future.result()
                more = _extras_of(session, name, parts[name], now_ms, previous) if extras else []
                for extra, read in more:
                    held[extra] = name
                    running[pool.submit(_guarded, extra, _EXTRA_SERVICE[extra], read)] = extra
                if more:
                    continue
                owner = held.pop(name, None)
                group = (
                    {name: parts[name]}
                    if owner is None
                    else {owner: parts[owner], name: parts[name]}
                )
                if on_parts is not None:
                    on_parts(group)
    return (previous or Snapshot()).with_parts(parts)


def _reader(
    session: CloudSession, name: str, previous: Snapshot | None, on_early: OnEarly | None
) -> Callable[[], Fetched[Any]]:
    """How kind ``name`` is read: telling ``on_early`` what it lists on a first read."""
    spec = kind(name)
    first = previous is None or not previous.has(name)
    if on_early is not None and first and spec.read_early is not None:
        return partial(spec.read_early, session, partial(on_early, name))
    return partial(spec.read, session)


_EXTRA_SERVICE = {POD_LOGS: KUBE_SERVICE, BUILD_LOGS: "logs", FUNCTION_LOGS: "logs"}


def _extras_of(
    session: CloudSession,
    name: str,
    part: Fetched[Any],
    now_ms: Callable[[], int],
    previous: Snapshot | None,
) -> list[tuple[str, Callable[[], Fetched[Any]]]]:
    """The extras that the part ``name`` asks for (``EXTRAS_OF``), as (part name, reader).

    What cannot have changed since ``previous`` is kept, not read again: a finished
    build's log, a crashed container's log until it crashes again.
    """
    readers: dict[str, Callable[[], Fetched[Any]]] = {
        POD_LOGS: partial(read_pod_logs, session, part.records, previous),
        BUILD_LOGS: partial(read_build_logs, session, part.records, previous),
        FUNCTION_LOGS: lambda: read_function_logs(session, part.records, now_ms()),
    }
    return [(extra, readers[extra]) for extra in EXTRAS_OF.get(name, ())]


def _guarded(name: str, service: str, read: Callable[[], Fetched[Any]]) -> Fetched[Any]:
    """``read()``; a reader that raises is an error of its part, shown like any other."""
    try:
        return read()
    except recoverable_errors() as exc:
        return Fetched((), (classify(exc, service, ""),), datetime.now(UTC))
    except malformed_errors() as exc:  # an answer without the fields its reader needs
        return Fetched((), (malformed(exc, service, ""),), datetime.now(UTC))
    except Exception as exc:  # noqa: BLE001 - an answer we could not read: kept as the part's error
        error = FetchError(service, "", ErrorKind.OTHER, f"{name}: {type(exc).__name__}: {exc}")
        return Fetched((), (error,), datetime.now(UTC))


def _kept(outcomes: Sequence[Any]) -> Fetched[Any]:
    return Fetched(
        tuple(o for o in outcomes if not isinstance(o, FetchError)),
        tuple(o for o in outcomes if isinstance(o, FetchError)),
        datetime.now(UTC),
    )


# --- the extras ---------------------------------------------------------------


def read_pod_logs(
    session: CloudSession,
    deployments: Sequence[DeploymentRecord],
    previous: Snapshot | None = None,
) -> Fetched[PodLogTail]:
    """For each deployment with a crashing pod, the tail of one such pod's crashed container.

    A tail read before for the same container and restart count is kept.
    """
    wanted = []
    for deployment in deployments:
        for pod in deployment.pods:
            container = crashing_container(pod)
            if container is not None:
                wanted.append((pod, container.name, container.restart_count))
                break  # one pod per deployment tells why they all crash
    known: dict[tuple[str, str, str | None, int], PodLogTail] = {}
    if previous is not None:
        for tail in previous.records(POD_LOGS):
            known[(tail.namespace, tail.pod, tail.container, tail.restarts)] = tail

    def read(item: tuple[Any, str, int]) -> PodLogTail | FetchError:
        pod, container, restarts = item
        kept = known.get((pod.namespace, pod.name, container, restarts))
        if kept is not None:
            return kept
        failure: FetchError | None = None
        for crashed_run in (True, False):
            try:
                text = fetch_pod_log_tail(
                    session, pod.namespace, pod.name, container, crashed_run, LOG_TAIL_LINES
                )
            except recoverable_errors() as exc:
                failure = classify(exc, KUBE_SERVICE, f"{pod.namespace}/{pod.name}")
                continue
            if text.strip():
                return PodLogTail(
                    pod.context, pod.namespace, pod.name, container, crashed_run, text, restarts
                )
        return failure or PodLogTail(
            pod.context, pod.namespace, pod.name, container, True, "", restarts
        )

    return _kept(parallel_map(read, wanted))


def read_build_logs(
    session: CloudSession,
    projects: Sequence[ProjectRecord],
    previous: Snapshot | None = None,
) -> Fetched[BuildLogTail]:
    """The tail of each recent failed build's log (a finished build's log does not change:
    one read before is kept)."""
    known: dict[str, BuildLogTail] = {}
    if previous is not None:
        known = {tail.build_id: tail for tail in previous.records(BUILD_LOGS)}
    wanted = [
        build
        for project in projects
        for build in project.recent_builds
        if build.status in FAILED_BUILD and build.log_group and build.log_stream
    ]

    def read(build: Any) -> BuildLogTail | FetchError:
        if build.build_id in known:
            return known[build.build_id]
        client = cast("CloudWatchLogsClient", session.client("logs", build.region))
        try:
            answer = client.get_log_events(
                logGroupName=build.log_group,
                logStreamName=build.log_stream,
                limit=LOG_TAIL_LINES,
                startFromHead=False,
            )
        except recoverable_errors() as exc:
            error = classify(exc, "logs", build.region)
            if error.kind is ErrorKind.NOT_FOUND:  # the stream is gone: nothing to read
                return BuildLogTail(build.region, build.build_id, "")
            return error
        text = "\n".join(e.get("message", "").rstrip() for e in answer.get("events", []))
        return BuildLogTail(build.region, build.build_id, text)

    return _kept(parallel_map(read, wanted))


def read_function_logs(
    session: CloudSession, functions: Sequence[LambdaFunctionRecord], now_ms: int
) -> Fetched[FunctionLog]:
    """The last hour of each function's log (up to 500 lines), oldest first."""
    since = now_ms - FUNCTION_LOG_WINDOW_MS

    def read(function: LambdaFunctionRecord) -> FunctionLog | FetchError:
        client = cast("CloudWatchLogsClient", session.client("logs", function.region))
        try:
            answer = client.filter_log_events(
                logGroupName=function.log_group, startTime=since, limit=FUNCTION_LOG_EVENTS
            )
        except recoverable_errors() as exc:
            error = classify(exc, "logs", function.region)
            if error.kind is ErrorKind.NOT_FOUND:  # never invoked: no log group yet
                return FunctionLog(function.region, function.name, ())
            return error
        lines = tuple(
            LogLine(
                datetime.fromtimestamp(e["timestamp"] / 1000, UTC) if "timestamp" in e else None,
                e.get("message", "").rstrip(),
            )
            for e in answer.get("events", [])
        )
        return FunctionLog(function.region, function.name, lines)

    return _kept(parallel_map(read, functions))
