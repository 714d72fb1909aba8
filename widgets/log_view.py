"""A live log view: fed in batches, bounded, with follow, pause, search, filter, wrap and save.

Built on Textual's ``Log`` (see ``widgets.log_lines``), so only the rows on
screen are drawn. A feeder calls ``write_batch`` about ten times a second with
plain lines (``str`` or ``(timestamp_ms, source, text)``) and ``StatusNote``s;
the view keeps the newest ``max_lines`` lines and shows the notes on its status
line, never among the lines. Follow is on until the person scrolls up, and
comes back at the end (``end`` or ``f``). Every key is a binding with an id
(``logs.*``) so a keymap can move it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.reactive import reactive

from widgets.log_buffer import (
    CONTINUATION,
    DEFAULT_MAX_LINES,
    ERROR_PATTERN,
    LineFilter,
    LineItem,
    LogBuffer,
    LogEntry,
    LogItem,
    RowFormat,
    StatusNote,
    compile_search,
    iso_time,
    rows_of,
)
from widgets.log_history import (
    Jump,
    RangeSaveWanted,
    ReachedTop,
    TailWanted,
    oldest_millisecond,
    prepend_entries,
)
from widgets.log_keys import LOG_VIEW_BINDINGS
from widgets.log_lines import LogLines
from widgets.log_prompt import LogPromptBar, PromptMode
from widgets.log_record import LogRecordPanel
from widgets.log_save_choice import RangeCheck, SaveChoice, SaveChoiceScreen
from widgets.log_saving import LogSaving
from widgets.log_status import LogStatusLine
from widgets.log_structure import FieldLineFilter, LineStructure, compact_entries, entry_of_row
from widgets.pacing import Paced

BORDER_INTERVAL = 0.5  # seconds: the line count in the border moves at most this often in a flood


class LogView(LogSaving, Vertical):
    """A bounded, batched, followable log with search, filter, wrap, timestamps, save and copy."""

    DEFAULT_CSS = """
    LogView {
        height: 1fr;
        border: round $primary 50%;
        border-title-color: $text;
        border-title-style: bold;
        border-subtitle-color: $accent;
        &:focus-within { border: round $primary; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = LOG_VIEW_BINDINGS

    follow: reactive[bool] = reactive(True, bindings=True, init=False)
    """New lines scroll into view; off when the person scrolls up."""
    reader_state: reactive[str] = reactive("", init=False)
    """What the reading side is doing when lines do not flow ("restarting reader", "not
    reading", "ended"); "" while they do. Shown instead of FOLLOW, which would say lines come."""
    paused: reactive[bool] = reactive(False, bindings=True, init=False)
    """Intake held: new lines wait (counted) until ``p`` again."""
    wrap: reactive[bool] = reactive(False, bindings=True, init=False)
    """Long lines wrap at the width instead of scrolling sideways."""
    timestamps: reactive[bool] = reactive(True, bindings=True, init=False)
    """Rows start with the line's time (UTC)."""
    search_text: reactive[str] = reactive("", bindings=True, init=False)
    """The ``/`` regex being highlighted ("" for none)."""
    filter_text: reactive[str] = reactive("", bindings=True, init=False)
    """The ``&`` filter as typed ("" for none; a leading ``!`` inverts; ``level=error``...
    filters on fields of structured lines)."""

    def __init__(
        self,
        source: str = "",
        *,
        max_lines: int = DEFAULT_MAX_LINES,
        show_source: bool = False,
        timestamps: bool = True,
        save_dir: Path | None = None,
        error_pattern: str = ERROR_PATTERN,
        structure: LineStructure | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.source = source
        """What the lines are of (shown in the border, used in the saved file's name)."""
        self.show_source = show_source
        self.save_dir = save_dir
        self.buffer = LogBuffer(max_lines, error_pattern)
        self.shown_entries = 0
        self.structure = structure
        """Reads JSON and logfmt lines as compact rows (None: every line as it is)."""
        self._filter: LineFilter | FieldLineFilter | None = None
        self._shown: Callable[[str], str] | None = None
        self._border = Paced(self, BORDER_INTERVAL, self._write_border)
        self._wrap_width = 0
        self.set_reactive(LogView.timestamps, timestamps)
        self.log_lines = LogLines(max_lines, self._scrolled, self._end_pressed, id="log-lines")
        self.log_lines.prefixed = timestamps or show_source
        self.log_lines.at_top = self._reached_top
        self.pages_history = False
        """Its host reads older lines (``ReachedTop``) and saves ranges (``ctrl+s`` asks)."""
        self.range_check: RangeCheck | None = None
        """How its host judges a range typed in the ``ctrl+s`` dialog (kept open if refused)."""
        self.jumps = False
        """Its host reads again from a time (``:since``/``:at``, ``Jump``)."""
        self.tail_set_aside = 0
        """Newest lines dropped at the bottom to make room for older ones (``f`` reads the
        tail again)."""

    def compose(self) -> ComposeResult:
        """Status line, rows, prompt."""
        yield LogStatusLine(id="log-status")
        yield self.log_lines
        yield LogPromptBar(id="log-prompt-bar")
        yield LogRecordPanel(id="log-record")

    def on_mount(self) -> None:
        """Keep the rate in the border moving."""
        self.query_one(LogStatusLine).text_filter = self._shown
        self.set_interval(1.0, self.update_border)
        self.update_border()

    # --- feeding ------------------------------------------------------------

    def write_batch(self, items: Iterable[LogItem]) -> None:
        """Add lines and status notes in one go (call it ~10 times a second, not per line).

        Notes go to the status line (at once, even while paused), lines to the buffer.
        """
        status_line = self.query_one(LogStatusLine)
        lines: list[LineItem] = []
        for item in items:
            if isinstance(item, StatusNote):
                status_line.show(item)
            else:
                lines.append(item)
        if not lines:
            return
        status_line.lines_arrived()
        shown = self.buffer.add(lines)
        if shown:
            self._show_entries(shown)
        # The border belongs to the whole view: changing its text redraws every row
        # and the scrollbar, which in a flood cost more than the rows' own drawing.
        # So new lines move the count at most every BORDER_INTERVAL; changes of state
        # (follow, pause, filter...) call update_border and show at once.
        self._border.request()

    def set_text_filter(self, shown: Callable[[str], str] | None) -> None:
        """Pass every row, copy and saved line through ``shown`` (e.g. masking when the
        screen is shared); None shows lines as they are. Redraws what is buffered."""
        self._shown = shown
        if self.is_mounted:
            status_line = self.query_one(LogStatusLine)
            status_line.text_filter = shown
            status_line.redraw()
            self._rebuild()

    def _rows(self, entries: list[LogEntry], fmt: RowFormat) -> tuple[list[str], bytearray]:
        if self.structure is not None:
            entries = compact_entries(entries, self.structure.compact_line)
        rows, flags = rows_of(entries, fmt)
        shown = self._shown
        return ([shown(row) for row in rows] if shown is not None else rows), flags

    def write_status(self, note: StatusNote) -> None:
        """Show one status note (an error, a reconnect, a phase...) on the status line."""
        self.write_batch([note])

    def _row_format(self) -> RowFormat:
        return RowFormat(self.timestamps, self.show_source, self._wrap_width if self.wrap else 0)

    def _show_entries(self, entries: list[LogEntry]) -> None:
        keep = self._filter
        if keep is not None:
            entries = [e for e in entries if keep.keeps(e)]
        if not entries:
            return
        rows, flags = self._rows(entries, self._row_format())
        pruned_rows, pruned_flags = self.log_lines.add_rows(rows, flags)
        self._count(rows, flags, +1)
        self._count(pruned_rows, pruned_flags, -1)
        if self.follow and not self.paused and not self.log_lines.is_vertical_scrollbar_grabbed:
            self.log_lines.move_to(None)
        elif pruned_rows and not self.follow:
            # Keep the same lines on screen while older ones leave the top.
            self.log_lines.move_to(max(0.0, self.log_lines.scroll_y - len(pruned_rows)))

    def _count(self, rows: list[str], flags: bytearray, sign: int) -> None:
        if rows:
            self.shown_entries += sign * sum(1 for f in flags if not f & CONTINUATION)

    @property
    def match_count(self) -> int:
        """Rows matching the search."""
        return self.log_lines.match_count

    def _rebuild(self) -> None:
        """Draw every buffered entry again (filter, wrap or timestamps changed)."""
        fmt = self._row_format()
        rows, flags = self._rows(self._shown_lines(), fmt)
        self.log_lines.prefixed = fmt.timestamps or fmt.sources
        self.log_lines.set_rows(rows, flags)
        self.shown_entries = 0
        self._count(rows, flags, +1)
        if self.follow:
            self.call_after_refresh(self.log_lines.move_to, None)
        self.update_border()

    # --- border -------------------------------------------------------------

    def update_border(self) -> None:
        """Source in the title; count, rate and state in the subtitle (now)."""
        self._border.run()

    def _write_border(self) -> None:
        # Text, not markup: the source is a group or pod name from outside.
        self.border_title = Text(f"logs · {self.source}") if self.source else "logs"
        total = self.buffer.line_count
        count = f"{self.shown_entries:,}/{total:,}" if self._filter else f"{total:,}"
        parts = [f"{count} {'line' if total == 1 else 'lines'}"]
        if self.search_text:
            parts.append(f"/{self.search_text} {self._search_position()}")
        if self.filter_text:
            parts.append(f"&{self.filter_text}")
        parts.append(f"{self.buffer.rate.rate():,.0f}/s")
        if self.reader_state:
            parts.append(self.reader_state)
        else:
            parts.append("FOLLOW" if self.follow else "follow off")
        if self.paused:
            parts.append(f"PAUSED +{len(self.buffer.held):,}")
        if self.wrap:
            parts.append("wrap")
        if self.buffer.dropped:
            parts.append(f"{self.buffer.dropped:,} oldest dropped")
        self.border_subtitle = " · ".join(parts)

    def _search_position(self) -> str:
        """``3/17`` on a match (the oldest is 1), ``(17 matches)`` elsewhere."""
        lines = self.log_lines
        count = lines.match_count
        if not count:
            return "(no match)"
        position = lines.match_position(lines.current_row)
        return f"{position:,}/{count:,}" if position else f"({count:,} matches)"

    # --- follow and scrolling ----------------------------------------------

    def _scrolled(self, old: float, new: float) -> None:
        """The person scrolled: up turns follow off, reaching the end turns it back on."""
        if new < old and not self.log_lines.is_vertical_scroll_end:
            self.follow = False
        elif new > old and new >= self.log_lines.max_scroll_y:
            self.follow = True

    def _end_pressed(self) -> None:
        self.action_follow()

    def watch_reader_state(self) -> None:
        """The border says what the reader does."""
        self.update_border()

    def watch_follow(self, follow: bool) -> None:
        """Back at the end when follow comes on."""
        self.log_lines.following = follow
        # Not when already there: follow also comes on from inside a scroll animation.
        if follow and not self.log_lines.is_vertical_scroll_end:
            self.log_lines.move_to(None)
        self.update_border()

    def _goto(self, row: int) -> None:
        """Mark ``row`` and bring it on screen; the person is reading, so follow stops."""
        self.follow = False
        self.log_lines.current_row = row
        if row not in self.log_lines.visible_range():
            height = self.log_lines.scrollable_content_region.height
            self.log_lines.move_to(max(0, row - height // 3))
        self.log_lines.refresh()
        self.update_border()
        if self.query_one(LogRecordPanel).is_open:
            self._show_record(row)

    # --- actions ------------------------------------------------------------

    def action_follow(self) -> None:
        """Follow new lines again (and jump to the end); the tail is read again when its
        newest lines were set aside for older ones."""
        if self.tail_set_aside:
            self.post_message(TailWanted())
            return
        self.follow = True
        self.log_lines.move_to(None)

    def action_pause(self) -> None:
        """Hold new lines (counted in the border); again to show them."""
        if self.paused:
            self.paused = False
            released = self.buffer.release()
            if released:
                self._show_entries(released)
        else:
            self.buffer.paused = True
            self.paused = True
        self.update_border()

    def action_search(self) -> None:
        """Open the ``/`` prompt."""
        self._open_prompt("search", self.search_text)

    def action_filter(self) -> None:
        """Open the ``&`` prompt."""
        self._open_prompt("filter", self.filter_text)

    def action_next(self) -> None:
        """To the next row matching the search (wrapping)."""
        self._find_match(forward=True)

    def action_prev(self) -> None:
        """To the previous row matching the search (wrapping)."""
        self._find_match(forward=False)

    def action_wrap(self) -> None:
        """Wrap long lines at the width, or not."""
        self.wrap = not self.wrap
        self._wrap_width = max(10, self.log_lines.scrollable_content_region.width)
        self._rebuild()

    def action_timestamps(self) -> None:
        """Show the lines' times, or not."""
        self.timestamps = not self.timestamps
        self._rebuild()

    def _shown_lines(self) -> list[LogEntry]:
        keep = self._filter
        return [e for e in self.buffer.entries if keep is None or keep.keeps(e)]

    def action_save(self) -> None:
        """Write the lines the view shows (filtered, not held) to a file; say where. When the
        host can read a range, ask first: the buffer or a range (``RangeSaveWanted``)."""
        if not self.pages_history:
            self._save(self._shown_lines(), "shown")
            return
        stamps = [e.timestamp_ms for e in self.buffer.entries if e.timestamp_ms is not None]
        first, last = (iso_time(stamps[0]), iso_time(stamps[-1])) if stamps else ("1h", "now")
        self.app.push_screen(SaveChoiceScreen(first, last, self.range_check), self._save_chosen)

    def _save_chosen(self, choice: SaveChoice | None) -> None:
        if choice is None:
            return
        if choice.is_range:
            self.post_message(RangeSaveWanted(choice))
        else:
            self._save(self._shown_lines(), "shown")

    def action_copy(self) -> None:
        """Copy the selection, or else the rows on screen, to the clipboard (OSC 52)."""
        selected = self.screen.get_selected_text()
        if selected:
            text, what = selected, "selection"
        else:
            shown = self.log_lines.visible_range()
            text = self.log_lines.rows_text(shown, self._wrap_width if self.wrap else 0)
            what = f"{len(shown)} rows"
        self.app.copy_to_clipboard(text)
        self.notify(f"copied {what} to the clipboard", timeout=3)

    def action_next_error(self) -> None:
        """To the next error-like line after the current one (wrapping); says when none."""
        row = self.log_lines.next_error_row(self._start_row())
        if row is None:
            text = "no error lines"
            if self._filter is not None:
                text += f" among the {self.shown_entries:,} shown (&{self.filter_text})"
            self.notify(text, timeout=4, markup=False)
        else:
            self._goto(row)

    def action_record(self) -> None:
        """Open (or close) the pretty view of the structured line at the current row.

        With no current row (none moved to with ``n``/``N``/``e``) it is the last row on
        screen, which becomes the current one so the person sees which line it is.
        """
        panel = self.query_one(LogRecordPanel)
        if panel.is_open:
            panel.hide()
            return
        lines = self.log_lines
        row = lines.current_row
        if row is None:
            shown = lines.visible_range()
            if not shown:
                self.notify("no line to show", timeout=3, markup=False)
                return
            row = shown.stop - 1
            lines.current_row = row
            lines.refresh()
        self._show_record(row)

    def _show_record(self, row: int) -> None:
        keep = self._filter
        newest_first = (e for e in reversed(self.buffer.entries) if keep is None or keep.keeps(e))
        entry = entry_of_row(self.log_lines.row_flags, row, newest_first)
        if not self.query_one(LogRecordPanel).show_entry(entry, self.structure, self._shown):
            self.notify("not a structured line (JSON or logfmt)", timeout=4, markup=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Grey what does not apply now (no search: no n/N; nothing shown: no save; ...)."""
        if action in ("next", "prev"):
            return True if self.search_text else None
        if action == "follow":
            return None if self.follow and not self.tail_set_aside else True
        if action == "command":
            return True if self.jumps else None
        if action == "save":
            return True if self.shown_entries else None
        if action == "record":
            return True if self.structure is not None and self.log_lines.lines else None
        if action in ("save_all", "copy"):
            return True if self.buffer.line_count or self.buffer.held else None
        return True

    # --- search and filter --------------------------------------------------

    def _start_row(self) -> int:
        current = self.log_lines.current_row
        if current is not None:
            return current
        shown = self.log_lines.visible_range()
        return shown.start - 1 if shown else -1

    def _find_match(self, *, forward: bool) -> None:
        lines = self.log_lines
        if lines.found is None:
            return
        start = self._start_row()
        if not forward and lines.current_row is None:
            start = lines.visible_range().stop
        row = lines.next_match(start, forward=forward)
        if row is None:
            self.notify(f"no match for /{self.search_text}", timeout=3, markup=False)
        else:
            self._goto(row)

    def _set_search(self, text: str) -> None:
        self.search_text = text
        pattern = compile_search(text)
        self.log_lines.search = pattern
        self.log_lines.set_found(pattern)
        self.log_lines.current_row = None
        self.log_lines.refresh()
        self.update_border()

    def _set_filter(self, text: str) -> None:
        """Filter on ``text``: fields when it reads as a field expression, else a regex. A bad
        field expression is said in one line and the filter in force stays."""
        kept: LineFilter | FieldLineFilter | None
        try:
            test = self.structure.line_filter(text) if self.structure is not None else None
        except ValueError as exc:
            self.notify(f"filter not applied: {exc}", severity="error", timeout=8, markup=False)
            return
        kept = FieldLineFilter(text.strip(), test) if test is not None else LineFilter.parse(text)
        self._filter = kept
        self.filter_text = kept.text if kept is not None else ""
        self._rebuild()

    def action_command(self) -> None:
        """Open the ``:`` prompt (``since 2h``, ``at TIME``)."""
        self._open_prompt("command", "")

    def _open_prompt(self, mode: PromptMode, value: str) -> None:
        bar = self.query_one(LogPromptBar)
        if bar.is_open:  # typed into the open prompt, "/", "&" and ":" are characters
            raise SkipAction()
        bar.open(mode, value)

    @on(LogPromptBar.Changed)
    def _prompt_changed(self, event: LogPromptBar.Changed) -> None:
        """Searching highlights as the person types; a filter applies on enter."""
        if event.mode == "search":
            self.log_lines.search = compile_search(event.value)
            self.log_lines.refresh()

    @on(LogPromptBar.Submitted)
    def _prompt_submitted(self, event: LogPromptBar.Submitted) -> None:
        self.log_lines.focus()
        if event.mode == "search":
            self._set_search(event.value)
            if self.log_lines.search is not None:
                self.action_prev()  # the newest match at or above the screen's bottom
        elif event.mode == "command":
            if event.value.strip():
                self.post_message(Jump(event.value.strip()))
        else:
            self._set_filter(event.value)

    @on(LogPromptBar.Cancelled)
    def _prompt_cancelled(self) -> None:
        self.log_lines.search = compile_search(self.search_text)
        self.log_lines.focus()
        self.log_lines.refresh()

    def on_resize(self) -> None:
        """Wrapped rows follow the width."""
        if self.wrap:
            self.call_after_refresh(self._rewrap)

    def _rewrap(self) -> None:
        width = max(10, self.log_lines.scrollable_content_region.width)
        if width != self._wrap_width:
            self._wrap_width = width
            self._rebuild()

    # --- history: older lines on demand, jumps in time ------------------------

    def _reached_top(self) -> None:
        if self.pages_history:
            self.post_message(ReachedTop())

    def oldest_held(self) -> tuple[int | None, Counter[tuple[str, str]]]:
        """The oldest buffered line's time and its millisecond's (source, text) lines."""
        return oldest_millisecond(self.buffer)

    def prepend_older(self, items: Sequence[LineItem]) -> int:
        """Put older lines above the first, the row at the top staying where it is on
        screen; returns how many newest lines were set aside to make room."""
        entries = [self.buffer.entry(item) for item in items]
        set_aside = prepend_entries(self.buffer, entries)
        self.tail_set_aside += set_aside
        keep = self._filter
        added, _ = self._rows(
            [e for e in entries if keep is None or keep.keeps(e)], self._row_format()
        )
        top = self.log_lines.scroll_y
        self.follow = False
        self._rebuild()
        self.log_lines.move_to(top + len(added))
        return set_aside

    def clear_lines(self) -> None:
        """Forget every line (a jump reads again from another time)."""
        self.buffer.entries.clear()
        self.buffer.held.clear()
        self.buffer.dropped = 0
        self.tail_set_aside = 0
        self._rebuild()


__all__ = ["LogItem", "LogView", "StatusNote"]
