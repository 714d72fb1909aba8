"""The scrolling part of the log view: Textual's ``Log`` with styled rows and a scroll watch.

``Log`` already renders only the rows on screen and keeps at most
``max_lines`` of them. This subclass adds one flag byte per row (error,
status, continuation) so a row can be styled without parsing it again, the
search highlight, the row the person moved to with ``n``/``e``, and a callback
when the person scrolls (which is how follow turns off and back on).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import ClassVar

from rich.highlighter import Highlighter
from rich.text import Text
from textual.strip import Strip
from textual.widgets import Log

from widgets.log_buffer import CONTINUATION, ERROR, STATUS

ScrollCallback = Callable[[float, float], None]
WRITE_SLICE = 5000  # rows per Log.write_lines call


class _RowHighlighter(Highlighter):
    """Styles the row being rendered from its flags (``Log`` calls it once per visible row)."""

    def __init__(self, lines: LogLines) -> None:
        self._lines = lines

    def highlight(self, text: Text) -> None:
        """Apply error / status / prefix / search / current-row styles."""
        self._lines.style_row(text, self._lines.rendering_row)


class LogLines(Log):
    """Rows of a log with a parallel array of flags; styled as they are drawn."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "log-lines--error",
        "log-lines--status",
        "log-lines--prefix",
        "log-lines--match",
        "log-lines--current",
    }

    DEFAULT_CSS = """
    LogLines {
        height: 1fr;
        border: none;
        overflow-x: auto;
        overflow-y: scroll;
        & > .log-lines--error { color: $text-error; text-style: bold; }
        & > .log-lines--status { color: $text-warning; text-style: italic; }
        & > .log-lines--prefix { color: $text-muted; text-style: none; }
        & > .log-lines--match { background: $warning 60%; color: $text; }
        & > .log-lines--current { background: $accent 35%; }
    }
    """

    def __init__(
        self,
        max_rows: int,
        on_scrolled: ScrollCallback | None = None,
        on_end: Callable[[], None] | None = None,
        *,
        id: str | None = None,
    ) -> None:
        super().__init__(highlight=True, max_lines=max_rows, auto_scroll=False, id=id)
        self.row_flags = bytearray()
        """One byte of ``widgets.log_buffer`` flags per row, in step with ``lines``."""
        self.search: re.Pattern[str] | None = None
        """Matches of this are highlighted in every row drawn."""
        self.current_row: int | None = None
        """The row ``n``/``N``/``e`` moved to (drawn with a background)."""
        self.prefixed = False
        """Whether rows start with a time/source prefix (ending in ``│ ``) to dim."""
        self.rendering_row = 0
        self.following = True
        """Kept at the last row when its height changes (the view's follow)."""
        self.moving = False
        """True while the view scrolls on its own (following, jumping): not the person."""
        self._on_scrolled = on_scrolled
        self._on_end = on_end
        self.highlighter = _RowHighlighter(self)

    # --- rows --------------------------------------------------------------

    def add_rows(self, rows: Sequence[str], flags: bytearray) -> tuple[list[str], bytearray]:
        """Append rows (each already a single line); return the rows pushed out at the top."""
        limit = self.max_lines
        excess = len(self.lines) + len(rows) - limit if limit is not None else 0
        pruned_rows: list[str] = []
        pruned_flags = bytearray()
        if excess > 0:
            from_old = min(excess, len(self.lines))
            pruned_rows = list(self.lines[:from_old])
            pruned_flags = self.row_flags[:from_old]
            if excess > from_old:  # the batch alone is bigger than the limit
                cut = excess - from_old
                pruned_rows += rows[:cut]
                pruned_flags += flags[:cut]
        # Log measures each write's width in a worker that keeps the rows it was given
        # for a while: writing in slices keeps that memory small.
        for start in range(0, len(rows), WRITE_SLICE):
            self.write_lines(rows[start : start + WRITE_SLICE], scroll_end=False)
        self.row_flags += flags
        extra = len(self.row_flags) - len(self.lines)
        if extra > 0:
            del self.row_flags[:extra]
            if self.current_row is not None:
                self.current_row = self.current_row - extra if self.current_row >= extra else None
        return pruned_rows, pruned_flags

    def set_rows(self, rows: Sequence[str], flags: bytearray) -> None:
        """Replace every row (a filter, wrap or timestamps change)."""
        self.clear()
        self.row_flags = bytearray()
        self.current_row = None
        self.add_rows(rows, flags)
        self.refresh()

    def visible_range(self) -> range:
        """The row indexes on screen now."""
        top = round(self.scroll_offset.y)
        height = self.scrollable_content_region.height
        return range(top, min(top + height, len(self.lines)))

    def find_row(self, pattern: re.Pattern[str], start: int, *, forward: bool) -> int | None:
        """The first row after (or before) ``start`` that ``pattern`` matches, wrapping round."""
        rows = self.lines
        count = len(rows)
        for step in range(1, count + 1):
            row = (start + step) % count if forward else (start - step) % count
            if pattern.search(rows[row]):
                return row
        return None

    def next_error_row(self, start: int) -> int | None:
        """The first row after ``start`` that begins an error-like line, wrapping round."""
        flags = self.row_flags
        count = len(flags)
        for step in range(1, count + 1):
            row = (start + step) % count
            if flags[row] & ERROR and not flags[row] & CONTINUATION:
                return row
        return None

    # --- drawing -----------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        """Note which row is drawn so the highlighter can style it by its flags."""
        self.rendering_row = self.scroll_offset.y + y
        return super().render_line(y)

    def style_row(self, text: Text, row: int) -> None:
        """Style ``text`` (the content of ``row``) in place."""
        flags = self.row_flags[row] if 0 <= row < len(self.row_flags) else 0
        if flags & STATUS:
            text.stylize(self.get_component_rich_style("log-lines--status", partial=True))
        if flags & ERROR:
            text.stylize(self.get_component_rich_style("log-lines--error", partial=True))
        if self.prefixed and not flags & (CONTINUATION | STATUS):
            cut = text.plain.find("│ ")
            if cut >= 0:
                prefix = self.get_component_rich_style("log-lines--prefix", partial=True)
                text.stylize(prefix, 0, cut + 2)
        if self.search is not None:
            match = self.get_component_rich_style("log-lines--match", partial=True)
            text.highlight_regex(self.search, match)
        if row == self.current_row:
            text.stylize(self.get_component_rich_style("log-lines--current", partial=True))

    # --- scrolling ---------------------------------------------------------

    def on_resize(self) -> None:
        """A shorter or taller view still shows the newest rows while following."""
        if self.following:
            self.call_after_refresh(self.move_to, None)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        """Tell the view when the person (not the view itself) scrolled."""
        super().watch_scroll_y(old_value, new_value)
        if self._on_scrolled is not None and not self.moving:
            self._on_scrolled(old_value, new_value)

    def action_scroll_end(self) -> None:
        """``end``: to the last row and, in a log view, follow again."""
        if self._on_end is not None:
            self._on_end()
        else:
            self.move_to(None)

    def move_to(self, y: float | None = None) -> None:
        """Scroll without it counting as the person scrolling (``None``: to the end)."""
        self.moving = True
        try:
            if y is None:
                self.scroll_end(animate=False, immediate=True, x_axis=False)
            else:
                self.scroll_to(y=y, animate=False, immediate=True)
        finally:
            self.moving = False
