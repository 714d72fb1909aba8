"""Feeding a log view from ``cloud.logs``: what to read, the reading thread, coalesced delivery.

A ``LogSource`` says what a person asked to see (a build, log groups, an ECS
service, a Lambda function, a pod). ``open_stream`` turns it into the
transport's iterator of ``LogBatch``. ``LogFeed.read`` runs in a thread
worker: it turns batches into the view's plain items and adds them to a
bounded pending list, ringing the screen (``ring``: one ``LogsArrived`` message
at a time; ``can_replace`` coalesces the rest); the screen takes everything pending at
most every ``FLUSH_INTERVAL``. Setting ``LogFeed.stop`` ends the transport.
"""

from __future__ import annotations

import bisect
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cloud.logs import LogBatch, LogEvent, LogStatus, LogTarget, StatusKind
from widgets.log_buffer import LogItem, Severity, StatusNote

if TYPE_CHECKING:
    from cloud.session import CloudSession

FLUSH_INTERVAL = 0.1  # seconds: the view is fed at most ten times a second
MAX_PENDING = 20_000  # lines waiting for the UI before the reader waits (backpressure)
TAKE_LIMIT = 5000  # lines per feed: a backlog is fed in slices, with keys handled in between
BACKLOG_PAUSE = 0.01  # seconds between slices of a backlog
DEFAULT_SINCE_MS = 60 * 60 * 1000  # groups, services and functions: the last hour
_SEVERITY: dict[StatusKind, Severity] = {
    StatusKind.ERROR: "error",
    StatusKind.THROTTLED: "warning",
    StatusKind.SAMPLED: "warning",
}


@dataclass(frozen=True)
class BuildSource:
    """A CodeBuild build: all of its log, followed while it runs."""

    region: str
    build_id: str  # "project:uuid"


@dataclass(frozen=True)
class GroupsSource:
    """CloudWatch log groups, merged by time; several are told apart by a label."""

    groups: tuple[tuple[str, str], ...]  # (region, group name)
    since_ms: int | None = None  # None: the last hour


@dataclass(frozen=True)
class EcsSource:
    """Every awslogs container of an ECS service."""

    region: str
    cluster: str
    service: str
    since_ms: int | None = None


@dataclass(frozen=True)
class LambdaSource:
    """A Lambda function's log group."""

    region: str
    function: str
    since_ms: int | None = None


@dataclass(frozen=True)
class PodSource:
    """A Kubernetes container's log; ``previous`` reads the last crashed one."""

    namespace: str
    pod: str
    container: str | None = None
    previous: bool = False


LogSource = BuildSource | GroupsSource | EcsSource | LambdaSource | PodSource


def source_title(source: LogSource) -> str:
    """What the border says the lines are of."""
    match source:
        case BuildSource(region, build_id):
            return f"build {build_id} ({region})"
        case GroupsSource(groups):
            names = ", ".join(group for _, group in groups[:3])
            more = f" +{len(groups) - 3}" if len(groups) > 3 else ""
            return f"{names}{more}"
        case EcsSource(region, cluster, service):
            return f"ecs {cluster}/{service} ({region})"
        case LambdaSource(region, function):
            return f"lambda {function} ({region})"
        case PodSource(namespace, pod, container, previous):
            where = f"{namespace}/{pod}" + (f" {container}" if container else "")
            return f"pod {where}" + (" (previous)" if previous else "")
    raise TypeError(f"not a log source: {source!r}")


def short_names(groups: tuple[tuple[str, str], ...]) -> dict[str, str]:
    """A label per group: its last path part when that is unique, else the whole name."""
    last = {group: group.rstrip("/").rpartition("/")[2] or group for _, group in groups}
    taken = list(last.values())
    return {group: name if taken.count(name) == 1 else group for group, name in last.items()}


def labeller(source: LogSource) -> tuple[Callable[[LogEvent], str], bool]:
    """How each line is labelled, and whether the labels are worth showing."""
    if isinstance(source, GroupsSource) and len(source.groups) > 1:
        names = short_names(source.groups)
        return (lambda event: names.get(event.group, event.group)), True
    if isinstance(source, EcsSource):
        # Streams are prefix/container/task-id: the container and a short task id.
        def ecs_label(event: LogEvent) -> str:
            parts = event.stream.split("/")
            return f"{parts[-2]}/{parts[-1][:8]}" if len(parts) >= 2 else event.stream

        return ecs_label, True
    return (lambda event: ""), False


def error_scope(source: LogSource) -> tuple[str, str]:
    """(service, region or context) to classify a failure of ``source`` with."""
    match source:
        case BuildSource(region, _):
            return "codebuild", region
        case GroupsSource(groups):
            return "logs", groups[0][0] if groups else ""
        case EcsSource(region, _, _):
            return "ecs", region
        case LambdaSource(region, _):
            return "lambda", region
        case PodSource(namespace, pod, _, _):
            return "kubernetes", f"{namespace}/{pod}"
    raise TypeError(f"not a log source: {source!r}")


