"""A tiny app holding one LogView, and helpers to read what it shows (no AWS involved)."""

from __future__ import annotations

from typing import Any

from textual.app import App, ComposeResult
from textual.notifications import SeverityLevel
from textual.widgets import Footer

from widgets.log_lines import LogLines
from widgets.log_view import LogView


class ViewApp(App[None]):
    """One log view filling the screen, its rows focused."""

    def __init__(self, **view_options: Any) -> None:
        super().__init__()
        self.view_options = view_options
        self.notes: list[str] = []

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Record what the person is told, then tell them."""
        self.notes.append(message)
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def compose(self) -> ComposeResult:
        """The view and a footer (so greyed keys can be seen)."""
        yield LogView(**self.view_options)
        yield Footer()

    def on_mount(self) -> None:
        """Keys go to the rows, as on the logs screen."""
        self.query_one(LogLines).focus()

    @property
    def view(self) -> LogView:
        """The log view."""
        return self.query_one(LogView)


def rows(view: LogView) -> list[str]:
    """Every row the view holds (after filter, wrap and timestamps)."""
    return list(view.log_lines.lines)


def visible(view: LogView) -> list[str]:
    """The rows on screen now."""
    lines = view.log_lines
    return [lines.lines[row] for row in lines.visible_range()]


def numbered(count: int, start: int = 0, source: str = "app") -> list[tuple[int, str, str]]:
    """``count`` lines ``line N`` one second apart from 2024-05-01T12:00:00Z."""
    base = 1_714_564_800_000
    return [(base + i * 1000, source, f"line {i}") for i in range(start, start + count)]
