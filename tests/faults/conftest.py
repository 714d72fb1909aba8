"""The seeded demo world behind fault proxies, and shipdeck run through them as a person runs it.

The console's fixtures (``world``, ``make_app``...) are the TUI tests' own: one
world per session. Each test gets fresh proxies for AWS and Kubernetes, and an
environment (``proxied``) whose clients go through them.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.faults.proxy import FaultProxy
from tests.support import until
from tests.tui import conftest as console
from tests.tui.conftest import WorldAccess

# The console's fixtures, shared: one demo world for the session.
world = console.world
clock = console.clock
shared_session = console.shared_session
make_app = console.make_app

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Proxied:
    """Proxies in front of the world, and the environment that points clients at them."""

    aws: FaultProxy
    kube: FaultProxy
    env: dict[str, str]
    world: WorldAccess

    def apply(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Point this process's clients (and the reader processes it starts) at the proxies."""
        for name in ("AWS_ENDPOINT_URL", "KUBECONFIG", "SHIPDECK_STATE_DIR", "SHIPDECK_CONFIG"):
            monkeypatch.setenv(name, self.env[name])

    def shipdeck(
        self, *args: str, regions: tuple[str, ...] | None = None, timeout: float = 120
    ) -> subprocess.CompletedProcess[str]:
        """``shipdeck --region R... --context C ARGS`` through the proxies; it must end."""
        return console.run_cli(self.world, self.env, *args, regions=regions, timeout=timeout)

    def doctor(self) -> tuple[int, dict[str, Any], str]:
        """``shipdeck doctor --json``: exit status, document, stderr."""
        done = self.shipdeck("doctor", "--json")
        assert done.stdout.strip(), done.stderr
        document: dict[str, Any] = json.loads(done.stdout)
        return done.returncode, document, done.stderr


@pytest.fixture
def proxied(world: WorldAccess, tmp_path: Path) -> Iterator[Proxied]:
    """Fresh AWS and Kubernetes proxies in front of the session's world."""
    kubeconfig = Path(os.environ["KUBECONFIG"])
    config = yaml.safe_load(kubeconfig.read_text(encoding="utf-8"))
    aws = FaultProxy(world.aws_endpoint).start()
    kube = FaultProxy(config["clusters"][0]["cluster"]["server"]).start()
    config["clusters"][0]["cluster"]["server"] = kube.url
    proxied_config = tmp_path / "kubeconfig"
    proxied_config.write_text(yaml.safe_dump(config), encoding="utf-8")
    (tmp_path / "config.toml").write_text("", encoding="utf-8")
    env = dict(os.environ)
    env.update(
        AWS_ENDPOINT_URL=aws.url,
        KUBECONFIG=str(proxied_config),
        SHIPDECK_STATE_DIR=str(tmp_path / "state"),
        SHIPDECK_CONFIG=str(tmp_path / "config.toml"),
        PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p),
    )
    try:
        yield Proxied(aws, kube, env, world)
    finally:
        aws.stop()
        if not kube.stopping.is_set():
            kube.stop()


@pytest.fixture(scope="package")
def clean_ids(world: WorldAccess, tmp_path_factory: pytest.TempPathFactory) -> frozenset[str]:
    """The finding ids of the world read without faults (what a fault may hide, never add)."""
    state = tmp_path_factory.mktemp("clean")
    (state / "config.toml").write_text("", encoding="utf-8")
    env = dict(
        os.environ, SHIPDECK_STATE_DIR=str(state), SHIPDECK_CONFIG=str(state / "config.toml")
    )
    done = console.run_cli(world, env, "doctor", "--json")
    assert done.stdout.strip(), done.stderr
    document = json.loads(done.stdout)
    assert document["errors"] == [], document["errors"]
    return frozenset(f["id"] for f in document["findings"])


def wait_for(check: Callable[[], bool], timeout: float = 60.0, what: str = "") -> None:
    """Until ``check()`` holds; it is asked again whenever the caller's condition may change."""
    if not until(check, timeout):
        raise AssertionError(f"timed out waiting for {what or check}")
