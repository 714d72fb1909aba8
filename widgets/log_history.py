"""Older lines put above a log view's buffer: the buffer stays bounded, from the bottom.

A view that loads older pages on demand grows at the top; when the buffer is
full, the newest lines make room (the person is reading history, and the view
says how many were set aside and that ``f`` reads the tail again).
"""

from __future__ import annotations

from widgets.log_buffer import LogBuffer, LogEntry


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
