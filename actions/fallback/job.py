"""One service's build as the pool runs it: what to build, and the handle a builder reports to.

A builder (the SDK's build API or ``docker buildx``) receives a
:class:`ServiceJob` and a :class:`JobControl`. It reports progress with
``control.update(...)`` and output with ``control.line(...)``, registers how to
abort its current stream with ``control.streaming(...)`` (so ``cancel`` can cut
a blocked read at once), and raises :class:`BuildFailed` (one line: the
engine's or the registry's error) or :class:`BuildCancelled`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from actions.fallback.status import ServiceState, ServiceStatus


class BuildFailed(Exception):
    """A build or push that failed; ``str()`` is the error line to show in the row."""


class BuildCancelled(Exception):
    """The person cancelled the service while it was building or pushing."""


@dataclass(frozen=True)
class ServiceJob:
    """Everything needed to build and push one service."""

    service: str
    context: Path
    dockerfile: str  # relative to the context
    platform: str
    repository: str  # nova/auth-service
    tags: tuple[str, ...]  # latest, main-<sha>

    def references(self, host: str) -> tuple[str, ...]:
        """The image references pushed: ``HOST/REPOSITORY:TAG`` per tag."""
        return tuple(f"{host}/{self.repository}:{tag}" for tag in self.tags)


class JobControl:
    """The thread-safe handle between one job's worker, the pool and whoever cancels."""

    def __init__(
        self,
        service: str,
        publish: Callable[[ServiceStatus], None],
        emit: Callable[[str, str], None],
    ) -> None:
        self.service = service
        self._publish = publish
        self._emit = emit
        self._lock = threading.Lock()
        self._status = ServiceStatus(service)
        self._cancelled = threading.Event()
        self._abort: Callable[[], None] | None = None

    @property
    def status(self) -> ServiceStatus:
        """The row as it is now."""
        with self._lock:
            return self._status

    @property
    def cancelled(self) -> bool:
        """Whether cancel was asked for."""
        return self._cancelled.is_set()

    def update(self, **changes: Any) -> ServiceStatus:
        """Change the row (unless it already finished) and tell the listeners."""
        with self._lock:
            if self._status.state.finished:
                return self._status
            new = replace(self._status, **changes)
            if new.state is not ServiceState.QUEUED and not new.started:
                new = replace(new, started=time.monotonic())
            if new.state.finished:
                new = replace(new, ended=time.monotonic())
            self._status = new
        self._publish(new)
        return new

    def line(self, text: str) -> None:
        """One line of output for the log view."""
        self._emit(self.service, text)

    def check(self) -> None:
        """Raise BuildCancelled if cancel was asked for (between steps)."""
        if self._cancelled.is_set():
            raise BuildCancelled(self.service)

    def cancel(self) -> bool:
        """Ask the job to stop; cuts the stream it is reading. False when already finished."""
        with self._lock:
            if self._status.state.finished:
                return False
            self._cancelled.set()
            abort = self._abort
            queued = self._status.state is ServiceState.QUEUED
        if queued:
            self.update(state=ServiceState.CANCELLED, detail="before it started")
        elif abort is not None:
            abort()
        return True

    @contextmanager
    def streaming(self, abort: Callable[[], None]) -> Iterator[None]:
        """While inside, ``cancel()`` calls ``abort`` (close the socket, stop the process)."""
        with self._lock:
            self._abort = abort
            cancelled = self._cancelled.is_set()
        if cancelled:
            abort()
        try:
            yield
        finally:
            with self._lock:
                self._abort = None
