"""What a person reads on screen, as text: table rows and detail pages."""

from __future__ import annotations

from typing import Any

from rich.text import Text

from tui.app import ShipdeckApp
from tui.panes.base import ResourcePane
from tui.screens.console import ConsoleScreen
from widgets.detail_view import DetailView
from widgets.resource_table import ResourceTable, TableRow


def console(app: ShipdeckApp) -> ConsoleScreen:
    """The console screen (the bottom of the stack)."""
    screen = app.screen_stack[0]
    assert isinstance(screen, ConsoleScreen)
    return screen


def pane(app: ShipdeckApp, name: str) -> ResourcePane[Any]:
    """Pane ``name`` of the console screen."""
    return console(app).pane(name)


def cell_text(cell: str | Text) -> str:
    """The plain text of a cell."""
    return cell.plain if isinstance(cell, Text) else cell


def rows(app: ShipdeckApp, name: str) -> list[TableRow]:
    """The rows shown (after the filter) in pane ``name``."""
    return list(pane(app, name).table.shown_rows)


def row_by_name(app: ShipdeckApp, name: str, needle: str) -> dict[str, str]:
    """The shown row of pane ``name`` whose name column equals ``needle``, as column -> text."""
    table = pane(app, name).table
    for row in table.shown_rows:
        cells = row_cells(table, row)
        if cells.get("name") == needle:
            return cells
    names = [row_cells(table, r).get("name") for r in table.shown_rows]
    raise AssertionError(f"no row named {needle!r} in {name}; rows: {names}")


def row_cells(table: ResourceTable, row: TableRow) -> dict[str, str]:
    """A row as column key -> plain text, plus ``severity``."""
    keys = [c.key for c in table.table_columns]
    cells = {k: cell_text(c) for k, c in zip(keys, row.cells, strict=False)}
    cells["severity"] = row.severity or ""
    return cells


def detail_text(app: ShipdeckApp) -> str:
    """Everything the detail view on top shows, as plain text."""
    return app.screen.query_one(DetailView).plain_text()


def select_row(app: ShipdeckApp, name: str, row_name: str) -> None:
    """Put the cursor of pane ``name`` on the row whose name column is ``row_name``."""
    table = pane(app, name).table
    for row in table.shown_rows:
        if row_cells(table, row).get("name") == row_name:
            assert table.select_key(row.key)
            return
    raise AssertionError(f"no row {row_name!r} in {name}")


def on_console(app: ShipdeckApp) -> bool:
    """Whether the console screen (no detail, no modal) is on top."""
    return app.screen is console(app)
