"""A demo world with hostile text put in by the AWS and Kubernetes APIs, as an attacker would.

Anyone who can push an image, write a log line or create a Kubernetes event
can put terminal control sequences in what shipdeck shows. The session's world
gets the corpus (``tests.hostile.corpus``) in an ECR tag, a log group (whose
name also holds an account id and an address, for presenter mode) and an
event about a pod; then every command and screen is run against it.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest

from cloud.session import CloudSession
from cloud.settings import Settings
from tests.hostile.corpus import BIDI, CLEAR, CSI_8BIT, HOSTILE, OSC_TITLE
from tests.support import SEEDS, environment
from tests.tui.conftest import ManualClock
from tui.app import ShipdeckApp

REGION = "ap-northeast-1"
REPOSITORY = "nova/notification-service"
# "[/]" is a markup error if the tag is ever read as markup
HOSTILE_TAG = f"v1[/]{OSC_TITLE}{CLEAR}{CSI_8BIT}{BIDI[:8]}"
SAFE_TAG = "v1[/]␛]0;pwned-title␇␛[2J␛[H␛[31m<U+202E>exe.txt"
ACCOUNT_ID = "123456789012"
HOSTILE_GROUP = f"/aws/ecs/acct{ACCOUNT_ID}-10.0.1.23"
DEPLOYMENT = "notification-service"
NAMESPACE = "nova-backend"


@dataclass(frozen=True)
class HostileWorld:
    """Where the world answers and what was put in it."""

    env: dict[str, str]
    regions: tuple[str, ...]
    kube_context: str | None
    state_dir: Path


def _inject(kubeconfig: str | None, kube_context: str | None) -> None:
    ecr = boto3.client("ecr", region_name=REGION)
    image = ecr.batch_get_image(repositoryName=REPOSITORY, imageIds=[{"imageTag": "main"}])
    manifest = image["images"][0]["imageManifest"]
    ecr.put_image(repositoryName=REPOSITORY, imageManifest=manifest, imageTag=HOSTILE_TAG)

    logs = boto3.client("logs", region_name=REGION)
    logs.create_log_group(logGroupName=HOSTILE_GROUP)
    logs.create_log_stream(logGroupName=HOSTILE_GROUP, logStreamName="web")
    now = int(time.time() * 1000)
    lines = [HOSTILE, "calm line after the hostile one"]
    logs.put_log_events(
        logGroupName=HOSTILE_GROUP,
        logStreamName="web",
        logEvents=[{"timestamp": now - 1000 + i, "message": m} for i, m in enumerate(lines)],
    )

    from kubernetes import client
    from kubernetes import config as kube_config

    new_client: Callable[..., Any] = kube_config.new_client_from_config
    core = client.CoreV1Api(new_client(config_file=kubeconfig, context=kube_context))
    pods: list[Any] = core.list_namespaced_pod(NAMESPACE).items
    pod_name = next(p.metadata.name for p in pods if p.metadata.name.startswith(DEPLOYMENT))
    event = client.CoreV1Event(
        metadata=client.V1ObjectMeta(name="hostile-event", namespace=NAMESPACE),
        involved_object=client.V1ObjectReference(kind="Pod", name=pod_name, namespace=NAMESPACE),
        message=HOSTILE,
        reason="Hostile",
        type="Warning",
        last_timestamp=datetime.now(UTC),
    )
    core.create_namespaced_event(NAMESPACE, event)


@pytest.fixture(scope="package")
def hostile_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostileWorld]:
    """The seeded world with the corpus in it; this process's clients point at it."""
    from demo.launcher import start_world

    running = start_world(SEEDS)
    state = tmp_path_factory.mktemp("hostile-state")
    env = {**running.env(), "SHIPDECK_STATE_DIR": str(state), "AWS_CONFIG_FILE": os.devnull}
    try:
        with environment(env):
            _inject(running.kubeconfig, running.kube_context)
            yield HostileWorld(env, tuple(running.regions), running.kube_context, state)
    finally:
        running.stop()


AppFactory = Callable[..., ShipdeckApp]


@pytest.fixture
def make_app(hostile_world: HostileWorld) -> AppFactory:
    """A console on the hostile world (its own session; the clock stands still)."""

    def make(**kwargs: Any) -> ShipdeckApp:
        session = CloudSession(
            regions=hostile_world.regions, kube_context=hostile_world.kube_context
        )
        return ShipdeckApp(
            session, Settings(), badge="DEMO WORLD", monotonic=ManualClock(), **kwargs
        )

    return make
