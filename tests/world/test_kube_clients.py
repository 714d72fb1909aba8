"""Real Kubernetes clients against the world: discovery, kubectl and the dynamic client.

kubectl and ``kubernetes.dynamic.DynamicClient`` find every resource through the API
discovery documents (``/api``, ``/api/v1``, ``/apis/...``) before they read anything;
these tests only read, so the session's world keeps its incidents.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from typing import Any

import pytest
from kubernetes.dynamic import DynamicClient as UntypedDynamicClient

from demo.launcher import WorldProcess

# The kubernetes package has no type hints; Any lets mypy --strict call it.
DynamicClient: Any = UntypedDynamicClient
KUBECTL = shutil.which("kubectl")
needs_kubectl = pytest.mark.skipif(KUBECTL is None, reason="kubectl is not installed")


def _get(kube_api: Any, path: str) -> dict[str, Any]:
    """A discovery document, as JSON."""
    answer: dict[str, Any] = DynamicClient(kube_api).request("GET", path).to_dict()
    return answer


def test_core_discovery_says_v1_with_kinds_verbs_and_short_names(kube_api: Any) -> None:
    assert _get(kube_api, "/api")["versions"] == ["v1"]
    core = _get(kube_api, "/api/v1")
    assert (core["kind"], core["groupVersion"]) == ("APIResourceList", "v1")
    by_name = {r["name"]: r for r in core["resources"]}
    assert {"namespaces", "pods", "pods/log", "events", "secrets"} <= set(by_name)
    pods = by_name["pods"]
    assert (pods["kind"], pods["singularName"], pods["namespaced"]) == ("Pod", "pod", True)
    assert pods["shortNames"] == ["po"]
    assert {"get", "list", "watch", "patch", "delete"} <= set(pods["verbs"])
    assert by_name["namespaces"]["namespaced"] is False
    assert by_name["namespaces"]["shortNames"] == ["ns"]
    assert by_name["pods/log"]["verbs"] == ["get"]
    apps = _get(kube_api, "/apis/apps/v1")
    scale = next(r for r in apps["resources"] if r["name"] == "deployments/scale")
    assert (scale["group"], scale["kind"]) == ("autoscaling", "Scale")


def test_the_dynamic_client_finds_core_resources_as_kubectl_does(kube_api: Any) -> None:
    dynamic = DynamicClient(kube_api)
    pods = dynamic.resources.get(api_version="v1", kind="Pod")
    assert pods.namespaced and pods.group_version == "v1"
    names = {p.metadata.name for p in pods.get().items}
    assert any(n.startswith("messaging-service-") for n in names)
    namespaces = dynamic.resources.get(api_version="v1", short_names=["ns"])
    assert "nova-backend" in {n.metadata.name for n in namespaces.get().items}
    secrets = dynamic.resources.get(api_version="v1", kind="Secret")
    assert "nova-database" in {s.metadata.name for s in secrets.get(namespace="nova-backend").items}
    events = dynamic.resources.get(api_version="v1", kind="Event")
    assert events.get(namespace="nova-backend").items


def _kubectl(world: WorldProcess, *args: str) -> str:
    assert KUBECTL is not None and world.kubeconfig is not None
    env = {**os.environ, "KUBECONFIG": world.kubeconfig}
    done = subprocess.run(
        [KUBECTL, *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@needs_kubectl
def test_kubectl_gets_pods_namespaces_secrets_and_events(world: WorldProcess) -> None:
    pods = _kubectl(world, "get", "pods", "-A").splitlines()
    assert pods[0].split() == ["NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    rows = {line.split()[1]: line.split() for line in pods[1:]}
    notification = [r for n, r in rows.items() if n.startswith("notification-service-")]
    assert sorted(r[3] for r in notification) == ["ImagePullBackOff"] + ["Running"] * 3
    namespaces = _kubectl(world, "get", "ns").splitlines()
    assert namespaces[0].split() == ["NAME", "STATUS", "AGE"]
    assert any(line.split()[:2] == ["nova-gateway", "Active"] for line in namespaces)
    secrets = _kubectl(world, "get", "secrets", "-n", "nova-backend").splitlines()
    assert any(line.split()[:3] == ["nova-database", "Opaque", "1"] for line in secrets)
    events = _kubectl(world, "get", "events", "-n", "nova-gateway")
    assert "BackOff" in events and "pod/graphql-gateway-" in events


@needs_kubectl
def test_kubectl_describes_a_pod_and_prints_its_log(world: WorldProcess) -> None:
    names = _kubectl(world, "get", "pods", "-n", "nova-gateway", "-o", "name").split()
    crashing = [
        n
        for n in names
        if "CrashLoopBackOff"
        in _kubectl(world, "get", n, "-n", "nova-gateway", "-o", "jsonpath={..waiting.reason}")
    ]
    described = _kubectl(world, "describe", crashing[0], "-n", "nova-gateway")
    assert "CrashLoopBackOff" in described and "Back-off restarting failed container" in described
    log = _kubectl(world, "logs", crashing[0], "-n", "nova-gateway")
    assert "JWT_PRIVATE_KEY_PEM environment variable must be set" in log
