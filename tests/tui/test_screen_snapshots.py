"""Snapshots of what opens over the panes: details, a form, plan previews, the log view.

Each at 80x24 (what shipdeck is made for) and 120x36. They read the seeded world
with the console's clock pinned (see ``test_snapshots``); a form or preview is
opened and never applied, so nothing in the world changes. The log view is
shown with fixed lines (its timestamps would otherwise be the world's).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.pilot import Pilot

from tests.logview.harness import ViewApp, screen_lines
from tests.tui.conftest import AppFactory, settle
from tests.tui.helpers import pane, wait_for
from tests.tui.test_snapshots import PANE_KEYS, PINNED_NOW, show
from widgets.action_form import ActionForm
from widgets.plan_preview import PlanPreview

SIZES = pytest.mark.parametrize("size", [(120, 36), (80, 24)], ids=["120x36", "80x24"])

# What to open: the pane, the row's key, then the keys that open it, and what to wait for.
OPENED: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "finding": ("findings", "missing-tag:ap-northeast-1:nova/cdn-service:latest", ("enter",)),
    "repository": ("repositories", "ecr:nova/cdn-service@ap-northeast-1", ("enter",)),
    "project": ("builds", "codebuild:nova-ecr-build@ap-northeast-1", ("enter",)),
    "ecs-service": (
        "services",
        "ecs:hr-chatbot-cluster/frontend-service@ap-northeast-1",
        ("enter",),
    ),
    "lambda": ("services", "lambda:hr-chatbot-backend@ap-northeast-1", ("enter",)),
    "quota": ("quotas", "quota:codebuild/L-4DDC4A99@ap-northeast-1", ("enter",)),
    "form-wire-secret": (
        "findings",
        "missing-env:nova:nova-backend/user-service:CLICKHOUSE_URL",
        ("f",),
    ),
    "preview-retag": ("findings", "missing-tag:ap-northeast-1:nova/cdn-service:latest", ("f",)),
    "preview-delete-six": (
        "findings",
        "buildcache-bloat:ap-northeast-1:nova/feed-service:buildcache",
        ("F",),
    ),
}
MODALS = {"form-wire-secret": ActionForm, "preview-retag": PlanPreview}


def open_screen(name: str) -> Callable[[Pilot[None]], Awaitable[None]]:
    """Wait for the data, select the row, press what opens the screen, wait for it."""
    pane_name, key, keys = OPENED[name]

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press(PANE_KEYS[pane_name])
        table = pane(pilot.app, pane_name).table  # type: ignore[arg-type]
        assert table.select_key(key), f"{key} is not shown"
        before = pilot.app.screen
        await pilot.press(*keys)
        await wait_for(pilot, lambda: pilot.app.screen is not before)
        wanted = MODALS.get(name, PlanPreview if name.startswith("preview") else None)
        if wanted is not None:
            # The flow's worker waits on the modal: wait for the modal, not for workers.
            await wait_for(pilot, lambda: isinstance(pilot.app.screen, wanted))
        else:
            await settle(pilot)
        await pilot.pause()  # no "planning…" left over the preview: the flow withdrew it

    return run_before


# Screens that show what the world makes up as it starts (task ids, times of its own
# clock): compared as text with those values replaced, so the layout is still checked.
VOLATILE = {"ecs-service", "lambda"}
# Not under __snapshots__: the SVG snapshot plugin counts every file there as its own.
TEXT_SNAPSHOTS = Path(__file__).parent / "text_snapshots"
_UNSTABLE = (
    # a time may be cut short by the width: "2026-12-02 19:34:25" without its " UTC"
    (re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d(:\d\d)?"), "YYYY-MM-DD hh:mm:ss"),
    (re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{3}\b"), "xxxxxxxx-xxx"),
)


def stable_text(app: App[Any]) -> str:
    """The screen as text rows, the world's own ids and times replaced."""
    text = "\n".join(screen_lines(app))
    for pattern, replacement in _UNSTABLE:
        text = pattern.sub(replacement, text)
    return text + "\n"


@SIZES
@pytest.mark.parametrize("name", sorted(set(OPENED) - VOLATILE))
def test_screen_snapshot(
    snap_compare: Callable[..., bool], make_app: AppFactory, name: str, size: tuple[int, int]
) -> None:
    app = make_app(now=PINNED_NOW)
    assert snap_compare(app, terminal_size=size, run_before=open_screen(name))


@SIZES
@pytest.mark.parametrize("name", sorted(VOLATILE))
async def test_screen_text_snapshot(
    make_app: AppFactory, name: str, size: tuple[int, int], request: pytest.FixtureRequest
) -> None:
    app = make_app(now=PINNED_NOW)
    async with app.run_test(size=size) as pilot:
        await open_screen(name)(pilot)
        shown = stable_text(app)
    golden = TEXT_SNAPSHOTS / f"{name}-{size[0]}x{size[1]}.txt"
    if request.config.getoption("--snapshot-update"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(shown, encoding="utf-8")
    assert golden.is_file(), f"no snapshot yet: run pytest {__file__} --snapshot-update"
    assert shown == golden.read_text(encoding="utf-8")


LOG_LINES = [
    (1_714_564_800_000, "build", "[Container] 2024/05/01 12:00:00 Running command docker build"),
    (1_714_564_801_000, "build", "Step 3/9 : RUN cargo build --release --locked"),
    (
        1_714_564_802_000,
        "build",
        "error: failed to push 123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/nova/cdn-service"
        ":latest: denied: Your authorization token has expired. Reauthenticate and try again.",
    ),
    (1_714_564_803_000, "build", "[Container] Phase complete: POST_BUILD State: FAILED"),
    *[(1_714_564_804_000 + i * 1000, "build", f"retrying upload {i}") for i in range(40)],
]


@SIZES
def test_log_view_snapshot(snap_compare: Callable[..., bool], size: tuple[int, int]) -> None:
    app = ViewApp(source="/aws/codebuild/nova-ecr-build")

    async def run_before(pilot: Pilot[None]) -> None:
        app.view.buffer.rate.clock = lambda: 1000.0  # "9/s": 44 lines in its 5 s, however slow
        app.view.write_batch(LOG_LINES)
        # The border's count moves at most every half second: wait for it, not for a time.
        await wait_for(pilot, lambda: "44 lines" in str(app.view.border_subtitle))
        await pilot.press("g", "e")  # to the top, then to the first cause
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)


# The alarms pane flags an alarm with the newest datapoint CloudWatch judged, which the
# world draws from its clock: compared as text with those values replaced.
_VALUE = re.compile(r"\b\d+(\.\d+)?( [<>]=? \d+ *)")


def _judged(found: re.Match[str]) -> str:
    """The value replaced, the cell as wide as it was (its padding takes up the slack)."""
    return ("N" + found.group(2)).ljust(len(found.group(0)))


@pytest.mark.parametrize("size", [(120, 36), (80, 24)], ids=["120x36", "80x24"])
async def test_alarms_pane_text_snapshot(
    make_app: AppFactory, size: tuple[int, int], request: pytest.FixtureRequest
) -> None:
    app = make_app(now=PINNED_NOW)
    async with app.run_test(size=size) as pilot:
        await show("alarms")(pilot)
        shown = _VALUE.sub(_judged, stable_text(app))
    golden = TEXT_SNAPSHOTS / f"alarms-pane-{size[0]}x{size[1]}.txt"
    if request.config.getoption("--snapshot-update"):
        golden.write_text(shown, encoding="utf-8")
    assert golden.is_file(), f"no snapshot yet: run pytest {__file__} --snapshot-update"
    assert shown == golden.read_text(encoding="utf-8")
