"""One build: its phases with durations and the messages (contexts) of the failed ones."""

from __future__ import annotations

from rich.text import Text

from cloud.records import BuildRecord, PhaseRecord
from tui.context.formatting import duration, status_text, timestamp
from tui.context.state import ConsoleContext
from tui.screens.detail import DetailScreen
from widgets.detail_view import DetailSection


def phase_row(phase: PhaseRecord, running: bool) -> tuple[str | Text, ...]:
    """One phase as a row; a phase without status is under way only while the build runs."""
    contexts = Text("\n".join(phase.contexts), style="red" if phase.status == "FAILED" else "")
    return (
        phase.phase_type,
        status_text(phase.status or ("IN_PROGRESS" if running else None)),
        duration(phase.duration_seconds),
        timestamp(phase.start),
        contexts if phase.contexts else Text("—", style="dim"),
    )


class BuildDetail(DetailScreen):
    """A build's phases, in order."""

    def __init__(self, context: ConsoleContext, build: BuildRecord) -> None:
        self.build = build
        number = f"#{build.number}" if build.number is not None else build.build_id
        self.title_text = f"build {build.project} {number}  ({build.region})"
        super().__init__(context)

    def log_subject(self) -> object | None:
        """``l`` follows this build's log."""
        return self.build

    def sections(self) -> list[DetailSection]:
        """Build facts, then phases."""
        b = self.build
        return [
            DetailSection(
                "build",
                fields=(
                    ("id", b.build_id),
                    ("status", status_text(b.status)),
                    ("current phase", b.current_phase or "—"),
                    ("started", timestamp(b.start)),
                    ("ended", timestamp(b.end)),
                    ("duration", duration(b.duration_seconds)),
                    ("source version", b.source_version or "—"),
                    ("initiator", b.initiator or "—"),
                    ("logs", f"{b.log_group or '—'} {b.log_stream or ''}".strip()),
                ),
            ),
            DetailSection(
                "phases",
                columns=("PHASE", "STATUS", "DURATION", "STARTED", "CONTEXT"),
                rows=tuple(phase_row(p, b.status == "IN_PROGRESS") for p in b.phases),
                empty="no phases reported",
            ),
        ]
