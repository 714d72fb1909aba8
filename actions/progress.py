"""How a long-running action (a fallback build) reports progress and is cancelled.

Every action has the same shape (``actions.model.Action``); a long-running one
also answers ``steps()`` with one ``StepStatus`` per unit of work (a service
being built), writes its output lines to an ``OutputFeed``, tells an optional
``ProgressListener`` of each change (the command line prints them), and takes
``cancel(key)`` / ``cancel(None)`` from any thread. The console's one action
flow shows any such action the same way: a table of steps, their output, and
the keys to cancel one or all.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class StepStatus:
    """One unit of a long-running action at one moment: a row of the progress table."""

    key: str  # what the step is about, e.g. the service "cdn-service"
    state: str  # a word: "queued", "building", "pushing", "done", "failed", "cancelled"
    finished: bool  # the row will not change again
    ok: bool  # finished and succeeded
    progress: str = ""  # while it runs: "building step 2/4: COPY ..."
    result: str = ""  # once finished: what it made, or why it failed
    elapsed: float | None = None  # seconds since it started, None while queued


class ProgressListener(Protocol):
    """Told of every change of a long-running action, on its worker threads."""

    def step(self, status: StepStatus) -> None:
        """A step changed state (or moved on)."""

    def line(self, key: str, text: str) -> None:
        """A step wrote one line of output."""


@dataclass(frozen=True)
class OutputLine:
    """One line of a step's output."""

    service: str
    text: str
    at: float  # time.monotonic()


class OutputFeed:
    """Bounded, thread-safe queue of output lines from every worker, drained in batches.

    Workers ``put`` one line at a time; a reader calls ``drain()`` every ~100 ms
    and hands the whole batch to its log view. When the reader falls behind,
    the oldest lines are dropped and counted (``dropped``), so memory stays bounded.
    """

    def __init__(self, limit: int = 20_000) -> None:
        self._lines: deque[OutputLine] = deque(maxlen=limit)
        self._lock = threading.Lock()
        self._ready = threading.Condition(self._lock)
        self.dropped = 0

    def put(self, service: str, text: str) -> None:
        """Add one line (called from worker threads)."""
        line = OutputLine(service, text, time.monotonic())
        with self._ready:
            if len(self._lines) == self._lines.maxlen:
                self.dropped += 1
            self._lines.append(line)
            self._ready.notify_all()

    def drain(self, limit: int = 1000, wait: float = 0.0) -> list[OutputLine]:
        """Take up to ``limit`` lines, oldest first; wait up to ``wait`` seconds for the first."""
        with self._ready:
            if not self._lines and wait > 0:
                self._ready.wait(wait)
            batch: list[OutputLine] = []
            while self._lines and len(batch) < limit:
                batch.append(self._lines.popleft())
            return batch
