"""The world's Kubernetes API: kmock's emulator, preloaded from the scenario, on a thread."""

from __future__ import annotations

import asyncio
import base64
import threading
import zlib
from collections import deque
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import kmock
import yaml
from kmock._internal import parsing

from demo import k8s_objects as objs
from demo.kube_discovery import install_discovery
from demo.kube_reactions import install_reactions
from demo.model import Deployment, Kubernetes
from demo.profiles import viewer_context

REQUEST_RECORD = 8  # requests kmock keeps (it keeps them all by default)
_VERBS = ["get", "list", "watch", "create", "update", "patch", "delete"]
# What the world's API server serves, as its discovery documents describe it
# (demo/kube_discovery.py): kubectl finds resources, short names and verbs here.
RESOURCES: dict[str, dict[str, Any]] = {
    "v1/namespaces": {
        "kind": "Namespace",
        "singular": "namespace",
        "namespaced": False,
        "shortnames": ["ns"],
        "verbs": _VERBS,
    },
    "v1/pods": {
        "kind": "Pod",
        "singular": "pod",
        "namespaced": True,
        "shortnames": ["po"],
        "categories": ["all"],
        "subresources": ["log", "status"],
        "verbs": _VERBS,
    },
    "v1/events": {
        "kind": "Event",
        "singular": "event",
        "namespaced": True,
        "shortnames": ["ev"],
        "verbs": _VERBS,
    },
    "v1/secrets": {"kind": "Secret", "singular": "secret", "namespaced": True, "verbs": _VERBS},
    "v1/configmaps": {
        "kind": "ConfigMap",
        "singular": "configmap",
        "namespaced": True,
        "shortnames": ["cm"],
        "verbs": _VERBS,
    },
    "v1/services": {
        "kind": "Service",
        "singular": "service",
        "namespaced": True,
        "shortnames": ["svc"],
        "categories": ["all"],
        "verbs": _VERBS,
    },
    "apps/v1/deployments": {
        "kind": "Deployment",
        "singular": "deployment",
        "namespaced": True,
        "shortnames": ["deploy"],
        "categories": ["all"],
        "subresources": ["status", "scale"],
        "verbs": _VERBS,
    },
    "apps/v1/replicasets": {
        "kind": "ReplicaSet",
        "singular": "replicaset",
        "namespaced": True,
        "shortnames": ["rs"],
        "categories": ["all"],
        "verbs": _VERBS,
    },
}


def _install_namespace_path_fix() -> None:
    """kmock 0.8 parses ``/api/v1/namespaces[/NAME]`` as a namespace prefix and crashes.

    Those paths name the ``namespaces`` resource itself, so parse them that way.
    """
    original = parsing.parse_path
    if getattr(original, "_shipdeck_fixed", False):
        return

    def fixed(path: str) -> Any:
        parts = path.strip("/").split("/")
        if parts[:2] == ["api", "v1"] and len(parts) in (3, 4) and parts[2] == "namespaces":
            name = parts[3] if len(parts) == 4 else None
            return parsing.ParsedPath("", "v1", "namespaces", None, name, None)
        return original(path)

    fixed._shipdeck_fixed = True  # type: ignore[attr-defined]
    parsing.parse_path = fixed


