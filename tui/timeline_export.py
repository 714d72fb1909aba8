"""``ctrl+e``: the incident timeline as Markdown, in a file of its own under the state directory."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from actions.audit import AuditLog

EXPORT_DIR = "timelines"


def export_path(now: datetime) -> Path:
    """``<state dir>/timelines/timeline-20251112T000000Z.md``."""
    from actions.paths import state_dir

    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return state_dir() / EXPORT_DIR / f"timeline-{stamp}.md"


def export_timeline(
    audit: AuditLog, shown: Callable[[str], str], now: datetime | None = None
) -> tuple[Path, int]:
    """Write the timeline (through ``shown``: masked in presenter mode); the path and event count.

    Runs in a worker thread. A second export within the same second gets a suffix
    rather than overwriting the first.
    """
    from actions.timeline import timeline, timeline_markdown

    events = timeline(audit)
    path = export_path(datetime.now(UTC) if now is None else now)
    path.parent.mkdir(parents=True, exist_ok=True)
    candidate, number = path, 1
    while candidate.exists():
        number += 1
        candidate = path.with_name(f"{path.stem}-{number}{path.suffix}")
    candidate.write_text(shown(timeline_markdown(events)), encoding="utf-8")
    return candidate, len(events)
