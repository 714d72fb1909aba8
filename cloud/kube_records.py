"""Kubernetes API objects (as JSON) turned into pod and deployment records.

The fetchers ask the API for raw JSON rather than the client's model objects:
building thousands of model instances is the slow part of listing pods.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from cloud.records import ContainerStateRecord, DeploymentRecord, PodRecord

KubeObject = Mapping[str, Any]


def parse_kube_time(text: object) -> datetime | None:
    """``2025-11-11T04:39:26Z`` (RFC 3339, as the API writes it) as an aware datetime."""
    if not isinstance(text, str) or not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def _meta(obj: KubeObject) -> Mapping[str, Any]:
    meta = obj.get("metadata")
    return meta if isinstance(meta, Mapping) else {}


def container_states(pod: KubeObject) -> tuple[ContainerStateRecord, ...]:
    """Each container of ``pod`` with its state, reason, restarts and last termination."""
    spec_containers = pod.get("spec", {}).get("containers", []) or []
    statuses = {s.get("name"): s for s in pod.get("status", {}).get("containerStatuses", []) or []}
    records: list[ContainerStateRecord] = []
    for container in spec_containers:
        name = str(container.get("name", ""))
        status = statuses.get(name, {})
        state_obj = status.get("state") or {}
        state = next(iter(state_obj), "waiting")
        detail = state_obj.get(state) or {}
        last = (status.get("lastState") or {}).get("terminated") or {}
        records.append(
            ContainerStateRecord(
                name=name,
                image=str(status.get("image") or container.get("image", "")),
                ready=bool(status.get("ready", False)),
                restart_count=int(status.get("restartCount", 0) or 0),
                state=str(state),
                reason=detail.get("reason"),
                message=detail.get("message"),
                last_exit_code=last.get("exitCode"),
                last_reason=last.get("reason"),
                last_message=last.get("message"),
            )
        )
    return tuple(records)


def pod_record(
    pod: KubeObject,
    context: str,
    owner: str | None,
    events: Sequence[tuple[datetime | None, str, str, str]] = (),
) -> PodRecord:
    """A PodRecord from a pod object."""
    meta = _meta(pod)
    return PodRecord(
        name=str(meta.get("name", "")),
        namespace=str(meta.get("namespace", "")),
        context=context,
        phase=str(pod.get("status", {}).get("phase", "Unknown")),
        node=pod.get("spec", {}).get("nodeName"),
        created_at=parse_kube_time(meta.get("creationTimestamp")),
        containers=container_states(pod),
        owner=owner,
        events=tuple(events),
    )


def _selector(deployment: KubeObject) -> Mapping[str, Any]:
    selector = deployment.get("spec", {}).get("selector", {}) or {}
    labels = selector.get("matchLabels") or {}
    return labels if isinstance(labels, Mapping) else {}


def pod_owner(pod: KubeObject, deployments: Sequence[KubeObject]) -> str | None:
    """The deployment (of the pod's namespace) a pod belongs to, if any.

    By owner reference (ReplicaSet ``<deployment>-<hash>``), else by the
    deployment's label selector, else by name prefix.
    """
    meta = _meta(pod)
    names = {str(_meta(d).get("name", "")) for d in deployments}
    for ref in meta.get("ownerReferences", []) or []:
        if ref.get("kind") == "ReplicaSet":
            base = str(ref.get("name", "")).rsplit("-", 1)[0]
            if base in names:
                return base
    labels = meta.get("labels", {}) or {}
    for deployment in deployments:
        wanted = _selector(deployment)
        if wanted and all(labels.get(k) == v for k, v in wanted.items()):
            return str(_meta(deployment).get("name", ""))
    pod_name = str(meta.get("name", ""))
    prefixed = [n for n in names if n and pod_name.startswith(f"{n}-")]
    return max(prefixed, key=len) if prefixed else None


def group_pods(
    pods: Iterable[KubeObject], deployments: Iterable[KubeObject]
) -> dict[tuple[str, str], list[KubeObject]]:
    """Pods by (namespace, deployment name); pods of no deployment are left out."""
    by_namespace: dict[str, list[KubeObject]] = {}
    for deployment in deployments:
        by_namespace.setdefault(str(_meta(deployment).get("namespace", "")), []).append(deployment)
    grouped: dict[tuple[str, str], list[KubeObject]] = {}
    for pod in pods:
        namespace = str(_meta(pod).get("namespace", ""))
        owner = pod_owner(pod, by_namespace.get(namespace, []))
        if owner:
            grouped.setdefault((namespace, owner), []).append(pod)
    return grouped


def event_rows(
    events: Iterable[KubeObject],
) -> dict[str, list[tuple[datetime | None, str, str, str]]]:
    """Events by the name of the object they are about, newest first."""
    rows: dict[str, list[tuple[datetime | None, str, str, str]]] = {}
    for event in events:
        involved = event.get("involvedObject", {}) or {}
        when = (
            parse_kube_time(event.get("lastTimestamp"))
            or parse_kube_time(event.get("eventTime"))
            or parse_kube_time(event.get("firstTimestamp"))
            or parse_kube_time(_meta(event).get("creationTimestamp"))
        )
        row = (
            when,
            str(event.get("type", "")),
            str(event.get("reason", "")),
            " ".join(str(event.get("message", "")).split()),
        )
        rows.setdefault(str(involved.get("name", "")), []).append(row)
    for found in rows.values():
        found.sort(key=lambda r: r[0].timestamp() if r[0] else 0.0, reverse=True)
    return rows


def deployment_record(
    deployment: KubeObject,
    context: str,
    pods: Sequence[PodRecord],
) -> DeploymentRecord:
    """A DeploymentRecord; env var names are kept, their values never read."""
    meta = _meta(deployment)
    spec = deployment.get("spec", {}) or {}
    status = deployment.get("status", {}) or {}
    containers = (spec.get("template", {}) or {}).get("spec", {}).get("containers", []) or []
    replicas = spec.get("replicas")
    return DeploymentRecord(
        name=str(meta.get("name", "")),
        namespace=str(meta.get("namespace", "")),
        context=context,
        desired=int(replicas if replicas is not None else 1),
        ready=int(status.get("readyReplicas", 0) or 0),
        updated=int(status.get("updatedReplicas", 0) or 0),
        available=int(status.get("availableReplicas", 0) or 0),
        images=tuple(str(c.get("image", "")) for c in containers),
        env_names=tuple(
            (str(c.get("name", "")), tuple(str(e.get("name", "")) for e in c.get("env", []) or []))
            for c in containers
        ),
        pods=tuple(pods),
    )
