"""Deployments roll their pods to a new ReplicaSet when the pod template's metadata changes.

``kubectl rollout restart`` (and shipdeck's restart-rollout) patches
``spec.template.metadata.annotations["kubectl.kubernetes.io/restartedAt"]``; a real
deployment controller then makes a ReplicaSet for the new template, starts its pods
and removes the old ones as the new ones become ready (at most 25% of the replicas
unavailable). Changes to the containers (``kubectl set env``/``set image``) keep healing
the pods in place, as the world always did (demo/reconcile.py).
"""

from __future__ import annotations

import json
import math
from typing import Any

from demo import k8s_objects as objs
from demo.kube import KubeWorld
from demo.kube_http import KubeHttp
from demo.model import Deployment

MAX_UNAVAILABLE = 0.25  # the deployments' rollingUpdate.maxUnavailable (rounded down)
MAX_SURGE = 0.25  # and maxSurge (rounded up): pods above spec.replicas during a rollout

Key = tuple[str, str]


def template_metadata(deployment: dict[str, Any]) -> str:
    """The pod template's labels and annotations, as one comparable string."""
    metadata = deployment.get("spec", {}).get("template", {}).get("metadata") or {}
    return json.dumps(metadata, sort_keys=True)


def template_hash_of(pod: dict[str, Any]) -> str:
    """The pod-template-hash label of a pod (which ReplicaSet made it)."""
    return str(pod.get("metadata", {}).get("labels", {}).get("pod-template-hash", ""))


def is_ready(pod: dict[str, Any]) -> bool:
    """Whether the pod's first container is ready."""
    return bool((pod.get("status", {}).get("containerStatuses") or [{}])[0].get("ready"))


def new_pods_allowed(wanted: int, current: int, old: int) -> int:
    """How many pods the current ReplicaSet may start now (maxSurge above ``wanted`` in all)."""
    surge = math.ceil(wanted * MAX_SURGE)
    return max(0, min(wanted - current, wanted + surge - current - old))


class Rollouts:
    """Each deployment's current ReplicaSet, and the old pods a rollout still has to remove."""

    def __init__(self, kube: KubeWorld, http: KubeHttp) -> None:
        self._kube = kube
        self._http = http
        self._current: dict[Key, tuple[str, str]] = {}  # template metadata, pod-template-hash
        self._retiring: dict[Key, set[str]] = {}  # old ReplicaSets of a rollout under way

    def current_hash(self, key: Key, obj: dict[str, Any], scenario: Deployment) -> str:
        """The pod-template-hash of the deployment's current ReplicaSet.

        A template whose metadata differs from the current ReplicaSet's starts a rollout:
        a new ReplicaSet, the old one scaled to 0, the deployment's revision and
        generation moved on.
        """
        known = self._current.get(key)
        if known is None:
            seeded = objs.deployment_object(scenario, self._kube.cluster, self._kube.account)
            known = (template_metadata(seeded), objs.replicaset_hash(scenario))
            self._current[key] = known
        metadata = template_metadata(obj)
        if metadata == known[0]:
            return known[1]
        new_hash = objs.template_hash(key[0], key[1], metadata)
        self._start(obj, known[1], new_hash)
        self._current[key] = (metadata, new_hash)
        self._retiring.setdefault(key, set()).add(f"{key[1]}-{known[1]}")
        return new_hash

    def _start(self, obj: dict[str, Any], old_hash: str, new_hash: str) -> None:
        meta = obj["metadata"]
        namespace, name = meta["namespace"], meta["name"]
        wanted = int(obj.get("spec", {}).get("replicas", 0) or 0)
        rs_name = f"{name}-{new_hash}"
        template = json.loads(json.dumps(obj["spec"]["template"]))
        template.setdefault("metadata", {}).setdefault("labels", {})["pod-template-hash"] = new_hash
        revision = int(meta.get("annotations", {}).get("deployment.kubernetes.io/revision", 1)) + 1
        self._http.request(
            "POST",
            f"/apis/apps/v1/namespaces/{namespace}/replicasets",
            {
                "apiVersion": "apps/v1",
                "kind": "ReplicaSet",
                "metadata": {
                    "name": rs_name,
                    "namespace": namespace,
                    "uid": objs.uid(rs_name),
                    "labels": {"app": name, "pod-template-hash": new_hash},
                    "annotations": {"deployment.kubernetes.io/revision": str(revision)},
                    "ownerReferences": [
                        {
                            "apiVersion": "apps/v1",
                            "kind": "Deployment",
                            "name": name,
                            "uid": meta.get("uid", ""),
                            "controller": True,
                        }
                    ],
                },
                "spec": {
                    "replicas": wanted,
                    "selector": {"matchLabels": {"app": name, "pod-template-hash": new_hash}},
                    "template": template,
                },
                "status": {"replicas": 0, "readyReplicas": 0, "availableReplicas": 0},
            },
        )
        self._http.request(
            "PATCH",
            f"/apis/apps/v1/namespaces/{namespace}/replicasets/{name}-{old_hash}",
            {"spec": {"replicas": 0}},
        )
        generation = int(meta.get("generation", 1)) + 1
        self._http.request(
            "PATCH",
            f"/apis/apps/v1/namespaces/{namespace}/deployments/{name}",
            {
                "metadata": {
                    "generation": generation,
                    "annotations": {"deployment.kubernetes.io/revision": str(revision)},
                }
            },
        )
        meta["generation"] = generation

    def retire(
        self, key: Key, wanted: int, current: list[dict[str, Any]], old: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        """Delete old pods as the new ones come up; the old pods that remain.

        Unready old pods go at once; ready ones only while enough pods stay ready
        (``wanted`` less 25%, counting the new pods that are ready).
        """
        namespace = key[0]
        ready_new = sum(1 for pod in current if is_ready(pod))
        keep = max(0, wanted - int(wanted * MAX_UNAVAILABLE) - ready_new)
        remaining: list[dict[str, Any]] = []
        for pod in sorted(old, key=is_ready, reverse=True):
            if is_ready(pod) and len(remaining) < keep:
                remaining.append(pod)
                continue
            self._http.request(
                "DELETE", f"/api/v1/namespaces/{namespace}/pods/{pod['metadata']['name']}"
            )
        if not remaining and key in self._retiring:
            for rs_name in self._retiring.pop(key):
                self._http.request(
                    "PATCH",
                    f"/apis/apps/v1/namespaces/{namespace}/replicasets/{rs_name}/status",
                    {"status": {"replicas": 0, "readyReplicas": 0, "availableReplicas": 0}},
                )
        return remaining

    def record_status(self, key: Key, rs_hash: str, pods: list[dict[str, Any]]) -> None:
        """Set the current ReplicaSet's status from its pods."""
        ready = sum(1 for pod in pods if is_ready(pod))
        self._http.request(
            "PATCH",
            f"/apis/apps/v1/namespaces/{key[0]}/replicasets/{key[1]}-{rs_hash}/status",
            {"status": {"replicas": len(pods), "readyReplicas": ready, "availableReplicas": ready}},
        )
