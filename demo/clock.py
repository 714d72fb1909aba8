"""The world clock: one thread that moves builds, quota requests, services and pods along."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

Step = Callable[[float], None]


class WorldClock:
    """Calls every step with the current time each ``tick_seconds``."""

    def __init__(self, tick_seconds: float, steps: list[tuple[str, Step]]) -> None:
        self.tick_seconds = tick_seconds
        self._steps = steps
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="world-clock", daemon=True)
        self.ticks = 0

    def start(self) -> None:
        """Start ticking."""
        self._thread.start()

    def stop(self) -> None:
        """Stop ticking and wait for the current tick to end."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)

    def tick(self) -> None:
        """Run every step once; a failing step is reported and the others still run."""
        now = time.time()
        for name, step in self._steps:
            try:
                step(now)
            except Exception:  # a broken step must not stop the world; it is logged
                log.exception("world clock: step %s failed", name)
        self.ticks += 1

    def _run(self) -> None:
        while not self._stop.wait(self.tick_seconds):
            self.tick()
