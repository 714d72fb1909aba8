"""What a person watches during a fallback build: one row per service, and its output.

A :class:`ServiceStatus` is an immutable snapshot of one row (queued, building
step n of m, pushing, done with digest and size, failed with the error line,
cancelled), with the elapsed time. Output lines go to an :class:`OutputFeed`:
a bounded, thread-safe queue that a console drains in batches (the log view
is fed one message per batch, never one per line).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from enum import StrEnum

from actions.progress import OutputFeed, OutputLine, StepStatus

__all__ = ["OutputFeed", "OutputLine", "ServiceState", "ServiceStatus", "format_size"]


class ServiceState(StrEnum):
    """Where one service is in its build."""

    QUEUED = "queued"
    BUILDING = "building"
    PUSHING = "pushing"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def finished(self) -> bool:
        """Done, failed or cancelled: the row will not change again."""
        return self in (ServiceState.DONE, ServiceState.FAILED, ServiceState.CANCELLED)


@dataclass(frozen=True)
class ServiceStatus:
    """One row: a service's state, progress and result at one moment."""

    service: str
    state: ServiceState = ServiceState.QUEUED
    step: int = 0  # the build step being run (1-based), 0 before the first
    steps: int = 0  # the number of build steps, 0 until the engine says
    detail: str = ""  # what the state is about: the step text, the layer being pushed
    error: str = ""  # for FAILED (and a failed clean-up after a cancel): the error line
    digest: str = ""  # for DONE: the manifest digest pushed
    size: int = 0  # for DONE: the image size in the registry (config + layers), bytes
    images: tuple[str, ...] = ()  # for DONE: the references pushed
    started: float = 0.0  # time.monotonic() when the build started, 0 while queued
    ended: float = 0.0  # time.monotonic() when it finished, 0 while running

    @property
    def elapsed(self) -> float:
        """Seconds since the build started (until it ended), 0 while queued."""
        if not self.started:
            return 0.0
        return (self.ended or time.monotonic()) - self.started

    def describe(self) -> str:
        """The row as one plain line: ``building step 2/4: COPY ...``, ``done sha256:ab 3 MB``."""
        if self.state is ServiceState.BUILDING:
            where = f"step {self.step}/{self.steps}" if self.steps else "starting"
            return f"building {where}" + (f": {self.detail}" if self.detail else "")
        if self.state is ServiceState.PUSHING:
            return "pushing" + (f" {self.detail}" if self.detail else "")
        if self.state is ServiceState.DONE:
            return f"done {self.digest[:19]} {format_size(self.size)}"
        if self.state is ServiceState.FAILED:
            return f"failed: {self.error}"
        if self.state is ServiceState.CANCELLED:
            return "cancelled" + (f" ({self.error})" if self.error else "")
        return "queued"

    def as_step(self) -> StepStatus:
        """This row in the shape every long-running action reports."""
        state = self.state
        progress, result = "", ""
        if state in (ServiceState.BUILDING, ServiceState.PUSHING):
            progress = self.describe()
        elif state is ServiceState.DONE:
            result = f"{self.digest[:19]}  {format_size(self.size)}"
        elif state.finished:
            result = self.error or self.detail
        return StepStatus(
            key=self.service,
            state=state.value,
            finished=state.finished,
            ok=state is ServiceState.DONE,
            progress=progress,
            result=result,
            elapsed=self.elapsed if self.started else None,
        )


def format_size(size: int) -> str:
    """Bytes as a person reads them: ``812 B``, ``3.1 MB``, ``1.22 GB``."""
    if size >= 1_000_000_000:
        return f"{size / 1e9:.2f} GB"
    if size >= 1_000_000:
        return f"{size / 1e6:.1f} MB"
    if size >= 1_000:
        return f"{size / 1e3:.1f} kB"
    return f"{size} B"
