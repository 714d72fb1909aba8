"""Rounds of polling over several groups, merged into timestamp order (a k-way merge).

FilterLogEvents reads one group per call, so each group has its own poller; a
round runs one pass of every poller and merges their pages lazily with
``heapq.merge``, holding at most one page per group in memory. Rounds repeat
every second while lines arrive and slow down to every five seconds when idle.
"""

from __future__ import annotations

import heapq
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from operator import attrgetter

from cloud.logs.limits import pause
from cloud.logs.polling import GroupPoller
from cloud.logs.records import LogBatch, LogEvent, LogStatus

BUSY_INTERVAL = 1.0
IDLE_INTERVAL = 5.0
IDLE_GROWTH = 1.5
MERGED_BATCH_EVENTS = 5000
FINAL_ROUNDS = 2  # after the source finished: late-ingested lines still arrive

_BY_TIME = attrgetter("timestamp_ms")


def one_round(pollers: Sequence[GroupPoller]) -> Iterator[LogBatch]:
    """One pass of every poller, as batches in timestamp order (statuses ride along)."""
    if len(pollers) == 1:
        for item in pollers[0].read_pass():
            if isinstance(item, LogStatus):
                yield LogBatch((), (item,))
            else:
                yield LogBatch(tuple(item))
        return
    statuses: list[LogStatus] = []

    def events_of(poller: GroupPoller) -> Iterator[LogEvent]:
        for item in poller.read_pass():
            if isinstance(item, LogStatus):
                statuses.append(item)
            else:
                yield from item

    chunk: list[LogEvent] = []
    for event in heapq.merge(*(events_of(p) for p in pollers), key=_BY_TIME):
        chunk.append(event)
        if len(chunk) >= MERGED_BATCH_EVENTS:
            yield LogBatch(tuple(chunk), tuple(statuses))
            chunk.clear()
            statuses.clear()
    if chunk or statuses:
        yield LogBatch(tuple(chunk), tuple(statuses))


def poll_rounds(
    pollers: Sequence[GroupPoller],
    *,
    follow: bool,
    stop: threading.Event | None = None,
    keep_following: Callable[[], bool] | None = None,
    busy_interval: float = BUSY_INTERVAL,
    idle_interval: float = IDLE_INTERVAL,
) -> Iterator[LogBatch]:
    """Rounds of ``one_round``: once without ``follow``, else until ``stop`` or the source ends.

    ``keep_following`` is asked after each round (e.g. "is the build still
    running?"); once it says no, a few final rounds pick up late lines.
    """
    interval = busy_interval
    final_rounds: int | None = None
    while True:
        started = time.monotonic()
        arrived = 0
        for batch in one_round(pollers):
            arrived += len(batch.events)
            yield batch
        if not follow or (stop is not None and stop.is_set()):
            return
        if final_rounds is None and keep_following is not None and not keep_following():
            final_rounds = FINAL_ROUNDS
        if final_rounds is not None:
            if final_rounds == 0:
                return
            final_rounds -= 1
        interval = busy_interval if arrived else min(idle_interval, interval * IDLE_GROWTH)
        wait = started + interval - time.monotonic()
        if wait > 0 and not pause(wait, stop):
            return
