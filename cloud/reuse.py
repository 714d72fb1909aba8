"""Reads shared between panes, so two panes loading at once make one set of calls."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar, cast

T = TypeVar("T")


class ReadCache:
    """Per key: one load in flight at a time, its result reused while younger than ``max_age``.

    A caller that arrives while a load for its key is running waits for that load
    instead of starting another one; ``max_age=0`` therefore means "fresh, but
    join a load already under way". A failed load is not kept.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._running: dict[str, Future[Any]] = {}
        self._done: dict[str, tuple[float, Any]] = {}

    def get(self, key: str, load: Callable[[], T], max_age: float) -> T:
        """The result of ``load`` for ``key``: a recent one, the one in flight, or a new one."""
        with self._lock:
            running = self._running.get(key)
            if running is None:
                done = self._done.get(key)
                if done is not None and self._clock() - done[0] <= max_age:
                    return cast(T, done[1])
                mine: Future[Any] = Future()
                self._running[key] = mine
        if running is not None:
            return cast(T, running.result())
        try:
            value = load()
        except BaseException as exc:
            with self._lock:
                del self._running[key]
            mine.set_exception(exc)
            raise
        with self._lock:
            del self._running[key]
            self._done[key] = (self._clock(), value)
        mine.set_result(value)
        return value

    def forget(self, key: str | None = None) -> None:
        """Drop the kept result for ``key`` (all keys when None), e.g. after an action."""
        with self._lock:
            if key is None:
                self._done.clear()
            else:
                self._done.pop(key, None)
