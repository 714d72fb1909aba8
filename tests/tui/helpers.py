"""What a person reads on screen, as text: table rows and detail pages."""

from __future__ import annotations

import html
import re
import time
from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual.app import App
from textual.pilot import Pilot
from textual.screen import Screen

from tests.tui.conftest import settle
from tui.app import ShipdeckApp
from tui.console.screen import PANE_NAMES, ConsoleScreen
from tui.flows.model_feed import SETTLE_EVERY
from tui.panes.base import ResourcePane
from widgets.detail_view import DetailView
from widgets.resource_table import ResourceTable, TableRow


def console(app: ShipdeckApp) -> ConsoleScreen:
    """The console screen (the bottom of the stack)."""
    screen = app.screen_stack[0]
    assert isinstance(screen, ConsoleScreen)
    return screen


def pane(app: ShipdeckApp, name: str) -> ResourcePane:
    """Pane ``name`` of the console screen."""
    return console(app).pane(name)


def cell_text(cell: str | Text) -> str:
    """The plain text of a cell."""
    return cell.plain if isinstance(cell, Text) else cell


def rows(app: ShipdeckApp, name: str) -> list[TableRow]:
    """The rows shown (after the filter) in pane ``name``."""
    return list(pane(app, name).table.shown_rows)


def row_by_name(app: ShipdeckApp, name: str, needle: str) -> dict[str, str]:
    """The shown row of pane ``name`` whose name column equals ``needle``, as column -> text."""
    table = pane(app, name).table
    for row in table.shown_rows:
        cells = row_cells(table, row)
        if cells.get("name") == needle:
            return cells
    names = [row_cells(table, r).get("name") for r in table.shown_rows]
    raise AssertionError(f"no row named {needle!r} in {name}; rows: {names}")


def row_cells(table: ResourceTable, row: TableRow) -> dict[str, str]:
    """A row as column key -> plain text, plus ``severity``."""
    keys = [c.key for c in table.table_columns]
    cells = {k: cell_text(c) for k, c in zip(keys, row.cells, strict=False)}
    cells["severity"] = row.severity or ""
    return cells


def detail_text(app: ShipdeckApp) -> str:
    """Everything the detail view on top shows, as plain text."""
    return app.screen.query_one(DetailView).plain_text()


def select_row(app: ShipdeckApp, name: str, row_name: str) -> None:
    """Put the cursor of pane ``name`` on the row whose name column is ``row_name``."""
    table = pane(app, name).table
    for row in table.shown_rows:
        if row_cells(table, row).get("name") == row_name:
            assert table.select_key(row.key)
            return
    raise AssertionError(f"no row {row_name!r} in {name}")


async def open_detail(app: ShipdeckApp, pilot: Pilot[None], key: str, pane: str, row: str) -> None:
    """Switch to ``pane`` with its key, select ``row``, press enter and wait for the detail."""
    await pilot.press(key)
    select_row(app, pane, row)
    await pilot.press("enter")
    await settle(pilot)


def on_console(app: ShipdeckApp) -> bool:
    """Whether the console screen (no detail, no modal) is on top."""
    return app.screen is console(app)


async def wait_for(pilot: Pilot[None], check: Callable[[], bool], timeout: float = 20.0) -> None:
    """Let the app run until ``check`` holds (a modal keeps its flow's worker waiting, so
    this waits on the app's own events rather than on every worker ending)."""
    for _ in range(int(timeout / 0.05)):
        if check():
            return
        await pilot.pause(0.05)
    assert check(), "timed out"


async def modal(pilot: Pilot[None], kind: type[Screen[Any]]) -> Any:
    """Wait for a screen of ``kind`` on top and return it."""
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, kind))
    await pilot.pause()
    return pilot.app.screen


def screen_text(app: App[Any]) -> str:
    """Everything on the terminal now, as plain text (from the SVG screenshot)."""
    svg = app.export_screenshot()
    text = html.unescape(re.sub(r"<[^>]+>", "", svg)).replace("\xa0", " ")
    return re.sub(r"\s+", " ", text)


async def model_read(pilot: Pilot[None]) -> None:
    """Wait until every kind of the model has been read once and every pane drew it."""
    app = pilot.app
    assert isinstance(app, ShipdeckApp)
    await wait_for(pilot, lambda: app.context.state.complete, timeout=60)
    await wait_for(pilot, lambda: all(console(app).pane(n).loaded for n in PANE_NAMES))


async def settled_until(
    pilot: Pilot[None], clock: Callable[[float], None], check: Callable[[], bool], wall: float = 180
) -> int:
    """Let the console follow a change: each round waits for the reads under way, then moves
    the injected clock past the settle interval so the next follow-up read starts.

    The world settles at its own pace, so the rounds are not counted: ``wall`` seconds
    only guard against a change that never shows. Returns how many rounds it took;
    nothing is read but what the console asks for itself.
    """
    app = pilot.app
    assert isinstance(app, ShipdeckApp)
    # An applied action asks for its follow-up reads as it ends: until then, "no read
    # under way" would only mean the read has not been asked for yet.
    await wait_for(pilot, lambda: app.context.action_running is None, timeout=wall)
    guard = time.monotonic() + wall
    round_ = 0
    while time.monotonic() < guard:
        await wait_for(pilot, lambda: not app.feed.reading, timeout=30)
        await pilot.pause()
        if check():
            return round_
        clock(SETTLE_EVERY)
        console(app).tick()
        round_ += 1
    assert check(), f"the change did not show within {wall:.0f} s of reads the console made"
    return round_
