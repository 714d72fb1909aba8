"""The demo world for the logs screens (ticking fast), a session on it, and a host app."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from textual.app import App
from textual.pilot import Pilot
from textual.screen import Screen

from cloud.session import CloudSession
from cloud.settings import Settings
from demo.launcher import WorldProcess
from tests.support import running_world
from tui.context.state import ConsoleContext


@pytest.fixture(scope="module")
def log_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WorldProcess]:
    """The seeds.yaml world (ticking every 0.1 s), every client pointed at it for the module.

    Module-scoped, with the environment restored after it, so other test
    folders' worlds are not shadowed.
    """
    state = tmp_path_factory.mktemp("log-world")
    with running_world(state_dir=state, timeout=60) as running:
        yield running


@pytest.fixture(scope="module")
def log_session(log_world: WorldProcess) -> CloudSession:
    """One session on the world for the module (its clients warm up once)."""
    return CloudSession(regions=log_world.regions, kube_context=log_world.kube_context)


@pytest.fixture
def context(log_session: CloudSession) -> ConsoleContext:
    """What the console's screens share."""
    return ConsoleContext(session=log_session, settings=Settings(), badge="DEMO WORLD")


class HostApp(App[None]):
    """An app that opens one screen over an empty one (so ``escape`` has somewhere to go)."""

    def __init__(self, make_screen: Callable[[], Screen[None]]) -> None:
        super().__init__()
        self._make_screen = make_screen

    def on_mount(self) -> None:
        """Open the screen under test."""
        self.push_screen(self._make_screen())


async def wait_until(
    pilot: Pilot[None], condition: Callable[[], bool], timeout: float = 30.0, what: str = ""
) -> None:
    """Let the app run until ``condition()`` holds (the world answers at its own pace)."""
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or condition}")
        await pilot.pause(0.1)
