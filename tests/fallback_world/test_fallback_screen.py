"""The fallback-build screen on the world: plan, start, rows, output, cancel, no engine."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from actions.fallback import DockerEngine
from cloud.session import CloudSession
from cloud.settings import Settings
from demo.launcher import WorldProcess
from tests.fallback_world.conftest import RECIPE, REGION, ScreenApp, world_recipe
from tui.context import ConsoleContext
from tui.screens.fallback import FallbackScreen
from widgets.log_view import LogView

ROOT = Path(__file__).resolve().parents[2]


def _context(world: WorldProcess, read_only: bool = False, **recipe: Any) -> ConsoleContext:
    raw = {**world_recipe(world), **recipe}
    settings = Settings(regions=(REGION,), fallback={RECIPE: raw})
    return ConsoleContext(CloudSession(regions=(REGION,)), settings, read_only=read_only)


def _app(context: ConsoleContext, project: str = RECIPE) -> ScreenApp:
    return ScreenApp(lambda: FallbackScreen(context, project, REGION))


async def _until(pilot: Pilot[None], done: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise AssertionError("the screen did not get there in time")
        await pilot.pause(0.05)


def _screen(pilot: Pilot[None]) -> FallbackScreen:
    screen = pilot.app.screen
    assert isinstance(screen, FallbackScreen)
    return screen


def _states(screen: FallbackScreen) -> dict[str, str]:
    table = screen.table
    return {row.key: str(row.cells[1]) for row in table.all_rows}


def _notice(screen: FallbackScreen) -> str:
    return str(screen.query_one("#fallback-notice").render())


@pytest.mark.docker
async def test_start_pushes_every_service_and_shows_output(
    world: WorldProcess, registry: str, engine: DockerEngine, world_env: dict[str, str]
) -> None:
    context = _context(world, services=["auth-service", "feed-service", "media-service"])
    async with _app(context).run_test(size=(160, 50)) as pilot:
        screen = _screen(pilot)
        await _until(pilot, lambda: screen.plan is not None)
        assert "ready:" in _notice(screen)
        assert screen.check_action("start", ()) is True
        await pilot.press("s")
        await pilot.press("y")
        await _until(pilot, lambda: screen.outcome is not None)
        assert screen.outcome is not None and screen.outcome.ok, screen.outcome
        assert set(_states(screen).values()) == {"done"}
        row = next(r for r in screen.table.all_rows if r.key == "feed-service")
        assert str(row.cells[4]).startswith("sha256:")
        await pilot.press("down", "enter")  # the second row's output
        view = screen.query_one("#output", LogView)
        assert screen.shown_service == "feed-service"
        assert view.buffer.received > 0
        assert any(e.text.startswith("pushed ") for e in view.buffer.entries)
        assert screen.check_action("start", ()) is None  # finished: start is greyed


@pytest.mark.docker
async def test_cancel_a_queued_service(
    world: WorldProcess, registry: str, engine: DockerEngine, world_env: dict[str, str]
) -> None:
    context = _context(world, services=["search-service", "streaming-service"], parallel=1)
    async with _app(context).run_test(size=(160, 50)) as pilot:
        screen = _screen(pilot)
        await _until(pilot, lambda: screen.plan is not None)
        await pilot.press("s", "y")
        await _until(pilot, lambda: screen.running)
        await pilot.press("down", "c")  # streaming-service waits behind search-service
        await _until(pilot, lambda: screen.outcome is not None)
        states = _states(screen)
        assert states == {"search-service": "done", "streaming-service": "cancelled"}
        assert screen.outcome is not None and not screen.outcome.ok
        assert "cancelled: streaming-service" in _notice(screen)


async def test_no_engine_says_where_it_looked(
    world: WorldProcess, world_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent.sock")
    async with _app(_context(world)).run_test(size=(160, 50)) as pilot:
        screen = _screen(pilot)
        await _until(pilot, lambda: screen.plan is not None)
        notice = _notice(screen)
        assert "no Docker engine is reachable at unix:///nonexistent.sock (DOCKER_HOST)" in notice
        assert screen.check_action("start", ()) is None
        await pilot.press("s")
        assert len(pilot.app.screen_stack) == 2  # no confirmation opened


async def test_read_only_greys_start(world: WorldProcess, world_env: dict[str, str]) -> None:
    async with _app(_context(world, read_only=True)).run_test(size=(160, 50)) as pilot:
        screen = _screen(pilot)
        await _until(pilot, lambda: screen.plan is not None)
        assert screen.check_action("start", ()) is None


async def test_without_a_recipe_one_is_written_from_a_folder(
    world: WorldProcess, world_env: dict[str, str], tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('regions = ["ap-northeast-1"]\n', encoding="utf-8")
    settings = Settings(regions=(REGION,), path=config)
    context = ConsoleContext(CloudSession(regions=(REGION,)), settings)
    async with _app(context, "nova-local").run_test(size=(160, 50)) as pilot:
        screen = _screen(pilot)
        await pilot.pause()
        assert "no recipe [fallback.nova-local]" in _notice(screen)
        assert screen.check_action("write_recipe", ()) is None
        await pilot.click("#recipe-path")
        path_input = screen.query_one("#recipe-path")
        path_input.value = str(ROOT / "demo" / "sample_backend")  # type: ignore[attr-defined]
        screen.query_one("#recipe-repository").value = "nova/{service}"  # type: ignore[attr-defined]
        await pilot.press("enter")
        preview = str(screen.query_one("#recipe-preview").render())
        assert "[fallback.nova-local]" in preview and 'repository = "nova/{service}"' in preview
        await pilot.press("w")
        text = config.read_text(encoding="utf-8")
        assert text.startswith('regions = ["ap-northeast-1"]\n\n[fallback.nova-local]\n')
        assert screen.recipe is not None and "cdn-service" in screen.recipe.services
        await _until(pilot, lambda: screen.plan is not None)
        assert len(screen.table.all_rows) == len(screen.recipe.services)
