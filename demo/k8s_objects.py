"""Kubernetes objects (as JSON dicts) for the scenario's deployments, pods and events."""

from __future__ import annotations

import hashlib
import zlib
from datetime import datetime, timedelta
from typing import Any

from demo.model import Deployment, Kubernetes

_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"


def iso(at: datetime) -> str:
    """Kubernetes timestamp format."""
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def _token(text: str, length: int) -> str:
    number = int(hashlib.sha256(text.encode()).hexdigest(), 16)
    chars = []
    for _ in range(length):
        number, index = divmod(number, len(_ALPHABET))
        chars.append(_ALPHABET[index])
    return "".join(chars)


def uid(text: str) -> str:
    """A stable UID for an object."""
    h = hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


def full_image(image: str, account: str, region: str) -> str:
    """``nova/x:tag`` -> the ECR reference; references with a registry stay as they are."""
    first = image.split("/", 1)[0]
    if "." in first or (":" in first and "/" in image):
        return image
    return f"{account}.dkr.ecr.{region}.amazonaws.com/{image}"


def split_image(reference: str) -> tuple[str, str, str] | None:
    """(region, repository, tag) of an ECR image reference, or None for another registry."""
    registry, _, rest = reference.partition("/")
    parts = registry.split(".")
    if len(parts) < 6 or parts[1:3] != ["dkr", "ecr"]:
        return None
    repository, _, tag = rest.rpartition(":")
    if not repository or "/" in tag:
        return None
    return parts[3], repository, tag


def replicaset_hash(deployment: Deployment) -> str:
    """The pod-template-hash of the deployment's current ReplicaSet."""
    return _token(f"{deployment.namespace}/{deployment.name}/{deployment.image}", 10)


def template_hash(namespace: str, name: str, template_metadata: str) -> str:
    """The pod-template-hash of a ReplicaSet made for a changed pod template (a restart)."""
    return _token(f"{namespace}/{name}/{template_metadata}", 10)


def pod_suffix(seed: str) -> str:
    """The five characters a ReplicaSet appends to a new pod's name."""
    return _token(seed, 5)


def pod_name(deployment: Deployment, index: int) -> str:
    """Name of the deployment's index-th pod."""
    return (
        f"{deployment.name}-{replicaset_hash(deployment)}-{_token(f'{deployment.name}{index}', 5)}"
    )


def env_list(deployment: Deployment) -> list[dict[str, Any]]:
    """The container ``env`` of a deployment."""
    result: list[dict[str, Any]] = []
    for name, source in deployment.env.items():
        if source.secret is not None:
            result.append(
                {
                    "name": name,
                    "valueFrom": {"secretKeyRef": {"name": source.secret, "key": source.key}},
                }
            )
        else:
            result.append({"name": name, "value": source.value})
    return result


def pod_status(
    state: str,
    container: str,
    image: str,
    pod: str,
    started: datetime,
    restarts: int,
    crash_message: str,
    exit_code: int,
    pull_message: str,
) -> dict[str, Any]:
    """``status`` of a pod in one of the world's states."""
    ready = state == "Running"
    status: dict[str, Any] = {
        "name": container,
        "image": image,
        "ready": ready,
        "restartCount": restarts,
        "started": state in ("Running", "NotReady"),
        "imageID": "",
    }
    if state == "ContainerCreating":  # scheduled, its image not yet pulled
        status["state"] = {"waiting": {"reason": "ContainerCreating"}}
    elif state in ("Running", "NotReady"):
        status["imageID"] = (
            f"{image.rsplit(':', 1)[0]}@sha256:" + hashlib.sha256(image.encode()).hexdigest()
        )
        status["containerID"] = "containerd://" + hashlib.sha256(pod.encode()).hexdigest()
        status["state"] = {"running": {"startedAt": iso(started + timedelta(seconds=9))}}
    elif state == "ImagePullBackOff":
        status["state"] = {"waiting": {"reason": "ImagePullBackOff", "message": pull_message}}
    else:
        status["state"] = {
            "waiting": {
                "reason": "CrashLoopBackOff",
                "message": f"back-off 5m0s restarting failed container={container} pod={pod}",
            }
        }
        status["lastState"] = {
            "terminated": {
                "exitCode": exit_code,
                "reason": "Error",
                "message": crash_message,
                "startedAt": iso(started),
                "finishedAt": iso(started + timedelta(seconds=1)),
                "containerID": "containerd://" + hashlib.sha256(pod.encode()).hexdigest(),
            }
        }
    condition = "True" if ready else "False"
    conditions = [
        {"type": "PodScheduled", "status": "True", "lastTransitionTime": iso(started)},
        {"type": "Initialized", "status": "True", "lastTransitionTime": iso(started)},
        {"type": "ContainersReady", "status": condition, "lastTransitionTime": iso(started)},
        {"type": "Ready", "status": condition, "lastTransitionTime": iso(started)},
    ]
    if not ready:
        for c in conditions[2:]:
            c.update(
                reason="ContainersNotReady",
                message=f"containers with unready status: [{container}]",
            )
    return {
        "phase": "Pending" if state in ("ImagePullBackOff", "ContainerCreating") else "Running",
        "conditions": conditions,
        "hostIP": f"10.0.{zlib.crc32(pod.encode()) % 3 + 1}.{zlib.crc32(pod.encode()) % 200 + 20}",
        "podIP": f"10.0.{zlib.crc32(pod.encode()) % 3 + 32}.{zlib.crc32(pod.encode()) % 250 + 2}",
        "startTime": iso(started),
        "qosClass": "Burstable",
        "containerStatuses": [status],
    }


