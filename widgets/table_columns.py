"""What a resource table is given, and how its columns are laid out and ordered.

Plain values (``TableColumn``, ``TableRow``) that screens build, and the pure
layout rules ``ResourceTable`` applies to them: fitting the columns to the width
(``fitted``: the least wanted and rightmost go first, kept ones narrow last), cutting
a cell with an ellipsis (``fit_text``) and the natural sort order of a column.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len
from rich.text import Text

Cell = str | Text

#: Marker and style for each severity a row can carry, most urgent first.
SEVERITY_MARKS: dict[str, tuple[str, str]] = {
    "critical": ("●", "bold red"),
    "warning": ("▲", "yellow"),
    "info": ("·", "cyan"),
}
MARK_WIDTH = 2  # the marker and a space
GAP = 2  # spaces between columns
MAX_AUTO_WIDTH = 60  # a column without a set width grows to its widest cell, up to this
CACHE_ROWS = 512  # rendered rows kept


@dataclass(frozen=True)
class TableColumn:
    """A column of a resource table: a stable key, a label and an optional fixed width.

    ``keep`` says what a narrow terminal does with it: ``KEEP`` columns (the name, the
    problem text, READY) always show, narrowed to fit when they must; the others go,
    the lowest ``keep`` and then the rightmost first, before a kept one is narrowed.
    """

    key: str
    label: str
    width: int | None = None
    keep: int = 1


KEEP = 2
"""``TableColumn.keep`` of a column that never leaves the screen."""
MIN_KEPT = 8  # a kept column is narrowed down to this many cells at the most
MIN_NARROW = 10  # a column that may go is narrowed to this (or its label) before it goes


@dataclass(frozen=True)
class TableRow:
    """One row: a unique key, one cell per column, and the severity of its worst flag."""

    key: str
    cells: tuple[Cell, ...]
    severity: str | None = None


def plain(cell: Cell) -> str:
    """A cell's text without styles."""
    return cell.plain if isinstance(cell, Text) else cell


View = tuple[tuple[int, ...], int, int, int, tuple[TableRow, ...]]
"""What a table shows: widths, top row, cursor, row count, the visible rows."""


_PIECES = re.compile(r"(\d+(?:\.\d+)?)")
_LOADING = {"", "…", "-", "—"}


def sort_text(row: TableRow, column: int) -> str:
    """The cell's text to sort by; empty when the cell is blank or still loading."""
    text = plain(row.cells[column]).strip() if column < len(row.cells) else ""
    return "" if text in _LOADING else text


def natural(text: str) -> tuple[tuple[int, float, str], ...]:
    """A key that orders "9 MiB" before "10 MiB" and "web-2" before "web-10"."""
    parts = _PIECES.split(text.lower())
    return tuple(
        (0, float(part), "") if n % 2 else (1, 0.0, part) for n, part in enumerate(parts) if part
    )


def span(widths: Sequence[int]) -> int:
    """Cells the columns of ``widths`` take with their gaps (a width of 0 is not shown)."""
    shown = [w for w in widths if w]
    return sum(shown) + GAP * max(len(shown) - 1, 0)


def fitted(columns: Sequence[TableColumn], widths: Sequence[int], room: int) -> list[int]:
    """``widths`` made to fit ``room`` cells: columns that may go go (the lowest ``keep``,
    then the rightmost, first; 0 is gone), the last of them only narrowed when that is
    enough; then the widest kept ones narrow, not below ``MIN_KEPT`` (or their width, if
    less). What still does not fit scrolls sideways."""
    fit = list(widths)
    order = sorted(
        (i for i, c in enumerate(columns) if c.keep < KEEP and i < len(fit)),
        key=lambda i: (columns[i].keep, -i),
    )
    for index in order:
        over = span(fit) - room
        if over <= 0:
            break
        least = max(MIN_NARROW, cell_len(columns[index].label))
        if fit[index] - over >= least:  # narrowing this one is enough: it stays
            fit[index] -= over
            break
        fit[index] = 0
    while span(fit) > room:
        widest = max(range(len(fit)), key=lambda i: fit[i])
        if fit[widest] <= MIN_KEPT:
            break
        fit[widest] = max(MIN_KEPT, fit[widest] - (span(fit) - room))
    return fit


def fit_text(text: str, width: int) -> str:
    """``text`` cut to ``width`` cells with an ellipsis, or padded to it."""
    length = cell_len(text)
    if length <= width:
        return text + " " * (width - length)
    cut = Text(text)
    cut.truncate(width, overflow="ellipsis")
    return cut.plain + " " * (width - cell_len(cut.plain))
