"""A scrollable detail page: titled sections of key/value fields, small tables and text."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from rich import box
from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

Cell = str | Text


@dataclass(frozen=True)
class DetailSection:
    """One titled block: fields, a table (columns + rows) and/or a text, in that order.

    In a table only the last column wraps, so put the long text (a message) last.
    """

    title: str
    fields: tuple[tuple[str, Cell], ...] = ()
    columns: tuple[str, ...] = ()
    rows: tuple[tuple[Cell, ...], ...] = ()
    text: Cell | None = None
    empty: str = ""  # said when the section has nothing, e.g. "no events"


def _literal(cell: Cell) -> Text:
    # A str given to a Rich table or group is read as markup: values come from
    # outside (an event message may say "[red]x[/red]"), so they are Text.
    return Text(cell) if isinstance(cell, str) else cell


def render_section(section: DetailSection) -> RenderableType:
    """The Rich renderable of one section (also handy for tests and plain output)."""
    parts: list[RenderableType] = [Text(section.title, style="bold underline")]
    if section.fields:
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="dim", no_wrap=True)
        grid.add_column(overflow="fold")
        for label, value in section.fields:
            grid.add_row(label, _literal(value))
        parts.append(grid)
    if section.columns and section.rows:
        table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False, expand=False)
        last = len(section.columns) - 1
        for index, column in enumerate(section.columns):
            # Short facts stay on one line; the last column (messages) wraps.
            if index == last:  # its heading never folds ("CREA/TED"): the others give way
                table.add_column(column, overflow="fold", min_width=len(column))
            else:
                table.add_column(column, no_wrap=True, overflow="ellipsis")
        for row in section.rows:
            table.add_row(*(_literal(cell) for cell in row))
        parts.append(table)
    if section.text is not None:
        parts.append(_literal(section.text))
    if len(parts) == 1:
        parts.append(Text(section.empty or "nothing to show", style="dim italic"))
    return Padding(Group(*parts), (0, 0, 1, 0))


class DetailView(VerticalScroll):
    """Sections one under the other; focus it to scroll with the keyboard."""

    DEFAULT_CSS = """
    DetailView { height: 1fr; padding: 0 1; }
    DetailView > Static { width: 1fr; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._body = Static("loading…", classes="detail-body")
        self._sections: tuple[DetailSection, ...] = ()

    def compose(self) -> ComposeResult:
        """One body holding every section."""
        yield self._body

    @property
    def sections(self) -> tuple[DetailSection, ...]:
        """What is on screen."""
        return self._sections

    def show(self, sections: Sequence[DetailSection]) -> None:
        """Replace the sections, keeping the scroll position."""
        self._sections = tuple(sections)
        self._body.update(Group(*(render_section(s) for s in self._sections)))

    def plain_text(self) -> str:
        """Every section as plain text (what a person would read)."""
        console = Console(width=200, record=True, color_system=None, file=io.StringIO())
        for section in self._sections:
            console.print(render_section(section))
        return console.export_text()
