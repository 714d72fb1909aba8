"""The small chart: what a person reads off it (scale, last value, threshold, gaps)."""

from __future__ import annotations

from rich.text import Text

from widgets.chart import THRESHOLD_MARK, chart


def _columns(text: Text) -> list[str]:
    """The chart's rows without the axis, top first."""
    return [line[8:] for line in text.plain.splitlines()[1:5]]


def _style_at(text: Text, row: int, column: int) -> str:
    lines = text.plain.splitlines(keepends=True)
    offset = sum(len(line) for line in lines[: row + 1]) + 8 + column
    styles = [str(span.style) for span in text.spans if span.start <= offset < span.end]
    return styles[-1] if styles else ""


def test_a_chart_says_its_last_value_threshold_and_scale() -> None:
    text = chart(
        [30.0, 32.0, 75.0, 76.0],
        title="CPU (average)",
        unit="%",
        threshold=70.0,
        threshold_from="alarm ECS-HighCPU",
        top=100.0,
    )
    head = text.plain.splitlines()[0]
    assert head == "CPU (average)  last 76 %  threshold > 70 % (alarm ECS-HighCPU)  max 76 %"
    assert text.plain.splitlines()[1].startswith("  100 %│")
    assert text.plain.splitlines()[4].startswith("      0│")
    rows = _columns(text)
    # 70 of 100 on four rows: the line is the third row from the bottom (50-75 %).
    assert rows[1][:2] == THRESHOLD_MARK * 2  # calm columns leave the line visible
    assert rows[1][2:] == "██"  # the hot ones cover it
    assert _style_at(text, 3, 3) == "red" and _style_at(text, 3, 0) == "green"


def test_a_gap_is_left_empty_not_drawn_as_zero() -> None:
    text = chart([10.0, None, 10.0], title="Errors (sum)")
    bottom = _columns(text)[3]
    assert bottom[0] != " " and bottom[1] == " " and bottom[2] != " "


def test_below_a_threshold_is_the_problem_when_the_alarm_says_less_than() -> None:
    text = chart([5.0, 0.0], title="tasks", threshold=1.0, above_is_bad=False)
    assert "threshold < 1" in text.plain
    assert "last 0" in text.plain
    assert any(span.style == "bold red" for span in text.spans)  # the last value is red


def test_no_point_at_all_says_so() -> None:
    text = chart([None, None], title="memory (maximum)", threshold=80.0)
    assert text.plain == "memory (maximum)  no data in this window"


def test_milliseconds_read_as_seconds_past_one() -> None:
    text = chart([29_700.0], title="Duration", unit="ms", threshold=30_000.0)
    assert "last 29.7 s  threshold > 30.0 s" in text.plain


def test_a_bar_can_carry_its_own_colour() -> None:
    text = chart([5.0, 5.0], title="builds", threshold=20.0, colors=["bold red", None])
    assert _style_at(text, 3, 0) == "bold red"  # a failed build, short as it was
    assert _style_at(text, 3, 1) == "green"
