"""Worlds for the findings tests, and ``shipdeck`` run as a person runs it against them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from cloud.session import CloudSession
from demo.launcher import WorldProcess
from tests.support import running_world, until

SCENARIOS = Path(__file__).parents[2] / "demo" / "scenarios"
SEEDS = SCENARIOS / "seeds.yaml"
HEALTHY = SCENARIOS / "healthy.yaml"
ROOT = Path(__file__).parents[2]


@contextmanager
def world_at(scenario: Path) -> Iterator[WorldProcess]:
    """A running world, with this process's AWS and Kubernetes settings pointed at it."""
    with running_world(scenario) as running:
        yield running


def session_of(world: WorldProcess) -> CloudSession:
    """A checked session on every region of ``world``."""
    made = CloudSession(regions=tuple(world.regions), kube_context=world.kube_context)
    made.validate()
    return made


Shipdeck = Callable[..., subprocess.CompletedProcess[str]]


def shipdeck_runner(world: WorldProcess, state: Path) -> Shipdeck:
    """``shipdeck --region R... --context C ARGS`` against ``world``, state kept in ``state``."""
    state.mkdir(parents=True, exist_ok=True)
    config = state / "config.toml"
    config.write_text("", encoding="utf-8")

    def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        env = dict(os.environ)
        env.update(SHIPDECK_STATE_DIR=str(state), SHIPDECK_CONFIG=str(config))
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
        scope: list[str] = []
        for region in world.regions:
            scope += ["--region", region]
        if world.kube_context:
            scope += ["--context", world.kube_context]
        return subprocess.run(
            [sys.executable, "-m", "cli.main", *scope, *args],
            env=env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            cwd=ROOT,
        )

    return run


def doctor_json(run: Shipdeck) -> tuple[int, dict[str, Any]]:
    """``shipdeck doctor --json``: its exit status and document."""
    done = run("doctor", "--json")
    assert done.returncode in (0, 1, 3), done.stderr
    document: dict[str, Any] = json.loads(done.stdout)
    return done.returncode, document


def eventually(check: Callable[[], bool], timeout: float = 45.0, every: float = 0.5) -> bool:
    """Poll ``check`` until it holds (the world moves on its clock)."""
    return until(check, timeout, every)
