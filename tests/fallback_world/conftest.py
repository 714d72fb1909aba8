"""The seeded world with its registry, the Docker engine, and a console app holding one screen.

- ``world``: ``demo.launcher.start_world`` on seeds.yaml, ticking every 0.1 s;
  its ready line names the registry (None without Debian's docker-registry);
- ``world_env``: the environment ``shipdeck world`` prints, with the state dir
  in tmp (the audit log) and no AWS profile, set on this process too;
- ``registry``: the world's registry host, or skip with the reason;
- ``engine``: the Docker engine here, or skip with where it was looked for.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.app import App

from actions.fallback import DockerEngine, EngineUnreachable, connect_engine
from demo.launcher import WorldProcess
from tests.support import running_world
from tests.world.helpers import Clients

REGION = "ap-northeast-1"
RECIPE = "nova-ecr-build"


@pytest.fixture(scope="package")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WorldProcess]:
    """The seeds.yaml world with its registry, ticking fast."""
    state = tmp_path_factory.mktemp("world")
    with running_world(speed="10", point=False, state_dir=state, timeout=60) as running:
        yield running


@pytest.fixture
def world_env(
    world: WorldProcess, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    """What ``shipdeck world`` prints, plus a state dir in tmp; also set on this process."""
    env = {
        **world.env(),
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "SHIPDECK_STATE_DIR": str(tmp_path / "state"),
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    return env


@pytest.fixture(scope="package")
def aws(world: WorldProcess) -> Clients:
    """Plain boto3 clients on the world."""
    return Clients(world)


@pytest.fixture
def registry(world: WorldProcess) -> str:
    """The world's registry host (``127.0.0.1:PORT``)."""
    if world.registry is None:
        pytest.skip("the world has no registry: Debian's docker-registry is not installed")
    return world.registry


@pytest.fixture(scope="package")
def engine() -> DockerEngine:
    """The Docker engine here, or skip with where it was looked for."""
    try:
        return connect_engine(use_buildx=False)
    except EngineUnreachable as exc:
        pytest.skip(f"needs a Docker engine: {exc}")


def world_recipe(world: WorldProcess) -> dict[str, Any]:
    """The raw ``[fallback.nova-ecr-build]`` table of the config the world wrote."""
    assert world.config_path is not None
    config = tomllib.loads(Path(world.config_path).read_text(encoding="utf-8"))
    recipe: dict[str, Any] = config["fallback"][RECIPE]
    return recipe


class ScreenApp(App[None]):
    """A bare app that opens one screen (the console's panes would only add noise)."""

    def __init__(self, make_screen: Any) -> None:
        super().__init__()
        self._make_screen = make_screen

    def on_mount(self) -> None:
        """Open the screen under test."""
        self.push_screen(self._make_screen())
