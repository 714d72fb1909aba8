"""A restart rolls the pods: a new ReplicaSet's pods replace the old ones, as a deployment would.

The restart is what ``kubectl rollout restart`` and shipdeck's restart-rollout send: a
patch of the pod template's ``kubectl.kubernetes.io/restartedAt`` annotation. The
world of this module is its own (a small scenario), so the session's world keeps
its incidents.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from kubernetes import client as k8s
from kubernetes import config as k8s_config

from tests.support import running_world
from tests.world.helpers import Clients, eventually

SCENARIO = """
world: {name: restarts, default_region: ap-northeast-1}
ecr:
  - {name: demo/api, region: ap-northeast-1, images: [{tags: [v1], size: 1000000, pushed: -2d}]}
  - {name: demo/web, region: ap-northeast-1, images: [{tags: [v1], size: 1000000, pushed: -2d}]}
kubernetes:
  namespaces: [demo]
  deployments:
    - name: api
      namespace: demo
      image: demo/api:v1
      pods:
        - {state: Running, started: -2h}
        - {state: NotReady, started: -2h, restarts: 2}
      log: [" INFO api: listening on 0.0.0.0:8080"]
    - name: web
      namespace: demo
      image: demo/web:v2                  # never pushed
      pods:
        - {state: Running, count: 3, started: -3d, image: demo/web:v1}
        - {state: ImagePullBackOff, started: -47m}
      log: [" INFO web: listening on 0.0.0.0:8080"]
"""


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Any, Clients]]:
    """(core, apps) APIs of a world of two deployments, and boto3 clients for its ECR."""
    folder = tmp_path_factory.mktemp("restarts")
    scenario = folder / "restarts.yaml"
    scenario.write_text(SCENARIO, encoding="utf-8")
    with running_world(
        scenario, speed="10", point=False, state_dir=folder / "w", timeout=60
    ) as world:
        loader: Any = k8s_config.new_client_from_config
        api = loader(config_file=world.kubeconfig, context=world.kube_context)
        yield k8s.CoreV1Api(api), k8s.AppsV1Api(api), Clients(world)


def _restart(apps: Any, name: str) -> None:
    now = datetime.now(UTC).isoformat(timespec="seconds")
    patch = {
        "spec": {
            "template": {"metadata": {"annotations": {"kubectl.kubernetes.io/restartedAt": now}}}
        }
    }
    apps.patch_namespaced_deployment(name, "demo", patch)


def _pods(core: Any, app: str) -> dict[str, str]:
    """Pod name -> what STATUS would say (a waiting reason, else ready/unready)."""
    found: dict[str, str] = {}
    for pod in core.list_namespaced_pod("demo", label_selector=f"app={app}").items:
        status = pod.status.container_statuses[0]
        waiting = status.state.waiting.reason if status.state.waiting else None
        found[pod.metadata.name] = waiting or ("ready" if status.ready else "unready")
    return found


def test_a_restart_replaces_every_pod_with_new_running_ones(
    cluster: tuple[Any, Any, Clients],
) -> None:
    core, apps, _ = cluster
    before = _pods(core, "api")
    assert sorted(before.values()) == ["ready", "unready"]
    _restart(apps, "api")

    def rolled() -> dict[str, str] | None:
        now = _pods(core, "api")
        fresh = not set(now) & set(before)
        return now if fresh and list(now.values()) == ["ready", "ready"] else None

    after = eventually(rolled, timeout=30)
    # The new pods are a new ReplicaSet's: one pod-template-hash, not the old one.
    old_hash = next(iter(before)).rsplit("-", 2)[1]
    assert {name.rsplit("-", 2)[1] for name in after} != {old_hash}
    assert len({name.rsplit("-", 2)[1] for name in after}) == 1

    def settled() -> Any:
        d = apps.read_namespaced_deployment("api", "demo")
        done = (d.status.ready_replicas, d.status.updated_replicas, d.status.replicas) == (2, 2, 2)
        return d if done and d.status.observed_generation == d.metadata.generation else None

    deployment = eventually(settled, timeout=30)
    assert deployment.metadata.annotations["deployment.kubernetes.io/revision"] == "2"
    sets = {rs.metadata.name: rs for rs in apps.list_namespaced_replica_set("demo").items}
    assert sets[f"api-{old_hash}"].spec.replicas == 0


def test_a_restart_that_cannot_start_keeps_the_ready_pods_until_the_cause_is_fixed(
    cluster: tuple[Any, Any, Clients],
) -> None:
    core, apps, aws = cluster
    before = _pods(core, "web")
    assert sorted(before.values()) == ["ImagePullBackOff", "ready", "ready", "ready"]
    _restart(apps, "web")

    def stuck() -> dict[str, str] | None:
        now = _pods(core, "web")
        new = [state for name, state in now.items() if name not in before]
        old = [state for name, state in now.items() if name in before]
        # maxUnavailable 25% of 4: three old pods stay ready; maxSurge: two new ones at most.
        return now if old == ["ready"] * 3 and new == ["ImagePullBackOff"] * 2 else None

    eventually(stuck, timeout=30)
    ecr = aws("ecr")
    image = ecr.batch_get_image(repositoryName="demo/web", imageIds=[{"imageTag": "v1"}])
    manifest = image["images"][0]["imageManifest"]
    ecr.put_image(repositoryName="demo/web", imageManifest=manifest, imageTag="v2")

    def healed() -> dict[str, str] | None:
        now = _pods(core, "web")
        fresh = not set(now) & set(before)
        return now if fresh and list(now.values()) == ["ready"] * 4 else None

    eventually(healed, timeout=30)
