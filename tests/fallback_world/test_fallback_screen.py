"""The fallback build from the console: the same key, plan preview and flow as every action.

``b`` on a CodeBuild row plans the fallback build; the preview shows the checks
(engine, ECR login, Dockerfiles), the images to push and the docker lines; once
applied, the progress screen follows every service and its output, and ``c``
cancels one. Without an engine, in read-only mode, or without a recipe, the
console says so in place.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Button

from actions.fallback import ENGINE_CHECK, DockerEngine
from cloud.session import CloudSession
from cloud.settings import Settings
from demo.launcher import WorldProcess
from tests.cloud.region_gate import RegionGate
from tests.fallback_world.conftest import RECIPE, REGION, world_recipe
from tests.tui.conftest import ManualClock
from tests.tui.helpers import modal, model_read, on_console, screen_text, select_row, wait_for
from tui.app import ShipdeckApp
from tui.flows.progress import ActionProgress
from widgets.action_form import ActionForm
from widgets.log_view import LogView
from widgets.plan_preview import PlanPreview

ROOT = Path(__file__).resolve().parents[2]
GET_TOKEN = "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken"


def _app(
    world: WorldProcess, *, read_only: bool = False, presenter: bool = False, **recipe: Any
) -> ShipdeckApp:
    raw = {**world_recipe(world), **recipe}
    settings = Settings(regions=(REGION,), fallback={RECIPE: raw})
    session = CloudSession(regions=(REGION,), kube_context=world.kube_context)
    return ShipdeckApp(
        session, settings, read_only=read_only, presenter=presenter, monotonic=ManualClock()
    )


async def _plan(pilot: Pilot[None], project: str = RECIPE) -> PlanPreview:
    """``b`` on the project's row: its plan preview."""
    app = pilot.app
    assert isinstance(app, ShipdeckApp)
    await model_read(pilot)
    await pilot.press("2")
    select_row(app, "builds", project)
    await pilot.press("b")
    preview: PlanPreview = await modal(pilot, PlanPreview)
    return preview


def _check(preview: PlanPreview, name: str) -> tuple[bool, str]:
    return next((passed, detail) for check, passed, detail in preview.data.checks if check == name)


async def _apply(pilot: Pilot[None]) -> ActionProgress:
    """Apply the (risky) plan with ``a`` and return the progress screen."""
    await pilot.press("a")
    progress: ActionProgress = await modal(pilot, ActionProgress)
    return progress


def _states(progress: ActionProgress) -> dict[str, str]:
    return {row.key: str(row.cells[1]) for row in progress.table.all_rows}


async def _until(pilot: Pilot[None], done: Callable[[], bool]) -> None:
    await wait_for(pilot, done, timeout=120)


@pytest.mark.docker
async def test_b_plans_applies_and_follows_every_service(
    world: WorldProcess, registry: str, engine: DockerEngine, world_env: dict[str, str]
) -> None:
    app = _app(world, services=["auth-service", "feed-service", "media-service"])
    async with app.run_test(size=(160, 50)) as pilot:
        preview = await _plan(pilot)
        assert preview.data.title == "fallback-build  codebuild:nova-ecr-build"
        assert _check(preview, ENGINE_CHECK)[0]
        assert preview.query_one("#plan-cancel", Button).has_focus  # risky: Cancel first
        progress = await _apply(pilot)
        assert set(_states(progress)) == {"auth-service", "feed-service", "media-service"}
        await _until(pilot, lambda: progress.ended)
        assert progress.outcome is not None and progress.outcome.ok, progress.outcome
        assert set(_states(progress).values()) == {"done"}
        row = next(r for r in progress.table.all_rows if r.key == "feed-service")
        assert str(row.cells[4]).startswith("sha256:")
        view = progress.query_one(LogView)
        assert view.buffer.received > 0
        assert any(e.text.startswith("pushed ") for e in view.buffer.entries)
        assert progress.check_action("cancel_step", ()) is None  # finished: cancel is greyed
        await pilot.press("escape")
        await wait_for(pilot, lambda: on_console(app))


@pytest.mark.docker
async def test_presenter_mode_masks_the_registry_on_the_progress_screen(
    world: WorldProcess, registry: str, engine: DockerEngine, world_env: dict[str, str]
) -> None:
    """The registry host (an address here, the account id on AWS) is masked in the title,
    the steps and the build output, also output written before the mode was switched on."""
    host = registry.split(":", maxsplit=1)[0]
    app = _app(world, presenter=True, services=["auth-service"])
    async with app.run_test(size=(160, 50)) as pilot:
        await _plan(pilot)
        progress = await _apply(pilot)
        await _until(pilot, lambda: progress.ended)
        view = progress.query_one(LogView)
        assert any(host in e.text for e in view.buffer.entries)  # the output names it
        await pilot.pause()
        assert host not in screen_text(app)
        await pilot.press("ctrl+r")  # off: the same screen shows it
        await wait_for(pilot, lambda: host in screen_text(app))
        await pilot.press("ctrl+r")  # on again: what was already written is masked too
        await wait_for(pilot, lambda: host not in screen_text(app))


