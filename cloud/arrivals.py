"""Records as they arrive: a first read shows its rows before every detail is in.

A reader that lists before it describes (ECR repositories, then each one's
images; ECS services, then their descriptions and tasks) puts what it has into
an ``Arrivals``: the listed records first (``partial``), then each one as its
details land. ``Arrivals`` hands what is new or changed since its last call to
an ``Early`` sink (never the same record twice: a sink across a pipe pays for
what it is sent), at most every ``every`` seconds, so a console can draw the
rows of the first page within a second of it, while the whole read goes on. What the sink hears
is never the part itself: the reader still returns the whole ``Fetched``, and
findings are made from that only.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable, Iterable
from typing import Any, Generic, TypeVar

from cloud.records import Fetched

T = TypeVar("T")

Early = Callable[[Fetched[Any]], None]
"""Hears the records of a part still being read that are new or changed since its last call."""

EVERY = 0.25  # seconds between two updates of the same part


class Arrivals(Generic[T]):
    """The records of one part known so far, by key, handed to ``sink`` as they change.

    The first change is sent at once; later ones at most every ``every`` seconds,
    and one held back is sent when its time comes even if nothing else arrives.
    """

    def __init__(
        self,
        sink: Early | None,
        *,
        every: float = EVERY,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._sink = sink
        self._every = every
        self._clock = clock
        self._lock = threading.RLock()
        self._records: dict[Hashable, T] = {}
        self._changed: dict[Hashable, T] = {}  # not sent yet
        self._sent_at: float | None = None
        self._held: threading.Timer | None = None
        self._closed = False

    def listed(self, records: Iterable[tuple[Hashable, T]]) -> None:
        """Records from a list page: added unless already known in full."""
        if self._sink is None:
            return
        with self._lock:
            for key, record in records:
                if key not in self._records:
                    self._records[key] = self._changed[key] = record
            self._send()

    def landed(self, key: Hashable, record: T) -> None:
        """A record with its details: replaces the listed one."""
        if self._sink is None:
            return
        with self._lock:
            self._records[key] = self._changed[key] = record
            self._send()

    def close(self) -> None:
        """The whole part is read: nothing more is sent."""
        with self._lock:
            self._closed = True
            if self._held is not None:
                self._held.cancel()

    def _send(self) -> None:
        """Under the lock: send now, or once ``every`` has passed since the last send."""
        if self._closed or self._sink is None or not self._changed:
            return
        now = self._clock()
        if self._sent_at is not None and now - self._sent_at < self._every:
            if self._held is None:
                self._held = threading.Timer(self._every - (now - self._sent_at), self._flush)
                self._held.daemon = True
                self._held.start()
            return
        self._sent_at = now
        changed, self._changed = tuple(self._changed.values()), {}
        self._sink(Fetched(changed))

    def _flush(self) -> None:
        with self._lock:
            self._held = None
            self._sent_at = None
            self._send()
