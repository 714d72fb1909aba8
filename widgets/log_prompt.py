"""The one-line prompt of the log view: ``/`` searches, ``&`` filters, ``:`` jumps in time,
``escape`` cancels."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Input, Static

PromptMode = Literal["search", "filter", "command"]
_PLACEHOLDERS: dict[PromptMode, str] = {
    "search": "search (regex; enter: go to the newest match)",
    "filter": "filter (regex; !regex: not matching; level=error status>=500: fields; empty: all)",
    "command": "since 2h · at 2025-11-10T08:50 (UTC unless an offset; or 90m, 2h, 1d ago)",
}
_MARKS: dict[PromptMode, str] = {"search": "/", "filter": "&", "command": ":"}


class LogPrompt(Input):
    """The text field; ``escape`` leaves it without applying."""

    DEFAULT_CSS = """
    LogPrompt, LogPrompt:focus {
        width: 1fr;
        height: 1;
        border: none;
        padding: 0 1 0 0;
        background: $boost;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", show=False),
    ]

    def action_cancel(self) -> None:
        """Close without applying."""
        bar = self.parent
        if isinstance(bar, LogPromptBar):
            bar.cancel()


class LogPromptBar(Horizontal):
    """``/``, ``&`` or ``:`` and the field, docked under the rows while open."""

    DEFAULT_CSS = """
    LogPromptBar {
        dock: bottom;
        height: 1;
        display: none;
        background: $boost;
        &.-open { display: block; }
        & > #log-prompt-mode { width: auto; padding: 0 0 0 1; color: $accent; text-style: bold; }
    }
    """

    @dataclass
    class Changed(Message):
        """The text changed (search highlights as it is typed)."""

        mode: PromptMode
        value: str

    @dataclass
    class Submitted(Message):
        """Enter: apply ``value``."""

        mode: PromptMode
        value: str

    @dataclass
    class Cancelled(Message):
        """Escape: nothing to apply."""

        mode: PromptMode

    mode: PromptMode = "search"

    def compose(self) -> ComposeResult:
        """The mode character and the field."""
        yield Static("/", id="log-prompt-mode", markup=False)
        yield LogPrompt(id="log-prompt")

    @property
    def is_open(self) -> bool:
        """Whether the prompt is on screen."""
        return self.has_class("-open")

    def open(self, mode: PromptMode, value: str) -> None:
        """Show the prompt for ``mode`` with ``value`` and focus it."""
        self.mode = mode
        self.query_one("#log-prompt-mode", Static).update(_MARKS[mode])
        prompt = self.query_one(LogPrompt)
        prompt.placeholder = _PLACEHOLDERS[mode]
        prompt.value = value
        self.add_class("-open")
        # Focus now, not after the queued keys: "&level=error" typed fast must all land in
        # the prompt, not run as the log's own keys ("e": next error).
        self.screen.set_focus(prompt)

    def close(self) -> None:
        """Hide the prompt."""
        self.remove_class("-open")

    def cancel(self) -> None:
        """Hide and say nothing is to be applied."""
        self.close()
        self.post_message(self.Cancelled(self.mode))

    @on(Input.Changed, "#log-prompt")
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        if self.is_open:
            self.post_message(self.Changed(self.mode, event.value))

    @on(Input.Submitted, "#log-prompt")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.close()
        self.post_message(self.Submitted(self.mode, event.value))
