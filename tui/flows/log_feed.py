"""Feeding a log view from ``cloud.logs``: what to read, the reading thread, coalesced delivery.

A ``LogSubject`` (``cloud.logs.subjects``) says what a person asked to see (a
build, log groups, an ECS service, a Lambda function, a pod) and opens the
transport's iterator of ``LogBatch``. ``LogFeed.read`` runs in a thread
worker: it turns batches into the view's plain items and adds them to a
bounded pending list, ringing the screen (``ring``: one ``LogsArrived`` message
at a time; ``can_replace`` coalesces the rest); the screen takes everything pending at
most every ``FLUSH_INTERVAL``. Setting ``LogFeed.stop`` ends the transport.
"""

from __future__ import annotations

import bisect
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from textual.message import Message

from cloud.logs import LogBatch, LogEvent, LogStatus, StatusKind
from cloud.text import safe_lines, safe_text
from widgets.log_buffer import LogItem, Severity, StatusNote

FLUSH_INTERVAL = 0.1  # seconds: the view is fed at most ten times a second
MAX_PENDING = 20_000  # lines waiting for the UI before the reader waits (backpressure)
TAKE_LIMIT = 5000  # lines per feed: a backlog is fed in slices, with keys handled in between
BACKLOG_PAUSE = 0.01  # seconds between slices of a backlog
_SEVERITY: dict[StatusKind, Severity] = {
    StatusKind.ERROR: "error",
    StatusKind.THROTTLED: "warning",
    StatusKind.SAMPLED: "warning",
}


STARTING = "starting reader"
READING = ""  # the view shows FOLLOW / follow off: only while something reads
RESTARTING = "restarting reader"
ENDED = "ended"
NOT_READING = "not reading"


def status_note(status: LogStatus) -> StatusNote:
    """A transport status as the view's note."""
    text = f"{status.source}: {status.text}" if status.source else status.text
    return StatusNote(
        status.kind.value, safe_text(text), _SEVERITY.get(status.kind, "info"), status.at_ms
    )


def batch_items(batch: LogBatch, label: Callable[[LogEvent], str]) -> list[LogItem]:
    """A batch as view items: lines in order, each status right after the lines of its moment.

    Log lines are written by anyone with access to the account: this is where
    they are made safe for the terminal (``cloud.text``) on their way to the view.
    """
    items: list[LogItem] = [
        (e.timestamp_ms, safe_text(label(e)), safe_lines(e.message.rstrip("\n")))
        for e in batch.events
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
        self.state = STARTING
        """What the reading side is doing, for the view (``READING``: lines flow)."""
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
            self.state = READING
            for batch in batches:
                if self.stop.is_set():
                    return
                ended = ended or any(s.kind is StatusKind.ENDED for s in batch.statuses)
                items = batch_items(batch, label)
                if items and self.put(items):
                    ring()
        except LookupError as exc:
            self.state = NOT_READING
            said = str(exc.args[0] if exc.args else exc)
            self._tell(ring, StatusNote("error", safe_text(said), "error"))
            return
        except recoverable_errors() as exc:
            self.state = NOT_READING
            error = classify(exc, *scope)
            self._tell(ring, StatusNote("error", error.line(), "error"))
            return
        finally:
            close = getattr(batches, "close", None)
            if close is not None:
                close()
        self.state = ENDED
        if not ended and not self.stop.is_set():
            self._tell(ring, StatusNote("ended", "no more lines: the stream has finished"))

    def _tell(self, ring: Callable[[], object], note: StatusNote) -> None:
        if self.put([note]):
            ring()


class ReadPosition:
    """How far a feed has read: the newest line's time and the lines of that millisecond.

    A reader that dies is started again from that millisecond (inclusive); the
    lines it sends again are dropped here, counted as a multiset, so a line
    repeated in the same millisecond is kept as often as it was written.
    """

    def __init__(self) -> None:
        self.newest_ms: int | None = None
        self._at_newest: Counter[tuple[str, str]] = Counter()
        self._replay_ms: int | None = None
        self._replay: Counter[tuple[str, str]] = Counter()

    def kept(self, items: list[LogItem]) -> list[LogItem]:
        """``items`` without what a restarted reader sends again; the position moves on."""
        out: list[LogItem] = []
        for item in items:
            if isinstance(item, tuple) and item[0] is not None:
                stamp, key = item[0], (item[1], item[2])
                if self._replay_ms is not None:
                    if stamp < self._replay_ms:
                        continue
                    if stamp == self._replay_ms and self._replay[key] > 0:
                        self._replay[key] -= 1
                        continue
                    if stamp > self._replay_ms:
                        self._replay_ms = None
                if self.newest_ms is None or stamp > self.newest_ms:
                    self.newest_ms = stamp
                    self._at_newest.clear()
                if stamp == self.newest_ms:
                    self._at_newest[key] += 1
            out.append(item)
        return out

    def restart(self) -> int | None:
        """The millisecond to read again from (None: nothing read yet); its lines are skipped."""
        if self.newest_ms is None:
            return None
        self._replay_ms = self.newest_ms
        self._replay = Counter(self._at_newest)
        return self._replay_ms


@dataclass
class LogsArrived(Message):
    """Lines are waiting in ``feed`` (one at a time: a newer one replaces an unhandled one)."""

    feed: LogFeed

    def can_replace(self, message: Message) -> bool:
        """Coalesce: one doorbell per feed in the queue is enough."""
        return isinstance(message, LogsArrived) and message.feed is self.feed
