"""History on demand: the page of events before what a view holds, and a whole time range.

A log view keeps a bounded buffer of the newest lines. ``read_older`` reads the
page before its oldest line backwards in time windows: FilterLogEvents over
``[end - window, end]``, the window doubling while it finds little, until the
page is full or the log's beginning (``log_floor``: the group's creation or
the start of its retention, the streams' first event) is reached. A window
is always read whole, and a page is cut only between two milliseconds, so the
next page (which ends at the page's oldest millisecond, inclusive) neither
skips nor repeats a line: the caller drops what it already holds of that
millisecond. ``read_range`` reads ``[start, end]`` whole, up to a cap, for
saving a range and for ``shipdeck tail --since X --until Y``.

Errors are raised (the SDK's exceptions; classify them with
``cloud.errors.classify``) after throttling was retried: a failed read is
never returned as an empty page.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cloud.errors import classify, recoverable_errors
from cloud.logs.limits import SHARED_LIMITERS, Backoff, RegionLimiters, pause
from cloud.logs.polling import ClientFactory
from cloud.logs.records import LogEvent, LogTarget
from cloud.records import ErrorKind

if TYPE_CHECKING:
    from types_boto3_logs.type_defs import FilterLogEventsRequestTypeDef

OLDER_PAGE = 500
"""Lines a scroll to the top brings in (a whole millisecond more at most)."""
FIRST_WINDOW_MS = 15 * 60 * 1000
"""The first window looked at before the oldest line; it doubles while it finds little."""
MAX_WINDOWS = 24
"""Windows one page may look at (the doubling reaches years long before)."""
RANGE_CAP = 200_000
"""Lines a range save or ``tail --until`` reads at most; past it the read stops and says so."""
_DAY_MS = 86_400_000
PUT_LOG_EVENTS_PAST_DAYS = 14  # PutLogEvents refuses events older than this
_THROTTLE_RETRIES = 8
_WHOLE_SECOND_CAP = 1_000_000  # lines of one second, read whole rather than cut


class Stopped(Exception):
    """The read was cancelled (its ``stop`` event was set)."""


@dataclass(frozen=True)
class OlderPage:
    """Events before a time, oldest first, and whether the log has nothing older."""

    events: tuple[LogEvent, ...]
    beginning: bool
    """True when nothing is older than ``events[0]`` (or than the end asked, when empty)."""
    searched_from_ms: int
    """How far back the read looked (the log's beginning when ``beginning``)."""
    calls: int


@dataclass(frozen=True)
class RangeRead:
    """The events of ``[start_ms, end_ms]`` in time order, or the first ``cap`` of them."""

    events: tuple[LogEvent, ...]
    capped: bool
    """True when the cap stopped the read: events after the last one were not read."""
    calls: int


class _Reader:
    """FilterLogEvents over windows of several targets: paced, throttling retried, stoppable."""

    def __init__(
        self,
        clients: ClientFactory,
        targets: Sequence[LogTarget],
        limiters: RegionLimiters,
        stop: threading.Event | None,
    ) -> None:
        self._clients = clients
        self._targets = targets
        self._limiters = limiters
        self._stop = stop
        self.calls = 0

    def window(
        self, start_ms: int, end_ms: int, cap: int, seen: Callable[[int], None] | None = None
    ) -> tuple[list[LogEvent], bool]:
        """Every event of ``[start_ms, end_ms]`` of every target, in time order (the first
        ``cap`` and True when there are more)."""
        found: list[LogEvent] = []
        horizon: int | None = None  # a capped target has nothing read from this ms on
        for target in self._targets:
            events, full = self._one(target, start_ms, end_ms, cap, seen)
            found.extend(events)
            if full and events:
                last = events[-1].timestamp_ms
                horizon = last if horizon is None else min(horizon, last)
        found.sort(key=lambda e: e.timestamp_ms)  # stable: each target's order is kept
        if horizon is not None:
            # Keep only what is whole: before the first millisecond a cap may have cut.
            found = [e for e in found if e.timestamp_ms < horizon]
        if len(found) > cap:
            cut = found[cap].timestamp_ms
            found = [e for e in found[:cap] if e.timestamp_ms < cut]
            horizon = cut
        return found, horizon is not None

    def _one(
        self,
        target: LogTarget,
        start_ms: int,
        end_ms: int,
        cap: int,
        seen: Callable[[int], None] | None,
    ) -> tuple[list[LogEvent], bool]:
        client = self._clients("logs", target.region)
        request: FilterLogEventsRequestTypeDef = {
            "logGroupName": target.group,
            "startTime": start_ms,
            "endTime": end_ms,
        }
        if target.streams:
            request["logStreamNames"] = list(target.streams)
        elif target.stream_prefix:
            request["logStreamNamePrefix"] = target.stream_prefix
        found: list[LogEvent] = []
        shown = target.shown
        while True:
            page = self._call(client, target, request)
            for raw in page.get("events", ()):
                found.append(
                    LogEvent(
                        raw.get("timestamp", 0),
                        raw.get("ingestionTime"),
                        shown,
                        raw.get("logStreamName", ""),
                        raw.get("message", ""),
                        raw.get("eventId", ""),
                    )
                )
            if seen is not None:
                seen(len(found))
            token = page.get("nextToken")
            if len(found) > cap:
                return found[:cap], True
            if not token:
                return found, False
            request["nextToken"] = token

    def _call(
        self, client: Any, target: LogTarget, request: FilterLogEventsRequestTypeDef
    ) -> dict[str, Any]:
        backoff = Backoff()
        limiter = self._limiters.for_region(target.region)
        while True:
            if self._stop is not None and self._stop.is_set():
                raise Stopped
            if not limiter.acquire(self._stop):
                raise Stopped
            self.calls += 1
            try:
                answer: dict[str, Any] = client.filter_log_events(**request)
                return answer
            except recoverable_errors() as exc:
                error = classify(exc, "logs", target.region)
                if error.kind is not ErrorKind.THROTTLED or backoff.attempt >= _THROTTLE_RETRIES:
                    raise
                if not pause(backoff.next_delay(), self._stop):
                    raise Stopped from None


def log_floor(
    clients: ClientFactory, targets: Sequence[LogTarget], now_ms: int | None = None
) -> int:
    """The earliest time any of ``targets`` can hold a line (epoch ms).

    PutLogEvents takes events up to 14 days older than the call, so a group can
    hold lines from 14 days before its creation: the floor is the later of that
    and the start of its retention (``now - retentionInDays``), and for named
    streams their first event. A group or stream that is not found gives 0
    (look back as far as the windows go).
    """
    now = int(time.time() * 1000) if now_ms is None else now_ms
    floors: list[int] = []
    for target in targets:
        logs: Any = clients("logs", target.region)
        floor = 0
        answer = logs.describe_log_groups(logGroupNamePrefix=target.group)
        for group in answer.get("logGroups", ()):
            if group.get("logGroupName") != target.group:
                continue
            created = group.get("creationTime")
            if created:
                floor = max(floor, int(created) - PUT_LOG_EVENTS_PAST_DAYS * _DAY_MS)
            retention = group.get("retentionInDays")
            if retention:
                floor = max(floor, now - int(retention) * _DAY_MS)
        if target.streams:
            firsts = []
            for stream in target.streams:
                found = logs.describe_log_streams(
                    logGroupName=target.group, logStreamNamePrefix=stream
                )
                for item in found.get("logStreams", ()):
                    if item.get("logStreamName") == stream:
                        stamps = [item.get("firstEventTimestamp"), item.get("creationTime")]
                        known = [int(s) for s in stamps if s is not None]
                        firsts.append(min(known) if known else 0)
            if firsts:
                floor = max(floor, min(firsts))
        floors.append(floor)
    return min(floors) if floors else 0


def read_older(
    clients: ClientFactory,
    targets: Sequence[LogTarget],
    *,
    end_ms: int,
    floor_ms: int,
    limit: int = OLDER_PAGE,
    first_window_ms: int = FIRST_WINDOW_MS,
    limiters: RegionLimiters = SHARED_LIMITERS,
    stop: threading.Event | None = None,
) -> OlderPage:
    """The newest ``limit`` events at or before ``end_ms`` (and not before ``floor_ms``).

    Looks back window by window from ``end_ms``; a window that holds fewer than
    ``limit`` lines doubles the next one. The page is cut between two
    milliseconds (every event of its oldest millisecond is in it). ``Stopped``
    when ``stop`` is set; the SDK's exception when a call fails.
    """
    reader = _Reader(clients, targets, limiters, stop)
    gathered: list[LogEvent] = []
    top = end_ms
    window = max(1000, first_window_ms)
    for _ in range(MAX_WINDOWS):
        start = max(floor_ms, top - window + 1)
        if start > top:
            break
        # A window denser than the page: only its newest part is needed; halve it.
        while True:
            found, capped = reader.window(start, top, max(limit * 8, 4000))
            if not capped:
                break
            if top - start < 1000:  # a second denser than that: read it whole, no gap
                found, _ = reader.window(start, top, _WHOLE_SECOND_CAP)
                break
            start = top - (top - start) // 2
        gathered = found + gathered
        top = start - 1
        if len(gathered) >= limit or start <= floor_ms:
            break
        window *= 2
    beginning = top < floor_ms
    if len(gathered) > limit:
        cut = len(gathered) - limit
        oldest = gathered[cut].timestamp_ms
        while cut > 0 and gathered[cut - 1].timestamp_ms == oldest:
            cut -= 1  # the whole millisecond, so the next page can end at it
        gathered = gathered[cut:]
        beginning = False
    return OlderPage(tuple(gathered), beginning, max(floor_ms, top + 1), reader.calls)


def read_range(
    clients: ClientFactory,
    targets: Sequence[LogTarget],
    *,
    start_ms: int,
    end_ms: int,
    cap: int = RANGE_CAP,
    limiters: RegionLimiters = SHARED_LIMITERS,
    stop: threading.Event | None = None,
    progress: Callable[[int], None] | None = None,
) -> RangeRead:
    """Every event of ``[start_ms, end_ms]`` in time order, up to ``cap`` (then ``capped``).

    ``progress`` hears how many lines were read so far, after each page.
    ``Stopped`` when ``stop`` is set; the SDK's exception when a call fails.
    """
    if end_ms < start_ms:
        raise ValueError("the range ends before it starts")
    reader = _Reader(clients, targets, limiters, stop)
    events, capped = reader.window(start_ms, end_ms, cap, progress)
    return RangeRead(tuple(events), capped, reader.calls)
