"""Reactions added to kmock's emulator: selectors, Tables, watches, server-set fields, logs.

They run on the kmock event loop. A reaction must always answer: kmock treats a
reaction that declines (returns ``NotImplemented``) as exhausted and skips it after.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import kmock

# kmock 0.8 exports Response from its package but leaves it out of __all__.
from kmock._internal.rendering import Response

from demo import k8s_objects as objs
from demo.k8s_selectors import matches
from demo.kube_tables import table, wants_table
from demo.model import Deployment

_JSON = {"Content-Type": "application/json; charset=utf-8"}
_TEXT = {"Content-Type": "text/plain; charset=utf-8"}
FOLLOW_CHECK_SECONDS = 1.0  # how often an open log follow looks for its pod and its client


def _ok(payload: dict[str, Any]) -> Response:
    """A 200 JSON answer.

    Every answer of a reaction names its status and type: kmock keeps the status and
    headers of a reaction's last ``Response`` for its later answers (a bare dict after a
    404 went out as a 404, a JSON error after a log as text/plain).
    """
    return Response(status=200, payload=payload, headers=_JSON)


def _status(code: int, reason: str, message: str) -> Response:
    return Response(
        status=code,
        headers=_JSON,
        payload={
            "kind": "Status",
            "apiVersion": "v1",
            "status": "Failure",
            "reason": reason,
            "message": message,
            "code": code,
        },
    )


class ClusterReactions:
    """Behaviour of a real API server that kmock's emulator leaves out."""

    def __init__(
        self,
        emulator: Any,
        deployments: dict[tuple[str, str], Deployment],
        page_size: int | None = None,
    ) -> None:
        self.emulator = emulator
        self.deployments = deployments
        self.page_size = page_size  # caps a list's `limit` (the scenario's world.page_size)

    def filtered_list(self, resource: Any, api_version: str, kind: str) -> Any:
        """List objects of ``resource``, honouring the selectors, ``limit`` and ``continue``.

        As an API server: without ``limit`` the whole list, else pages in a stable order
        (namespace, name) with ``metadata.continue`` naming where the next one starts.
        """

        def react(request: kmock.Request) -> Any:
            labels = request.params.get("labelSelector")
            fields = request.params.get("fieldSelector")
            try:
                limit, after = _page_request(request.params, self.page_size)
            except ValueError as err:
                return _status(400, "BadRequest", str(err))
            keyed = []
            for (res, namespace, name), obj in list(self.emulator.objects.items()):
                if res != resource or obj.deleted:
                    continue
                if request.namespace is not None and namespace != request.namespace:
                    continue
                if after is not None and (namespace or "", name) <= after:
                    continue
                item = obj.raw
                if (labels or fields) and not matches(item, labels, fields):
                    continue
                keyed.append(((namespace or "", name), item))
            keyed.sort(key=lambda pair: pair[0])
            metadata: dict[str, Any] = {"resourceVersion": "1"}
            if limit is not None and len(keyed) > limit:
                metadata["continue"] = _continue_token(keyed[limit - 1][0])
                metadata["remainingItemCount"] = len(keyed) - limit
                keyed = keyed[:limit]
            if wants_table(_header(request, "Accept")):
                include = request.params.get("includeObject")
                return _ok(table(kind, [item for _, item in keyed], metadata, include))
            return _ok(
                {
                    "apiVersion": api_version,
                    "kind": f"{kind}List",
                    "metadata": metadata,
                    "items": [item for _, item in keyed],
                }
            )

        return react

    def printed(self, resource: Any, kind: str) -> Any:
        """``GET`` of one object as a Table (``kubectl get pod NAME``), else its 404."""

        def react(request: kmock.Request) -> Any:
            key = (resource, request.namespace, request.name)
            if key not in self.emulator.objects or self.emulator.objects[key].deleted:
                return _status(404, "NotFound", f'{resource.plural} "{request.name}" not found')
            raw = self.emulator.objects[key].raw
            return _ok(table(kind, [raw], include=request.params.get("includeObject")))

        return react

    def watched(self, kind: str) -> Any:
        """``?watch=true``: kmock's event stream, with what an API server adds to it.

        kmock sends it as application/octet-stream, which client-go refuses ("no stream
        serializers registered"), and ignores selectors (``kubectl rollout status`` watches
        one deployment by ``metadata.name``); ``kubectl get -w`` wants each object as a Table.
        """

        def react(request: kmock.Request) -> Any:
            labels = request.params.get("labelSelector")
            fields = request.params.get("fieldSelector")
            as_table = wants_table(_header(request, "Accept"))
            include = request.params.get("includeObject")

            async def events() -> AsyncIterator[Any]:
                async for event in self.emulator._serve_watch(request):
                    if not isinstance(event, dict):  # kmock's opening b"" (sends the headers)
                        yield event
                        continue
                    obj = event.get("object") or {}
                    if (labels or fields) and not matches(obj, labels, fields):
                        continue
                    if as_table:
                        yield {
                            "type": event.get("type"),
                            "object": table(kind, [obj], None, include),
                        }
                        continue
                    yield event

            return Response(status=200, headers=_JSON, payload=events())

        return react

    def completed(self, resource: Any) -> Any:
        """Fill in what the API server sets on create (kmock stores the body as sent)."""

        def react(request: kmock.Request) -> Any:
            body = request.data if isinstance(request.data, dict) else {}
            meta = body.get("metadata") or {}
            namespace = request.namespace or meta.get("namespace")
            key = (resource, namespace, meta.get("name"))
            if not meta.get("name") or key not in self.emulator.objects:
                return _status(422, "Invalid", "metadata.name: Required value")
            stored = self.emulator.objects[key]
            now = objs.iso(datetime.now(UTC))
            fill = {
                "uid": objs.uid(f"{namespace}/{meta.get('name')}/{now}"),
                "creationTimestamp": now,
                "resourceVersion": "1",
            }
            if namespace is not None:
                fill["namespace"] = namespace
            missing = {k: v for k, v in fill.items() if k not in meta}
            if missing:
                stored.patch({"metadata": missing})
            return Response(status=201, payload=stored.raw)

        return react

    def pod_log(self, request: kmock.Request) -> Any:
        """``GET .../pods/NAME/log``: the deployment's log, or its crash when crashing."""
        key = (kmock.resource("v1", "pods"), request.namespace, request.name)
        if key not in self.emulator.objects or self.emulator.objects[key].deleted:
            return _status(404, "NotFound", f'pods "{request.name}" not found')
        pod = self.emulator.objects[key].raw
        app = pod.get("metadata", {}).get("labels", {}).get("app", "")
        deployment = self.deployments.get((str(request.namespace), app))
        statuses = pod.get("status", {}).get("containerStatuses") or [{}]
        waiting = statuses[0].get("state", {}).get("waiting", {}).get("reason")
        if waiting in ("ImagePullBackOff", "ErrImagePull", "ContainerCreating"):
            container = statuses[0].get("name", app)
            why = (
                "ContainerCreating"
                if waiting == "ContainerCreating"
                else ("trying and failing to pull image")
            )
            return _status(
                400,
                "BadRequest",
                f'container "{container}" in pod "{request.name}" is waiting to start: {why}',
            )
        if deployment is None:
            return _text("")
        crashing = waiting == "CrashLoopBackOff" or request.params.get("previous") == "true"
        lines = list(deployment.crash_log if crashing and deployment.crash_log else deployment.log)
        tail = request.params.get("tailLines")
        if tail and tail.isdigit():
            lines = lines[-int(tail) :] if int(tail) else []
        if request.params.get("timestamps") == "true":
            started = pod.get("status", {}).get("startTime", "1970-01-01T00:00:00Z")
            lines = [
                f"{started.replace('Z', '')}.{index:06d}Z {line}"
                for index, line in enumerate(lines)
            ]
        # Plain text, as the API server sends it (a bare str would go out JSON-quoted).
        body = "".join(line + "\n" for line in lines)
        if request.params.get("follow") == "true" and not crashing:
            # A running container's log stays open (kubectl logs -f waits for more lines).
            uid = pod.get("metadata", {}).get("uid")
            return Response(
                status=200, payload=self._follow(request, key, uid, body), headers=_TEXT
            )
        return _text(body)

    async def _follow(
        self, request: kmock.Request, key: Any, uid: Any, body: str
    ) -> AsyncIterator[bytes]:
        """The log so far, then an open stream until the pod goes or the client leaves."""
        yield body.encode("utf-8")
        while True:
            await asyncio.sleep(FOLLOW_CHECK_SECONDS)
            # aiohttp does not cancel a handler whose client left: ask the connection.
            transport = getattr(getattr(request, "_raw_request", None), "transport", None)
            if transport is None or transport.is_closing():
                return
            if key not in self.emulator.objects or self.emulator.objects[key].deleted:
                return  # the pod was deleted (a restart replaced it)
            if self.emulator.objects[key].raw.get("metadata", {}).get("uid") != uid:
                return


