"""A tiny app holding one LogView, and helpers to read what it shows (no AWS involved)."""

from __future__ import annotations

import html
import re
from typing import Any

from rich.cells import cell_len
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


_SVG_TEXT = re.compile(
    r'<text[^>]* x="([0-9.]+)"[^>]*clip-path="url\(#[^)]*-line-(\d+)\)"[^>]*>([^<]*)</text>'
)


def screen_lines(app: App[Any]) -> list[str]:
    """The terminal's rows as a person sees them (from the screenshot), toasts included."""
    width, height = app.size
    cells = [[" "] * width for _ in range(height)]
    for x, line, content in _SVG_TEXT.findall(app.export_screenshot()):
        column = round(float(x) / 12.2)  # the screenshot's cell width
        row = cells[int(line)] if int(line) < height else None
        for char in html.unescape(content).replace("\xa0", " ").rstrip("\n"):
            cells_wide = max(cell_len(char), 1)
            if row is not None and column + cells_wide <= width:
                row[column : column + cells_wide] = [char, *[""] * (cells_wide - 1)]
            column += cells_wide
    return ["".join(row).rstrip() for row in cells]


def screen_text(app: App[Any]) -> str:
    """Everything on the terminal, one text (words split over toast lines kept apart)."""
    return "\n".join(screen_lines(app))


def toasts(app: App[Any]) -> str:
    """The text of the notices on screen, their wrapped lines joined without spaces (a
    toast breaks a long path anywhere), e.g. ``logsavedsaved21shownlinesto/tmp/...``."""
    parts = [line.split("▌", 1)[1].rstrip(" │") for line in screen_lines(app) if "▌" in line]
    return "".join("".join(parts).split())
