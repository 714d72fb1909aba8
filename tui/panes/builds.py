"""The builds pane: CodeBuild projects, their last build and whether they can start one at all."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.screen import Screen

from cloud.records import Fetched, Flag, ProjectRecord
from cloud.session import CloudSession
from tui.action_flow import RemediationHost
from tui.formatting import age, duration, flags_text, status_text
from tui.panes.base import FLAGS_WIDTH, ResourcePane
from tui.remediations import BUILD_KEYS, bindings
from widgets.resource_table import TableColumn

_HISTORY_MARKS = {
    "SUCCEEDED": ("✓", "green"),
    "FAILED": ("✗", "red"),
    "FAULT": ("✗", "red"),
    "TIMED_OUT": ("⏱", "red"),
    "STOPPED": ("■", "dim"),
    "IN_PROGRESS": ("…", "yellow"),
}


def history(statuses: tuple[str, ...]) -> Text:
    """Recent build results as marks, oldest left, newest right (``✓✓✗✓``)."""
    line = Text()
    for status in reversed(statuses):
        mark, style = _HISTORY_MARKS.get(status, ("?", "dim"))
        line.append(mark, style=style)
    return line


# The key that opens the fallback screen (imported when used: it brings the log view).
OPEN_FALLBACK = Binding(
    "b",
    "fallback",
    "Build here",
    id="builds.fallback",
    tooltip="Build the project's services here and push them to ECR (CodeBuild fallback)",
)


class BuildsPane(RemediationHost, ResourcePane[ProjectRecord]):
    """CodeBuild projects in every region; blocked ones first."""

    pane = "builds"
    BINDINGS: ClassVar[list[BindingType]] = [*bindings(BUILD_KEYS), OPEN_FALLBACK]
    remediation_keys = BUILD_KEYS

    def action_fallback(self) -> None:
        """``b``: build the selected project's services here and push them to ECR."""
        record = self.selected()
        if record is not None:
            from tui.screens.fallback import FallbackScreen

            self.app.push_screen(FallbackScreen(self.context, record.name, record.region))

    @staticmethod
    def fetch(session: CloudSession) -> Fetched[Any]:
        """All projects with their last builds and blocked reasons."""
        from cloud.inventory import fetch_projects

        return fetch_projects(session)

    def columns(self) -> list[TableColumn]:
        """Project, last build, history, compute, flags."""
        return [
            *self.region_columns(),
            TableColumn("name", "PROJECT"),
            TableColumn("flags", "FLAGS", width=FLAGS_WIDTH),
            TableColumn("status", "LAST BUILD"),
            TableColumn("phase", "PHASE"),
            TableColumn("started", "STARTED"),
            TableColumn("duration", "DURATION"),
            TableColumn("history", "RECENT"),
            TableColumn("compute", "COMPUTE"),
        ]

    def row_key(self, record: ProjectRecord) -> str:
        """Region and name."""
        return f"{record.region}/{record.name}"

    def sort_name(self, record: ProjectRecord) -> str:
        """By name within a severity."""
        return f"{record.name}/{record.region}"

    def flags(self, record: ProjectRecord) -> tuple[Flag, ...]:
        """The record's own flags (blocked, failing history, ...)."""
        return record.flags

    def cells(self, record: ProjectRecord, now: datetime) -> tuple[str | Text, ...]:
        """One row of the builds table."""
        last = record.last_build
        number = f"#{last.number} " if last is not None and last.number is not None else ""
        status = status_text(last.status if last else None)
        if last is not None:
            status = Text(number) + status
        elif record.blocked is not None:
            status = Text("cannot start", style="bold red")
        return (
            *self.region_cells(record.region),
            record.name,
            flags_text(record.flags),
            status,
            (last.current_phase or "—") if last else "—",
            age(last.start, now) if last else "—",
            duration(last.duration_seconds) if last else "—",
            history(record.recent_statuses),
            record.compute_type.removeprefix("BUILD_GENERAL1_"),
        )

    def detail(self, record: ProjectRecord) -> Screen[None] | None:
        """The project's recent builds."""
        from tui.screens.project_detail import ProjectDetail

        return ProjectDetail(self.context, record)

    def remediation_record(self) -> object | None:
        """The selected row's record."""
        return self.selected()
