"""Arrivals: what a first read lists and describes reaches its sink once, in order."""

from __future__ import annotations

import threading
from typing import Any

from cloud.arrivals import Arrivals
from cloud.records import Fetched


def test_each_record_is_sent_once_and_a_description_replaces_its_listing() -> None:
    heard: list[tuple[Any, ...]] = []
    arrivals: Arrivals[str] = Arrivals(lambda part: heard.append(part.records), every=0.0)
    arrivals.listed([("a", "a listed"), ("b", "b listed")])
    arrivals.listed([("a", "a listed again"), ("c", "c listed")])  # a page that overlaps
    arrivals.landed("a", "a described")
    arrivals.close()
    arrivals.landed("b", "b described")  # the part is in: nothing more is sent
    assert heard == [("a listed", "b listed"), ("c listed",), ("a described",)]


def test_a_change_held_back_is_sent_when_its_time_comes() -> None:
    heard: list[Fetched[Any]] = []
    sent = threading.Event()
    now = [0.0]

    def sink(part: Fetched[Any]) -> None:
        heard.append(part)
        if len(heard) == 2:
            sent.set()

    arrivals: Arrivals[str] = Arrivals(sink, every=0.05, clock=lambda: now[0])
    arrivals.listed([("a", "a")])  # sent at once
    arrivals.listed([("b", "b")])  # within the interval: held
    assert [p.records for p in heard] == [("a",)]
    now[0] = 1.0
    assert sent.wait(10), "the held change was never sent"
    assert [p.records for p in heard] == [("a",), ("b",)]
