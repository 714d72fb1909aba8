"""The world's registry host: ECR login points at it, pushes show up in ECR, pods recover."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from actions.fallback import DockerEngine
from demo.launcher import WorldProcess, start_world
from tests.fallback_world.conftest import RECIPE, REGION, world_recipe
from tests.world.helpers import Clients, eventually

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = ROOT / "demo" / "scenarios" / "minimal.yaml"
PUSHED = ("notification-service", "cdn-service", "events-service")
MANIFEST_TYPES = (
    "application/vnd.docker.distribution.manifest.v2+json, "
    "application/vnd.oci.image.manifest.v1+json"
)


def _registry_digest(registry: str, repository: str, tag: str) -> str:
    request = urllib.request.Request(
        f"http://{registry}/v2/{repository}/manifests/{tag}", headers={"Accept": MANIFEST_TYPES}
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        return str(answer.headers["Docker-Content-Digest"])


def _pod_states(world: WorldProcess, deployment: str) -> list[str]:
    """The waiting reason (or Running) of each of the deployment's pods, as kubectl shows."""
    from kubernetes import client as k8s
    from kubernetes import config as k8s_config

    loader: Any = k8s_config.new_client_from_config
    api = loader(config_file=world.kubeconfig, context=world.kube_context)
    pods: Any = k8s.CoreV1Api(api).list_namespaced_pod(
        "nova-backend", label_selector=f"app={deployment}"
    )
    states: list[str] = []
    for pod in pods.items:
        state = pod.status.container_statuses[0].state
        states.append(str(state.waiting.reason) if state.waiting else "Running")
    return states


def test_login_points_at_the_registry(world: WorldProcess, registry: str, aws: Clients) -> None:
    data = aws("ecr").get_authorization_token()["authorizationData"][0]
    assert data["proxyEndpoint"] == f"http://{registry}"
    user, _, password = base64.b64decode(data["authorizationToken"]).decode().partition(":")
    assert user == "AWS" and password
    urllib.request.urlopen(f"http://{registry}/v2/", timeout=5).close()  # up, no auth


def test_the_world_writes_a_config_with_the_sample_recipe(world: WorldProcess) -> None:
    from actions.fallback import recipes_from_settings
    from cloud.settings import load_settings

    assert world.config_path is not None
    assert world.env()["SHIPDECK_CONFIG"] == world.config_path
    settings = load_settings(Path(world.config_path))
    recipe = recipes_from_settings(settings.fallback)[RECIPE]
    assert recipe.context == ROOT / "demo" / "sample_backend"
    assert recipe.repository_for("cdn-service") == "nova/cdn-service"
    assert recipe.tags == ("latest", "main-{git_sha}")
    assert set(PUSHED) <= set(recipe.services)
    assert all((recipe.context / recipe.dockerfile_for(s)).is_file() for s in recipe.services)
    assert REGION in settings.regions
    assert world_recipe(world)["region"] == REGION


@pytest.mark.docker
def test_fallback_build_lands_in_ecr_and_pods_recover(
    world: WorldProcess,
    registry: str,
    engine: DockerEngine,
    world_env: dict[str, str],
    aws: Clients,
) -> None:
    assert _pod_states(world, "notification-service").count("ImagePullBackOff") >= 1
    command = [sys.executable, "-m", "cli.main", "fallback-build", RECIPE]
    done = subprocess.run(
        [*command, "--services", ",".join(PUSHED), "--yes"],
        env={**os.environ, **world_env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "done: pushed 3 of 3 services" in done.stdout
    ecr = aws("ecr", REGION)
    for service in PUSHED:
        repository = f"nova/{service}"
        digest = _registry_digest(registry, repository, "latest")

        def shown(repository: str = repository) -> dict[str, object] | None:
            found = ecr.describe_images(
                repositoryName=repository, imageIds=[{"imageTag": "latest"}]
            )
            detail: dict[str, object] = found["imageDetails"][0]
            return detail if detail["imageDigest"] else None

        detail = eventually(shown, timeout=10)
        assert detail["imageDigest"] == digest
        assert any(str(t).startswith("main-") for t in detail["imageTags"])  # type: ignore[attr-defined]
        size = detail["imageSizeInBytes"]
        assert isinstance(size, int) and 0 < size < 100_000  # the sample layers, not moto's 50 MB
    for deployment in ("notification-service", "cdn-service"):

        def recovered(name: str = deployment) -> bool:
            return "ImagePullBackOff" not in _pod_states(world, name)

        eventually(recovered, timeout=10)
    # events-service now pulls its image and crashes on the missing KAFKA_BROKERS instead.
    eventually(lambda: "ImagePullBackOff" not in _pod_states(world, "events-service"), 10)
    assert "CrashLoopBackOff" in _pod_states(world, "events-service")


def test_without_the_binary_the_world_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHIPDECK_WORLD_REGISTRY", "off")
    with start_world(MINIMAL, state_dir=tmp_path / "world", timeout=60) as world:
        assert world.registry is None
        import boto3

        ecr = boto3.client(
            "ecr",
            region_name=world.default_region,
            endpoint_url=world.aws_endpoint,
            aws_access_key_id=world.access_key_id,
            aws_secret_access_key=world.secret_access_key,
        )
        endpoint = ecr.get_authorization_token()["authorizationData"][0]["proxyEndpoint"]
        assert "127.0.0.1" not in endpoint  # moto's answer: <account>.dkr.ecr.<region>...
        log_text = world.log_path.read_text(encoding="utf-8")
        assert "no local registry (SHIPDECK_WORLD_REGISTRY=off)" in log_text
        assert json.loads(json.dumps(world.env()))["SHIPDECK_CONFIG"] == world.config_path


def test_the_plan_says_what_latest_points_at_in_ecr(
    world: WorldProcess, world_env: dict[str, str], aws: Clients
) -> None:
    """The seeded tags live in ECR's API only: the plan must read them there, not call every
    latest "(absent)" because the registry host never saw a push of it."""
    planned = subprocess.run(
        [sys.executable, "-m", "cli.main", "fallback-build", RECIPE],
        env={**os.environ, **world_env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=ROOT,
    )
    assert planned.returncode == 0, planned.stdout + planned.stderr
    ecr = aws("ecr")
    digests = 0
    for service in ("auth-service", "cdn-service", "user-service"):
        images = ecr.batch_get_image(
            repositoryName=f"nova/{service}", imageIds=[{"imageTag": "latest"}]
        )["images"]
        now = images[0]["imageId"]["imageDigest"][:19] if images else "(absent)"
        digests += bool(images)
        line = next(
            line for line in planned.stdout.splitlines() if f"/nova/{service}:latest" in line
        )
        assert now in line, line
    assert digests >= 1  # auth-service has its latest in the seeds
