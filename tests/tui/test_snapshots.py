"""Snapshots of the six panes (findings first) at two terminal sizes.

Nothing on screen may depend on when the tests run: the console's clock is pinned
to a moment just after the seeded incidents (so "pushed 1d" stays "1d"), and the
status line therefore says every pane is 0 s old. Times the world sets relative to
its own start are in this clock's future and read "0s".
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import pytest
from textual.pilot import Pilot

from tests.tui.conftest import AppFactory, settle

PINNED_NOW = datetime(2025, 11, 12, 0, 0, 0, tzinfo=UTC)
PANE_KEYS = {
    "findings": "0",
    "repositories": "1",
    "builds": "2",
    "services": "3",
    "quotas": "4",
}


def show(pane: str) -> Callable[[Pilot[None]], Awaitable[None]]:
    """Wait for the data, then switch to ``pane`` with the cursor on its first row."""

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press(PANE_KEYS.get(pane, "5"))
        await pilot.press("home")
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", [(120, 36), (80, 24)], ids=["120x36", "80x24"])
@pytest.mark.parametrize("pane", list(PANE_KEYS))
def test_pane_snapshot(
    snap_compare: Callable[..., bool], make_app: AppFactory, pane: str, size: tuple[int, int]
) -> None:
    app = make_app(now=PINNED_NOW)
    assert snap_compare(app, terminal_size=size, run_before=show(pane))
