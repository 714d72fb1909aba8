"""What every pane shares: a table of rows drawn from the model, errors shown in place.

A pane reads nothing itself: the console's model feed reads, and every pane
redraws from the one ``ModelState`` (``show_state``). The cursor stays on the
row it was on; when that row goes away it stays at the same position.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Static

from cloud.incident import ModelState
from cloud.model.ref import ResourceRef
from cloud.records import FetchError
from tui.context.state import ConsoleContext
from tui.context.workers import ReportsWorkers
from widgets.key_states import KeyStates
from widgets.resource_table import ResourceTable, TableColumn, TableRow


class ResourcePane(ReportsWorkers, Vertical, KeyStates):
    """One pane: an error line (hidden when all reads worked) over a resource table."""

    pane: ClassVar[str]
    """The pane's name in settings, commands and binding ids ("repositories")."""
    kinds: ClassVar[tuple[str, ...]] = ()
    """The kinds of the model it shows (their reads are its loading state)."""
    read_kinds: ClassVar[tuple[str, ...]] = ()
    """What is read while it is on screen: its kinds, and those whose findings flag its rows."""
    noun: ClassVar[str] = "rows"

    def __init__(self, context: ConsoleContext) -> None:
        super().__init__(id=f"pane-{self.pane}", classes="resource-pane")
        self.context = context
        self.records: dict[str, Any] = {}
        """The record of each row, by row key."""
        self.refs: dict[str, ResourceRef] = {}
        """The resource of each row, by row key."""
        self.errors: tuple[FetchError, ...] = ()
        self.read_at: datetime | None = None
        self.version = -1
        """The model version drawn last (-1: nothing drawn yet)."""
        self.arriving = False
        """Whether the rows drawn are a first read still arriving (more rows, details)."""
        self.border_title = f"{self.pane} loading…"

    # --- what each pane defines --------------------------------------------

    def columns(self) -> list[TableColumn]:
        """The table's columns."""
        raise NotImplementedError

    def rows(self, state: ModelState, now: datetime) -> tuple[list[TableRow], dict[str, Any]]:
        """The rows for ``state`` in display order, and the record of each row key."""
        raise NotImplementedError

    def shown(self, state: ModelState) -> bool:
        """Whether ``state`` has what this pane shows (else it keeps saying it is loading):
        every kind read, or rows of a first read still arriving."""
        return state.read(self.kinds) or state.arriving(self.kinds)

    def detail(self) -> Screen[None] | None:
        """The screen ``enter`` opens for the selected row, if any."""
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

    @property
    def loaded(self) -> bool:
        """Whether rows have been drawn from the model at least once."""
        return self.version >= 0

    def on_mount(self) -> None:
        """Draw what the model holds already (a change that came while composing was skipped)."""
        self.show_state(self.context.state, self.context.clock())

    def show_state(self, state: ModelState, now: datetime) -> None:
        """Draw the rows of ``state`` in place, and the read errors above them."""
        if not self.query(ResourceTable):
            return  # not composed yet: on_mount draws it
        if not self.shown(state):
            return
        rows, records = self.rows(state, now)
        if self.context.presenter:
            rows = [self._masked(row) for row in rows]
        self.records = records
        self.table.set_rows(rows)
        self.errors = state.errors_of(self.kinds)
        self.read_at = state.read_at(self.kinds)
        self.version = state.version
        self.arriving = not state.read(self.kinds)
        self._show_errors()
        self.update_title()
        self.refresh_keys()  # which action keys apply may have changed with the rows

    def reset(self) -> None:
        """Forget every row: the console points at another scope, whose rows are not read yet.

        The pane says it is loading until the new scope's first read lands (nothing of the
        old account stays on screen as if it were current); the columns are made again
        (several regions add a region column).
        """
        self.records, self.refs, self.errors = {}, {}, ()
        self.read_at, self.version, self.arriving = None, -1, False
        if self.query(ResourceTable):
            self.table.set_columns(self.columns())
            self.table.set_rows([])
            self._show_errors()
        self.border_title = f"{self.pane} loading…"
        self.refresh_keys()

    def rerender(self, now: datetime) -> None:
        """Draw again from the model, e.g. for presenter mode."""
        self.show_state(self.context.state, now)

    @property
    def busy(self) -> bool:
        """Whether one of its kinds is being read."""
        reads = self.context.reads
        return reads is not None and reads.is_reading(self.kinds)

    def _masked(self, row: TableRow) -> TableRow:
        cells = tuple(self.context.shown_cell(c) for c in row.cells)
        return TableRow(row.key, cells, row.severity)

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
        if self.arriving:
            count += ", more coming…"
        self.border_title = f"{self.pane} ({count})"
        self.border_subtitle = f"/{table.filter_text}" if table.filter_text else ""

    def selected(self) -> Any | None:
        """The record under the cursor."""
        key = self.table.selected_key()
        return None if key is None else self.records.get(key)

    def selected_ref(self) -> ResourceRef | None:
        """The resource under the cursor."""
        key = self.table.selected_key()
        return None if key is None else self.refs.get(key)


def order(rows: Sequence[tuple[tuple[int, str], TableRow]]) -> list[TableRow]:
    """Rows sorted by their (severity rank, name) keys."""
    return [row for _, row in sorted(rows, key=lambda item: item[0])]
