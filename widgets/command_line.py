"""The k9s-style prompt at the bottom: ``:`` for a command, ``/`` for an incremental filter."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, Literal

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.suggester import Suggester, SuggestFromList
from textual.widgets import Input, Label

PromptMode = Literal["command", "filter"]

_PROMPTS: dict[PromptMode, str] = {"command": ":", "filter": "/"}


class CommandLine(Horizontal):
    """A one-line prompt, hidden until opened; tells its screen what was typed."""

    DEFAULT_CSS = """
    CommandLine {
        height: 1;
        display: none;
        background: $boost;
    }
    CommandLine.-open { display: block; }
    CommandLine > Label { width: 2; padding: 0 0 0 1; color: $accent; text-style: bold; }
    CommandLine > Input { border: none; height: 1; padding: 0; background: $boost; }
    CommandLine > Input:focus { border: none; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="prompt.cancel", show=False),
    ]

    class CommandSubmitted(Message):
        """The person pressed enter on a ``:`` command."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    class FilterChanged(Message):
        """The ``/`` filter text changed (on every key) or was cleared."""

        def __init__(self, text: str, done: bool) -> None:
            super().__init__()
            self.text = text
            self.done = done  # True when the prompt closed (enter keeps, escape clears)

    class Closed(Message):
        """The prompt closed; the screen should put focus back on its table."""

    def __init__(
        self,
        commands: Sequence[str] = (),
        *,
        suggester: Suggester | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self._commands = tuple(commands)
        self._suggester = suggester  # completes more than the command names, when given
        self.mode: PromptMode = "command"

    def compose(self) -> ComposeResult:
        """A prompt character and the input."""
        yield Label(":")
        yield Input(
            placeholder="",
            suggester=self._suggester or SuggestFromList(self._commands, case_sensitive=False),
            select_on_focus=False,
        )

    @property
    def is_open(self) -> bool:
        """Whether the prompt is on screen."""
        return self.has_class("-open")

    def open(self, mode: PromptMode, text: str = "") -> None:
        """Show the prompt in ``mode`` with ``text`` pre-filled, and focus it."""
        self.mode = mode
        self.query_one(Label).update(_PROMPTS[mode])
        field = self.query_one(Input)
        field.placeholder = "repos, builds, services, quotas…" if mode == "command" else "filter"
        with field.prevent(Input.Changed):
            field.value = text
        field.cursor_position = len(text)
        self.add_class("-open")
        # Focus now, not after the queued keys: "/cdn" typed fast must all land in the prompt.
        self.screen.set_focus(field)

    def close(self) -> None:
        """Hide the prompt."""
        self.remove_class("-open")
        self.post_message(self.Closed())

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        if self.mode == "filter":
            self.post_message(self.FilterChanged(event.value, done=False))

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.mode == "filter":
            self.post_message(self.FilterChanged(event.value, done=True))
        else:
            self.post_message(self.CommandSubmitted(event.value.strip()))
        self.close()

    def action_cancel(self) -> None:
        """Escape: a filter is cleared, a command is dropped."""
        if self.mode == "filter":
            self.post_message(self.FilterChanged("", done=True))
        self.close()
