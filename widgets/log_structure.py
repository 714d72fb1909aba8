"""Structured lines in the log view: one compact row per JSON or logfmt line, level coloured.

The view does not parse anything itself: it is handed a ``LineStructure``
(``cloud.logs.fields.LineReading`` in the console) that reads a line as time,
level, message and fields, pretty-prints it, and makes field filters. Here a
structured entry becomes an entry whose text is the compact row
(``TIME LEVEL message  key=value ...``) and whose flags say its level, before
the rows are made: so wrap, search, the time prefix (a line's own time equal to
its event's is not shown twice), ``e`` and copy work on what the person sees,
while the buffer keeps the line as it came (save writes that).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from widgets.log_buffer import CONTINUATION, ERROR, LogEntry

STRUCTURED = 2
"""Row flag: the row is a compact structured line (its level label can be styled)."""
LEVEL_SHIFT = 4
LEVEL_MASK = 0b111 << LEVEL_SHIFT  # the level's number (1 trace ... 6 fatal) in a row's flags

LEVEL_WORDS = ("", "TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL")
"""A level's word in a row, by its number in the flags."""
_LEVEL_NUMBERS = {"trace": 1, "debug": 2, "info": 3, "warn": 4, "error": 5, "fatal": 6}
_ERROR_LEVELS = frozenset((5, 6))
FIELDS_GAP = "  "  # between the message and the fields, as ``CompactParts.row`` writes them


class CompactParts(Protocol):
    """What a row shows of a structured line (``cloud.logs.structured.CompactLine``)."""

    @property
    def time(self) -> str | None:
        """The line's own time as written, if it has one."""
        ...

    @property
    def level(self) -> str | None:
        """trace, debug, info, warn, error or fatal; None when it has none."""
        ...

    @property
    def message(self) -> str:
        """The message ("" when it has none)."""
        ...

    @property
    def fields(self) -> str:
        """The other fields, ``key=value`` separated by spaces."""
        ...

    def row(self, *, with_time: bool = True) -> str:
        """The row: ``TIME LEVEL message  key=value ...`` (the level's word upper case,
        two spaces before the fields)."""
        ...


class LineStructure(Protocol):
    """How the view reads structured lines (all text it returns must be safe to show)."""

    def compact_line(self, text: str) -> CompactParts | None:
        """``text`` as compact parts, or None when it is a plain line."""
        ...

    def pretty_lines(self, text: str) -> list[str] | None:
        """``text`` pretty-printed, one line per item, or None when it is a plain line."""
        ...

    def line_filter(self, expression: str) -> Callable[[str], bool] | None:
        """A test for lines from a field expression; None when ``expression`` is not one.

        Raises ValueError (one readable line) when it is meant as one but is bad.
        """
        ...


def level_of(flags: int) -> int:
    """The level number a row's flags carry (0: none)."""
    return (flags & LEVEL_MASK) >> LEVEL_SHIFT


def compact_text(parts: CompactParts) -> tuple[str, int]:
    """The row text of ``parts`` and its level's flags."""
    level = _LEVEL_NUMBERS.get(parts.level or "", 0)
    return parts.row(), STRUCTURED | (level << LEVEL_SHIFT)


def compact_entries(
    entries: Iterable[LogEntry], read: Callable[[str], CompactParts | None]
) -> list[LogEntry]:
    """``entries`` with every structured one made a compact row; plain ones as they are.

    A line with a level is error-like when the level is error or fatal, whatever
    words its fields hold; one without keeps what the error rules said of it.
    """
    out: list[LogEntry] = []
    add = out.append
    for entry in entries:
        text = entry.text
        # Only a line starting with "{" or holding "=" can be structured: a flood of plain
        # lines costs two character tests each.
        if not text or (text[0] != "{" and "=" not in text):
            add(entry)
            continue
        parts = read(text)
        if parts is None:
            add(entry)
            continue
        shown, flags = compact_text(parts)
        level = level_of(flags)
        if level:
            base = entry.flags & ~ERROR | (ERROR if level in _ERROR_LEVELS else 0)
        else:
            base = entry.flags
        add(LogEntry(entry.timestamp_ms, entry.source, shown, base | flags))
    return out


@dataclass(frozen=True)
class FieldLineFilter:
    """An ``&`` filter on fields (``level=error status>=500``), as the structure made it."""

    text: str
    test: Callable[[str], bool]

    def keeps(self, entry: LogEntry) -> bool:
        """Whether ``entry`` is shown (judged on the line as it came, not its compact row)."""
        return self.test(entry.text)


def entry_of_row(flags: bytearray, row: int, newest_first: Iterable[LogEntry]) -> LogEntry | None:
    """The entry ``row`` shows, given the shown entries newest first.

    Rows are made from the shown entries in order, so the lines that start after
    ``row`` say how far from the newest its entry is (rows may have been pruned at
    the top, never at the end).
    """
    if not 0 <= row < len(flags):
        return None
    after = sum(1 for f in flags[row + 1 :] if not f & CONTINUATION)
    for index, entry in enumerate(newest_first):
        if index == after:
            return entry
    return None
