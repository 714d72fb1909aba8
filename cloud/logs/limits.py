"""Call pacing for CloudWatch Logs: one token bucket per region, and backoff with jitter.

FilterLogEvents has a low account quota per region, shared by every stream a
person follows, so all pollers of a region draw from one bucket. Throttling
answers are retried after an exponentially growing, jittered pause.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable

DEFAULT_CALLS_PER_SECOND = 5.0
DEFAULT_MAX_LINES = 100_000
"""Lines a log view keeps by default (``[logs] max_lines``); ``widgets.log_buffer`` has the
same number of its own, since widgets may not import cloud."""


class TokenBucket:
    """A thread-safe token bucket: ``rate`` calls per second, bursts up to ``burst``."""

    def __init__(
        self,
        rate: float,
        burst: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if rate <= 0:
            raise ValueError(f"rate must be positive, not {rate}")
        self._rate = rate
        self._burst = max(1.0, burst if burst is not None else rate)
        self._clock = clock
        self._tokens = 1.0  # a fresh bucket allows one call at once, not a full burst
        self._stamp = clock()
        self._lock = threading.Lock()

    @property
    def rate(self) -> float:
        """Calls per second this bucket allows on average."""
        return self._rate

    def reserve(self) -> float:
        """Take one token, possibly on credit; return how long to wait before using it."""
        with self._lock:
            now = self._clock()
            self._tokens = min(self._burst, self._tokens + (now - self._stamp) * self._rate)
            self._stamp = now
            self._tokens -= 1.0
            if self._tokens >= 0:
                return 0.0
            return -self._tokens / self._rate

    def acquire(self, stop: threading.Event | None = None) -> bool:
        """Wait for a token; False when ``stop`` was set while waiting (the token is spent)."""
        wait = self.reserve()
        if wait <= 0:
            return True
        if stop is None:
            time.sleep(wait)
            return True
        return not stop.wait(wait)


class RegionLimiters:
    """One TokenBucket per region, shared by every stream read in that region."""

    def __init__(
        self,
        calls_per_second: float = DEFAULT_CALLS_PER_SECOND,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._rate = calls_per_second
        self._clock = clock
        self._buckets: dict[str, TokenBucket] = {}
        self._lock = threading.Lock()

    def for_region(self, region: str) -> TokenBucket:
        """The bucket of ``region``, made on first use."""
        with self._lock:
            bucket = self._buckets.get(region)
            if bucket is None:
                bucket = TokenBucket(self._rate, clock=self._clock)
                self._buckets[region] = bucket
            return bucket

    def set_rate(self, calls_per_second: float) -> None:
        """Change the rate for every region; buckets are remade on next use (same rate: kept)."""
        if calls_per_second <= 0:
            raise ValueError(f"rate must be positive, not {calls_per_second}")
        with self._lock:
            if calls_per_second == self._rate:
                return  # a new bucket would start with a full burst again
            self._rate = calls_per_second
            self._buckets.clear()


SHARED_LIMITERS = RegionLimiters()
"""The process-wide limiters: the console and ``shipdeck tail`` use these by default."""


class Backoff:
    """Exponential backoff with full jitter: attempt n waits uniform(0, min(cap, base * 2**n))."""

    def __init__(
        self,
        base: float = 0.25,
        cap: float = 20.0,
        rng: Callable[[float, float], float] = random.uniform,
    ) -> None:
        self._base = base
        self._cap = cap
        self._rng = rng
        self.attempt = 0

    def next_delay(self) -> float:
        """The pause before the next retry; each call doubles the ceiling up to the cap."""
        ceiling = min(self._cap, self._base * (2**self.attempt))
        self.attempt += 1
        # Never zero: a retry at once would hit the same throttled window.
        return max(self._base / 4, self._rng(0.0, ceiling))

    def reset(self) -> None:
        """Start again from the smallest pause after a call succeeded."""
        self.attempt = 0


def pause(seconds: float, stop: threading.Event | None) -> bool:
    """Sleep ``seconds`` unless ``stop`` is set first; False when stopped."""
    if stop is None:
        time.sleep(seconds)
        return True
    return not stop.wait(seconds)
