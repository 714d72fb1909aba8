"""``shipdeck tail --follow`` through a proxy that breaks FilterLogEvents and live tail.

The world holds a group with numbered lines (some sharing a millisecond);
while faults hit the reads, more lines are written. What ``tail`` prints must
be every line exactly once: nothing lost, nothing repeated, no traceback, and
never a line of another group, even one whose stream has the same name.
"""

from __future__ import annotations

import queue
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from cloud.session import CloudSession
from tests.faults.conftest import ROOT, Proxied
from tests.faults.proxy import Fault

REGION = "us-east-1"
FILTER = "Logs_20140328.FilterLogEvents"
LIVE_TAIL = "Logs_20140328.StartLiveTail"
STREAM = "app/web/1"


class Group:
    """A log group of the world with lines numbered from 0, written directly (not proxied)."""

    def __init__(self, session: CloudSession, name: str) -> None:
        self.logs: Any = session.client("logs", REGION)
        self.name = name
        self.written: list[str] = []
        self.logs.create_log_group(logGroupName=name)
        self.logs.create_log_stream(logGroupName=name, logStreamName=STREAM)

    def write(self, count: int, tag: str = "line") -> None:
        """``count`` more lines; every other pair shares a millisecond."""
        base = int(time.time() * 1000) - 30_000
        events: list[dict[str, Any]] = []
        for i in range(len(self.written), len(self.written) + count):
            message = f"{tag} {i:05d}"
            self.written.append(message)
            events.append({"timestamp": base + i // 2, "message": message})
        self.logs.put_log_events(logGroupName=self.name, logStreamName=STREAM, logEvents=events)


class Tail:
    """``shipdeck tail GROUP --follow`` in a child process; its lines arrive on a queue."""

    def __init__(self, proxied: Proxied, group: str, mode: str) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "cli.main",
                "--region",
                REGION,
                "tail",
                group,
                "--follow",
                "--since",
                "1h",
                "--mode",
                mode,
                "--rate",
                "50",
            ],
            env=proxied.env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.printed: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def until(self, count: int, timeout: float = 60.0) -> list[str]:
        """The printed lines, once there are ``count`` (waiting on the queue, not on a clock)."""
        deadline = time.monotonic() + timeout
        while len(self.printed) < count:
            remaining = deadline - time.monotonic()
            try:
                self.printed.append(self.lines.get(timeout=max(remaining, 0.01)))
            except queue.Empty:
                raise AssertionError(
                    f"{len(self.printed)} of {count} lines; stderr: {self.stop()}"
                ) from None
        return self.printed

    def drain(self) -> list[str]:
        """Every line printed so far, including any not yet taken."""
        while True:
            try:
                self.printed.append(self.lines.get_nowait())
            except queue.Empty:
                return self.printed

    def stop(self) -> str:
        """End the child (it follows forever) and return its stderr."""
        if self.process.poll() is None:
            self.process.terminate()
        _, err = self.process.communicate(timeout=30)
        return err


def messages(printed: list[str]) -> list[str]:
    """The message part of ``ISO group/stream message`` lines."""
    return [line.split(" ", 2)[2] for line in printed]


@pytest.fixture
def group(shared_session: CloudSession) -> Iterator[Group]:
    """A fresh group in the world with 300 lines."""
    made = Group(shared_session, f"/shipdeck/faults/{uuid.uuid4().hex[:8]}")
    made.write(300)
    yield made
    made.logs.delete_log_group(logGroupName=made.name)


FAULT_STORM = [
    Fault("non-utf8", FILTER, times=5),  # more than botocore's attempts: a pass fails, resumes
    Fault("truncate", FILTER, times=3, keep=0.4),
    Fault("html", FILTER, times=2),
    Fault("throttle", FILTER, times=6),
    Fault("reset", FILTER, times=2),
    Fault("status", FILTER, times=2, status=503),
    Fault("cut", FILTER, times=2, keep=0.5),
    Fault("delay", FILTER, times=1, seconds=0.5),
]


def test_tail_follow_in_poll_mode_loses_and_repeats_nothing_under_faults(
    proxied: Proxied, group: Group
) -> None:
    tail = Tail(proxied, group.name, "poll")
    try:
        tail.until(100)
        for fault in FAULT_STORM:
            proxied.aws.add(Fault(**vars(fault)))
        group.write(300)
        tail.until(600)
        # Two more reads after the last line: a repeat would be printed by now.
        assert proxied.aws.wait_for(FILTER, proxied.aws.count(FILTER) + 2)
        printed = tail.drain()
    finally:
        stderr = tail.stop()
    assert "Traceback" not in stderr
    assert Counter(messages(printed)) == Counter(group.written)
    assert all(f" {group.name}/{STREAM} " in line for line in printed)
    assert sum(proxied.aws.injected.values()) >= 10, proxied.aws.injected


def test_tail_follow_in_auto_mode_survives_a_cut_live_tail_and_shows_only_its_group(
    proxied: Proxied, group: Group, shared_session: CloudSession
) -> None:
    other = Group(shared_session, f"{group.name}-other")  # same stream name
    try:
        proxied.aws.add(Fault("cut", LIVE_TAIL, times=1))  # the first session drops part-way
        tail = Tail(proxied, group.name, "auto")
        try:
            tail.until(300)
            proxied.aws.add(Fault("non-utf8", FILTER, times=5))
            proxied.aws.add(Fault("truncate", FILTER, times=2))
            other.write(50, tag="other")
            group.write(300)
            tail.until(600)
            printed = tail.drain()
        finally:
            stderr = tail.stop()
    finally:
        other.logs.delete_log_group(logGroupName=other.name)
    assert "Traceback" not in stderr
    assert Counter(messages(printed)) == Counter(group.written)
    assert not any("other" in line for line in printed)
    assert proxied.aws.injected["cut"] == 1, proxied.aws.injected  # the live tail was cut