@pytest.mark.docker
async def test_cancel_a_queued_service(
    world: WorldProcess,
    registry: str,
    engine: DockerEngine,
    world_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The first service's ECR login is held until the second one was cancelled: it is
    # still queued then however slow or fast the machine is.
    armed, holding, release = threading.Event(), threading.Event(), threading.Event()

    def hold_login(operation: str, answer: bytes) -> bytes:
        if operation == GET_TOKEN and armed.is_set():
            holding.set()
            release.wait(60)
        return answer

    gate = RegionGate(world.aws_endpoint)
    gate.rewrites[REGION] = hold_login
    gate.start()
    monkeypatch.setenv("AWS_ENDPOINT_URL", gate.url)
    try:
        app = _app(world, services=["search-service", "streaming-service"], parallel=1)
        async with app.run_test(size=(160, 50)) as pilot:
            await _plan(pilot)
            armed.set()
            progress = await _apply(pilot)
            await wait_for(pilot, holding.is_set, timeout=60)
            await pilot.press("down", "c")  # streaming-service waits behind search-service
            await wait_for(pilot, lambda: _states(progress)["streaming-service"] == "cancelled")
            release.set()
            await _until(pilot, lambda: progress.ended)
            states = _states(progress)
            assert states == {"search-service": "done", "streaming-service": "cancelled"}
            assert progress.outcome is not None and not progress.outcome.ok
            assert "cancelled: streaming-service" in progress.outcome.message
    finally:
        release.set()
        gate.stop()


async def test_no_engine_says_where_it_looked_and_cannot_apply(
    world: WorldProcess, world_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent.sock")
    app = _app(world)
    async with app.run_test(size=(160, 50)) as pilot:
        preview = await _plan(pilot)
        passed, detail = _check(preview, ENGINE_CHECK)
        assert not passed
        assert "no Docker engine is reachable at unix:///nonexistent.sock (DOCKER_HOST)" in detail
        assert preview.query_one("#plan-apply", Button).disabled
        await pilot.press("a")  # refused in place: no progress screen opens
        await pilot.pause()
        assert app.screen is preview


async def test_read_only_greys_b(world: WorldProcess, world_env: dict[str, str]) -> None:
    app = _app(world, read_only=True)
    async with app.run_test(size=(160, 50)) as pilot:
        await model_read(pilot)
        await pilot.press("2")
        select_row(app, "builds", RECIPE)
        await pilot.pause()
        binding = app.screen.active_bindings["b"]
        assert binding.binding.id == "action.fallback-build" and not binding.enabled
        await pilot.press("b")
        await pilot.pause()
        # A key that ran would have started its flow by now (it is marked at once).
        assert app.context.action_running is None
        assert not [w for w in app.workers if w.group == "remediation"]
        assert on_console(app)


async def test_without_a_recipe_the_form_asks_for_a_folder(
    world: WorldProcess, world_env: dict[str, str], tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('regions = ["ap-northeast-1"]\n', encoding="utf-8")
    settings = Settings(regions=(REGION,), path=config)
    session = CloudSession(regions=(REGION,), kube_context=world.kube_context)
    app = ShipdeckApp(session, settings, monotonic=ManualClock())
    async with app.run_test(size=(160, 50), notifications=True) as pilot:
        await model_read(pilot)
        await pilot.press("2")
        select_row(app, "builds", RECIPE)
        await pilot.press("b")
        form = await modal(pilot, ActionForm)
        context = form.query_one("#field-context")
        context.value = str(ROOT / "demo" / "sample_backend")
        form.query_one("#field-repository").value = "nova/{service}"
        form.query_one("#field-context").focus()
        await pilot.press("enter")
        preview: PlanPreview = await modal(pilot, PlanPreview)
        resources = {resource for resource, _, _, _ in preview.data.changes}
        assert any("nova/cdn-service:" in r for r in resources)
        notes = "\n".join(preview.data.notes)
        assert f"no recipe in {config}; to keep this one, add:" in notes
        assert "[fallback.nova-ecr-build]" in notes
        await pilot.press("escape")
        await wait_for(pilot, lambda: on_console(app))
