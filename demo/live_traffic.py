"""Steady traffic and faults on the world's clock.

Live log streams keep writing their lines (in a loop) at their cadence, so an
ECS service or a Lambda function has fresh log lines to follow. A stream with a
``while`` condition writes its lines while the condition holds (the function still
runs the broken image...) and its healthy lines, or nothing, once it no longer does:
the condition is checked before each batch, and the batch is stamped with the time
taken before the check, so no incident line ever carries a time after the fix.
The throttle hook answers a share of the calls with ``ThrottlingException`` as AWS
does when a caller goes over a rate, for tests of the console's backoff.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from demo.aws_clients import LogSink
from demo.gateway import Call, Reply
from demo.model import LogGroup, StreamCondition

Holds = Callable[[StreamCondition], bool]


@dataclass
class _LiveStream:
    region: str
    group: str
    stream: str
    every: float
    lines: tuple[str, ...]
    next_at: float
    condition: StreamCondition | None = None
    healthy: tuple[str, ...] = ()
    index: int = 0
    healthy_index: int = 0

    def next_line(self, broken: bool) -> str | None:
        """The next line to write (None: a fixed stream without healthy lines stays quiet)."""
        if broken:
            line = self.lines[self.index % len(self.lines)]
            self.index += 1
            return line
        if not self.healthy:
            return None
        line = self.healthy[self.healthy_index % len(self.healthy)]
        self.healthy_index += 1
        return line


class LiveLogs:
    """A clock step that appends the next line of every live stream when it is due."""

    def __init__(
        self, groups: tuple[LogGroup, ...], sink: LogSink, holds: Holds | None = None
    ) -> None:
        self._sink = sink
        self._holds = holds
        now = time.monotonic()
        self._streams = [
            _LiveStream(
                g.region,
                g.name,
                s.name,
                s.live_every,
                s.live_lines,
                now + s.live_every,
                s.live_while,
                s.healthy_lines,
            )
            for g in groups
            for s in g.streams
            if s.live_every and s.live_lines
        ]

    def step(self, _: float) -> None:
        """Write what is due since the last tick (at most a few lines per stream)."""
        now = time.monotonic()
        for live in self._streams:
            if live.next_at > now:
                continue
            at = datetime.now(UTC)  # before the check: a fix after it comes later than `at`
            broken = live.condition is None or self._holds is None or self._holds(live.condition)
            due: list[tuple[datetime, str]] = []
            while live.next_at <= now and len(due) < 50:
                line = live.next_line(broken)
                if line is not None:
                    due.append((at, line))
                live.next_at += live.every
            if live.next_at <= now:  # far behind (a paused process): skip ahead, don't flood
                live.next_at = now + live.every
            if due:
                self._sink.write(live.region, live.group, live.stream, due)


class Throttle:
    """A gateway hook that refuses a share of JSON-protocol calls with ThrottlingException."""

    def __init__(self, rate: float, services: tuple[str, ...], seed: int | None = None) -> None:
        self.rate = rate
        self.services = frozenset(services)
        self.refused = 0
        self._random = random.Random(seed)

    def __call__(self, call: Call) -> Reply | None:
        """Answer the call with a throttling error, or let it through (None)."""
        if call.target is None or (self.services and call.service not in self.services):
            return None
        if self._random.random() >= self.rate:
            return None
        self.refused += 1
        return Reply.error("ThrottlingException", "Rate exceeded", status=400)
