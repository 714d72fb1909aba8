"""``--since``: durations back from now and ISO times, in epoch ms."""

from __future__ import annotations

import pytest

from cloud.logs import SinceError, parse_since

NOW = 1_714_564_800_000  # 2024-05-01T12:00:00Z


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30s", NOW - 30_000),
        ("10m", NOW - 600_000),
        ("2h", NOW - 7_200_000),
        ("1d", NOW - 86_400_000),
        ("1.5h", NOW - 5_400_000),
        ("2024-05-01T12:00:00Z", NOW),
        ("2024-05-01T14:00:00+02:00", NOW),
        ("2024-05-01T12:00", NOW),
        ("2024-05-01", NOW - 43_200_000),
    ],
)
def test_since_forms(text: str, expected: int) -> None:
    assert parse_since(text, now_ms=NOW) == expected


@pytest.mark.parametrize("text", ["", "ten minutes", "10x", "-5m", "2024-13-01"])
def test_bad_since_names_the_accepted_forms(text: str) -> None:
    with pytest.raises(SinceError, match="30s, 10m, 2h, 1d or an ISO time"):
        parse_since(text, now_ms=NOW)
