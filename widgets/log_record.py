"""The pretty view of one structured line (``J``): its keys and values, one a line, indented.

Docked under the rows while open; the rows stay as they are. The lines it is
given are already safe to show; they are handed to Rich as ``Text``, never as
markup.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

if TYPE_CHECKING:
    from widgets.log_buffer import LogEntry
    from widgets.log_structure import LineStructure

_KEY = re.compile(r'^\s*("(?:[^"\\]|\\.)*"|[^\s:]+):')


class LogRecordPanel(VerticalScroll):
    """A structured line pretty-printed; hidden until ``show``."""

    DEFAULT_CSS = """
    LogRecordPanel {
        dock: bottom;
        height: auto;
        max-height: 50%;
        display: none;
        border-top: solid $primary 50%;
        background: $boost;
        &.-open { display: block; }
        & > #log-record-text { width: 1fr; height: auto; padding: 0 1; }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.shown = Text()
        """What the panel shows (or last showed)."""

    def compose(self) -> ComposeResult:
        """The text."""
        yield Static(id="log-record-text", markup=False)

    @property
    def is_open(self) -> bool:
        """Whether the panel is on screen."""
        return self.has_class("-open")

    @property
    def text(self) -> str:
        """What the panel shows now (plain)."""
        return self.shown.plain

    def show(self, title: str, lines: list[str]) -> None:
        """Show ``lines`` (already safe) under a dim ``title``; keys in bold."""
        text = Text(f"{title}\n", style="dim")
        for line in lines:
            found = _KEY.match(line)
            if found is not None:
                text.append(line[: found.end()], style="bold")
                text.append(line[found.end() :])
            else:
                text.append(line)
            text.append("\n")
        text.rstrip()
        self.shown = text
        self.query_one("#log-record-text", Static).update(text)
        self.add_class("-open")
        self.scroll_home(animate=False)

    def show_entry(
        self,
        entry: LogEntry | None,
        structure: LineStructure | None,
        shown: Callable[[str], str] | None,
    ) -> bool:
        """Show ``entry`` pretty (through ``shown``); False, and hidden, when it is not a
        structured line."""
        pretty = None
        if entry is not None and structure is not None:
            pretty = structure.pretty_lines(entry.text)
        if entry is None or pretty is None:
            self.hide()
            return False
        if shown is not None:
            pretty = [shown(line) for line in pretty]
        where = f" of {entry.source}" if entry.source else ""
        self.show(f"the line{where} at the current row (J closes)", pretty)
        return True

    def hide(self) -> None:
        """Close the panel."""
        self.remove_class("-open")
