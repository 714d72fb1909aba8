"""History on demand against a real moto server: pages before a time, the beginning, ranges."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from cloud.logs import LogTarget
from cloud.logs.history import Stopped, log_floor, read_older, read_range
from cloud.logs.limits import RegionLimiters
from tests.logs.conftest import REGION, now_ms, put

MINUTE = 60_000


def _history(clients: Callable[[str, str], Any], group: str, count: int, every_ms: int) -> int:
    """``count`` lines ``line N`` ``every_ms`` apart ending a minute ago; the first's time."""
    first = now_ms() - MINUTE - (count - 1) * every_ms
    put(
        clients("logs", REGION),
        group,
        "s",
        [(first + i * every_ms, f"line {i}") for i in range(count)],
    )
    return first


@pytest.fixture
def limiters() -> RegionLimiters:
    """A limiter of its own, fast enough not to slow the test."""
    return RegionLimiters(calls_per_second=1000.0)


def test_pages_walk_back_without_gap_or_repeat_to_the_beginning(
    clients: Callable[[str, str], Any], new_group: Callable[..., str], limiters: RegionLimiters
) -> None:
    group = new_group()
    first = _history(clients, group, 700, 20_000)  # almost 4 hours, sparse at first
    targets = [LogTarget(REGION, group)]
    floor = log_floor(clients, targets)
    assert floor <= first, "the group's lines are above its floor"
    end = now_ms()
    seen: list[str] = []
    pages = 0
    while True:
        page = read_older(
            clients, targets, end_ms=end, floor_ms=floor, limit=300, limiters=limiters
        )
        pages += 1
        seen[:0] = [e.message for e in page.events]
        if page.beginning:
            break
        assert len(page.events) >= 300, "a page is full until the beginning"
        end = page.events[0].timestamp_ms - 1
        assert pages < 10
    assert seen == [f"line {i}" for i in range(700)], "every line once, in order"
    assert pages == 3


def test_a_page_is_cut_between_milliseconds(
    clients: Callable[[str, str], Any], new_group: Callable[..., str], limiters: RegionLimiters
) -> None:
    group = new_group()
    stamp = now_ms() - MINUTE
    same = [(stamp, f"same {i}") for i in range(5)]
    put(clients("logs", REGION), group, "s", [(stamp - 1000, "before"), *same])
    page = read_older(
        clients,
        [LogTarget(REGION, group)],
        end_ms=now_ms(),
        floor_ms=0,
        limit=3,
        limiters=limiters,
    )
    assert [e.message for e in page.events] == [f"same {i}" for i in range(5)]
    assert not page.beginning


def test_range_is_exactly_the_events_between_its_ends_and_capped_says_so(
    clients: Callable[[str, str], Any], new_group: Callable[..., str], limiters: RegionLimiters
) -> None:
    group = new_group()
    first = _history(clients, group, 100, 1000)
    targets = [LogTarget(REGION, group)]
    got = read_range(
        clients, targets, start_ms=first + 10_000, end_ms=first + 19_000, limiters=limiters
    )
    assert [e.message for e in got.events] == [f"line {i}" for i in range(10, 20)]
    assert not got.capped
    capped = read_range(
        clients, targets, start_ms=first, end_ms=first + 99_000, cap=30, limiters=limiters
    )
    assert capped.capped
    assert [e.message for e in capped.events] == [f"line {i}" for i in range(30)][
        : len(capped.events)
    ]
    assert 0 < len(capped.events) <= 30


def test_a_stopped_read_raises_rather_than_returning_nothing(
    clients: Callable[[str, str], Any], new_group: Callable[..., str], limiters: RegionLimiters
) -> None:
    import threading

    stop = threading.Event()
    stop.set()
    with pytest.raises(Stopped):
        read_range(
            clients,
            [LogTarget(REGION, new_group())],
            start_ms=0,
            end_ms=now_ms(),
            stop=stop,
            limiters=limiters,
        )


def test_a_missing_group_is_an_error_not_an_empty_page(
    clients: Callable[[str, str], Any], limiters: RegionLimiters
) -> None:
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError):
        read_older(
            clients,
            [LogTarget(REGION, "/no/such/group")],
            end_ms=now_ms(),
            floor_ms=0,
            limiters=limiters,
        )
