"""From transport batches to view items: order of statuses, coalescing, backpressure, stop."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

from cloud.logs import LogBatch, LogEvent, LogStatus, StatusKind
from cloud.logs.subjects import EcsSource, GroupsSource, short_names
from tui.flows.log_feed import LogFeed, LogsArrived, batch_items
from widgets.log_buffer import StatusNote


def event(ms: int, text: str, group: str = "/aws/codebuild/app", stream: str = "s") -> LogEvent:
    """A CloudWatch-like event."""
    return LogEvent(ms, ms, group, stream, text, "")


def test_statuses_sit_right_after_the_lines_of_their_moment() -> None:
    batch = LogBatch(
        (event(1, "a"), event(2, "Entering phase BUILD"), event(3, "b")),
        (
            LogStatus(StatusKind.PHASE, "build app:1", "entering phase BUILD", at_ms=2),
            LogStatus(StatusKind.THROTTLED, "/aws/codebuild/app", "retrying in 2s"),
        ),
    )
    items = batch_items(batch, lambda e: "")
    assert items[:2] == [(1, "", "a"), (2, "", "Entering phase BUILD")]
    assert items[2] == StatusNote("phase", "build app:1: entering phase BUILD", "info", 2)
    assert items[3] == (3, "", "b")
    assert items[4] == StatusNote("throttled", "/aws/codebuild/app: retrying in 2s", "warning")


def test_merged_groups_are_labelled_by_short_names() -> None:
    groups = (("r", "/aws/lambda/hr-chatbot-backend"), ("r", "/ecs/hr-chatbot-frontend"))
    label, shown = GroupsSource(groups).labeller()
    assert shown
    assert label(event(1, "x", group="/ecs/hr-chatbot-frontend")) == "hr-chatbot-frontend"
    same = short_names((("a", "/x/api"), ("b", "/y/api")))
    assert same == {"/x/api": "/x/api", "/y/api": "/y/api"}, "ambiguous short names stay long"
    ecs_label, _ = EcsSource("r", "c", "s").labeller()
    assert ecs_label(event(1, "x", stream="ecs/web/0123456789abcdef")) == "web/01234567"


def test_one_doorbell_until_the_ui_takes_and_messages_coalesce() -> None:
    feed = LogFeed()
    assert feed.put([(1, "", "a")])
    assert not feed.put([(2, "", "b")])
    assert feed.take() == [(1, "", "a"), (2, "", "b")]
    assert feed.put([(3, "", "c")])
    feed.put([(4, "", "d"), (5, "", "e")])
    assert feed.take(limit=2) == [(3, "", "c"), (4, "", "d")], "a backlog is taken in slices"
    assert not feed.put([(6, "", "f")]), "no doorbell while the taker still has a backlog"
    assert feed.take() == [(5, "", "e"), (6, "", "f")]
    first, second = LogsArrived(feed), LogsArrived(feed)
    assert second.can_replace(first)
    assert not LogsArrived(LogFeed()).can_replace(first)


def test_a_flood_makes_the_reader_wait_instead_of_growing_or_losing_lines() -> None:
    feed = LogFeed(max_pending=100)
    doorbell = threading.Event()  # as the UI is told: when put says so, and at the end
    done = threading.Event()

    def flood() -> None:
        for start in range(0, 1000, 50):
            if feed.put([(i, "", f"line {i}") for i in range(start, start + 50)]):
                doorbell.set()
        done.set()
        doorbell.set()

    reader = threading.Thread(target=flood)
    reader.start()
    taken: list[object] = []
    while not (done.is_set() and not feed.pending_count):
        assert doorbell.wait(10), "the reader stopped ringing"
        doorbell.clear()
        assert feed.pending_count <= 150, "never more than the bound plus one batch"
        taken += feed.take()
    reader.join(1)
    taken += feed.take()
    assert taken == [(i, "", f"line {i}") for i in range(1000)]
    assert feed.waits > 0


def test_stop_releases_a_waiting_reader() -> None:
    feed = LogFeed(max_pending=10)
    feed.put([(i, "", "x") for i in range(10)])
    reader = threading.Thread(target=feed.put, args=([(10, "", "y")],))
    reader.start()
    deadline = time.monotonic() + 10
    while not feed.waits and time.monotonic() < deadline:  # until the put has found it full
        reader.join(0.01)
    assert feed.waits == 1
    assert reader.is_alive(), "full: the reader waits"
    feed.stop.set()
    reader.join(2)
    assert not reader.is_alive()


def test_read_stops_on_stop_and_closes_the_transport() -> None:
    closed = threading.Event()
    rings: list[int] = []
    feed = LogFeed()

    def endless() -> Iterator[LogBatch]:
        try:
            number = 0
            while True:
                number += 1
                if number == 3:
                    feed.stop.set()
                yield LogBatch((event(number, f"line {number}"),))
        finally:
            closed.set()

    feed.read(endless, lambda: rings.append(1), lambda e: "")
    assert closed.is_set()
    assert len(rings) == 1, "one doorbell for everything until the UI takes"
    assert [item for item in feed.take() if isinstance(item, tuple)] == [
        (1, "", "line 1"),
        (2, "", "line 2"),
    ]


def test_a_source_that_cannot_be_resolved_is_shown_as_an_error_note() -> None:
    feed = LogFeed()

    def missing() -> Iterator[LogBatch]:
        raise LookupError("ECS service web not found in cluster prod (us-east-1)")

    feed.read(missing, lambda: None, lambda e: "", ("ecs", "us-east-1"))
    assert feed.take() == [
        StatusNote("error", "ECS service web not found in cluster prod (us-east-1)", "error")
    ]


def test_a_stream_that_ends_says_so() -> None:
    feed = LogFeed()
    feed.read(lambda: iter([LogBatch((event(1, "only"),))]), lambda: None, lambda e: "")
    items = feed.take()
    assert items[-1] == StatusNote("ended", "no more lines: the stream has finished")
