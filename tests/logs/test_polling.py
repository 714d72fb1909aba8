"""Polling FilterLogEvents against a real moto server: every event exactly once, in order."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from cloud.logs import (
    GroupPoller,
    LogBatch,
    LogEvent,
    LogStatus,
    LogTarget,
    RegionLimiters,
    StatusKind,
    TokenBucket,
    tail_logs,
)
from cloud.logs.polling import raw_next_token
from tests.logs.conftest import REGION, now_ms, put
from tests.support import until

Clients = Callable[[str, str], Any]


def _events(batches: list[LogBatch]) -> list[LogEvent]:
    return [e for b in batches for e in b.events]


def _pass(poller: GroupPoller) -> list[LogEvent]:
    return [e for item in poller.read_pass() if isinstance(item, list) for e in item]


def test_500_events_in_one_millisecond_arrive_once_across_pages_and_passes(
    clients: Clients, new_group: Callable[..., str]
) -> None:
    group = new_group("a", "b")
    logs = clients("logs", REGION)
    stamp = now_ms() - 5_000
    put(logs, group, "a", [(stamp, f"a{i}") for i in range(250)])
    put(logs, group, "b", [(stamp, f"b{i}") for i in range(250)])
    poller = GroupPoller(
        logs, LogTarget(REGION, group), TokenBucket(1000), start_ms=stamp - 1, page_limit=37
    )

    first = _pass(poller)
    assert sorted(e.message for e in first) == sorted(
        [f"a{i}" for i in range(250)] + [f"b{i}" for i in range(250)]
    )
    assert _pass(poller) == []  # the boundary millisecond is not shown twice

    # More lines land in the same millisecond, and one just after it.
    put(logs, group, "a", [(stamp, f"late{i}") for i in range(40)] + [(stamp + 1, "next")])
    second = _pass(poller)
    assert sorted(e.message for e in second) == sorted([f"late{i}" for i in range(40)] + ["next"])
    assert poller.watermark_ms == stamp + 1
    assert _pass(poller) == []


def test_lines_written_while_following_arrive_once_in_order(
    clients: Clients, new_group: Callable[..., str]
) -> None:
    group = new_group("w")
    logs = clients("logs", REGION)
    start = now_ms() - 1
    expected = [f"w{i}" for i in range(300)]

    got: list[LogEvent] = []
    seen = threading.Condition()

    def writer() -> None:
        for burst in range(30):
            stamp = now_ms()  # ten lines per put share one millisecond
            put(logs, group, "w", [(stamp, f"w{burst * 10 + i}") for i in range(10)])
            # Writing goes on while the follower reads: the next burst once the follower
            # has the one before this (so writes and reads interleave on any machine).
            before = burst * 10
            with seen:
                seen.wait_for(lambda: len(got) >= before or stop.is_set(), timeout=25)  # noqa: B023

    stop = threading.Event()
    thread = threading.Thread(target=writer)
    thread.start()
    deadline = time.monotonic() + 25
    for batch in tail_logs(
        clients,
        [LogTarget(REGION, group)],
        since_ms=start,
        follow=True,
        mode="poll",
        limiters=RegionLimiters(50),
        stop=stop,
        page_limit=7,
        busy_interval=0.2,
    ):
        with seen:
            got.extend(batch.events)
            seen.notify_all()
        if len(got) >= len(expected) or time.monotonic() > deadline:
            stop.set()
    stop.set()
    with seen:
        seen.notify_all()
    thread.join()
    assert sorted(e.message for e in got) == sorted(expected)
    stamps = [e.timestamp_ms for e in got]
    assert stamps == sorted(stamps)


def test_several_groups_merge_in_timestamp_order_with_group_labels(
    clients: Clients, new_group: Callable[..., str]
) -> None:
    groups = [new_group("s") for _ in range(3)]
    logs = clients("logs", REGION)
    base = now_ms() - 60_000
    for n, group in enumerate(groups):
        put(logs, group, "s", [(base + i * 3 + n, f"{n}:{i}") for i in range(100)])
    batches = list(
        tail_logs(
            clients,
            [LogTarget(REGION, g) for g in groups],
            since_ms=base,
            limiters=RegionLimiters(100),
            page_limit=16,
        )
    )
    events = _events(batches)
    assert len(events) == 300
    assert [e.timestamp_ms for e in events] == [base + k for k in range(300)]
    assert all(e.message.startswith(f"{groups.index(e.group)}:") for e in events)


def test_auto_mode_on_an_endpoint_whose_live_tail_ends_at_once_falls_back_without_loss(
    clients: Clients, new_group: Callable[..., str]
) -> None:
    # moto's StartLiveTail answers a snapshot (at most 500 lines, flagged sampled) and
    # closes the session: live tail, bridge, reopen, and then polling all meet here.
    group = new_group("s")
    logs = clients("logs", REGION)
    start = now_ms() - 10_000
    put(logs, group, "s", [(start + i // 2, f"old{i}") for i in range(700)])
    stop = threading.Event()
    got: list[LogEvent] = []
    statuses: list[LogStatus] = []
    wrote = False
    deadline = time.monotonic() + 25
    for batch in tail_logs(
        clients,
        [LogTarget(REGION, group)],
        since_ms=start,
        follow=True,
        limiters=RegionLimiters(50),
        stop=stop,
        busy_interval=0.2,
    ):
        got.extend(batch.events)
        statuses.extend(batch.statuses)
        if any("polling" in s.text for s in statuses) and not wrote:
            put(logs, group, "s", [(now_ms(), f"new{i}") for i in range(5)])
            wrote = True
        if len(got) >= 705 or time.monotonic() > deadline:
            stop.set()
    messages = [e.message for e in got]
    assert sorted(messages) == sorted(
        [f"old{i}" for i in range(700)] + [f"new{i}" for i in range(5)]
    )
    kinds = [s.kind for s in statuses]
    assert kinds[0] is StatusKind.MODE and statuses[0].text == "live tail"
    assert StatusKind.SAMPLED in kinds and StatusKind.RECONNECTED in kinds
    assert statuses[-1].kind is StatusKind.MODE and statuses[-1].text.startswith("polling")


def test_missing_group_is_an_error_status_and_the_stream_goes_on(clients: Clients) -> None:
    stop = threading.Event()
    seen: list[LogStatus] = []
    for batch in tail_logs(
        clients,
        [LogTarget(REGION, "/shipdeck/never-created")],
        since_ms=0,
        follow=True,
        mode="poll",
        limiters=RegionLimiters(50),
        stop=stop,
        busy_interval=0.05,
        idle_interval=0.05,
    ):
        seen.extend(batch.statuses)
        if len(seen) >= 2:
            stop.set()
    assert [s.kind for s in seen] == [StatusKind.ERROR, StatusKind.ERROR]
    assert seen[0].error is not None and seen[0].error.kind.value == "not found"


def test_the_next_page_is_on_its_way_while_a_page_is_being_used(
    clients: Clients, new_group: Callable[..., str]
) -> None:
    group = new_group("a")
    logs = clients("logs", REGION)
    stamp = now_ms() - 5_000
    put(logs, group, "a", [(stamp + i, f"line {i}") for i in range(30)])
    poller = GroupPoller(
        logs, LogTarget(REGION, group), TokenBucket(1000), start_ms=stamp - 1, page_limit=10
    )
    pages = poller.read_pass()
    first = next(pages)
    assert isinstance(first, list) and [e.message for e in first][:2] == ["line 0", "line 1"]
    # The consumer still holds the first page; the second call has gone out already.
    until(lambda: poller.calls >= 2, 10, every=0.01)
    assert poller.calls == 2
    rest = [e.message for item in pages if isinstance(item, list) for e in item]
    assert rest == [f"line {i}" for i in range(10, 30)]  # nothing lost, nothing twice
    assert poller.calls in (3, 4)  # the last page may come back empty with no token


def test_a_waiting_reader_asks_for_the_next_page_before_botocore_has_parsed_this_one(
    clients: Clients, new_group: Callable[..., str]
) -> None:
    group = new_group("a")
    logs = clients("logs", REGION)
    stamp = now_ms() - 5_000
    put(logs, group, "a", [(stamp + i, f"line {i}") for i in range(50)])
    poller = GroupPoller(
        logs, LogTarget(REGION, group), TokenBucket(1000), start_ms=stamp - 1, page_limit=10
    )
    # botocore's own events show the order on the wire. Parsing a page is held (as a
    # big page's parsing takes a while) until its successor has left, for up to 30 s (a guard).
    wire = threading.Condition()
    sent_count: list[int] = []
    arrived: list[int] = []
    parsed_after: list[int] = []  # requests sent when each page was parsed

    def sent(request: Any, **_: Any) -> None:
        with wire:
            sent_count.append(1)
            wire.notify_all()

    def parsing(response_dict: dict[str, Any], **_: Any) -> None:
        with wire:
            arrived.append(1)
            successor = len(arrived) + 1  # this is page n; page n + 1 is request n + 1
            if raw_next_token(response_dict["body"]) is not None:
                wire.wait_for(lambda: len(sent_count) >= successor, timeout=30)

    def parsed(**_: Any) -> None:
        parsed_after.append(len(sent_count))

    hooks = (
        ("before-send.cloudwatch-logs.FilterLogEvents", sent),
        ("before-parse.cloudwatch-logs.FilterLogEvents", parsing),  # after the poller's own
        ("after-call.cloudwatch-logs.FilterLogEvents", parsed),
    )
    for event, hook in hooks:
        logs.meta.events.register(event, hook)
    try:
        messages = [e.message for e in _pass(poller)]
    finally:
        for event, hook in hooks:
            logs.meta.events.unregister(event, hook)
    assert messages == [f"line {i}" for i in range(50)]  # nothing lost, nothing twice
    assert poller.calls == len(sent_count) == len(parsed_after) <= 6  # no extra calls
    # Each page but the last was parsed after its successor had been sent.
    assert all(sent >= page + 2 for page, sent in enumerate(parsed_after[:-1])), parsed_after


def test_the_next_token_is_read_from_raw_json_only_where_it_is_a_key() -> None:
    body = (
        b'{"events": [{"message": "say \\"nextToken\\": \\"no\\"", "eventId": "1"}],'
        b' "nextToken": "f\\/b+c=", "searchedLogStreams": []}'
    )
    assert raw_next_token(body) == "f/b+c="
    assert raw_next_token(b'{"events": [{"message": "\\"nextToken\\": \\"no\\""}]}') is None
    assert raw_next_token(b'{"events": [], "nextToken": ""}') is None