def pull_failure(image: str) -> str:
    """The kubelet's message when a tag is missing from the registry."""
    return (
        f'Failed to pull image "{image}": rpc error: code = NotFound desc = failed to resolve '
        f'reference "{image}": not found'
    )


def pod_events(
    kind: str, pod: dict[str, Any], container: str, at: datetime, restarts: int
) -> list[dict[str, Any]]:
    """Events the kubelet writes for a pod in trouble (kind: the pod state)."""
    meta = pod["metadata"]
    image = pod["spec"]["containers"][0]["image"]
    node = pod["spec"]["nodeName"]
    ref = {
        "kind": "Pod",
        "namespace": meta["namespace"],
        "name": meta["name"],
        "uid": meta["uid"],
        "apiVersion": "v1",
        "fieldPath": f"spec.containers{{{container}}}",
    }
    if kind == "ImagePullBackOff":
        items = [
            ("Normal", "Pulling", f'Pulling image "{image}"', 14),
            ("Warning", "Failed", pull_failure(image), 14),
            ("Warning", "Failed", "Error: ErrImagePull", 14),
            ("Normal", "BackOff", f'Back-off pulling image "{image}"', 201),
            ("Warning", "Failed", "Error: ImagePullBackOff", 201),
        ]
    elif kind == "CrashLoopBackOff":
        items = [
            ("Normal", "Pulled", f'Container image "{image}" already present on machine', restarts),
            (
                "Warning",
                "BackOff",
                f"Back-off restarting failed container {container} in pod "
                f"{meta['name']}_{meta['namespace']}({meta['uid']})",
                restarts * 9 + 3,
            ),
        ]
    elif kind == "NotReady":
        items = [
            (
                "Warning",
                "Unhealthy",
                "Readiness probe failed: HTTP probe failed with statuscode: 503",
                481,
            )
        ]
    else:
        items = [
            ("Normal", "Pulled", f'Successfully pulled image "{image}"', 1),
            ("Normal", "Started", f"Started container {container}", 1),
        ]
    events = [
        {
            "apiVersion": "v1",
            "kind": "Event",
            "type": "Normal",
            "reason": "Scheduled",
            "message": f"Successfully assigned {meta['namespace']}/{meta['name']} to {node}",
            "count": 1,
            "source": {"component": "default-scheduler"},
        }
    ]
    events += [
        {
            "apiVersion": "v1",
            "kind": "Event",
            "type": t,
            "reason": r,
            "message": m,
            "count": n,
            "source": {"component": "kubelet", "host": node},
        }
        for t, r, m, n in items
    ]
    for index, event in enumerate(events):
        key = f"{meta['name']}{index}{at}"
        name = f"{meta['name']}.{zlib.crc32(key.encode()):08x}"
        event.update(
            involvedObject=ref,
            reportingComponent="kubelet",
            metadata={
                "name": name,
                "namespace": meta["namespace"],
                "uid": uid(name),
                "creationTimestamp": iso(at),
            },
            firstTimestamp=iso(at),
            lastTimestamp=iso(at + timedelta(seconds=30)),
        )
    return events


def deployment_object(d: Deployment, cluster: Kubernetes, account: str) -> dict[str, Any]:
    """A Deployment object (status filled in by :func:`deployment_status`)."""
    image = full_image(d.image, account, cluster.registry_region)
    labels = {"app": d.name, "app.kubernetes.io/part-of": "nova"}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "name": d.name,
            "namespace": d.namespace,
            "uid": uid(d.namespace + d.name),
            "labels": labels,
            "generation": 1,
            "resourceVersion": "1",
            "creationTimestamp": iso(d.created_at),
            "annotations": {"deployment.kubernetes.io/revision": "1"},
        },
        "spec": {
            "replicas": d.replicas,
            "selector": {"matchLabels": {"app": d.name}},
            "strategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"},
            },
            "template": {
                "metadata": {"labels": {"app": d.name}},
                "spec": {
                    "containers": [
                        {
                            "name": d.name,
                            "image": image,
                            "imagePullPolicy": "Always",
                            "ports": [{"containerPort": d.port, "protocol": "TCP"}],
                            "env": env_list(d),
                            "resources": {
                                "requests": {"cpu": "100m", "memory": "128Mi"},
                                "limits": {"memory": "512Mi"},
                            },
                            "readinessProbe": {"httpGet": {"path": "/health", "port": d.port}},
                            "terminationMessagePolicy": "FallbackToLogsOnError",
                        }
                    ]
                },
            },
        },
    }


def deployment_status(
    replicas: int,
    ready: int,
    generation: int,
    *,
    updated: int | None = None,
    pods: int | None = None,
) -> dict[str, Any]:
    """Deployment ``status`` for ``ready`` of ``replicas`` wanted pods.

    While a rollout replaces pods, ``updated`` of the ``pods`` it has run the new template.
    """
    available = "True" if ready >= replicas else "False"
    return {
        "observedGeneration": generation,
        "replicas": replicas if pods is None else pods,
        "updatedReplicas": replicas if updated is None else updated,
        "readyReplicas": ready,
        "availableReplicas": ready,
        "unavailableReplicas": max(replicas - ready, 0),
        "conditions": [
            {
                "type": "Available",
                "status": available,
                "reason": "MinimumReplicasAvailable"
                if available == "True"
                else "MinimumReplicasUnavailable",
                "message": "Deployment has minimum availability."
                if available == "True"
                else "Deployment does not have minimum availability.",
            }
        ],
    }
