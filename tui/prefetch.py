"""The first read of every pane, started before the console is built.

Importing Textual and mounting the screens takes a few hundred milliseconds;
the first fetches (which import boto3 and the Kubernetes client, make the
clients and wait on the network) overlap with it instead of following it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
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
    """One future per pane; each is handed out once, to the pane's first load.

    The reads run on daemon threads, so that quitting (or a keymap error found
    while the console is built) never waits for reads no one will look at.
    """

    def __init__(self, session: CloudSession) -> None:
        self._futures: dict[str, Future[Fetched[Any]]] = {}
        for pane in ("repositories", "builds", "services", "quotas"):
            future: Future[Fetched[Any]] = Future()
            self._futures[pane] = future
            threading.Thread(
                target=self._fetch,
                args=(pane, session, future),
                name=f"shipdeck-prefetch-{pane}",
                daemon=True,
            ).start()

    @staticmethod
    def _fetch(pane: str, session: CloudSession, future: Future[Fetched[Any]]) -> None:
        if not future.set_running_or_notify_cancel():
            return
        try:
            future.set_result(_fetchers()[pane](session))
        except BaseException as exc:  # noqa: BLE001 - the pane's worker re-raises and reports it
            future.set_exception(exc)

    def take(self, pane: str) -> Future[Fetched[Any]] | None:
        """The pending first read of ``pane``, or None once it was taken (or never started)."""
        return self._futures.pop(pane, None)
