"""Follow a Kubernetes container's log, reconnecting after a drop without loss or repeats.

The log is read with ``timestamps=True`` so every line carries its RFC 3339
time; after a dropped connection (or an idle read timeout) the follow is
reopened with ``sinceSeconds`` reaching a little before the last line, and
lines at or before that line's time that were already shown are dropped.
``previous=True`` reads the last terminated container (CrashLoopBackOff) once.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from cloud.errors import classify, malformed_errors, recoverable_errors
from cloud.logs.limits import pause
from cloud.logs.records import LogBatch, LogEvent, LogStatus, StatusKind
from cloud.records import ErrorKind

if TYPE_CHECKING:
    from kubernetes.client import ApiClient

READ_TIMEOUT = 60.0  # a quiet container's stream is reopened after this long
CONNECT_TIMEOUT = 5.0
RECONNECT_DELAY = 1.0
SINCE_SLACK_SECONDS = 2  # reach back further than needed: clocks differ, seconds truncate
CHUNK_BYTES = 64 * 1024
_FINISHED_PHASES = {"Succeeded", "Failed"}


def parse_stamped(line: str) -> tuple[int | None, str, str]:
    """Split ``2024-05-01T12:00:00.123456789Z text`` into (epoch ns, RFC 3339 time, text)."""
    stamp, _, text = line.partition(" ")
    main, _, frac = stamp.removesuffix("Z").partition(".")
    digits = frac[:9]
    try:
        seconds = datetime.fromisoformat(main + "+00:00").timestamp()
        nanos = int(digits.ljust(9, "0")) if digits else 0
    except ValueError:
        return None, "", line
    return int(seconds) * 1_000_000_000 + nanos, stamp, text


class _Cursor:
    """The last line's time and the texts shown at exactly that time (bounded)."""

    def __init__(self) -> None:
        self.last_ns: int | None = None
        self.texts: set[str] = set()

    def fresh(self, nanos: int, text: str) -> bool:
        if self.last_ns is not None:
            if nanos < self.last_ns or (nanos == self.last_ns and text in self.texts):
                return False
            if nanos == self.last_ns:
                self.texts.add(text)
                return True
        self.last_ns, self.texts = nanos, {text}
        return True


def follow_pod(
    api_client: ApiClient,
    namespace: str,
    pod: str,
    container: str | None = None,
    *,
    previous: bool = False,
    follow: bool = True,
    since_ms: int | None = None,
    stop: threading.Event | None = None,
    read_timeout: float = READ_TIMEOUT,
    reconnect_delay: float = RECONNECT_DELAY,
) -> Iterator[LogBatch]:
    """Batches of a container's log lines; with ``follow``, until the pod ends or ``stop``."""
    from kubernetes.client import CoreV1Api

    core = CoreV1Api(api_client)
    group, stream = f"{namespace}/{pod}", container or "-"
    context = f"{namespace}/{pod}"
    cursor = _Cursor()
    following = follow and not previous
    recoverable = recoverable_errors()
    while True:
        options: dict[str, Any] = {
            "follow": following,
            "timestamps": True,
            "previous": previous,
            "_preload_content": False,
            "_request_timeout": (CONNECT_TIMEOUT, read_timeout),
        }
        if container:
            options["container"] = container
        since_seconds = _since_seconds(cursor, since_ms)
        if since_seconds is not None:
            options["since_seconds"] = since_seconds
        try:
            response: Any = core.read_namespaced_pod_log(pod, namespace, **options)
            try:
                yield from _read(response, cursor, group, stream, stop, final=not following)
            finally:
                response.release_conn()
            dropped = "log stream ended"
        except recoverable as exc:
            error = classify(exc, "kubernetes", context)
            if not _is_read_timeout(exc):
                yield LogBatch((), (LogStatus(StatusKind.ERROR, context, error.line(), error),))
            dropped = error.message
        if not following or (stop is not None and stop.is_set()):
            return
        ended = _pod_ended(core, namespace, pod)
        if ended is not None:
            yield LogBatch((), (LogStatus(StatusKind.ENDED, context, ended),))
            return
        text = f"{dropped}; reconnecting"
        yield LogBatch((), (LogStatus(StatusKind.RECONNECTED, context, text),))
        if not pause(reconnect_delay, stop):
            return


