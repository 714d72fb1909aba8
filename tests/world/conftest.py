"""A real incident world (moto + gateway + kmock) for the whole test session."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from kubernetes import client as k8s
from kubernetes import config as k8s_config

from demo.launcher import WorldProcess
from tests.support import running_world
from tests.world.helpers import Clients, StartWindow


@pytest.fixture(scope="session")
def started_world(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[WorldProcess, StartWindow]]:
    """The seeds.yaml world and when it was started (see ``start_window``)."""
    state = tmp_path_factory.mktemp("world")
    before = datetime.now(UTC)
    with running_world(speed="10", point=False, state_dir=state, timeout=60) as running:
        yield running, StartWindow(before, datetime.now(UTC))


@pytest.fixture(scope="session")
def world(started_world: tuple[WorldProcess, StartWindow]) -> WorldProcess:
    """The seeds.yaml world, ticking fast and ten times quicker than in the demo."""
    return started_world[0]


@pytest.fixture(scope="session")
def start_window(started_world: tuple[WorldProcess, StartWindow]) -> StartWindow:
    """When the test started the world: its relative times (``-1d6h``) count from within."""
    return started_world[1]


@pytest.fixture(scope="session")
def aws(world: WorldProcess) -> Clients:
    """boto3 clients pointed at the world."""
    return Clients(world)


@pytest.fixture(scope="session")
def kube_api(world: WorldProcess) -> Any:
    """An ApiClient for the world's cluster, through its kubeconfig and context.

    Typed Any in these tests: every field of the client's models is Optional, and the
    tests read them directly, as a person reads kubectl output.
    """
    loader: Any = k8s_config.new_client_from_config
    return loader(config_file=world.kubeconfig, context=world.kube_context)


@pytest.fixture(scope="session")
def core(kube_api: Any) -> Any:
    """Kubernetes core API of the world's cluster."""
    return k8s.CoreV1Api(kube_api)


@pytest.fixture(scope="session")
def apps(kube_api: Any) -> Any:
    """Kubernetes apps API of the world's cluster."""
    return k8s.AppsV1Api(kube_api)
