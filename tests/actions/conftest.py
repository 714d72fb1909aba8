"""A demo world per test module, and a session pointed at it over HTTP."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from kubernetes import client as kube_client
from kubernetes import config as kube_config

from actions.audit import AuditLog
from cloud.session import CloudSession
from demo.launcher import WorldProcess
from tests.support import running_world, until

SHIPDECK = shutil.which("shipdeck") or str(Path(sys.executable).with_name("shipdeck"))
# ``shipdeck action wire-secret-env`` of the gateway's JWT key, its value still to come.
WIRE_JWT_KEY = (
    "action",
    "wire-secret-env",
    "k8s:nova-gateway/graphql-gateway",
    "--set",
    "name=JWT_PRIVATE_KEY_PEM",
)


@pytest.fixture(scope="module")
def world() -> Iterator[WorldProcess]:
    with running_world() as running:
        yield running


@pytest.fixture(scope="module")
def session(world: WorldProcess) -> CloudSession:
    made = CloudSession(regions=tuple(world.regions), kube_context=world.kube_context)
    made.validate()
    return made


@pytest.fixture
def audit(tmp_path: Path) -> AuditLog:
    return AuditLog(tmp_path / "audit.jsonl")


@pytest.fixture
def aws(world: WorldProcess) -> Callable[[str, str], Any]:
    """Plain boto3 clients, to read back effects without our own code."""

    def make(service: str, region: str = "ap-northeast-1") -> Any:
        make_client: Callable[..., Any] = boto3.client
        return make_client(service, region_name=region, endpoint_url=world.aws_endpoint)

    return make


def _kube_api(world: WorldProcess) -> Any:
    new_client: Callable[..., Any] = kube_config.new_client_from_config
    return new_client(config_file=str(world.kubeconfig), context=world.kube_context)


@pytest.fixture
def core(world: WorldProcess) -> Any:
    return kube_client.CoreV1Api(_kube_api(world))


@pytest.fixture
def apps(world: WorldProcess) -> Any:
    return kube_client.AppsV1Api(_kube_api(world))


def eventually(check: Callable[[], bool], timeout: float = 45.0) -> bool:
    """Poll ``check`` until it holds (the world moves on its clock)."""
    return until(check, timeout, every=0.2)


def shipdeck(
    *args: str, env: dict[str, str], input: str | None = None, stdin: int | None = None
) -> subprocess.CompletedProcess[str]:
    """``shipdeck ARGS`` with ``env``, its output as text; it must end within a minute."""
    return subprocess.run(
        [SHIPDECK, *args],
        env=env,
        input=input,
        stdin=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
