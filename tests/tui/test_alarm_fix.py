"""The Done-when of alarms: resize query-service from the console, and CloudWatch calms down.

The world of this module is its own and ten times faster (a metric point every 6 s),
so the fix reaches CloudWatch's series within seconds; the console reads again on its
injected clock, which the test moves.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import cast

import pytest
from textual.widgets import Button

from cloud.session import CloudSession
from cloud.settings import Settings
from demo.launcher import WorldProcess
from tests.support import running_world
from tests.tui.conftest import ManualClock, settle
from tests.tui.helpers import console, detail_text, modal, model_read, open_detail, wait_for
from tui.app import ShipdeckApp
from tui.screens.ecs_service_detail import EcsServiceDetail
from widgets.plan_preview import PlanPreview

HIGH_CPU = "alarm:ap-southeast-1:ECS-HighCPU"
OOM = "ecs-oom:ap-southeast-1:query-service-cluster/query-service"


@pytest.fixture(scope="module")
def fast_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WorldProcess]:
    with running_world(speed="10") as running, pytest.MonkeyPatch.context() as patch:
        patch.setenv("SHIPDECK_STATE_DIR", str(tmp_path_factory.mktemp("state")))
        yield running


def _last_cpu(app: ShipdeckApp) -> float | None:
    found = re.search(r"CPU \(average\)  last ([\d.]+) %", detail_text(app))
    return float(found.group(1)) if found else None


async def test_after_the_resize_the_cpu_comes_down_and_the_alarm_finding_goes(
    fast_world: WorldProcess,
) -> None:
    session = CloudSession(regions=tuple(fast_world.regions), kube_context=fast_world.kube_context)
    app = ShipdeckApp(session, Settings(), badge="DEMO WORLD", monotonic=ManualClock())
    clock = cast(ManualClock, app.context.monotonic)
    async with app.run_test(size=(160, 70)) as pilot:
        await model_read(pilot)
        assert app.context.state.diagnosis.finding(HIGH_CPU) is not None
        await open_detail(app, pilot, "3", "services", "query-service")
        assert isinstance(app.screen, EcsServiceDetail)
        before = _last_cpu(app)
        assert before is not None and before > 70  # the line is over the threshold

        await pilot.press("M")  # resize-task: memory 1024
        preview = await modal(pilot, PlanPreview)
        assert not preview.query_one("#plan-apply", Button).disabled
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, EcsServiceDetail), timeout=60)

        def calm() -> bool:
            diagnosis = app.context.state.diagnosis
            return diagnosis.finding(HIGH_CPU) is None and diagnosis.finding(OOM) is None

        # The console reads again on its clock (alarms every 30 s): each round waits for
        # the reads it started, then moves the clock on. The world (another process)
        # writes a point every 6 s whatever the rounds do, so they go on until it has;
        # the guard only stops a hang.
        guard = time.monotonic() + 120
        while not calm() and time.monotonic() < guard:
            await wait_for(pilot, lambda: not app.feed.reading, timeout=30)
            await pilot.pause()
            if calm():
                break
            clock.advance(30)
            console(app).tick()
        assert calm(), "the alarm finding did not resolve by itself"

        # The detail's chart says the same: the CPU line is back under 70.
        await pilot.press("r")
        await settle(pilot)
        after = _last_cpu(app)
        assert after is not None and after < 70, detail_text(app)
