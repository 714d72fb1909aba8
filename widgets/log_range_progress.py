"""What a range save shows while it reads: how many lines so far, and a way to stop it."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class RangeProgressScreen(ModalScreen[bool]):
    """``reading FROM..TO: 12,345 lines…`` and Cancel (``escape``); dismissed True on cancel."""

    DEFAULT_CSS = """
    RangeProgressScreen { align: center middle; }
    RangeProgressScreen > Vertical {
        width: 76; height: auto; padding: 1 2;
        border: round $primary; background: $surface;
    }
    RangeProgressScreen Button { margin: 1 0 0 0; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="logs.save-range-cancel"),
    ]

    def __init__(self, what: str) -> None:
        super().__init__()
        self._what = what

    def compose(self) -> ComposeResult:
        """The count and the button."""
        with Vertical():
            yield Static(Text(f"reading {self._what}…"), id="range-progress")
            yield Button("Cancel", id="range-cancel", variant="error")

    def lines_read(self, count: int) -> None:
        """Show how many lines are read so far."""
        self.query_one("#range-progress", Static).update(
            Text(f"reading {self._what}: {count:,} lines…")
        )

    @on(Button.Pressed, "#range-cancel")
    def action_cancel(self) -> None:
        """Stop reading; nothing is written."""
        self.dismiss(True)
