"""Call pacing over real HTTP: the shared region bucket caps calls, throttling is survived."""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable
from typing import Any

from botocore.awsrequest import AWSResponse, HTTPHeaders

from cloud.logs import (
    Backoff,
    LogEvent,
    LogStatus,
    LogTarget,
    RegionLimiters,
    StatusKind,
    TokenBucket,
    tail_logs,
)
from tests.logs.conftest import REGION, make_client, now_ms, put

Clients = Callable[[str, str], Any]


CALLS = 10  # filter calls of the three streams the bucket test waits for


def test_one_bucket_per_region_caps_real_filter_calls_of_all_streams(
    clients: Clients, new_group: Callable[..., str]
) -> None:
    groups = [new_group("s") for _ in range(3)]
    logs = clients("logs", REGION)
    sent: list[float] = []
    stop = threading.Event()

    asked: list[str] = []

    def send(request: Any, **_: object) -> None:
        sent.append(time.monotonic())
        asked.append(json.loads(request.body)["logGroupName"])
        if len(sent) >= CALLS:  # enough calls to see the rate: however slow the machine
            stop.set()

    logs.meta.events.register("before-send.logs.FilterLogEvents", send)
    started = time.monotonic()
    timer = threading.Timer(60, stop.set)  # a guard only: the calls end the test
    timer.start()
    for _ in tail_logs(
        clients,
        [LogTarget(REGION, g) for g in groups],
        since_ms=now_ms(),
        follow=True,
        mode="poll",
        limiters=RegionLimiters(4),
        stop=stop,
        busy_interval=0.0,  # without the bucket this would spin hundreds of calls
        idle_interval=0.0,
    ):
        pass
    timer.cancel()
    elapsed = time.monotonic() - started
    # A fresh bucket holds one token and earns four a second: sends can only come later
    # than their tokens (a busy machine delays them), so this bound holds however slow.
    assert CALLS <= len(sent) <= 4 * elapsed + 1
    assert set(groups) <= set(asked)  # the one bucket paced every stream


def test_token_bucket_paces_by_its_own_clock_and_bursts_only_after_idling() -> None:
    now = [100.0]
    bucket = TokenBucket(4, clock=lambda: now[0])

    def due() -> float:
        return now[0] + bucket.reserve()

    at_once = [due() for _ in range(12)]
    # A fresh bucket allows one call at once, then four a second: no burst at start.
    assert at_once == [100.0 + k / 4 for k in range(12)]
    now[0] = at_once[-1] + 10.0  # idle long enough to fill the bucket
    after_idle = [due() for _ in range(6)]
    assert after_idle == [now[0]] * 4 + [now[0] + 0.25, now[0] + 0.5]
    # The bucket's promise: in any span, at most ``burst + rate * span`` calls.
    stamps = at_once + after_idle
    for i, first in enumerate(stamps):
        for j in range(i + 1, len(stamps)):
            assert j - i + 1 <= 4 + 4 * (stamps[j] - first) + 1e-9


def test_token_bucket_is_shared_safely_by_threads() -> None:
    bucket = TokenBucket(20)
    stamps: list[float] = []
    lock = threading.Lock()

    def take() -> None:
        for _ in range(10):
            bucket.acquire()
            with lock:
                stamps.append(time.monotonic())

    threads = [threading.Thread(target=take) for _ in range(4)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(stamps) == 40
    assert time.monotonic() - started >= 39 / 20 - 0.05


def test_backoff_grows_with_full_jitter_up_to_the_cap() -> None:
    backoff = Backoff(base=0.5, cap=4.0, rng=lambda low, high: high)
    assert [backoff.next_delay() for _ in range(6)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    backoff.reset()
    assert backoff.next_delay() == 0.5


class _Body:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> list[bytes]:
        return [self._body]


def test_throttled_calls_are_retried_and_every_event_arrives_once(
    moto_url: str, new_group: Callable[..., str], clients: Clients
) -> None:
    group = new_group("a", "b")
    start = now_ms() - 10_000
    put(clients("logs", REGION), group, "a", [(start + i, f"a{i}") for i in range(200)])
    put(clients("logs", REGION), group, "b", [(start + i, f"b{i}") for i in range(200)])
    # No botocore retries: each throttling answer reaches the engine's own backoff.
    logs = make_client(moto_url, "logs", retries={"mode": "standard", "total_max_attempts": 1})
    chance = random.Random(7)
    throttled: list[int] = []

    def throttle(request: Any, **_: Any) -> AWSResponse | None:
        if chance.random() >= 0.3:
            return None
        throttled.append(1)
        body = json.dumps({"__type": "ThrottlingException", "message": "Rate exceeded"})
        headers = HTTPHeaders()
        headers["content-type"] = "application/x-amz-json-1.1"
        headers["x-amzn-requestid"] = "throttled"
        return AWSResponse(request.url, 400, headers, _Body(body.encode()))

    logs.meta.events.register("before-send.logs.FilterLogEvents", throttle)
    got: list[LogEvent] = []
    statuses: list[LogStatus] = []
    for batch in tail_logs(
        lambda service, region: logs,
        [LogTarget(REGION, group)],
        since_ms=start,
        limiters=RegionLimiters(200),
        page_limit=15,
    ):
        got.extend(batch.events)
        statuses.extend(batch.statuses)
    assert sorted(e.message for e in got) == sorted(
        [f"a{i}" for i in range(200)] + [f"b{i}" for i in range(200)]
    )
    assert len(throttled) >= 3
    assert len(statuses) == len(throttled)
    assert {s.kind for s in statuses} == {StatusKind.THROTTLED}
    assert statuses[0].error is not None and statuses[0].error.kind.value == "throttled"
