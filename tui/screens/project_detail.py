"""A CodeBuild project: its settings, why it cannot build (if so), and its recent builds."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.widget import Widget

from cloud.model.ref import ResourceRef
from cloud.records import BuildRecord, ProjectRecord
from tui.context.formatting import age, duration, number, status_text, timestamp
from tui.context.messages import DetailFetched
from tui.context.presenter import mask_rows
from tui.context.state import ConsoleContext
from tui.flows.action_keys import KIND_KEYS
from tui.flows.remediation import RemediationHost, bindings
from tui.screens.detail import DetailScreen, error_section
from widgets.chart import chart
from widgets.detail_view import DetailSection, DetailView
from widgets.resource_table import ResourceTable, TableColumn, TableRow

BUILD_COLUMNS = [
    TableColumn("number", "#"),
    TableColumn("status", "STATUS"),
    TableColumn("phase", "PHASE"),
    TableColumn("started", "STARTED"),
    TableColumn("age", "AGE"),
    TableColumn("duration", "DURATION"),
    TableColumn("source", "SOURCE", width=14),
    TableColumn("initiator", "INITIATOR", width=24),
]

_SEVERITY = {"FAILED": "critical", "FAULT": "critical", "TIMED_OUT": "critical"}


DURATION_TARGET_MINUTES = 20.0  # the runbooks' targets: builds under 20 min, 95 % succeed
SUCCESS_TARGET = 0.95
_FAILED = frozenset({"FAILED", "FAULT", "TIMED_OUT"})
_OUTCOME_STYLE = {"SUCCEEDED": "green", "STOPPED": "yellow", "IN_PROGRESS": "yellow"}


def history_section(builds: Sequence[BuildRecord]) -> DetailSection | None:
    """The recent builds as a chart: duration (minutes) against 20 min, coloured by outcome,
    with the success rate against 95 %."""
    ordered = sorted(
        (b for b in builds if b.start is not None),
        key=lambda b: b.start or datetime.min,
    )
    if not ordered:
        return None
    finished = [b for b in ordered if b.status in _FAILED or b.status == "SUCCEEDED"]
    values = [
        None if b.duration_seconds is None else round(b.duration_seconds / 60, 1) for b in ordered
    ]
    text = chart(
        values,
        title=f"duration of the last {len(ordered)} builds",
        unit="min",
        threshold=DURATION_TARGET_MINUTES,
        threshold_from="target",
        colors=[
            "bold red" if b.status in _FAILED else _OUTCOME_STYLE.get(b.status, "dim")
            for b in ordered
        ],
        span="oldest|newest",
    )
    if finished:
        good = sum(1 for b in finished if b.status == "SUCCEEDED")
        rate = good / len(finished)
        text.append(f"\n{'':8}succeeded {good} of {len(finished)} finished: ")
        text.append(f"{rate:.0%}", style="bold red" if rate < SUCCESS_TARGET else "bold green")
        text.append(f" (target > {SUCCESS_TARGET:.0%})", style="dim")
    text.append(
        f"\n{'':8}green succeeded · red failed, fault or timed out · yellow running or stopped",
        style="dim",
    )
    return DetailSection("build history", text=text)


def build_row(build: BuildRecord, now: datetime) -> TableRow:
    """One build as a table row."""
    return TableRow(
        build.build_id,
        (
            str(build.number) if build.number is not None else "—",
            status_text(build.status),
            build.current_phase or "—",
            timestamp(build.start),
            age(build.start, now),
            duration(build.duration_seconds),
            (build.source_version or "—")[:14],
            build.initiator or "—",
        ),
        _SEVERITY.get(build.status),
    )


class ProjectDetail(RemediationHost, DetailScreen):
    """A project's facts and builds; ``enter`` on a build shows its phases."""

    BINDINGS: ClassVar[list[BindingType]] = bindings(KIND_KEYS["codebuild"])
    remediation_keys = KIND_KEYS["codebuild"]

    def __init__(self, context: ConsoleContext, ref: ResourceRef) -> None:
        self.title_text = f"project {ref.name}  ({ref.scope})"
        self.builds: dict[str, BuildRecord] = {}
        super().__init__(context, ref)

    def remediation_record(self) -> object | None:
        """The resource this screen is about."""
        return self.record

    def remediation_selected(self) -> object | None:
        """Stop and retry act on the build under the cursor."""
        return self.remediation_build()

    def log_subject(self) -> object | None:
        """``l`` follows the selected build's log, else the project's last build."""
        return self.remediation_build() or self.record

    def remediation_build(self) -> BuildRecord | None:
        """The build under the cursor (stop and retry act on it)."""
        if not self.is_mounted:
            return None
        key = self.query_one(ResourceTable).selected_key()
        return None if key is None else self.builds.get(key)

    def compose_body(self) -> ComposeResult:
        """Facts above, builds below."""
        yield DetailView()
        yield ResourceTable(BUILD_COLUMNS, id="builds")

    def focus_target(self) -> Widget:
        """The builds, where enter does something."""
        return self.query_one(ResourceTable)

    @work(
        thread=True,
        exclusive=True,
        group="detail",
        exit_on_error=False,
        description="read the project's builds",
    )
    def load(self) -> None:
        """Read the recent builds (in a thread)."""
        from cloud.inventory import fetch_builds

        assert self.ref is not None
        fetched = fetch_builds(self.context.session_for(self.ref), self.ref.scope, self.ref.name)
        self.post_message(DetailFetched("builds", fetched))

    def show(self) -> None:
        """Facts in the detail view, builds in the table."""
        super().show()
        fetched = self.parts.get("builds")
        if fetched is None:
            return
        table = self.query_one(ResourceTable)
        now = self.context.clock()
        builds = [b for b in fetched.records if isinstance(b, BuildRecord)]
        self.builds = {b.build_id: b for b in builds}
        rows = [build_row(b, now) for b in builds]
        table.set_rows(mask_rows(rows) if self.context.presenter else rows)
        table.border_title = f"builds ({len(builds)}) — enter shows phases"

    def sections(self) -> list[DetailSection]:
        """Project facts, blocked reason, flags."""
        p = self.record_as(ProjectRecord)
        if p is None:
            return [DetailSection("project", empty="reading…")]
        sections = [
            DetailSection(
                "project",
                fields=(
                    ("source", f"{p.source_type} {p.source_location or ''}".strip()),
                    ("compute", f"{p.compute_type} ({p.environment_type})"),
                    ("image", p.image),
                    ("privileged", "yes" if p.privileged else "no"),
                    ("service role", p.service_role or "—"),
                    ("log group", p.log_group or "—"),
                    ("timeout", f"{p.timeout_minutes} min" if p.timeout_minutes else "—"),
                    ("concurrent build limit", _limit(p.concurrent_build_limit)),
                ),
            )
        ]
        if p.blocked is not None:
            b = p.blocked
            sections.append(
                DetailSection(
                    "cannot start builds",
                    fields=(
                        ("quota", f"{b.quota_code} {b.quota_name}"),
                        ("applied", number(b.applied_value)),
                        ("AWS default", number(b.default_value, missing="—")),
                        ("effective concurrency", str(b.effective_concurrency)),
                        ("queue capacity", f"{b.queue_capacity} (5 x concurrency)"),
                        ("project limit", _limit(b.project_limit)),
                    ),
                    text=Text(b.explanation, style="bold red"),
                )
            )
        sections.append(self.flags_section())
        fetched = self.parts.get("builds")
        if fetched is not None:
            sections += error_section(fetched.errors)
        builds = fetched.records if fetched is not None and fetched.records else p.recent_builds
        history = history_section([b for b in builds if isinstance(b, BuildRecord)])
        if history is not None:
            sections.append(history)
        return sections

    @on(ResourceTable.RowSelected, "#builds")
    def _open_build(self, message: ResourceTable.RowSelected) -> None:
        build = self.builds.get(message.key)
        if build is not None:
            from tui.screens.build_detail import BuildDetail

            self.app.push_screen(BuildDetail(self.context, build))


def _limit(value: int | None) -> str | Text:
    if value is None:
        return "none (unlimited)"
    return Text(str(value), style="bold red") if value <= 0 else str(value)
