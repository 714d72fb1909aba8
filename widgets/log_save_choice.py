"""``ctrl+s`` where a log can read its history: save the buffer, or a range read again."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

RangeCheck = Callable[[str, str], str | None]
"""What the host says of a range as typed (FROM, TO): None when it can be read, else why not."""


@dataclass(frozen=True)
class SaveChoice:
    """What to save: the buffer (``range_from`` None) or the range ``FROM..TO`` as typed."""

    range_from: str | None = None
    range_to: str | None = None

    @property
    def is_range(self) -> bool:
        """A range from the service, not the buffer."""
        return self.range_from is not None


class SaveChoiceScreen(ModalScreen[SaveChoice | None]):
    """``buffer`` (what the view shows, enter) or ``range`` FROM..TO; ``escape`` cancels.

    A range the host's check refuses is said in the dialog, which stays open with
    what was typed.
    """

    DEFAULT_CSS = """
    SaveChoiceScreen { align: center middle; }
    SaveChoiceScreen > Vertical {
        width: 76; height: auto; padding: 1 2;
        border: round $primary; background: $surface;
    }
    SaveChoiceScreen Horizontal { height: auto; }
    SaveChoiceScreen Horizontal > Vertical { width: 1fr; height: auto; }
    SaveChoiceScreen .save-end { padding: 1 0 0 1; color: $text-muted; }
    SaveChoiceScreen Input { width: 1fr; }
    SaveChoiceScreen #save-error { color: $text-error; height: auto; }
    SaveChoiceScreen Button { margin: 1 1 0 0; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="logs.save-cancel"),
    ]

    def __init__(self, first: str, last: str, check: RangeCheck | None = None) -> None:
        super().__init__()
        self._first = first
        self._last = last
        self._check = check

    def compose(self) -> ComposeResult:
        """The two choices; the range's ends prefilled with the buffer's first and last time."""
        with Vertical():
            yield Label("Save the buffer (what the view shows), or a time range read again:")
            with Horizontal():
                with Vertical():
                    yield Label("FROM (ISO time, or 2h ago)", classes="save-end")
                    yield Input(self._first, placeholder="2025-11-10T08:50 or 2h", id="save-from")
                with Vertical():
                    yield Label("TO (ISO time, or now)", classes="save-end")
                    yield Input(self._last, placeholder="now", id="save-to")
            yield Static("", id="save-error", markup=False)
            with Horizontal():
                yield Button("buffer", id="save-buffer", variant="primary")
                yield Button("range FROM..TO", id="save-range")

    def on_mount(self) -> None:
        """Enter saves the buffer, as ctrl+s always did."""
        self.query_one("#save-error", Static).display = False
        self.query_one("#save-buffer", Button).focus()

    @on(Button.Pressed, "#save-buffer")
    def _buffer(self) -> None:
        self.dismiss(SaveChoice())

    @on(Button.Pressed, "#save-range")
    @on(Input.Submitted)
    def _range(self) -> None:
        start = self.query_one("#save-from", Input).value.strip()
        end = self.query_one("#save-to", Input).value.strip() or "now"
        refused = self._check(start, end) if self._check is not None else None
        if refused is not None:
            error = self.query_one("#save-error", Static)
            error.update(refused)
            error.display = True
            self.query_one("#save-from", Input).focus()
            return
        self.dismiss(SaveChoice(start, end))

    def action_cancel(self) -> None:
        """Save nothing."""
        self.dismiss(None)
