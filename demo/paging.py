"""List calls answered in pages, as AWS answers them, where moto answers all at once.

moto 5.2 returns every repository, image, service, task and function in one answer
and ignores ``maxResults``/``nextToken``; AWS pages them (100 images, 10 services,
50 functions a page by default). The gateway asks moto for the whole list and hands
out one page of it, with a token to the next. A scenario's ``world.page_size`` caps
every page (and FilterLogEvents' ``limit``, which moto does honour), so that a client
that stops after the first page is caught by the tests.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, replace
from urllib.parse import parse_qsl, urlencode, urlsplit

from demo.gateway import ApiError, Call, Forward, Reply

_ECR = "AmazonEC2ContainerRegistry_V20150921."
_ECS = "AmazonEC2ContainerServiceV20141113."
_CODEBUILD = "CodeBuild_20161006."
_LOGS = "Logs_20140328."


@dataclass(frozen=True)
class Paged:
    """One list operation: where its items are, its page size parameter and default."""

    items: str  # the answer's list
    default: int  # AWS's page size when the caller gives none
    maximum: int  # the largest page AWS accepts
    size: str | None = "maxResults"  # the request's page size (None: the caller cannot set it)
    token: str = "nextToken"  # in the request and the answer
    unless: str | None = None  # a request field that makes it a lookup, not a list


# JSON-protocol operations, by X-Amz-Target.
JSON_LISTS: dict[str, Paged] = {
    _ECR + "DescribeRepositories": Paged("repositories", 100, 1000, unless="repositoryNames"),
    _ECR + "DescribeImages": Paged("imageDetails", 100, 1000, unless="imageIds"),
    _ECR + "ListImages": Paged("imageIds", 100, 1000),
    _ECS + "ListClusters": Paged("clusterArns", 100, 100),
    _ECS + "ListServices": Paged("serviceArns", 10, 100),
    _ECS + "ListTasks": Paged("taskArns", 100, 100),
    _CODEBUILD + "ListProjects": Paged("projects", 100, 100, size=None),
}
LAMBDA_FUNCTIONS = Paged("Functions", 50, 50, size="MaxItems", token="Marker")


def _offset(token: object) -> int:
    if token is None or token == "":
        return 0
    try:
        offset = int(base64.urlsafe_b64decode(str(token).encode()).decode().removeprefix("page:"))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ApiError("InvalidParameterException", "Invalid NextToken") from None
    if offset < 0:
        raise ApiError("InvalidParameterException", "Invalid NextToken")
    return offset


def _token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"page:{offset}".encode()).decode()


class Pager:
    """Pages the list operations; ``page_size`` (the scenario's) caps every page."""

    def __init__(self, page_size: int | None = None) -> None:
        self.page_size = page_size

    def size(self, paged: Paged, asked: object) -> int:
        """The page size for a call that asked for ``asked`` (None: the default)."""
        size = paged.default
        if asked is not None:
            try:
                size = int(str(asked))
            except ValueError:
                raise ApiError(
                    "InvalidParameterException", f"Invalid page size {asked!r}"
                ) from None
            if not 1 <= size <= paged.maximum:
                raise ApiError(
                    "InvalidParameterException",
                    f"page size must be between 1 and {paged.maximum}, got {size}",
                )
        return min(size, self.page_size) if self.page_size else size

    def forward(self, call: Call, upstream: Forward) -> Forward:
        """The forward the gateway uses for ``call``: one page for list operations."""
        if call.target == _LOGS + "FilterLogEvents" and self.page_size:
            return lambda c: self._capped_logs(c, upstream)
        if call.target in JSON_LISTS:
            return lambda c: self._json_page(JSON_LISTS[c.target or ""], c, upstream)
        if call.service == "lambda" and call.method == "GET":
            path = urlsplit(call.path).path.rstrip("/")
            if path == "/2015-03-31/functions":
                return lambda c: self._lambda_page(c, upstream)
        return upstream

    def _json_page(self, paged: Paged, call: Call, upstream: Forward) -> Reply:
        body = call.json()
        if paged.unless and body.get(paged.unless):
            return upstream(call)
        size = self.size(paged, body.pop(paged.size, None) if paged.size else None)
        offset = _offset(body.pop(paged.token, None))
        reply = upstream(replace(call, body=json.dumps(body).encode()))
        if reply.status != 200:
            return reply
        data = reply.data()
        items = list(data.get(paged.items) or [])
        data[paged.items] = items[offset : offset + size]
        data.pop(paged.token, None)
        if offset + size < len(items):
            data[paged.token] = _token(offset + size)
        return Reply(200, json.dumps(data, default=str).encode(), dict(reply.headers))

    def _lambda_page(self, call: Call, upstream: Forward) -> Reply:
        parts = urlsplit(call.path)
        query = dict(parse_qsl(parts.query))
        size = self.size(LAMBDA_FUNCTIONS, query.pop("MaxItems", None))
        offset = _offset(query.pop("Marker", None))
        path = parts.path + (f"?{urlencode(query)}" if query else "")
        reply = upstream(replace(call, path=path))
        if reply.status != 200:
            return reply
        data = reply.data()
        items = list(data.get("Functions") or [])
        data["Functions"] = items[offset : offset + size]
        data.pop("NextMarker", None)
        if offset + size < len(items):
            data["NextMarker"] = _token(offset + size)
        return Reply(200, json.dumps(data).encode(), dict(reply.headers))

    def _capped_logs(self, call: Call, upstream: Forward) -> Reply:
        body = call.json()
        limit = int(body.get("limit") or 10_000)
        body["limit"] = min(limit, self.page_size or limit)
        return upstream(replace(call, body=json.dumps(body).encode()))
