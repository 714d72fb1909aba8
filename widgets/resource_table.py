"""A DataTable of resources: severity markers, a filter, a cursor that survives refreshes.

The table knows nothing of AWS: a screen hands it plain ``TableRow`` values (a key,
the cells, a severity) and it keeps them on screen with as little redrawing as
possible, so a refresh every few seconds neither flickers nor loses the row
the person is looking at.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.coordinate import Coordinate
from textual.reactive import reactive
from textual.widgets import DataTable
from textual.widgets.data_table import CellDoesNotExist, RowDoesNotExist

Cell = str | Text

#: Marker and style for each severity a row can carry, most urgent first.
SEVERITY_MARKS: dict[str, tuple[str, str]] = {
    "critical": ("●", "bold red"),
    "warning": ("▲", "yellow"),
    "info": ("·", "cyan"),
}


@dataclass(frozen=True)
class TableColumn:
    """A column of a resource table: a stable key, a label and an optional fixed width."""

    key: str
    label: str
    width: int | None = None


@dataclass(frozen=True)
class TableRow:
    """One row: a unique key, one cell per column, and the severity of its worst flag."""

    key: str
    cells: tuple[Cell, ...]
    severity: str | None = None

    def matches(self, needle: str) -> bool:
        """Whether any cell contains ``needle`` (already lower-cased)."""
        return any(needle in _plain(cell).lower() for cell in self.cells)


def _plain(cell: Cell) -> str:
    return cell.plain if isinstance(cell, Text) else cell


def severity_marker(severity: str | None) -> Text:
    """The coloured one-character marker shown in the first column."""
    if severity is None or severity not in SEVERITY_MARKS:
        return Text(" ")
    mark, style = SEVERITY_MARKS[severity]
    return Text(mark, style=style)


class ResourceTable(DataTable[Cell]):
    """A row-cursor table of resources that can be filtered and refreshed in place."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Open", id="open", tooltip="Open the selected row"),
        Binding("home", "scroll_top", "First row", id="first-row", show=False),
        Binding("end", "scroll_bottom", "Last row", id="last-row", show=False),
    ]

    filter_text: reactive[str] = reactive("", init=False)
    """Case-insensitive substring a row must contain to be shown; empty shows all rows."""

    MARK_COLUMN = "_mark"

    def __init__(
        self,
        columns: Sequence[TableColumn] = (),
        *,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(
            id=id,
            classes=classes,
            cursor_type="row",
            zebra_stripes=True,
            cursor_foreground_priority="renderable",
        )
        self._table_columns: tuple[TableColumn, ...] = tuple(columns)
        self._all_rows: tuple[TableRow, ...] = ()
        self._shown: list[TableRow] = []
        self._chosen = False
        """Whether the cursor was put on a row (by a key, a click or ``select_key``): only then
        does it follow that row when the rows are reordered; before, it stays on the first."""

    def on_mount(self) -> None:
        """Lay out the columns once; rows come later."""
        self.set_columns(self._table_columns)

    @property
    def table_columns(self) -> tuple[TableColumn, ...]:
        """The columns, without the marker column."""
        return self._table_columns

    @property
    def all_rows(self) -> tuple[TableRow, ...]:
        """Every row, filtered or not, in display order."""
        return self._all_rows

    @property
    def shown_rows(self) -> tuple[TableRow, ...]:
        """The rows on screen after the filter."""
        return tuple(self._shown)

    def set_columns(self, columns: Sequence[TableColumn]) -> None:
        """Replace the columns (and drop the rows; call ``set_rows`` after)."""
        self._table_columns = tuple(columns)
        self.clear(columns=True)
        self._shown = []
        self.add_column("", width=1, key=self.MARK_COLUMN)
        for column in self._table_columns:
            self.add_column(column.label, width=column.width, key=column.key)
        if self._all_rows:
            self._show(self._visible(self._all_rows))

    def set_rows(self, rows: Sequence[TableRow]) -> None:
        """Show ``rows`` (filtered); changed cells are updated in place when the order holds."""
        self._all_rows = tuple(rows)
        self._show(self._visible(self._all_rows))

    def selected_key(self) -> str | None:
        """The key of the row under the cursor, if any."""
        if not self._shown or not self.is_valid_row_index(self.cursor_row):
            return None
        try:
            row_key = self.coordinate_to_cell_key(Coordinate(self.cursor_row, 0)).row_key
        except CellDoesNotExist:
            return None
        return row_key.value

    def select_key(self, key: str) -> bool:
        """Move the cursor to the row with ``key``; False when it is not shown."""
        if not self._move_to(key):
            return False
        self._chosen = True
        return True

    def _move_to(self, key: str) -> bool:
        try:
            index = self.get_row_index(key)
        except RowDoesNotExist:
            return False
        self.move_cursor(row=index, animate=False)
        return True

    # The person's own moves: from now on the cursor follows the row it is on.

    def action_cursor_up(self) -> None:
        """Up one row."""
        self._chosen = True
        super().action_cursor_up()

    def action_cursor_down(self) -> None:
        """Down one row."""
        self._chosen = True
        super().action_cursor_down()

    def action_page_up(self) -> None:
        """Up one page."""
        self._chosen = True
        super().action_page_up()

    def action_page_down(self) -> None:
        """Down one page."""
        self._chosen = True
        super().action_page_down()

    def action_scroll_top(self) -> None:
        """To the first row."""
        self._chosen = True
        super().action_scroll_top()

    def action_scroll_bottom(self) -> None:
        """To the last row."""
        self._chosen = True
        super().action_scroll_bottom()

    def on_click(self) -> None:
        """A row clicked is a row chosen."""
        self._chosen = True

    def watch_filter_text(self) -> None:
        """Re-apply the filter as the person types."""
        self._show(self._visible(self._all_rows))

    def _visible(self, rows: Sequence[TableRow]) -> list[TableRow]:
        needle = self.filter_text.strip().lower()
        if not needle:
            return list(rows)
        return [row for row in rows if row.matches(needle)]

    def _show(self, rows: list[TableRow]) -> None:
        if [r.key for r in rows] == [r.key for r in self._shown]:
            self._update_in_place(rows)
            return
        keep = self.selected_key()
        position = self.cursor_row
        self.clear()
        for row in rows:
            self.add_row(severity_marker(row.severity), *self._pad(row), key=row.key)
        self._shown = rows
        # The cursor never moves under the person: the same row, else the same position.
        if not self._chosen:
            self.move_cursor(row=0, animate=False)
        elif keep is None or not self._move_to(keep):
            self.move_cursor(row=max(0, min(position, len(rows) - 1)), animate=False)

    def _update_in_place(self, rows: list[TableRow]) -> None:
        keys = [c.key for c in self._table_columns]
        for old, new in zip(self._shown, rows, strict=True):
            if old == new:
                continue
            if old.severity != new.severity:
                self.update_cell(new.key, self.MARK_COLUMN, severity_marker(new.severity))
            for column_key, before, after in zip(keys, self._pad(old), self._pad(new), strict=True):
                if before != after:
                    self.update_cell(new.key, column_key, after, update_width=True)
        self._shown = rows

    def _pad(self, row: TableRow) -> tuple[Cell, ...]:
        width = len(self._table_columns)
        cells = row.cells[:width]
        return cells + ("",) * (width - len(cells))
