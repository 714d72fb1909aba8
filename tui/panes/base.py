"""What the four panes share: a table of rows built from records, errors shown in place."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, ClassVar, Generic, TypeVar

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Static

from cloud.records import Fetched, FetchError, Flag
from cloud.session import CloudSession
from tui.context import ConsoleContext
from tui.formatting import severity_rank, worst_severity
from widgets.key_states import KeyStates
from widgets.resource_table import ResourceTable, TableColumn, TableRow

R = TypeVar("R")

FLAGS_WIDTH = 40
"""Flags sit right after the name and are cut here; the detail has them in full."""


class ResourcePane(Vertical, KeyStates, Generic[R]):
    """One pane: an error line (hidden when all calls worked) over a resource table."""

    pane: ClassVar[str]
    """The pane's name in settings, commands and binding ids ("repositories")."""
    noun: ClassVar[str] = "rows"

    def __init__(self, context: ConsoleContext) -> None:
        super().__init__(id=f"pane-{self.pane}", classes="resource-pane")
        self.context = context
        self.records: dict[str, R] = {}
        self.errors: tuple[FetchError, ...] = ()
        self.fetched_at: datetime | None = None
        self.generation = 0
        """How many fetches this pane has shown (tests and the status line can tell a refresh)."""
        self.border_title = f"{self.pane} loading…"

    # --- what each pane defines --------------------------------------------

    @staticmethod
    def fetch(session: CloudSession) -> Fetched[Any]:
        """Read this pane's records (runs in a worker thread; never raises for AWS errors)."""
        raise NotImplementedError

    def columns(self) -> list[TableColumn]:
        """The table's columns (a region column only with several regions)."""
        raise NotImplementedError

    def row_key(self, record: R) -> str:
        """A key unique within the pane, stable across refreshes."""
        raise NotImplementedError

    def cells(self, record: R, now: datetime) -> tuple[str | Text, ...]:
        """The cells of ``record``'s row, one per column."""
        raise NotImplementedError

    def sort_name(self, record: R) -> str:
        """Secondary sort key after severity (rows with critical flags come first)."""
        raise NotImplementedError

    def flags(self, record: R) -> tuple[Flag, ...]:
        """The flags a person acts on."""
        raise NotImplementedError

    def detail(self, record: R) -> Screen[None] | None:
        """The screen ``enter`` opens for ``record``, if any."""
        return None

    # --- shared behaviour --------------------------------------------------

    def compose(self) -> ComposeResult:
        """Errors line over the table."""
        yield Static("", classes="pane-errors")
        yield ResourceTable(self.columns(), id=f"table-{self.pane}")

    @property
    def table(self) -> ResourceTable:
        """This pane's table."""
        return self.query_one(ResourceTable)

    def region_cells(self, region: str) -> tuple[str, ...]:
        """The region cell, only when the console reads several regions."""
        return (region,) if self.context.multi_region else ()

    def region_columns(self) -> list[TableColumn]:
        """The region column, only when the console reads several regions."""
        return [TableColumn("region", "REGION")] if self.context.multi_region else []

    def show_fetched(self, fetched: Fetched[Any], now: datetime) -> None:
        """Put a fetch's records on screen (in place) and its errors above them."""
        records: Sequence[R] = fetched.records
        ordered = sorted(records, key=lambda r: (severity_rank(self.flags(r)), self.sort_name(r)))
        self.records = {self.row_key(r): r for r in ordered}
        rows = [self._row(r, now) for r in ordered]
        self.table.set_rows(rows)
        self.errors = fetched.errors
        self.fetched_at = now
        self.generation += 1
        self._show_errors()
        self.update_title()
        self.refresh_keys()  # which action keys apply may have changed with the rows

    def rerender(self, now: datetime) -> None:
        """Rebuild the rows (and the error line) from what was read, e.g. for presenter mode."""
        self.table.set_rows([self._row(r, now) for r in self.records.values()])
        self._show_errors()

    @property
    def busy(self) -> bool:
        """Working on its rows outside the console's fetches (the findings pane computes)."""
        return False

    def _row(self, record: R, now: datetime) -> TableRow:
        severity = worst_severity(self.flags(record))
        cells = self.cells(record, now)
        if self.context.presenter:
            cells = tuple(self.context.shown_cell(c) for c in cells)
        return TableRow(
            self.row_key(record),
            cells,
            severity.value if severity is not None else None,
        )

    def _show_errors(self) -> None:
        errors = self.query_one(".pane-errors", Static)
        if not self.errors:
            errors.update("")
            errors.display = False
            return
        text = Text()
        for index, error in enumerate(self.errors):
            if index:
                text.append("\n")
            text.append("✗ ", style="bold red")
            text.append(self.context.shown(error.line()))
        errors.update(text)
        errors.display = True

    def update_title(self) -> None:
        """``repositories (14)`` or ``repositories (3/14) /cdn`` while filtered."""
        table = self.table
        shown, total = len(table.shown_rows), len(table.all_rows)
        count = f"{shown}/{total}" if table.filter_text else f"{total}"
        self.border_title = f"{self.pane} ({count})"
        self.border_subtitle = f"/{table.filter_text}" if table.filter_text else ""

    def selected(self) -> R | None:
        """The record under the cursor."""
        key = self.table.selected_key()
        return None if key is None else self.records.get(key)
