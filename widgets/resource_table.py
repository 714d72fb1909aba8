"""A table of resources that renders only the rows on screen (Textual's line API).

Textual's ``DataTable`` builds every row's cells when rows are set and again
when a filter changes, so at 10,000 rows a refresh or a keystroke takes
seconds. This table keeps the rows as plain values, filters an index list
(narrowing the last match when the filter only grows), measures column widths
once per ``set_rows``, and draws the header and the visible rows on demand,
with each row's strip cached until the row, the widths or the cursor change.
The cost of a keystroke does not grow with the number of rows. A ``set_rows``
that moves nothing repaints only the visible lines whose row changed, so a
refresh sends the terminal those lines and nothing else (no flicker over SSH).
Columns are fitted to the width (``fitted``): at 80 columns the ones a screen
marks ``keep=KEEP`` (the name, the problem text, READY) stay and the others
narrow or go, least wanted and rightmost first; a cut cell ends in "…".

The table knows nothing of AWS: a screen hands it ``TableRow`` values (a key,
the cells, a severity). Across ``set_rows`` the cursor stays on its row, and
when that row goes away at the same position; until the person moves it, it
stays on the first row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from widgets.table_columns import (
    CACHE_ROWS,
    GAP,
    KEEP,
    MARK_WIDTH,
    MAX_AUTO_WIDTH,
    SEVERITY_MARKS,
    Cell,
    TableColumn,
    TableRow,
    View,
    fit_text,
    fitted,
    natural,
    plain,
    sort_text,
    span,
)

__all__ = ["KEEP", "SEVERITY_MARKS", "Cell", "ResourceTable", "TableColumn", "TableRow", "fitted"]


class ResourceTable(ScrollView, can_focus=True):
    """A row-cursor table of resources, filtered and refreshed in place, drawn line by line."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Open", id="open", tooltip="Open the selected row"),
        Binding("up,k", "cursor_up", "Up", show=False),  # j/k, g/G: as in k9s and vi
        Binding("down,j", "cursor_down", "Down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home,g", "scroll_top", "First row", id="first-row", show=False),
        Binding("end,G", "scroll_bottom", "Last row", id="last-row", show=False),
        Binding("o", "sort_next", "Sort", id="sort", tooltip="Sort by the next column"),
        Binding("O", "sort_reverse", "Reverse", id="sort-reverse", show=False),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "resource-table--header",
        "resource-table--cursor",
        "resource-table--even",
    }
    DEFAULT_CSS = """
    ResourceTable {
        height: 1fr;
        overflow-x: auto;
        overflow-y: auto;
        & > .resource-table--header { text-style: bold; background: $panel; }
        & > .resource-table--even { background: $surface-lighten-1 30%; }
        & > .resource-table--cursor { background: $block-cursor-blurred-background; }
        &:focus > .resource-table--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
        }
    }
    """

    filter_text: reactive[str] = reactive("", init=False)
    """Case-insensitive substring a row must contain to be shown; empty shows all rows."""

    @dataclass
    class RowHighlighted(Message):
        """The cursor moved to the row with ``key``."""

        table: ResourceTable
        key: str | None

        @property
        def control(self) -> ResourceTable:
            """The table, for ``@on(..., selector)``."""
            return self.table

    @dataclass
    class RowSelected(Message):
        """``enter`` (or a click on the cursor's row) on the row with ``key``."""

        table: ResourceTable
        key: str

        @property
        def control(self) -> ResourceTable:
            """The table, for ``@on(..., selector)``."""
            return self.table

    def __init__(
        self,
        columns: Sequence[TableColumn] = (),
        *,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self._columns: tuple[TableColumn, ...] = tuple(columns)
        self._all: list[TableRow] = []
        self._needles: list[str] = []
        self._cell_widths: list[tuple[int, ...]] = []
        self._known: dict[str, tuple[TableRow, str, tuple[int, ...]]] = {}
        """Per key, the row as last set with its needle and cell widths (reused when equal)."""
        self._shown: list[int] = []  # indices into _all, in display order
        self._shown_for = ""  # the filter _shown was made for
        self._index: dict[str, int] = {}  # key -> position in _shown
        self._widths: list[int] = []
        self._cursor = 0
        self._chosen = False
        """Whether the person (or ``select_key``) put the cursor on a row: only then does it
        follow that row when the rows are reordered; before, it stays on the first."""
        self._strips: dict[str, tuple[TableRow, tuple[int, ...], int, bool, Strip]] = {}
        self._given: list[TableRow] = []  # the rows in the order the screen gave them
        self._sort: tuple[int, bool] | None = None  # (column, descending), None: as given
        self._measure()

    # --- what screens read ------------------------------------------------------

    @property
    def table_columns(self) -> tuple[TableColumn, ...]:
        """The columns."""
        return self._columns

    @property
    def all_rows(self) -> tuple[TableRow, ...]:
        """Every row, filtered or not, in display order."""
        return tuple(self._all)

    @property
    def shown_rows(self) -> tuple[TableRow, ...]:
        """The rows on screen after the filter."""
        return tuple(self._all[i] for i in self._shown)

    @property
    def row_count(self) -> int:
        """How many rows the filter shows."""
        return len(self._shown)

    @property
    def cursor_row(self) -> int:
        """The cursor's position among the shown rows."""
        return self._cursor

    @property
    def sorted_by(self) -> tuple[str, bool] | None:
        """The key of the column rows are sorted by and whether descending; None: as given."""
        if self._sort is None or self._sort[0] >= len(self._columns):
            return None
        return self._columns[self._sort[0]].key, self._sort[1]

    def selected_key(self) -> str | None:
        """The key of the row under the cursor, if any."""
        if not self._shown:
            return None
        return self._all[self._shown[self._cursor]].key

    def select_key(self, key: str) -> bool:
        """Move the cursor to the row with ``key``; False when it is not shown."""
        index = self._index.get(key)
        if index is None:
            return False
        self._chosen = True
        self.move_cursor(index)
        return True

    # --- what screens set ----------------------------------------------------

    def set_columns(self, columns: Sequence[TableColumn]) -> None:
        """Replace the columns (the rows stay; their cells must match the new columns)."""
        self._columns = tuple(columns)
        self._strips.clear()
        self._measure()
        self.refresh()

    def set_rows(self, rows: Sequence[TableRow]) -> None:
        """Show ``rows`` (filtered); the cursor keeps its row, else its position."""
        before = self._view()
        keep = self.selected_key()
        known: dict[str, tuple[TableRow, str, tuple[int, ...]]] = {}
        for row in rows:
            seen = self._known.get(row.key)
            if seen is None or seen[0] != row:
                texts = [plain(cell) for cell in row.cells]
                seen = (row, "\0".join(texts).lower(), tuple(cell_len(t) for t in texts))
            known[row.key] = seen
        self._known = known
        self._given = list(rows)
        self._all = self._ordered(self._given)
        self._needles = [known[row.key][1] for row in self._all]
        self._cell_widths = [known[row.key][2] for row in self._all]
        self._shown_for = ""
        self._apply_filter(keep, repaint=False)
        self._measure(repaint=False)
        self._repaint_since(before)

    def _view(self) -> View:
        """What the screen shows: widths, top row, cursor, row count, the visible rows."""
        top = int(self.scroll_offset.y)
        height = max(self.scrollable_content_region.height - 1, 0)  # under the header
        rows = tuple(self._all[i] for i in self._shown[top : top + height])
        return tuple(self._widths), top, self._cursor, len(self._shown), rows

    def _repaint_since(self, before: View) -> None:
        """Repaint what changed since ``before``: when nothing moved, only the lines whose
        row changed, so a refresh sends the terminal just the rows it changed."""
        after = self._view()
        if not self.is_mounted or before[:4] != after[:4] or len(before[4]) != len(after[4]):
            self.refresh()
            return
        top = after[1]
        for offset, (old, new) in enumerate(zip(before[4], after[4], strict=True)):
            if old is not new and old != new:
                self.refresh_line(top + offset + 1)  # line 0 is the header

    def sort_by(self, column: str | None, *, descending: bool = False) -> None:
        """Order the rows by ``column`` (numbers by value, text without case); None: as given.

        Rows whose cell is empty or still loading ("…") go last either way. The cursor
        stays on its row.
        """
        keys = [c.key for c in self._columns]
        self._sort = (
            None if column is None or column not in keys else (keys.index(column), descending)
        )
        keep = self.selected_key()
        self._all = self._ordered(self._given)
        self._needles = [self._known[row.key][1] for row in self._all]
        self._cell_widths = [self._known[row.key][2] for row in self._all]
        self._shown_for = ""
        self._strips.clear()  # stripes follow positions
        self._apply_filter(keep)

    def _ordered(self, rows: list[TableRow]) -> list[TableRow]:
        if self._sort is None:
            return list(rows)
        column, descending = self._sort
        present = [r for r in rows if sort_text(r, column)]
        absent = [r for r in rows if not sort_text(r, column)]
        present.sort(key=lambda r: natural(sort_text(r, column)), reverse=descending)
        return present + absent

    def move_cursor(self, row: int) -> None:
        """Put the cursor on shown row ``row`` (clamped) and keep it in view."""
        before = self.selected_key()
        self._cursor = max(0, min(row, len(self._shown) - 1)) if self._shown else 0
        self._scroll_to_cursor()
        self.refresh()
        if self.selected_key() != before:
            self.post_message(self.RowHighlighted(self, self.selected_key()))

    # --- filtering -------------------------------------------------------------

    def watch_filter_text(self) -> None:
        """Re-apply the filter as the person types (a longer filter narrows the last match)."""
        self._apply_filter(self.selected_key())

    def _apply_filter(self, keep: str | None, *, repaint: bool = True) -> None:
        needle = self.filter_text.strip().lower()
        if needle and self._shown_for and needle.startswith(self._shown_for):
            candidates = self._shown  # the match can only shrink
        else:
            candidates = list(range(len(self._all)))
        self._shown = (
            [i for i in candidates if needle in self._needles[i]] if needle else candidates
        )
        self._shown_for = needle
        self._index = {self._all[i].key: n for n, i in enumerate(self._shown)}
        position = self._cursor
        if not self._chosen:
            target = 0
        elif keep is not None and keep in self._index:
            target = self._index[keep]
        else:
            target = position  # its row went: the same place, not the top
        self._cursor = max(0, min(target, len(self._shown) - 1)) if self._shown else 0
        self.virtual_size = Size(self._total_width(), len(self._shown) + 1)
        self._scroll_to_cursor()
        if repaint:
            self.refresh()
        if self.selected_key() != keep:
            self.post_message(self.RowHighlighted(self, self.selected_key()))

    # --- layout --------------------------------------------------------------

    def _measure(self, *, repaint: bool = True) -> None:
        widths = []
        for index, column in enumerate(self._columns):
            if column.width is not None:
                widths.append(column.width)
                continue
            widest = max(
                (w[index] for w in self._cell_widths if index < len(w)),
                default=0,
            )
            widths.append(min(max(widest, cell_len(column.label)), MAX_AUTO_WIDTH))
        room = self.scrollable_content_region.width if self.is_mounted else 0
        if room > 0:
            widths = fitted(self._columns, widths, room - MARK_WIDTH)
        if widths != self._widths:
            self._widths = widths
            self._strips.clear()
        self.virtual_size = Size(self._total_width(), len(self._shown) + 1)
        if repaint:
            self.refresh()

    def _total_width(self) -> int:
        return MARK_WIDTH + span(self._widths)

    def on_resize(self) -> None:
        """Another width: the columns are fitted to it again."""
        self._measure()

    def _scroll_to_cursor(self) -> None:
        if not self.is_mounted:
            return
        visible = max(self.scrollable_content_region.height - 1, 1)  # the header is fixed
        top = int(self.scroll_offset.y)
        if self._cursor < top:
            self.scroll_to(y=self._cursor, animate=False, immediate=True)
        elif self._cursor >= top + visible:
            self.scroll_to(y=self._cursor - visible + 1, animate=False, immediate=True)

    # --- drawing ----------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        """Line 0 is the header; the others are the shown rows from the scroll position."""
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        base = self.rich_style
        if y == 0:
            strip = self._header()
        else:
            position = scroll_y + y - 1
            if position >= len(self._shown):
                return Strip.blank(width, base)
            strip = self._row(position)
        return strip.crop_extend(scroll_x, scroll_x + width, base)

    def _header(self) -> Strip:
        style = self.get_component_rich_style("resource-table--header")
        segments = [Segment(" " * MARK_WIDTH)]
        first = True
        for index, (column, width) in enumerate(zip(self._columns, self._widths, strict=False)):
            if not width:
                continue  # no room for it at this width
            if not first:
                segments.append(Segment(" " * GAP))
            first = False
            if self._sort is not None and self._sort[0] == index and width > 1:
                # The arrow always shows: the label gives way to it in a narrow column.
                arrow = "↓" if self._sort[1] else "↑"
                label = fit_text(column.label, width - 1).rstrip() + arrow
                segments.append(Segment(label + " " * (width - cell_len(label))))
            else:
                segments.append(Segment(fit_text(column.label, width)))
        return Strip(Segment.apply_style(segments, style))

    def _row(self, position: int) -> Strip:
        row = self._all[self._shown[position]]
        cursor = position == self._cursor
        widths = tuple(self._widths)
        cached = self._strips.get(row.key)
        if cached is not None:
            old, old_widths, old_position, was_cursor, strip = cached
            if (
                old == row
                and old_widths == widths
                and was_cursor == cursor
                and old_position % 2 == position % 2
            ):
                return strip
        strip = self._draw(row, widths, cursor, position)
        if len(self._strips) >= CACHE_ROWS:
            self._strips.clear()
        self._strips[row.key] = (row, widths, position, cursor, strip)
        return strip

    def _draw(self, row: TableRow, widths: tuple[int, ...], cursor: bool, position: int) -> Strip:
        mark, mark_style = SEVERITY_MARKS.get(row.severity or "", (" ", ""))
        segments = [Segment(mark, Style.parse(mark_style) if mark_style else None), Segment(" ")]
        first = True
        for index, width in enumerate(widths):
            if not width:
                continue
            if not first:
                segments.append(Segment(" " * GAP))
            first = False
            cell = row.cells[index] if index < len(row.cells) else ""
            if isinstance(cell, Text):
                text = cell.copy()
                text.truncate(width, overflow="ellipsis", pad=True)
                segments.extend(text.render(self.app.console))
            else:
                segments.append(Segment(fit_text(cell, width)))
        if cursor:
            segments = list(
                Segment.apply_style(
                    segments, post_style=self.get_component_rich_style("resource-table--cursor")
                )
            )
        elif position % 2:
            segments = list(
                Segment.apply_style(segments, self.get_component_rich_style("resource-table--even"))
            )
        return Strip(segments).simplify()

    def notify_style_update(self) -> None:
        """A theme or focus change restyles every row."""
        self._strips.clear()
        super().notify_style_update()

    def on_focus(self) -> None:
        """The cursor's row is drawn in the focused style."""
        self._strips.clear()
        self.refresh()

    def on_blur(self) -> None:
        """And in the blurred one."""
        self._strips.clear()
        self.refresh()

    # --- keys and mouse ---------------------------------------------------------

    def _page(self) -> int:
        return max(self.scrollable_content_region.height - 2, 1)

    def action_cursor_up(self) -> None:
        """Up one row."""
        self._chosen = True
        self.move_cursor(self._cursor - 1)

    def action_cursor_down(self) -> None:
        """Down one row."""
        self._chosen = True
        self.move_cursor(self._cursor + 1)

    def action_page_up(self) -> None:
        """Up one page."""
        self._chosen = True
        self.move_cursor(self._cursor - self._page())

    def action_page_down(self) -> None:
        """Down one page."""
        self._chosen = True
        self.move_cursor(self._cursor + self._page())

    def action_scroll_top(self) -> None:
        """To the first row."""
        self._chosen = True
        self.move_cursor(0)

    def action_scroll_bottom(self) -> None:
        """To the last row."""
        self._chosen = True
        self.move_cursor(len(self._shown) - 1)

    def action_sort_next(self) -> None:
        """Sort by the next column (after the last, back to the order given)."""
        shown = self._shown_columns()
        if not shown:
            return
        if self._sort is None:
            self.sort_by(self._columns[shown[0]].key)
            return
        later = [i for i in shown if i > self._sort[0]]
        self.sort_by(self._columns[later[0]].key if later else None)

    def _shown_columns(self) -> list[int]:
        """The columns on screen (a column the width has no room for is not sorted by)."""
        return [i for i in range(len(self._columns)) if i >= len(self._widths) or self._widths[i]]

    def action_sort_reverse(self) -> None:
        """Reverse the sort (sorting by the first column when there is none)."""
        if self._sort is None:
            shown = self._shown_columns()
            if shown:
                self.sort_by(self._columns[shown[0]].key, descending=True)
            return
        self.sort_by(self._columns[self._sort[0]].key, descending=not self._sort[1])

    def action_select_cursor(self) -> None:
        """Open the row under the cursor."""
        key = self.selected_key()
        if key is not None:
            self.post_message(self.RowSelected(self, key))

    def on_click(self, event: events.Click) -> None:
        """A click moves the cursor to the row; a click on the cursor's row opens it."""
        if event.y < 1:
            return
        position = int(self.scroll_offset.y) + event.y - 1
        if not 0 <= position < len(self._shown):
            return
        self._chosen = True
        if position == self._cursor:
            self.action_select_cursor()
        else:
            self.move_cursor(position)

    def region_of_cursor(self) -> Region:
        """Where the cursor's row is drawn, in the table's coordinates."""
        return Region(0, self._cursor - int(self.scroll_offset.y) + 1, self.size.width, 1)
