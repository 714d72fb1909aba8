"""One truth on every screen: the console's findings are doctor's, worker failures surface,
and the model is read again only when the injected clock says a pane is due."""

from __future__ import annotations

import json
import os

from tests.tui.conftest import ROOT, AppFactory, ManualClock, WorldAccess, run_cli
from tests.tui.helpers import console, model_read, screen_text, wait_for
from tui.flows.model_feed import ModelFeed


def doctor_ids(world: WorldAccess) -> set[str]:
    """``shipdeck doctor --json``'s finding ids, run as a person runs it against the world."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    done = run_cli(world, env, "doctor", "--json")
    assert done.returncode in (0, 1), done.stderr
    return {f["id"] for f in json.loads(done.stdout)["findings"]}


async def test_the_findings_pane_and_doctor_list_the_same_ids(
    make_app: AppFactory, world: WorldAccess
) -> None:
    before = doctor_ids(world)
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await model_read(pilot)
        console_ids = set(console(app).pane("findings").records)
    after = doctor_ids(world)
    # The world moves on its clock between the reads; the console read between two doctor
    # runs, so its ids are one of theirs when the world did not move, and both when it did not.
    assert console_ids in (before, after), (console_ids ^ before, console_ids ^ after)
    assert len(console_ids) > 40


async def test_a_failed_worker_of_a_pane_is_shown_and_loads_nothing(
    make_app: AppFactory,
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await model_read(pilot)
        pane = console(app).pane("services")

        def broken() -> None:
            raise KeyError("taskDefinition")

        pane.run_worker(broken, thread=True, exit_on_error=False, description="read the tasks")
        await wait_for(pilot, lambda: "read the tasks failed" in screen_text(app))
        assert "KeyError: 'taskDefinition'" in screen_text(app)
        assert not pane.busy
        assert "loading" not in screen_text(app)


async def test_a_pane_is_read_again_an_interval_after_its_last_read_ended(
    make_app: AppFactory,
) -> None:
    clock = ManualClock()
    app = make_app(monotonic=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await model_read(pilot)
        feed: ModelFeed = app.feed
        await pilot.press("3")  # services: every 10 s by default
        ended = feed.ended_at["k8s"]
        read_before = app.context.state.snapshot.read_at("k8s")
        clock.advance(9.5)
        console(app).tick()
        assert not feed.reading, "not due yet: nothing is read"
        clock.advance(0.5)
        console(app).tick()
        assert {"ecs", "lambda", "k8s"} <= feed.reading  # the visible pane's kinds only
        assert "ecr" not in feed.reading
        await wait_for(pilot, lambda: not feed.reading)
        assert app.context.state.snapshot.read_at("k8s") != read_before
        assert feed.ended_at["k8s"] == ended + 10.0  # the interval counts from the read's end
        console(app).tick()
        assert not feed.reading, "just read: the next read is an interval away"
