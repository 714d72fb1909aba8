"""The scrolling part of the log view: Textual's ``Log`` with styled rows and a scroll watch.

``Log`` already renders only the rows on screen and keeps at most
``max_lines`` of them. This subclass adds one flag byte per row (error,
continuation, wrapped) so a row can be styled without parsing it again, the
search highlight and an index of the rows that match it (so ``n``/``N`` and
"3/17" cost no scan), the row the person moved to with ``n``/``e``, and a
callback when the person scrolls (which is how follow turns off and back on).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Sequence
from typing import ClassVar

from rich.highlighter import Highlighter
from rich.style import Style
from rich.text import Text
from textual.color import BLACK, WHITE, Color
from textual.strip import Strip
from textual.widgets import Log

from widgets.log_buffer import CONTINUATION, ERROR, WRAPPED, wrap_indent
from widgets.log_structure import FIELDS_GAP, LEVEL_WORDS, STRUCTURED, level_of

ScrollCallback = Callable[[float, float], None]
_LEVEL_CLASSES = (
    "",
    *(f"log-lines--level-{name}" for name in ("trace", "debug", "info", "warn", "error", "fatal")),
)
_FIELD_KEY = re.compile(r"(?:^|(?<= ))([^\s=]+)=")
WRITE_SLICE = 5000  # rows per Log.write_lines call


def _luminance(color: Color) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(color.r) + 0.7152 * channel(color.g) + 0.0722 * channel(color.b)


def contrast_ratio(one: Color, other: Color) -> float:
    """WCAG contrast ratio of two opaque colours (1 to 21; 4.5 reads as body text)."""
    light, dark = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def readable_on(background: Color) -> Color:
    """Black or white, whichever contrasts more with ``background`` (at least 4.58:1)."""
    if contrast_ratio(WHITE, background) >= contrast_ratio(BLACK, background):
        return WHITE
    return BLACK


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
        "log-lines--prefix",
        "log-lines--match",
        "log-lines--current",
        *_LEVEL_CLASSES[1:],
        "log-lines--field-key",
    }

    # Matches and the current row take only a background here: their text is black or
    # white, whichever reads better on it in the theme at hand (never red on orange).
    DEFAULT_CSS = """
    LogLines {
        height: 1fr;
        border: none;
        overflow-x: auto;
        overflow-y: scroll;
        & > .log-lines--error { color: $text-error; text-style: bold; }
        & > .log-lines--prefix { color: $text-muted; text-style: none; }
        & > .log-lines--match { background: $warning 85%; text-style: bold; }
        & > .log-lines--current { background: $primary 55%; }
        & > .log-lines--level-trace { color: $text-muted; }
        & > .log-lines--level-debug { color: $text-muted; }
        & > .log-lines--level-info { color: $text-success; }
        & > .log-lines--level-warn { color: $text-warning; text-style: bold; }
        & > .log-lines--level-error { color: $text-error; text-style: bold; }
        & > .log-lines--level-fatal { color: $text-error; text-style: bold reverse; }
        & > .log-lines--field-key { color: $text-muted; text-style: none; }
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
        """Matches of this are highlighted in every row drawn (also while it is typed)."""
        self.found: re.Pattern[str] | None = None
        """The search ``n``/``N`` move through: ``match_rows`` are the rows it matches."""
        self.match_rows: list[int] = []
        """Rows matching ``found``, as numbers counted since the first row ever written."""
        self.pruned = 0
        """Rows that left the top since the last ``set_rows`` (row ``i`` is number
        ``pruned + i``)."""
        self._readable: dict[tuple[str, Color, Color], Style] = {}
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
        self.at_top: Callable[[], None] | None = None
        """Called when the person scrolls to the top row or pushes up against it."""
        self.highlighter = _RowHighlighter(self)

    # --- rows --------------------------------------------------------------

    def add_rows(self, rows: Sequence[str], flags: bytearray) -> tuple[list[str], bytearray]:
        """Append rows (each already a single line); return the rows pushed out at the top."""
        limit = self.max_lines
        excess = len(self.lines) + len(rows) - limit if limit is not None else 0
        first = self.pruned + len(self.lines)  # the number of the first new row
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
        if self.found is not None:
            search = self.found.search
            self.match_rows.extend(first + i for i, row in enumerate(rows) if search(row))
        if extra > 0:
            del self.row_flags[:extra]
            self.pruned += extra
            del self.match_rows[: bisect.bisect_left(self.match_rows, self.pruned)]
            if self.current_row is not None:
                self.current_row = self.current_row - extra if self.current_row >= extra else None
        return pruned_rows, pruned_flags

    def set_rows(self, rows: Sequence[str], flags: bytearray) -> None:
        """Replace every row (a filter, wrap or timestamps change)."""
        self.clear()
        self.row_flags = bytearray()
        self.current_row = None
        self.pruned = 0
        self.match_rows = []
        self.add_rows(rows, flags)
        self.refresh()

    def set_found(self, pattern: re.Pattern[str] | None) -> None:
        """Make ``pattern`` the search ``n``/``N`` move through (one scan, here)."""
        self.found = pattern
        search = pattern.search if pattern is not None else None
        base = self.pruned
        self.match_rows = (
            [base + i for i, row in enumerate(self.lines) if search(row)] if search else []
        )

    @property
    def match_count(self) -> int:
        """Rows matching the search."""
        return len(self.match_rows)

    def match_position(self, row: int | None) -> int | None:
        """Which match ``row`` is (1 for the oldest), or None when it is not one."""
        if row is None:
            return None
        number = self.pruned + row
        at = bisect.bisect_left(self.match_rows, number)
        return at + 1 if at < len(self.match_rows) and self.match_rows[at] == number else None

    def next_match(self, start: int, *, forward: bool) -> int | None:
        """The first matching row after (or before) ``start``, wrapping round; None: none."""
        matches = self.match_rows
        if not matches:
            return None
        number = self.pruned + start
        if forward:
            at = bisect.bisect_right(matches, number)
            found = matches[at] if at < len(matches) else matches[0]
        else:
            at = bisect.bisect_left(matches, number)
            found = matches[at - 1] if at > 0 else matches[-1]
        return found - self.pruned

    def rows_text(self, rows: range, wrap_width: int) -> str:
        """The text of ``rows``: one line each, a wrapped line joined up again (unindented)."""
        parts: list[str] = []
        for row in rows:
            if self.row_flags[row] & WRAPPED:
                parts.append(self.lines[row][self._wrap_indent(row, wrap_width) :])
                continue
            if parts:
                parts.append("\n")
            parts.append(self.lines[row])
        return "".join(parts)

    def _wrap_indent(self, row: int, wrap_width: int) -> int:
        """How far the wrapped ``row`` is indented: past its line's prefix."""
        first = row
        while first > 0 and self.row_flags[first] & CONTINUATION:
            first -= 1
        head = self.lines[first]
        cut = head.find("│ ") if self.prefixed else -1
        return wrap_indent(head[: cut + 2] if cut >= 0 else "", wrap_width)

    def visible_range(self) -> range:
        """The row indexes on screen now."""
        top = round(self.scroll_offset.y)
        height = self.scrollable_content_region.height
        return range(top, min(top + height, len(self.lines)))

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
        if flags & ERROR:
            text.stylize(self.get_component_rich_style("log-lines--error", partial=True))
        if self.prefixed and not flags & CONTINUATION:
            cut = text.plain.find("│ ")
            if cut >= 0:
                prefix = self.get_component_rich_style("log-lines--prefix", partial=True)
                text.stylize(prefix, 0, cut + 2)
        if flags & STRUCTURED and not flags & CONTINUATION:
            self._style_structured(text, flags)
        if row == self.current_row:
            text.stylize(self.readable_style("log-lines--current"))
        if self.search is not None:
            text.highlight_regex(self.search, self.readable_style("log-lines--match"))

    def _style_structured(self, text: Text, flags: int) -> None:
        """Colour a compact structured row's level label and dim its field names."""
        plain = text.plain
        start = 0
        if self.prefixed:
            cut = plain.find("│ ")
            start = cut + 2 if cut >= 0 else 0
        level = level_of(flags)
        if level:
            label = LEVEL_WORDS[level]
            at = plain.find(label, start)
            if at >= 0:
                style = self.get_component_rich_style(_LEVEL_CLASSES[level], partial=True)
                text.stylize(style, at, at + len(label))
                start = at + len(label)
        gap = plain.find(FIELDS_GAP, start)
        if gap < 0:
            return
        key_style = self.get_component_rich_style("log-lines--field-key", partial=True)
        for found in _FIELD_KEY.finditer(plain, gap + len(FIELDS_GAP)):
            text.stylize(key_style, found.start(1), found.end(1) + 1)

    def readable_style(self, component: str) -> Style:
        """The component's background (over the rows') with black or white text on it."""
        styles = self.get_component_styles(component)
        base = self.background_colors[1]
        key = (component, base, styles.background)
        style = self._readable.get(key)
        if style is None:
            background = base + styles.background
            text = readable_on(background)
            style = Style(color=text.rich_color, bgcolor=background.rich_color)
            style += styles.text_style
            self._readable[key] = style
        return style

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
        # Not when fewer rows clamp the offset (a jump cleared them): only the person's scroll.
        clamped = old_value > self.max_scroll_y
        if not self.moving and not clamped and new_value <= 0 < old_value and self.at_top:
            self.at_top()

    def _pushed_up(self) -> bool:
        """At the top already: tell ``at_top`` (older lines may be wanted); True if so."""
        if self.scroll_y > 0:
            return False
        if self.at_top is not None:
            self.at_top()
        return True

    def action_scroll_up(self) -> None:
        """``up``; at the top, asks for what is before it."""
        if not self._pushed_up():
            super().action_scroll_up()

    def action_page_up(self) -> None:
        """``pageup``; at the top, asks for what is before it."""
        if not self._pushed_up():
            super().action_page_up()

    def action_scroll_home(self) -> None:
        """``home``; at the top, asks for what is before it."""
        if not self._pushed_up():
            super().action_scroll_home()

    def on_mouse_scroll_up(self) -> None:
        """The wheel against the top asks for what is before it too."""
        self._pushed_up()

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
