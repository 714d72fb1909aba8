"""The status line: how old each pane's data is, and how many of its calls failed."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static


@dataclass(frozen=True)
class PaneStatus:
    """What the status line says about one pane."""

    name: str
    age: str | None  # "4s", None when never loaded
    loading: bool = False
    errors: int = 0


class StatusBar(Static):
    """A line such as ``repositories 4s · builds 1s (2 errors) · services loading…``."""

    DEFAULT_CSS = """
    StatusBar {
        height: 1;
        background: $panel;
        color: $text-muted;
        padding: 0 1;
    }
    """

    panes: reactive[tuple[PaneStatus, ...]] = reactive(())
    """One entry per pane, in pane order."""
    current: reactive[str] = reactive("")
    """The pane on screen, shown in bold."""
    message: reactive[str] = reactive("")
    """A transient line (e.g. an unknown command), shown at the right."""

    def render(self) -> Text:
        """Compose the line."""
        line = Text(no_wrap=True, overflow="ellipsis")
        for index, status in enumerate(self.panes):
            if index:
                line.append(" · ", style="dim")
            line.append(status.name, style="bold underline" if status.name == self.current else "")
            if status.loading and status.age is None:
                line.append(" loading…", style="italic")
            elif status.age is not None:
                line.append(f" {status.age}")
                if status.loading:
                    line.append("↻")
            if status.errors:
                noun = "error" if status.errors == 1 else "errors"
                line.append(f" ({status.errors} {noun})", style="bold red")
        if self.message:
            line.append("   ")
            line.append(self.message, style="bold yellow")
        return line
