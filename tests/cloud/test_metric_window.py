"""A chart's window ends on a whole minute at or after now, so its newest points are in it."""

from __future__ import annotations

from datetime import UTC, datetime

from cloud.metrics import window_end


def test_a_window_ends_at_the_next_whole_minute() -> None:
    assert window_end(datetime(2025, 11, 11, 5, 12, 44, 118, tzinfo=UTC)) == datetime(
        2025, 11, 11, 5, 13, tzinfo=UTC
    )


def test_a_whole_minute_is_kept() -> None:
    now = datetime(2025, 11, 11, 5, 13, tzinfo=UTC)
    assert window_end(now) == now
