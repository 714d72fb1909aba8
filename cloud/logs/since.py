"""Parse ``--since``: a duration back from now (``30s``, ``10m``, ``2h``, ``1d``) or an ISO time."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime

_UNITS_MS = {"s": 1_000, "m": 60_000, "h": 3_600_000, "d": 86_400_000, "w": 604_800_000}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$", re.IGNORECASE)


class SinceError(ValueError):
    """``--since`` could not be read; ``str()`` is one line naming the accepted forms."""


def parse_since(text: str, now_ms: int | None = None) -> int:
    """Return the epoch ms that ``text`` names.

    ``30s``, ``10m``, ``2h``, ``1d``, ``1w`` count back from ``now_ms`` (default:
    now); anything else must be an ISO 8601 date or time (``2024-05-01``,
    ``2024-05-01T12:00``, ``...Z`` or with an offset; a time without a zone is UTC).
    """
    now = int(time.time() * 1000) if now_ms is None else now_ms
    match = _DURATION.match(text)
    if match:
        amount, unit = float(match.group(1)), match.group(2).lower()
        return now - int(amount * _UNITS_MS[unit])
    raw = text.strip()
    if raw.endswith(("Z", "z")):
        raw = raw[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise SinceError(
            f"cannot read --since {text!r}: use 30s, 10m, 2h, 1d or an ISO time "
            "such as 2024-05-01T12:00:00Z"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)