def open_stream(
    session: CloudSession, source: LogSource, stop: threading.Event
) -> Iterator[LogBatch]:
    """The transport's batches for ``source`` (resolving it may raise; call it in the thread)."""
    from cloud.logs import ecs_targets, follow_pod, lambda_target, tail_build, tail_logs

    clients = session.client
    since = int(time.time() * 1000) - DEFAULT_SINCE_MS
    match source:
        case BuildSource(region, build_id):
            return tail_build(clients, region, build_id, follow=True, stop=stop)
        case GroupsSource(groups, since_ms):
            targets = [LogTarget(region, group) for region, group in groups]
            start = since if since_ms is None else since_ms
            return tail_logs(clients, targets, since_ms=start, follow=True, stop=stop)
        case EcsSource(region, cluster, service, since_ms):
            found = ecs_targets(clients, region, cluster, service)
            start = since if since_ms is None else since_ms
            return tail_logs(clients, list(found), since_ms=start, follow=True, stop=stop)
        case LambdaSource(region, function, since_ms):
            target = lambda_target(clients, region, function)
            start = since if since_ms is None else since_ms
            return tail_logs(clients, [target], since_ms=start, follow=True, stop=stop)
        case PodSource(namespace, pod, container, previous):
            api = session.kube_api()
            if api is None:
                raise LookupError("no kubeconfig: set KUBECONFIG or pick a context")
            return follow_pod(
                api, namespace, pod, container, previous=previous, follow=True, stop=stop
            )
    raise TypeError(f"not a log source: {source!r}")


def status_note(status: LogStatus) -> StatusNote:
    """A transport status as the view's note."""
    text = f"{status.source}: {status.text}" if status.source else status.text
    return StatusNote(status.kind.value, text, _SEVERITY.get(status.kind, "info"), status.at_ms)


def batch_items(batch: LogBatch, label: Callable[[LogEvent], str]) -> list[LogItem]:
    """A batch as view items: lines in order, each status right after the lines of its moment."""
    items: list[LogItem] = [
        (e.timestamp_ms, label(e), e.message.rstrip("\n")) for e in batch.events
    ]
    if not batch.statuses:
        return items
    stamps = [e.timestamp_ms for e in batch.events]
    timed = [s for s in batch.statuses if s.at_ms is not None]
    untimed = [s for s in batch.statuses if s.at_ms is None]
    # Insert from the latest moment back so earlier insertion points stay valid.
    for status in sorted(timed, key=lambda s: s.at_ms or 0, reverse=True):
        at = bisect.bisect_right(stamps, status.at_ms or 0)
        items.insert(at, status_note(status))
    items.extend(status_note(s) for s in untimed)
    return items


class LogFeed:
    """Between the reading thread and the UI thread: pending items under a lock, bounded.

    Backpressure: when ``max_pending`` items wait, ``put`` blocks the reader
    until the UI takes them (or ``stop`` is set), so a flood slows the
    transport down instead of growing memory or losing lines.
    """

    def __init__(self, max_pending: int = MAX_PENDING) -> None:
        self.stop = threading.Event()
        """Set it to end the transport (the screen does on dismiss)."""
        self.max_pending = max_pending
        self.waits = 0  # how often the reader had to wait for the UI
        self.reader_pid: int | None = None
        """The process reading for this feed (None: a thread of this process)."""
        self._room = threading.Condition()
        self._pending: list[LogItem] = []
        self._rung = False

    def put(self, items: list[LogItem]) -> bool:
        """Add items (waiting while full); True when the UI should be told."""
        with self._room:
            if len(self._pending) >= self.max_pending:
                self.waits += 1
            while len(self._pending) >= self.max_pending and not self.stop.is_set():
                self._room.wait(0.25)
            self._pending.extend(items)
            ring = not self._rung
            self._rung = True
        return ring

    @property
    def pending_count(self) -> int:
        """Items waiting for the UI."""
        with self._room:
            return len(self._pending)

    def take(self, limit: int | None = None) -> list[LogItem]:
        """Up to ``limit`` pending items, oldest first (UI thread); a waiting reader may go on.

        While items remain, no new doorbell rings: the taker comes back for them.
        """
        with self._room:
            if limit is None or len(self._pending) <= limit:
                items, self._pending = self._pending, []
            else:
                items, self._pending = self._pending[:limit], self._pending[limit:]
            self._rung = bool(self._pending)
            self._room.notify_all()
        return items

    def read(
        self,
        open_batches: Callable[[], Iterator[LogBatch]],
        ring: Callable[[], object],
        label: Callable[[LogEvent], str],
        scope: tuple[str, str] = ("logs", ""),
    ) -> None:
        """Worker thread: read batches until the source ends or ``stop``; errors become notes."""
        from cloud.errors import classify, recoverable_errors

        ended = False
        batches: Iterator[LogBatch] | None = None
        try:
            batches = open_batches()
            for batch in batches:
                if self.stop.is_set():
                    return
                ended = ended or any(s.kind is StatusKind.ENDED for s in batch.statuses)
                items = batch_items(batch, label)
                if items and self.put(items):
                    ring()
        except LookupError as exc:
            self._tell(ring, StatusNote("error", str(exc.args[0] if exc.args else exc), "error"))
            return
        except recoverable_errors() as exc:
            error = classify(exc, *scope)
            self._tell(ring, StatusNote("error", error.line(), "error"))
            return
        finally:
            close = getattr(batches, "close", None)
            if close is not None:
                close()
        if not ended and not self.stop.is_set():
            self._tell(ring, StatusNote("ended", "no more lines: the stream has finished"))

    def _tell(self, ring: Callable[[], object], note: StatusNote) -> None:
        if self.put([note]):
            ring()