class KubeWorld:
    """kmock's KubernetesEmulator serving the scenario's cluster on 127.0.0.1."""

    def __init__(self, cluster: Kubernetes, account_id: str, page_size: int | None = None) -> None:
        _install_namespace_path_fix()
        self.cluster = cluster
        self.account = account_id
        # Typed as Any: kmock's typed index keys reject the resource tuples it accepts.
        self.emulator: Any = kmock.KubernetesEmulator()
        self.deployments = {(d.namespace, d.name): d for d in cluster.deployments}
        self.url = ""
        self.page_size = page_size
        self.loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._serve, name="kube-api", daemon=True)
        self._declare()
        self._preload(datetime.now(UTC))

    # -- setup -------------------------------------------------------------------------------
    def _declare(self) -> None:
        for key, info in RESOURCES.items():
            self.emulator.resources[key] = info
        install_discovery(self.emulator, RESOURCES)
        install_reactions(self.emulator, self.deployments, RESOURCES, self.page_size)
        # kmock records every request for test assertions, and matches each new request
        # by scanning that record once per reaction: a few thousand requests in, every
        # answer costs tens of milliseconds. The world never reads the record; kmock
        # checks a request right after appending it (no await between), so the last
        # few entries are all that is ever needed.
        # (attrs-frozen classes: their own setattr refuses, object's does not.)
        object.__setattr__(self.emulator, "_requests", deque(maxlen=REQUEST_RECORD))
        for payload in self.emulator._payloads:
            object.__setattr__(payload, "_requests", deque(maxlen=REQUEST_RECORD))

    def put(self, key: str, namespace: str | None, name: str, obj: dict[str, Any]) -> None:
        """Store an object directly (only before the server starts)."""
        group_version, _, plural = key.rpartition("/")
        group, _, version = group_version.rpartition("/")
        self.emulator.objects[kmock.resource(group, version, plural), namespace, name] = obj

    def _preload(self, now: datetime) -> None:
        for namespace in self.cluster.namespaces:
            self.put(
                "v1/namespaces",
                None,
                namespace,
                {
                    "apiVersion": "v1",
                    "kind": "Namespace",
                    "status": {"phase": "Active"},
                    "metadata": {
                        "name": namespace,
                        "uid": objs.uid(namespace),
                        "creationTimestamp": objs.iso(now.replace(hour=0, minute=0)),
                        "labels": {"kubernetes.io/metadata.name": namespace},
                    },
                },
            )
        for secret in self.cluster.secrets:
            self.put(
                "v1/secrets",
                secret.namespace,
                secret.name,
                {
                    "apiVersion": "v1",
                    "kind": "Secret",
                    "type": "Opaque",
                    "metadata": {
                        "name": secret.name,
                        "namespace": secret.namespace,
                        "uid": objs.uid(secret.namespace + secret.name),
                        "creationTimestamp": objs.iso(now.replace(hour=0, minute=0)),
                    },
                    "data": {
                        k: base64.b64encode(v.encode()).decode() for k, v in secret.data.items()
                    },
                },
            )
        for d in self.cluster.deployments:
            self._preload_deployment(d)

    def _preload_deployment(self, d: Deployment) -> None:
        deployment = objs.deployment_object(d, self.cluster, self.account)
        rs_hash = objs.replicaset_hash(d)
        rs_name = f"{d.name}-{rs_hash}"
        ready = sum(g.count for g in d.pods if g.state == "Running")
        deployment["status"] = objs.deployment_status(d.replicas, ready, 1)
        self.put("apps/v1/deployments", d.namespace, d.name, deployment)
        template = deployment["spec"]["template"]
        self.put(
            "apps/v1/replicasets",
            d.namespace,
            rs_name,
            {
                "apiVersion": "apps/v1",
                "kind": "ReplicaSet",
                "metadata": {
                    "name": rs_name,
                    "namespace": d.namespace,
                    "uid": objs.uid(rs_name),
                    "creationTimestamp": objs.iso(d.created_at),
                    "labels": {"app": d.name, "pod-template-hash": rs_hash},
                    "ownerReferences": [
                        {
                            "apiVersion": "apps/v1",
                            "kind": "Deployment",
                            "name": d.name,
                            "uid": deployment["metadata"]["uid"],
                            "controller": True,
                        }
                    ],
                },
                "spec": {
                    "replicas": d.replicas,
                    "selector": {"matchLabels": {"app": d.name, "pod-template-hash": rs_hash}},
                    "template": template,
                },
                "status": {
                    "replicas": d.replicas,
                    "readyReplicas": ready,
                    "availableReplicas": ready,
                },
            },
        )
        index = 0
        for group in d.pods:
            for _ in range(group.count):
                name = objs.pod_name(d, index)
                index += 1
                image = objs.full_image(
                    group.image or d.image, self.account, self.cluster.registry_region
                )
                pod = self.pod_object(d, name, rs_name, image, group.started_at)
                pod["status"] = objs.pod_status(
                    group.state,
                    d.name,
                    image,
                    name,
                    group.started_at,
                    group.restarts,
                    "\n".join(d.crash_log[-3:]),
                    d.exit_code,
                    objs.pull_failure(image),
                )
                self.put("v1/pods", d.namespace, name, pod)
                if group.state != "Running":
                    for event in objs.pod_events(
                        group.state, pod, d.name, group.started_at, group.restarts
                    ):
                        self.put("v1/events", d.namespace, event["metadata"]["name"], event)

    def pod_object(
        self, d: Deployment, name: str, rs_name: str, image: str, started: datetime
    ) -> dict[str, Any]:
        """A pod of ``d`` without status."""
        # Three worker nodes, as a small EKS node group would have; the pod name picks one.
        spot = zlib.crc32(name.encode()) % 3
        node = (
            f"ip-10-0-{spot + 1}-{(spot * 61 + 23) % 250}"
            f".{self.cluster.registry_region}.compute.internal"
        )
        container = {
            "name": d.name,
            "image": image,
            "imagePullPolicy": "Always",
            "ports": [{"containerPort": d.port, "protocol": "TCP"}],
            "env": objs.env_list(d),
            "terminationMessagePolicy": "FallbackToLogsOnError",
        }
        return {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {
                "name": name,
                "namespace": d.namespace,
                "uid": objs.uid(name),
                "creationTimestamp": objs.iso(started),
                "labels": {"app": d.name, "pod-template-hash": rs_name.rsplit("-", 1)[1]},
                "ownerReferences": [
                    {
                        "apiVersion": "apps/v1",
                        "kind": "ReplicaSet",
                        "name": rs_name,
                        "uid": objs.uid(rs_name),
                        "controller": True,
                    }
                ],
            },
            "spec": {
                "containers": [container],
                "nodeName": node,
                "restartPolicy": "Always",
                "serviceAccountName": "default",
            },
        }

    # -- serving -----------------------------------------------------------------------------
    def _serve(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self._main())

    async def _main(self) -> None:
        self._stop = asyncio.Event()
        async with self.emulator, kmock.Server(self.emulator, port=0) as server:
            self.url = str(server.url).rstrip("/")
            self._ready.set()
            await self._stop.wait()

    def start(self, timeout: float = 10.0) -> None:
        """Start serving; returns once the URL is known."""
        self._thread.start()
        if not self._ready.wait(timeout):
            raise RuntimeError("the Kubernetes API did not start")

    def stop(self) -> None:
        """Stop serving."""
        if self._stop is not None and self._thread.is_alive():
            self.loop.call_soon_threadsafe(self._stop.set)
            self._thread.join(timeout=5)

    def fingerprint(self) -> tuple[int, int]:
        """Changes whenever an object is created, patched or deleted (cheap to compute)."""

        async def count() -> tuple[int, int]:
            objects = list(self.emulator.objects.values())
            return len(objects), sum(len(obj.history) for obj in objects)

        result: tuple[int, int] = asyncio.run_coroutine_threadsafe(count(), self.loop).result(5)
        return result

    def write_kubeconfig(self, path: Path) -> Path:
        """A kubeconfig with context ``nova`` (cluster named like the EKS ARN) and a dummy token,
        and ``nova-viewer`` on the same cluster (read-only in the world's console config)."""
        arn = self.cluster.cluster_arn
        config = {
            "apiVersion": "v1",
            "kind": "Config",
            "current-context": self.cluster.context,
            "clusters": [{"name": arn, "cluster": {"server": self.url}}],
            "users": [{"name": arn, "user": {"token": "shipdeck-demo-token"}}],
            "contexts": [
                {
                    "name": name,
                    "context": {"cluster": arn, "user": arn, "namespace": "default"},
                }
                for name in (self.cluster.context, viewer_context(self.cluster.context))
            ],
            "preferences": {},
        }
        path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
        return path
