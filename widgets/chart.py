"""A small line-of-bars chart as Rich text: one column per point, its scale, last value, threshold.

Drawn with block characters (eight steps a row), so it fits a detail section and
an 80-column terminal: 36 points (3 h at 5 min) take 36 columns plus an axis.
Bars on the wrong side of the threshold are red, the others green; the threshold
is a dotted line across the chart where no bar covers it. A gap in the data (no
point in a period) is left empty, never drawn as zero.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from rich.text import Text

BLOCKS = " ▁▂▃▄▅▆▇█"
THRESHOLD_MARK = "┄"
AXIS_WIDTH = 8


def number(value: float, unit: str = "") -> str:
    """``75.3 %``, ``29.7 s`` (milliseconds past 1 s), ``12``, ``1.2k``."""
    if unit == "ms" and abs(value) >= 1000:
        return f"{value / 1000:.1f} s"
    if abs(value) >= 10_000:
        text = f"{value / 1000:.1f}k"
    elif value == int(value):
        text = str(int(value))
    else:
        text = f"{value:.1f}"
    return f"{text} {unit}".rstrip() if unit else text


def _scale_top(values: Sequence[float], threshold: float | None, top: float | None) -> float:
    if top is not None:
        return max([top, *values])
    highest = max([*values, *([threshold * 1.25] if threshold else []), 0.0])
    if highest <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(highest))
    return float(math.ceil(highest / magnitude) * magnitude)


def chart(
    values: Sequence[float | None],
    *,
    title: str,
    unit: str = "",
    threshold: float | None = None,
    above_is_bad: bool = True,
    threshold_from: str = "",
    top: float | None = None,
    height: int = 4,
    span: str = "",
    colors: Sequence[str | None] | None = None,
) -> Text:
    """The chart of ``values`` (oldest first; None for a period without data).

    ``colors`` gives a bar its own style (a build's outcome) instead of the threshold's.
    """
    known = [v for v in values if v is not None]
    text = Text()
    text.append(title, style="bold")
    if not known:
        text.append("  no data in this window", style="yellow")
        return text
    last = next(v for v in reversed(values) if v is not None)
    bad = threshold is not None and (last > threshold if above_is_bad else last < threshold)
    text.append("  last ")
    text.append(number(last, unit), style="bold red" if bad else "bold")
    if threshold is not None:
        symbol = ">" if above_is_bad else "<"
        text.append(f"  threshold {symbol} {number(threshold, unit)}", style="red")
        if threshold_from:
            text.append(f" ({threshold_from})", style="dim")
    text.append(f"  max {number(max(known), unit)}", style="dim")
    scale = _scale_top(known, threshold, top)
    steps = height * 8
    levels = [None if v is None else max(0, min(steps, round(v / scale * steps))) for v in values]
    line_row = None
    if threshold is not None and 0 <= threshold <= scale:
        line_row = min(height - 1, int(threshold / scale * height))
    for row in range(height - 1, -1, -1):
        text.append("\n")
        label = number(scale, unit) if row == height - 1 else ("0" if row == 0 else "")
        text.append(label.rjust(AXIS_WIDTH - 1)[: AXIS_WIDTH - 1] + "│", style="dim")
        styles = list(colors) if colors is not None else [None] * len(values)
        for value, level, own in zip(values, levels, styles, strict=True):
            if value is None or level is None:
                mark = THRESHOLD_MARK if row == line_row else " "
                text.append(mark, style="dim red")
                continue
            filled = max(0, min(8, level - row * 8))
            breach = threshold is not None and (
                value > threshold if above_is_bad else value < threshold
            )
            if filled == 0 and row == line_row:
                text.append(THRESHOLD_MARK, style="dim red")
            else:
                text.append(BLOCKS[filled], style=own or ("red" if breach else "green"))
    if span:
        text.append("\n" + " " * AXIS_WIDTH)
        width = len(values)
        left, right = span.split("|", 1) if "|" in span else (span, "now")
        gap = max(1, width - len(left) - len(right))
        text.append(f"{left}{' ' * gap}{right}", style="dim")
    return text
