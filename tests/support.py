"""Starting the demo world for a test folder, and pointing this process's clients at it."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from demo.launcher import WorldProcess, start_world

SEEDS = Path(__file__).parents[1] / "demo" / "scenarios" / "seeds.yaml"


@contextmanager
def running_world(
    scenario: Path = SEEDS, *, speed: str | None = None, point: bool = True, **start: Any
) -> Iterator[WorldProcess]:
    """A world ticking every 0.1 s (``speed`` times faster), stopped on the way out.

    The clock settings apply to this world's start only, so a later world of
    another folder is not sped up. With ``point``, AWS and Kubernetes clients of
    this process are pointed at the world (its ``env()``, no AWS profile, no AWS
    config file) until the block ends.
    """
    with pytest.MonkeyPatch.context() as starting:
        starting.setenv("SHIPDECK_WORLD_TICK", "0.1")
        if speed is not None:
            starting.setenv("SHIPDECK_WORLD_SPEED", speed)
        world = start_world(scenario, **start)
    with world, pytest.MonkeyPatch.context() as patch:
        if point:
            for name, value in world.env().items():
                patch.setenv(name, value)
            patch.setenv("AWS_CONFIG_FILE", os.devnull)
            patch.delenv("AWS_PROFILE", raising=False)
        yield world


@contextmanager
def environment(env: dict[str, str]) -> Iterator[None]:
    """``env`` in ``os.environ`` and no AWS_PROFILE, until the block ends."""
    saved = {name: os.environ.get(name) for name in [*env, "AWS_PROFILE"]}
    os.environ.update(env)
    os.environ.pop("AWS_PROFILE", None)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def until(
    check: Callable[[], object],
    timeout: float = 45.0,
    every: float = 0.05,
    wake: threading.Event | None = None,
) -> bool:
    """Whether ``check()`` came true within ``timeout`` seconds.

    It is asked again as soon as ``wake`` is set (whoever changes what it looks at sets
    it: a listener, a thread of the test), and at the latest every ``every`` seconds
    for what has no event here: a world in another process moving on its own clock.
    ``timeout`` is a guard against a hang, never how long the change takes.
    """
    news = wake if wake is not None else threading.Event()
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return bool(check())
        news.wait(every)
        news.clear()
    return True
