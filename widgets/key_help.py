"""The ``?`` screen: every key, what it does and the binding id a keymap can remap."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static


@dataclass(frozen=True)
class KeyHelpRow:
    """One binding as the help screen lists it."""

    scope: str  # where it works: "everywhere", "panes", "details", "tables", "prompt"
    keys: str  # as the person types them, after the keymap
    description: str
    binding_id: str


class KeyHelp(ModalScreen[None]):
    """A modal table of every binding; escape, ``?`` or ``q`` closes it."""

    DEFAULT_CSS = """
    KeyHelp { align: center middle; }
    KeyHelp > Vertical {
        width: auto; max-width: 100%; height: auto; max-height: 90%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    KeyHelp DataTable { height: auto; max-height: 30; width: auto; }
    KeyHelp .key-help-hint { color: $text-muted; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "dismiss", "Close", id="help.close"),
    ]

    def __init__(self, rows: Sequence[KeyHelpRow], hint: str = "") -> None:
        super().__init__()
        self._rows = tuple(rows)
        self._hint = hint

    def compose(self) -> ComposeResult:
        """A titled box with the table and a hint line."""
        with Vertical() as box:
            box.border_title = "keys"
            yield DataTable[str](cursor_type="row", zebra_stripes=True)
            if self._hint:
                yield Static(Text(self._hint), classes="key-help-hint")

    def on_mount(self) -> None:
        """Fill the table."""
        table: DataTable[str] = self.query_one(DataTable)
        table.add_columns("where", "keys", "does", "binding id")
        for row in self._rows:
            table.add_row(row.scope, row.keys, row.description, row.binding_id)
        table.focus()
