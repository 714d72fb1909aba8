"""A region that refuses every call: its errors show in place while everything else works."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from textual.widgets import Static

from tests.cloud.region_gate import RegionGate
from tests.tui.conftest import AppFactory, WorldAccess, settle
from tests.tui.helpers import pane, row_by_name
from widgets.status_bar import StatusBar

DENIED = "us-east-1"


@pytest.fixture
def gate(world: WorldAccess, monkeypatch: pytest.MonkeyPatch) -> Iterator[RegionGate]:
    """The world behind a front that answers AccessDenied for one region."""
    front = RegionGate(world.aws_endpoint)
    front.denied.add(DENIED)
    front.start()
    monkeypatch.setenv("AWS_ENDPOINT_URL", front.url)
    yield front
    front.stop()


async def test_denied_region_shows_errors_in_place(gate: RegionGate, make_app: AppFactory) -> None:
    app = make_app(fresh=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        repos = pane(app, "repositories")
        lines = [e.line() for e in repos.errors]
        assert any(line.startswith(f"ecr {DENIED}: access denied") for line in lines), lines
        shown = repos.query_one(".pane-errors", Static)
        assert shown.display
        assert f"ecr {DENIED}: access denied" in str(shown.render())
        # what the other region returned is still there
        assert row_by_name(app, "repositories", "nova/cdn-service")["latest"] == "NO"
        # the status line counts the errors; the other panes keep working
        status = app.screen.query_one(StatusBar)
        repo_status = next(s for s in status.panes if s.name == "repositories")
        assert repo_status.errors >= 1
        await pilot.press("3")
        assert row_by_name(app, "services", "user-service")["ready"] == "0/4"
