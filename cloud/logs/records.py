"""Records of a live log stream: events, status items and the batches that carry them.

A log stream hands the console (and ``shipdeck tail``) batches, never single
lines: one batch is one page or one live-tail update, so a view can append it
in one go. Status items travel in the same batches so errors, sampling and
reconnects are shown where the lines are.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import NamedTuple

from cloud.records import FetchError


class LogEvent(NamedTuple):
    """One log line with where it came from and when it happened.

    A named tuple rather than a frozen dataclass: a backlog makes hundreds of
    thousands of them, and a tuple is made in a third of the time.
    """

    timestamp_ms: int  # when the line was written (epoch ms)
    ingestion_ms: int | None  # when CloudWatch received it; None for Kubernetes
    group: str  # log group, or "namespace/pod" for Kubernetes
    stream: str  # log stream, or the container name for Kubernetes
    message: str
    event_id: str  # CloudWatch eventId; "" for live tail, the RFC 3339 time for Kubernetes
    phase: str | None = None  # CodeBuild phase the line belongs to, e.g. "BUILD"

    def iso_time(self) -> str:
        """The timestamp as ISO 8601 UTC with milliseconds, ``2024-05-01T12:00:00.123Z``."""
        return iso_ms(self.timestamp_ms)

    def line(self) -> str:
        """The line ``shipdeck tail`` prints: ``ISO-timestamp group/stream message``."""
        return f"{iso_ms(self.timestamp_ms)} {self.group}/{self.stream} {self.message.rstrip()}"


class StatusKind(StrEnum):
    """What a status item in a log stream tells a person."""

    ERROR = "error"  # a call failed; the stream resumes
    THROTTLED = "throttled"  # the API asked us to slow down; retrying after a pause
    SAMPLED = "sampled"  # live tail is showing a sample, not every line
    RECONNECTED = "reconnected"  # a session or connection ended and was reopened
    MODE = "mode"  # which transport is in use (live tail, polling) and why it changed
    PHASE = "phase"  # a CodeBuild phase started or completed
    ENDED = "ended"  # the source has finished (build complete, pod gone)


@dataclass(frozen=True, slots=True)
class LogStatus:
    """Something about the stream itself rather than a line of it."""

    kind: StatusKind
    source: str  # the group, build or pod it concerns
    text: str  # one readable line
    error: FetchError | None = None  # the classified failure for ERROR / THROTTLED
    at_ms: int | None = None  # when it happened, for statuses tied to a line (phases)

    def line(self) -> str:
        """One line for a status bar or stderr: ``reconnected /aws/codebuild/app: ...``."""
        return f"{self.kind.value} {self.source}: {self.text}"


@dataclass(frozen=True, slots=True)
class LogBatch:
    """Events in timestamp order, plus the status items that arose while reading them."""

    events: tuple[LogEvent, ...]
    statuses: tuple[LogStatus, ...] = ()


def iso_ms(epoch_ms: int) -> str:
    """Epoch milliseconds as ISO 8601 UTC with milliseconds and a ``Z``."""
    seconds, millis = divmod(epoch_ms, 1000)
    return f"{_iso_second(seconds)}.{millis:03d}Z"


@lru_cache(maxsize=4096)
def _iso_second(seconds: int) -> str:
    # Lines come in bursts within one second: formatting each second once keeps
    # ``shipdeck tail`` close to the API's own speed.
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))


@dataclass(frozen=True, slots=True)
class LogTarget:
    """Where to read: a log group in a region, optionally narrowed to streams."""

    region: str
    group: str
    streams: tuple[str, ...] = ()  # exact stream names (FilterLogEvents takes up to 100)
    stream_prefix: str | None = None  # or a name prefix, e.g. "ecs/web/" for a service
    label: str | None = None  # shown instead of the group name, e.g. "build app:41"

    @property
    def shown(self) -> str:
        """The name printed before each line's stream."""
        return self.label or self.group
