"""The console tests' fixtures: this folder's demo world, an app factory, a settle helper."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from cloud.session import CloudSession
from cloud.settings import Settings
from tests.support import environment
from tui.app import ShipdeckApp

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "demo" / "scenarios" / "seeds.yaml"


@dataclass(frozen=True)
class WorldAccess:
    """Where the running demo world answers."""

    aws_endpoint: str
    regions: tuple[str, ...]
    kube_context: str | None
    default_region: str


@pytest.fixture(scope="package")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WorldAccess]:
    """The demo world of the seeded incidents, started once, with every client pointed at it.

    The state directory (audit log, the findings the console records) is a temporary one.
    """
    from demo.launcher import start_world

    running = start_world(SEEDS)
    env = {**running.env(), "SHIPDECK_STATE_DIR": str(tmp_path_factory.mktemp("state"))}
    try:
        with environment(env):
            yield WorldAccess(
                running.aws_endpoint,
                tuple(running.regions),
                running.kube_context,
                running.default_region,
            )
    finally:
        running.stop()


def run_cli(
    world: WorldAccess,
    env: dict[str, str],
    *args: str,
    regions: tuple[str, ...] | None = None,
    timeout: float = 120,
    stderr: int = subprocess.PIPE,
) -> subprocess.CompletedProcess[str]:
    """``shipdeck --region R... --context C ARGS`` on the world, run from the project's root
    (``stderr``: where its errors and progress go, e.g. a terminal)."""
    scope: list[str] = []
    for region in regions or world.regions:
        scope += ["--region", region]
    if world.kube_context:
        scope += ["--context", world.kube_context]
    return subprocess.run(
        [sys.executable, "-m", "cli.main", *scope, *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=stderr,
        text=True,
        timeout=timeout,
        check=False,
        cwd=ROOT,
    )


@pytest.fixture(scope="package")
def clock(world: WorldAccess) -> Callable[[], datetime]:
    """A frozen "now" for everything the console dates (status ages, pushed/started ages).

    It is taken once per session, so every age on screen is the same throughout a run.
    """
    frozen = datetime.now(UTC).replace(microsecond=0)
    return lambda: frozen


AppFactory = Callable[..., ShipdeckApp]


class ManualClock:
    """A monotonic clock that moves only when a test says so (refresh intervals, settling)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move the clock on."""
        self.now += seconds


@pytest.fixture(scope="package")
def shared_session(world: WorldAccess) -> CloudSession:
    """One session for the tests that need nothing special: its clients are warm after the first."""
    return CloudSession(regions=world.regions, kube_context=world.kube_context)


@pytest.fixture
def make_app(
    world: WorldAccess, clock: Callable[[], datetime], shared_session: CloudSession
) -> AppFactory:
    """Build a console on the world: ``make_app(settings=..., regions=..., fresh=True, ...)``.

    ``fresh`` (or other ``regions``) gives the app its own session, e.g. when the
    test changes the environment the clients are built from. Its monotonic clock
    stands still unless the test passes one it moves: nothing is read again on
    an interval behind the test's back.
    """

    def make(
        settings: Settings | None = None,
        regions: tuple[str, ...] | None = None,
        fresh: bool = False,
        now: datetime | None = None,
        monotonic: Callable[[], float] | None = None,
        **kwargs: Any,
    ) -> ShipdeckApp:
        session = shared_session
        if fresh or regions is not None:
            session = CloudSession(
                regions=regions if regions is not None else world.regions,
                kube_context=world.kube_context,
            )
        app_clock = clock if now is None else (lambda: now)
        return ShipdeckApp(
            session,
            settings or Settings(),
            badge="DEMO WORLD",
            clock=app_clock,
            monotonic=monotonic or ManualClock(),
            **kwargs,
        )

    return make


async def settle(pilot: Pilot[None]) -> None:
    """Wait for every worker (fetches) to finish and the screen to show what they posted."""
    app = pilot.app
    for _ in range(3):  # a finished worker may start another (e.g. a crashing pod's log)
        await app.workers.wait_for_complete()
        await pilot.pause()
    await pilot.pause()
