"""Raw-JSON calls to the world's Kubernetes API with the kubernetes client's ApiClient.

The generated ``CoreV1Api``/``AppsV1Api`` classes take about a second to import and
build model objects for every answer; the clock needs neither, so it sends paths
and JSON dicts through ``ApiClient`` directly.
"""

from __future__ import annotations

import json
from typing import Any

from kubernetes.client import ApiClient, Configuration


class KubeApiError(RuntimeError):
    """The API server refused a request."""


class KubeHttp:
    """GET/POST/PATCH/DELETE of JSON documents by API path."""

    def __init__(self, url: str, token: str) -> None:
        config = Configuration()
        config.host = url
        config.api_key = {"BearerToken": f"Bearer {token}"}
        self._api: Any = ApiClient(config)

    def close(self) -> None:
        """Release the connection pool."""
        self._api.close()

    def request(self, method: str, path: str, body: Any = None) -> dict[str, Any]:
        """Send one request; the answer's JSON (``{}`` when empty)."""
        headers = {"Accept": "application/json"}
        if body is not None:
            merge = "application/merge-patch+json"
            headers["Content-Type"] = merge if method == "PATCH" else "application/json"
        method, url, headers, payload, _ = self._api.param_serialize(
            method=method, resource_path=path, header_params=headers, body=body
        )
        response = self._api.call_api(method, url, header_params=headers, body=payload)
        data = response.read()
        if response.status >= 400:
            raise KubeApiError(f"{method} {path}: HTTP {response.status}: {data[:200]!r}")
        parsed = json.loads(data) if data else {}
        return parsed if isinstance(parsed, dict) else {}

    def items(self, path: str) -> list[dict[str, Any]]:
        """The ``items`` of a list answer."""
        return [i for i in self.request("GET", path).get("items", []) if isinstance(i, dict)]