def find_pod(api_client: ApiClient, namespace: str, name: str) -> str:
    """The pod of ``namespace`` called ``name``, else the one pod whose name starts with it.

    LookupError (one line) when no pod, or several pods, match; the SDK's exception
    when the list cannot be read.
    """
    from cloud.kube import list_all

    path = f"/api/v1/namespaces/{quote(namespace, safe='')}/pods"
    names = sorted(
        str(pod.get("metadata", {}).get("name", "")) for pod in list_all(api_client, path)
    )
    if name in names:
        return name
    matching = [n for n in names if n.startswith(name)]
    if len(matching) == 1:
        return matching[0]
    if not matching:
        there = f"{len(names)} pods there" if names else "it has no pods"
        raise LookupError(f"no pod in namespace {namespace} starts with {name} ({there})")
    listed = ", ".join(matching[:3])
    more = f" and {len(matching) - 3} more" if len(matching) > 3 else ""
    raise LookupError(
        f"{len(matching)} pods in namespace {namespace} start with {name}: {listed}{more}"
    )


def _since_seconds(cursor: _Cursor, since_ms: int | None) -> int | None:
    now_ns = time.time_ns()
    if cursor.last_ns is not None:
        behind = (now_ns - cursor.last_ns) / 1e9
        return max(1, math.ceil(behind) + SINCE_SLACK_SECONDS)
    if since_ms is not None:
        return max(1, math.ceil((now_ns / 1e6 - since_ms) / 1000))
    return None


def _read(
    response: Any,
    cursor: _Cursor,
    group: str,
    stream: str,
    stop: threading.Event | None,
    *,
    final: bool,
) -> Iterator[LogBatch]:
    pending = b""
    for chunk in response.stream(CHUNK_BYTES, decode_content=True):
        pending += chunk
        *complete, pending = pending.split(b"\n")
        batch = _events(complete, cursor, group, stream)
        if batch:
            yield LogBatch(batch)
        if stop is not None and stop.is_set():
            return
    if final and pending:  # a cut line is read again after a reconnect; at the end it is whole
        batch = _events([pending], cursor, group, stream)
        if batch:
            yield LogBatch(batch)


def _events(lines: list[bytes], cursor: _Cursor, group: str, stream: str) -> tuple[LogEvent, ...]:
    events: list[LogEvent] = []
    for raw in lines:
        line = raw.decode("utf-8", "replace").rstrip("\r")
        nanos, stamp, text = parse_stamped(line)
        if nanos is None:  # no timestamp (should not happen with timestamps=True): keep it
            nanos = cursor.last_ns or time.time_ns()
        if cursor.fresh(nanos, text):
            events.append(LogEvent(nanos // 1_000_000, None, group, stream, text, stamp))
    return tuple(events)


def _is_read_timeout(exc: BaseException) -> bool:
    names = {cls.__name__ for cls in type(exc).__mro__}
    return bool(names & {"ReadTimeoutError", "TimeoutError", "ProtocolError"})


def _pod_ended(core: Any, namespace: str, pod: str) -> str | None:
    """Why following should stop (pod gone or finished), None to reconnect."""
    try:
        found = core.read_namespaced_pod(pod, namespace)
    except malformed_errors():  # an answer the client could not read: not "ended"
        return None
    except recoverable_errors() as exc:
        error = classify(exc, "kubernetes", f"{namespace}/{pod}")
        return (
            f"pod {namespace}/{pod}: {error.message}" if error.kind is ErrorKind.NOT_FOUND else None
        )
    phase = getattr(found.status, "phase", None)
    return f"pod {namespace}/{pod} {phase}" if phase in _FINISHED_PHASES else None