def _header(request: kmock.Request, name: str) -> str | None:
    """A request header by name, in any letter case (clients differ)."""
    wanted = name.lower()
    return next((v for k, v in request.headers.items() if k.lower() == wanted), None)


def _table_fetch(request: kmock.Request) -> bool:
    """A GET of one object itself (no subresource) that asks for a Table."""
    return request.subresource is None and wants_table(_header(request, "Accept"))


def _continue_token(last: tuple[str, str]) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(last)).encode()).decode()


def _page_request(params: Any, page_size: int | None) -> tuple[int | None, tuple[str, str] | None]:
    """(limit, the key the page starts after) of a list request; ValueError when malformed."""
    raw_limit = params.get("limit")
    limit = None
    if raw_limit:
        if not str(raw_limit).isdigit():
            raise ValueError(f"invalid limit {raw_limit!r}")
        limit = int(raw_limit) or None  # 0 means no limit, as the API server reads it
    if limit is not None and page_size:
        limit = min(limit, page_size)
    token = params.get("continue")
    if not token:
        return limit, None
    try:
        namespace, name = json.loads(base64.urlsafe_b64decode(str(token).encode()))
    except (ValueError, TypeError, binascii.Error):
        raise ValueError("continue key is not valid") from None
    return limit, (str(namespace), str(name))


def _text(body: str) -> Any:
    """A ``text/plain`` answer, the content type of a pod log."""
    return Response(status=200, payload=body.encode("utf-8"), headers=_TEXT)


def install_reactions(
    emulator: Any,
    deployments: dict[tuple[str, str], Deployment],
    resources: dict[str, dict[str, Any]],
    page_size: int | None = None,
) -> ClusterReactions:
    """Attach the reactions for every declared resource (``group/version/plural`` keys)."""
    reactions = ClusterReactions(emulator, deployments, page_size)
    pods = kmock.resource("v1", "pods")
    emulator["get", pods, kmock.subresource("log")] << reactions.pod_log
    for key, info in resources.items():
        group_version, _, plural = key.rpartition("/")
        group, _, version = group_version.rpartition("/")
        resource = kmock.resource(group, version, plural)
        emulator["list", resource] << reactions.filtered_list(resource, group_version, info["kind"])
        emulator["fetch", resource, _table_fetch] << reactions.printed(resource, info["kind"])
        emulator["watch", resource] << reactions.watched(info["kind"])
        emulator["create", resource] << reactions.completed(resource)
    return reactions
