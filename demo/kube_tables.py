"""Server-side printing: the ``meta.k8s.io/v1 Table`` kubectl asks for on ``get``.

kubectl prints what the API server's Table says (NAME READY STATUS RESTARTS AGE for
pods); given plain objects it can only print NAME and AGE. The columns and cells
follow the API server's own printers for the kinds the world serves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

Row = Callable[[dict[str, Any], datetime], list[Any]]


def wants_table(accept: str | None) -> bool:
    """Whether an ``Accept`` header asks for a Table (kubectl get does, plain clients do not)."""
    return bool(accept) and "as=Table" in str(accept)


def human_age(seconds: float) -> str:
    """A duration as the API server shows ages (``47m``, ``2d3h``, ``130m``)."""
    whole = int(seconds)
    if whole < -1:
        return "<invalid>"
    if whole < 0:
        return "0s"
    if whole < 120:
        return f"{whole}s"
    minutes = whole // 60
    if minutes < 10:
        rest = whole % 60
        return f"{minutes}m{rest}s" if rest else f"{minutes}m"
    if minutes < 180:
        return f"{minutes}m"
    hours = minutes // 60
    if hours < 8:
        rest = minutes % 60
        return f"{hours}h{rest}m" if rest else f"{hours}h"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        rest = hours % 24
        return f"{hours // 24}d{rest}h" if rest else f"{hours // 24}d"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        rest = (hours // 24) % 365
        return f"{hours // 24 // 365}y{rest}d" if rest else f"{hours // 24 // 365}y"
    return f"{hours // 24 // 365}y"


def _age(stamp: Any, now: datetime) -> str:
    if not isinstance(stamp, str) or not stamp:
        return "<unknown>"
    try:
        at = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return "<unknown>"
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return human_age((now - at).total_seconds())


def _created(obj: dict[str, Any], now: datetime) -> str:
    return _age(obj.get("metadata", {}).get("creationTimestamp"), now)


def _pod_status(pod: dict[str, Any]) -> str:
    """What the STATUS column says: a waiting or terminated reason, Terminating, else the phase."""
    status = pod.get("status") or {}
    reason = status.get("reason") or status.get("phase") or "Unknown"
    for container in status.get("containerStatuses") or []:
        state = container.get("state") or {}
        waiting = (state.get("waiting") or {}).get("reason")
        terminated = state.get("terminated") or {}
        if waiting:
            reason = waiting
        elif terminated:
            reason = terminated.get("reason") or f"ExitCode:{terminated.get('exitCode', 0)}"
    if pod.get("metadata", {}).get("deletionTimestamp"):
        reason = "Terminating"
    return str(reason)


def _pod_row(pod: dict[str, Any], now: datetime) -> list[Any]:
    containers = (pod.get("spec") or {}).get("containers") or []
    statuses = (pod.get("status") or {}).get("containerStatuses") or []
    ready = sum(1 for s in statuses if s.get("ready"))
    restarts = sum(int(s.get("restartCount") or 0) for s in statuses)
    status = pod.get("status") or {}
    return [
        pod.get("metadata", {}).get("name", ""),
        f"{ready}/{len(containers)}",
        _pod_status(pod),
        str(restarts),
        _created(pod, now),
        status.get("podIP") or "<none>",
        (pod.get("spec") or {}).get("nodeName") or "<none>",
        "<none>",
        "<none>",
    ]


def _images(obj: dict[str, Any]) -> tuple[str, str]:
    containers = obj.get("spec", {}).get("template", {}).get("spec", {}).get("containers") or []
    return (
        ",".join(str(c.get("name", "")) for c in containers),
        ",".join(str(c.get("image", "")) for c in containers),
    )


def _selector(obj: dict[str, Any]) -> str:
    labels = (obj.get("spec", {}).get("selector") or {}).get("matchLabels") or {}
    return ",".join(f"{k}={v}" for k, v in labels.items()) or "<none>"


def _deployment_row(d: dict[str, Any], now: datetime) -> list[Any]:
    status = d.get("status") or {}
    desired = int((d.get("spec") or {}).get("replicas") or 0)
    names, images = _images(d)
    return [
        d.get("metadata", {}).get("name", ""),
        f"{int(status.get('readyReplicas') or 0)}/{desired}",
        int(status.get("updatedReplicas") or 0),
        int(status.get("availableReplicas") or 0),
        _created(d, now),
        names,
        images,
        _selector(d),
    ]


def _replicaset_row(rs: dict[str, Any], now: datetime) -> list[Any]:
    status = rs.get("status") or {}
    names, images = _images(rs)
    return [
        rs.get("metadata", {}).get("name", ""),
        int((rs.get("spec") or {}).get("replicas") or 0),
        int(status.get("replicas") or 0),
        int(status.get("readyReplicas") or 0),
        _created(rs, now),
        names,
        images,
        _selector(rs),
    ]


def _namespace_row(ns: dict[str, Any], now: datetime) -> list[Any]:
    phase = (ns.get("status") or {}).get("phase") or "Active"
    return [ns.get("metadata", {}).get("name", ""), phase, _created(ns, now)]


def _secret_row(secret: dict[str, Any], now: datetime) -> list[Any]:
    data = len(secret.get("data") or {}) + len(secret.get("stringData") or {})
    return [
        secret.get("metadata", {}).get("name", ""),
        secret.get("type") or "Opaque",
        data,
        _created(secret, now),
    ]


def _configmap_row(cm: dict[str, Any], now: datetime) -> list[Any]:
    data = len(cm.get("data") or {}) + len(cm.get("binaryData") or {})
    return [cm.get("metadata", {}).get("name", ""), data, _created(cm, now)]


def _event_row(event: dict[str, Any], now: datetime) -> list[Any]:
    involved = event.get("involvedObject") or {}
    last = _age(
        event.get("lastTimestamp") or event.get("eventTime") or event.get("firstTimestamp"), now
    )
    count = int(event.get("count") or 1)
    if count > 1:  # as the API server's printer: "126m (x481 over 127m)"
        last = f"{last} (x{count} over {_age(event.get('firstTimestamp'), now)})"
    return [
        last,
        event.get("type", ""),
        event.get("reason", ""),
        f"{str(involved.get('kind', '')).lower()}/{involved.get('name', '')}",
        event.get("message", ""),
    ]


def _generic_row(obj: dict[str, Any], now: datetime) -> list[Any]:
    return [obj.get("metadata", {}).get("name", ""), _created(obj, now)]


def _column(name: str, kind: str = "string", priority: int = 0, fmt: str = "") -> dict[str, Any]:
    return {"name": name, "type": kind, "format": fmt, "description": "", "priority": priority}


_NAME = _column("Name", fmt="name")
_AGE = _column("Age")
_TEMPLATE = [_column("Containers", priority=1), _column("Images", priority=1)]
_SELECTOR = _column("Selector", priority=1)

# kind -> (columns, row); the API server's printers for these kinds.
PRINTERS: dict[str, tuple[list[dict[str, Any]], Row]] = {
    "Pod": (
        [
            _NAME,
            _column("Ready"),
            _column("Status"),
            _column("Restarts"),
            _AGE,
            _column("IP", priority=1),
            _column("Node", priority=1),
            _column("Nominated Node", priority=1),
            _column("Readiness Gates", priority=1),
        ],
        _pod_row,
    ),
    "Deployment": (
        [
            _NAME,
            _column("Ready"),
            _column("Up-to-date", "integer"),
            _column("Available", "integer"),
            _AGE,
            *_TEMPLATE,
            _SELECTOR,
        ],
        _deployment_row,
    ),
    "ReplicaSet": (
        [
            _NAME,
            _column("Desired", "integer"),
            _column("Current", "integer"),
            _column("Ready", "integer"),
            _AGE,
            *_TEMPLATE,
            _SELECTOR,
        ],
        _replicaset_row,
    ),
    "Namespace": ([_NAME, _column("Status"), _AGE], _namespace_row),
    "Secret": ([_NAME, _column("Type"), _column("Data", "integer"), _AGE], _secret_row),
    "ConfigMap": ([_NAME, _column("Data", "integer"), _AGE], _configmap_row),
    "Event": (
        [
            _column("Last Seen"),
            _column("Type"),
            _column("Reason"),
            _column("Object"),
            _column("Message"),
        ],
        _event_row,
    ),
}


def _row_object(obj: dict[str, Any], include: str | None) -> dict[str, Any] | None:
    """What a row carries, by ``includeObject`` (None, Metadata: the default, or Object)."""
    if include == "None":
        return None
    if include == "Object":
        return obj
    return {
        "kind": "PartialObjectMetadata",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": obj.get("metadata", {}),
    }


def table(
    kind: str,
    objects: Iterable[dict[str, Any]],
    metadata: dict[str, Any] | None = None,
    include: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """A Table of ``objects`` of ``kind`` (NAME and AGE for a kind without its own printer)."""
    at = now or datetime.now(UTC)
    columns, row = PRINTERS.get(kind, ([_NAME, _AGE], _generic_row))
    rows = []
    for obj in objects:
        entry: dict[str, Any] = {"cells": row(obj, at)}
        carried = _row_object(obj, include)
        if carried is not None:
            entry["object"] = carried
        rows.append(entry)
    return {
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": metadata or {"resourceVersion": "1"},
        "columnDefinitions": columns,
        "rows": rows,
    }
