"""Kubernetes deployments and their pods, read from the kube context's API server.

Pods are listed once for all namespaces and grouped under their deployments.
The log tails of crashing pods are an extra of the snapshot
(``cloud.model.builder``), read once for the findings and the row flags.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from cloud.arrivals import Arrivals, Early
from cloud.errors import MalformedAnswer
from cloud.fanout import Job, gather
from cloud.kube_records import KubeObject, deployment_record, event_rows, group_pods, pod_record
from cloud.records import DeploymentRecord, ErrorKind, Fetched, FetchError, PodRecord
from cloud.session import CloudSession

if TYPE_CHECKING:
    from kubernetes.client import ApiClient

KUBE_SERVICE = "kubernetes"
REQUEST_TIMEOUT = (3.0, 10.0)  # connect, read (seconds), for each request (each page of a list)
PAGE = 500  # items per page of a list, as kubectl asks
KUBE_ATTEMPTS = 3  # a 5xx, 429 or bad answer is tried this many times in all
KUBE_RETRY_DELAY = 0.2  # seconds before the second attempt, doubling


class NoKubernetesError(Exception):
    """There is no kubeconfig, so no Kubernetes API to read."""


def _api(session: CloudSession) -> ApiClient:
    api = session.kube_api()
    if api is None:
        raise NoKubernetesError("no kubeconfig: Kubernetes is not configured")
    return api


def _get(api: ApiClient, path: str, query: Mapping[str, Any] | None = None) -> Any:
    """GET an API path with the client's auth and TLS settings; the raw response.

    The typed ``CoreV1Api``/``AppsV1Api`` classes cost about half a second to
    import and validate every call; the console reads JSON dicts anyway.
    """
    from kubernetes.client.exceptions import ApiException

    params: Any = api.param_serialize(
        method="GET",
        resource_path=path,
        query_params=[(k, v) for k, v in (query or {}).items() if v is not None],
        header_params={"Accept": "application/json, */*"},
        auth_settings=["BearerToken"],
    )
    method, url, headers, body, _ = params
    response: Any = api.call_api(
        method, url, header_params=headers, body=body, _request_timeout=REQUEST_TIMEOUT
    )
    response.read()
    if not 200 <= response.status <= 299:
        raise ApiException(http_resp=response)
    return response


def _json(api: ApiClient, path: str, query: Mapping[str, Any] | None = None) -> KubeObject:
    """GET ``path`` as a JSON object; a 5xx, 429 or a bad answer is tried again, then raised.

    A body that is not UTF-8, cut short or not an object raises MalformedAnswer:
    it is an error of the read, never an empty list.
    """
    from kubernetes.client.exceptions import ApiException

    for attempt in range(KUBE_ATTEMPTS):
        last = attempt == KUBE_ATTEMPTS - 1
        try:
            return _parsed(_get(api, path, query).data, path)
        except ApiException as exc:
            if last or not (exc.status == 429 or (exc.status or 0) >= 500):
                raise
        except MalformedAnswer:
            if last:
                raise
        time.sleep(KUBE_RETRY_DELAY * 2**attempt)  # a pause between attempts, not a wait
    raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises


def _parsed(data: bytes, path: str) -> KubeObject:
    try:
        body = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise MalformedAnswer(
            f"GET {path}: the answer is not UTF-8 text (byte at offset {exc.start})"
        ) from exc
    except ValueError as exc:
        raise MalformedAnswer(f"GET {path}: the answer is cut short or not JSON ({exc})") from exc
    if not isinstance(body, dict):
        raise MalformedAnswer(f"GET {path}: the answer is not a JSON object")
    return body


def _items(body: KubeObject, path: str = "") -> list[KubeObject]:
    items = body.get("items")
    if not isinstance(items, list):
        raise MalformedAnswer(f"GET {path}: the answer has no list of items")
    return [i for i in items if isinstance(i, dict)]


def list_all(api: ApiClient, path: str, page: int = PAGE) -> list[KubeObject]:
    """Every item of a list, a page of ``page`` at a time (``limit``/``continue``).

    Each page has its own timeout (``REQUEST_TIMEOUT``), so a large cluster is
    never one request that must finish in ten seconds. When the server forgets
    the continue token (410 Gone: the list changed too much meanwhile), the list
    starts again from the first page, once.
    """
    from kubernetes.client.exceptions import ApiException

    for attempt in range(2):
        items: list[KubeObject] = []
        token: str | None = None
        try:
            while True:
                body = _json(api, path, {"limit": page, "continue": token})
                items.extend(_items(body, path))
                metadata = body.get("metadata", {})
                token = metadata.get("continue") if isinstance(metadata, dict) else None
                if not token:
                    return items
        except ApiException as exc:
            if exc.status != 410 or attempt:
                raise
    return []  # not reached: the second attempt returns or raises


def fetch_deployments(
    session: CloudSession, early: Early | None = None
) -> Fetched[DeploymentRecord]:
    """Every deployment of the kube context (none without a kubeconfig), with its pods.

    ``early`` hears the deployments as soon as they are listed (``partial``: their
    pods, a longer list, are still being read).
    """
    context = session.kube_context
    if context is None:
        return Fetched((), (), datetime.now(UTC))  # read, and empty: not "never read"
    arrivals: Arrivals[DeploymentRecord] = Arrivals(early)
    fetched = gather([Job(KUBE_SERVICE, context, partial(cluster_deployments, session, arrivals))])
    arrivals.close()
    return fetched


def cluster_deployments(
    session: CloudSession, arrivals: Arrivals[DeploymentRecord] | None = None
) -> list[DeploymentRecord]:
    """Every deployment of every namespace with its pods."""
    api = _api(session)
    context = session.kube_context or ""
    heard = arrivals or Arrivals(None)
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="shipdeck-kube") as pool:
        deployments_f = pool.submit(list_all, api, "/apis/apps/v1/deployments")
        pods_f = pool.submit(list_all, api, "/api/v1/pods")
        deployments = deployments_f.result()
        if not pods_f.done():
            heard.listed(
                (_key(d), replace(deployment_record(d, context, ()), partial=True))
                for d in deployments
            )
        pods = pods_f.result()
    return _deployment_records(context, deployments, pods, {})


def _key(deployment: KubeObject) -> tuple[str, str]:
    meta = deployment.get("metadata", {}) or {}
    return (str(meta.get("namespace", "")), str(meta.get("name", "")))


def _deployment_records(
    context: str,
    deployments: Sequence[KubeObject],
    pods: Sequence[KubeObject],
    events: Mapping[str, Sequence[tuple[Any, str, str, str]]],
) -> list[DeploymentRecord]:
    grouped = group_pods(pods, deployments)
    pod_records: dict[tuple[str, str], list[PodRecord]] = {}
    for (namespace, owner), objects in grouped.items():
        pod_records[(namespace, owner)] = [
            pod_record(p, context, owner, events.get(str(p.get("metadata", {}).get("name")), ()))
            for p in objects
        ]
    records = []
    for deployment in deployments:
        meta = deployment.get("metadata", {})
        key = (str(meta.get("namespace", "")), str(meta.get("name", "")))
        members = sorted(pod_records.get(key, []), key=lambda p: p.name)
        records.append(deployment_record(deployment, context, members))
    records.sort(key=lambda r: (r.namespace, r.name))
    return records


def fetch_deployment_detail(
    session: CloudSession, namespace: str, name: str
) -> Fetched[DeploymentRecord]:
    """One deployment with its pods, their containers' states and their events."""
    context = session.kube_context
    if context is None:
        error = FetchError(KUBE_SERVICE, "", ErrorKind.OTHER, "no kubeconfig")
        return Fetched((), (error,))

    def read() -> list[DeploymentRecord]:
        api = _api(session)
        base = f"/api/v1/namespaces/{namespace}"
        with ThreadPoolExecutor(max_workers=3, thread_name_prefix="shipdeck-kube") as pool:
            deployment_f = pool.submit(
                _json, api, f"/apis/apps/v1/namespaces/{namespace}/deployments/{name}"
            )
            pods_f = pool.submit(_json, api, f"{base}/pods")
            events_f = pool.submit(_json, api, f"{base}/events")
            deployment = deployment_f.result()
            pods = _items(pods_f.result(), f"{base}/pods")
            events = event_rows(_items(events_f.result(), f"{base}/events"))
        return _deployment_records(context, [deployment], pods, events)

    return gather([Job(KUBE_SERVICE, context, read)])


def fetch_pod_log_tail(
    session: CloudSession,
    namespace: str,
    pod: str,
    container: str | None = None,
    previous: bool = False,
    lines: int = 50,
) -> str:
    """The last ``lines`` lines of a pod container's log (``previous``: the crashed one).

    Raises the Kubernetes client's errors; the caller shows them.
    """
    query = {
        "tailLines": lines,
        "previous": "true" if previous else None,
        "container": container or None,
    }
    response = _get(_api(session), f"/api/v1/namespaces/{namespace}/pods/{pod}/log", query)
    data: bytes = response.data
    return data.decode("utf-8", errors="replace")
