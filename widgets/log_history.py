"""Older lines put above a log view's buffer: the buffer stays bounded, from the bottom.

A view that loads older pages on demand grows at the top; when the buffer is
full, the newest lines make room (the person is reading history, and the view
says how many were set aside and that ``f`` reads the tail again).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from textual.message import Message

from widgets.log_buffer import LogBuffer, LogEntry
from widgets.log_save_choice import SaveChoice

# What a log view asks of its host; posted as LogView.ReachedTop... (handlers keep the
# ``on_log_view_*`` names through the namespace).


class ReachedTop(Message, namespace="log_view"):
    """The person scrolled to the top (or pushed against it): older lines are wanted."""


class TailWanted(Message, namespace="log_view"):
    """``f``/``end`` after the newest lines were set aside: read the tail again."""


@dataclass
class Jump(Message, namespace="log_view"):
    """``:`` was given ``text`` (``since 2h``, ``at 2025-11-10T08:50``)."""

    text: str


@dataclass
class RangeSaveWanted(Message, namespace="log_view"):
    """``ctrl+s`` chose a range to read from the service and save."""

    choice: SaveChoice


def oldest_millisecond(buffer: LogBuffer) -> tuple[int | None, Counter[tuple[str, str]]]:
    """The oldest buffered line's time and its millisecond's (source, text) lines."""
    oldest: int | None = None
    held: Counter[tuple[str, str]] = Counter()
    for entry in buffer.entries:
        if entry.timestamp_ms is None:
            continue
        if oldest is not None and entry.timestamp_ms != oldest:
            break
        oldest = entry.timestamp_ms
        held[entry.source, entry.text] += 1
    return oldest, held


def prepend_entries(buffer: LogBuffer, entries: list[LogEntry]) -> int:
    """Put ``entries`` (oldest first) before the buffer's; the number of newest entries
    dropped from the bottom to stay within ``max_lines``."""
    if not entries:
        return 0
    room = buffer.max_lines - len(buffer.entries)
    set_aside = min(len(buffer.entries), max(0, len(entries) - room))
    for _ in range(set_aside):
        buffer.entries.pop()
    # More older lines than the whole buffer: the newest of them, next to what was read.
    buffer.entries.extendleft(reversed(entries[-buffer.max_lines :]))
    return set_aside
