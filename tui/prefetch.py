"""The first read of every pane, started before the console is built.

Importing Textual and mounting the screens takes a few hundred milliseconds;
the first fetches (which import boto3 and the Kubernetes client, make the
clients and wait on the network) overlap with it instead of following it.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from cloud.records import Fetched
from cloud.session import CloudSession


def _fetchers() -> dict[str, Callable[[CloudSession], Fetched[Any]]]:
    from cloud.inventory import fetch_projects, fetch_quotas, fetch_repositories, fetch_services

    return {
        "repositories": fetch_repositories,
        "builds": fetch_projects,
        "services": fetch_services,
        "quotas": fetch_quotas,
    }


class Prefetch:
    """One future per pane; each is handed out once, to the pane's first load."""

    def __init__(self, session: CloudSession) -> None:
        self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="shipdeck-prefetch")
        self._futures: dict[str, Future[Fetched[Any]]] = {
            pane: self._pool.submit(self._fetch, pane, session)
            for pane in ("repositories", "builds", "services", "quotas")
        }
        self._pool.shutdown(wait=False)

    @staticmethod
    def _fetch(pane: str, session: CloudSession) -> Fetched[Any]:
        return _fetchers()[pane](session)

    def take(self, pane: str) -> Future[Fetched[Any]] | None:
        """The pending first read of ``pane``, or None once it was taken (or never started)."""
        return self._futures.pop(pane, None)
