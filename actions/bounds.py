"""The numbers an action takes, and the bounds the service itself sets on them.

A count of ``99999999999999999999`` or a quota of ``inf`` must never reach a plan
(issue: both passed every check): each numeric parameter declares its bounds
here, with where they come from, and ``Action`` checks every value against them
when it is made, before anything is read or planned. Digits are ASCII only
(``int()`` also takes ``²`` and Arabic-Indic digits, which no service does), and
the text is short before it is parsed, so no value costs time to refuse.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = [
    "ECS_CPU_UNITS",
    "ECS_DESIRED_COUNT",
    "ECS_MEMORY_MIB",
    "KUBE_REPLICAS",
    "QUOTA_VALUE",
    "NumberBounds",
]

_MAX_DIGITS = 24  # longer text is refused unread: every bound below has fewer digits


@dataclass(frozen=True)
class NumberBounds:
    """What a number parameter may be: whole or not, from ``low`` to ``high``, and why."""

    low: float
    high: float
    whole: bool
    source: str  # where the bounds come from, for the error line

    def problem(self, text: str) -> str | None:
        """Why ``text`` is not a number within the bounds; None when it is."""
        shown = f"{self.low:g} to {self.high:g}"
        kind = "a whole number" if self.whole else "a number"
        expected = f"expected {kind} from {shown} ({self.source})"
        value = text.strip()
        if not value or len(value) > _MAX_DIGITS or not value.isascii():
            return expected
        if self.whole:
            if not value.isdigit():
                return expected
            number: float = int(value)
        else:
            try:
                number = float(value)
            except ValueError:
                return expected
            if not math.isfinite(number):
                return expected
        if not self.low <= number <= self.high:
            return expected
        return None


ECS_DESIRED_COUNT = NumberBounds(0, 5_000, True, "ECS allows at most 5,000 tasks per service")
KUBE_REPLICAS = NumberBounds(0, 2_147_483_647, True, "a Kubernetes replica count is an int32")
ECS_MEMORY_MIB = NumberBounds(
    128, 25_165_824, True, "MiB; ECS takes 128 MiB up to the largest instance, 24 TiB"
)
ECS_CPU_UNITS = NumberBounds(128, 196_608, True, "CPU units; ECS takes 0.125 to 192 vCPU")
QUOTA_VALUE = NumberBounds(
    1e-9, 10_000_000_000, False, "Service Quotas takes a desired value above 0, at most 1e10"
)
