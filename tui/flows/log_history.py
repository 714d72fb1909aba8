"""A log view's history, read on demand: older pages, jumps in time, a range to save.

The reading runs in the log screen's thread workers and reports with the
messages below; ``cloud.logs.history`` does the calls. Lines take the same
way as the tail's (``batch_items``: labelled and made safe), so an older page
lines up with what the view holds and the millisecond they share is not
shown twice.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from textual.message import Message

from cloud.logs.history import OLDER_PAGE, RANGE_CAP, RangeRead, log_floor, read_older, read_range
from cloud.logs.records import LogBatch, LogEvent, LogTarget, iso_ms
from cloud.logs.since import SinceError, parse_since
from cloud.logs.subjects import LogSubject
from cloud.session import CloudSession
from tui.flows.log_feed import batch_items
from widgets.log_buffer import LineItem, LogEntry, LogItem, save_path, write_saved

JUMP_HELP = ":since 2h, :since 90m, :at 2025-11-10T08:50 (UTC unless an offset is given)"


@dataclass(frozen=True)
class JumpTo:
    """Where ``:since`` / ``:at`` asks the view to read from."""

    kind: str  # "since": follow from there; "at": the cursor on the first line there
    at_ms: int


class JumpError(ValueError):
    """The ``:`` command could not be read; ``str()`` is one line for the person."""


def parse_jump(text: str, now_ms: int | None = None) -> JumpTo:
    """``since 2h`` / ``since 2025-11-10T08:50`` / ``at 2025-11-10T08:50`` / ``at 90m``."""
    word, _, rest = text.strip().partition(" ")
    kind = word.lower()
    if kind not in ("since", "at") or not rest.strip():
        raise JumpError(f"unknown log command {text.strip()!r}: try {JUMP_HELP}")
    try:
        return JumpTo(kind, parse_since(rest.strip(), now_ms))
    except SinceError:
        raise JumpError(f"cannot read the time {rest.strip()!r}: try {JUMP_HELP}") from None


@dataclass
class OlderArrived(Message):
    """An older page: ``items`` to put above the view's first line (oldest first)."""

    generation: int
    items: list[LineItem]
    beginning: bool  # nothing is older than the first of them
    searched_from_ms: int


@dataclass
class OlderFailed(Message):
    """Reading older lines failed (one line); the view keeps what it has."""

    generation: int
    text: str


@dataclass
class RangeProgress(Message):
    """``count`` lines of a range read so far."""

    count: int


@dataclass
class RangeSaved(Message):
    """A range was written: ``count`` lines (``capped``: the cap stopped it after ``last_ms``)."""

    path: Path
    count: int
    capped: bool
    last_ms: int | None
    what: str


@dataclass
class RangeFailed(Message):
    """A range could not be read or written (one line); nothing was kept."""

    text: str


class HistoryReader:
    """Thread side of one log screen's history: its targets and beginning, looked up once."""

    def __init__(
        self, session: CloudSession, source: LogSubject, label: Callable[[LogEvent], str]
    ) -> None:
        self._session = session
        self._source = source
        self._label = label
        self._targets: tuple[LogTarget, ...] | None = None
        self._floor: int | None = None

    def targets(self) -> tuple[LogTarget, ...]:
        """Where the lines are (the subject's CloudWatch targets; LookupError when none)."""
        if self._targets is None:
            found = self._source.history_targets(self._session)
            if not found:
                raise LookupError("this log has no CloudWatch stream to read history from")
            self._targets = found
        return self._targets

    def floor(self) -> int:
        """The earliest time the log can hold a line."""
        if self._floor is None:
            self._floor = log_floor(self._session.client, self.targets())
        return self._floor

    def older(
        self,
        end_ms: int,
        held: Counter[tuple[str, str]],
        limit: int = OLDER_PAGE,
        stop: threading.Event | None = None,
    ) -> tuple[list[LineItem], bool, int]:
        """Lines at or before ``end_ms`` without the ``held`` ones of that millisecond:
        (items oldest first, beginning reached, how far back it looked)."""
        targets, floor = self.targets(), self.floor()
        page = read_older(
            self._session.client, targets, end_ms=end_ms, floor_ms=floor, limit=limit, stop=stop
        )
        items = _without_held(batch_items(LogBatch(page.events), self._label), end_ms, held)
        if not items and not page.beginning and page.events:
            # All of that millisecond is held already: the page before it.
            page = read_older(
                self._session.client,
                targets,
                end_ms=end_ms - 1,
                floor_ms=floor,
                limit=limit,
                stop=stop,
            )
            items = _without_held(batch_items(LogBatch(page.events), self._label), -1, held)
        return items, page.beginning, page.searched_from_ms

    def save_range(
        self,
        start_ms: int,
        end_ms: int,
        folder: Path,
        name: str,
        shown: Callable[[str], str] | None,
        progress: Callable[[int], None],
        stop: threading.Event,
        cap: int = RANGE_CAP,
    ) -> tuple[Path, RangeRead]:
        """Read ``[start_ms, end_ms]`` (up to ``cap`` lines) and write it to a new private
        file in ``folder``."""
        read = read_range(
            self._session.client,
            self.targets(),
            start_ms=start_ms,
            end_ms=end_ms,
            cap=cap,
            stop=stop,
            progress=progress,
        )
        items = batch_items(LogBatch(read.events), self._label)
        entries = [LogEntry(i[0], i[1], i[2], 0) for i in items if isinstance(i, tuple)]
        path = save_path(folder, name)
        write_saved(path, entries, shown)
        return path, read


def _without_held(
    items: Sequence[LogItem], end_ms: int, held: Counter[tuple[str, str]]
) -> list[LineItem]:
    """``items`` minus one of each held (source, text) of ``end_ms``, counted as a multiset."""
    left = Counter(held)
    kept: list[LineItem] = []
    for item in items:
        if not isinstance(item, tuple):
            continue
        stamp, source, text = item
        if stamp == end_ms and left[source, text] > 0:
            left[source, text] -= 1
            continue
        kept.append(item)
    return kept


def now_ms() -> int:
    """The current time, epoch ms."""
    return int(time.time() * 1000)


def span(first_ms: int, last_ms: int) -> str:
    """``FROM..TO`` as ISO times."""
    return f"{iso_ms(first_ms)}..{iso_ms(last_ms)}"
