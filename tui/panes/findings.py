"""The findings pane: what is wrong, where, and the key that fixes it; the console opens on it.

It reads nothing itself: every time one of the four panes has a new fetch,
``find`` runs in a thread over the latest fetch of each (no second read of
the cloud), the findings are recorded for the incident timeline, and the rows
are replaced. A finding whose cause is gone is simply not found again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.worker import get_current_worker

from cloud.findings import Finding, Snapshot
from cloud.records import Fetched, FetchError, Flag, Severity
from tui.context import ConsoleContext
from tui.finding_fixes import fix_label, fix_state, start_fix
from tui.panes.base import ResourcePane
from widgets.resource_table import TableColumn

SOURCES: tuple[str, ...] = ("repositories", "builds", "services", "quotas")
"""The panes whose fetches the findings are computed from, in ``Snapshot`` order."""

TITLE_WIDTH = (36, 60)
"""The narrowest and widest the title column gets."""

SEVERITY_WORDS: dict[Severity, tuple[str, str]] = {
    Severity.CRITICAL: ("CRIT", "bold red"),
    Severity.WARNING: ("WARN", "yellow"),
    Severity.INFO: ("info", "cyan"),
}


@dataclass
class FindingsFound(Message):
    """``find`` finished over the panes' latest fetches."""

    findings: tuple[Finding, ...]
    errors: tuple[FetchError, ...]
    record_error: str | None = None  # why the timeline could not be written, if it could not


def severity_text(severity: Severity) -> Text:
    """``CRIT`` in red, ``WARN`` in yellow, ``info`` in cyan (readable without colour too)."""
    word, style = SEVERITY_WORDS[severity]
    return Text(word, style=style)


def where_text(finding: Finding, context: ConsoleContext) -> str:
    """``ecr:nova/cdn-service`` with its region (or kube context) when the console has several."""
    place = finding.region or context.session.kube_context
    if place and (context.multi_region or finding.region is None):
        return f"{finding.where}  {place}"
    return finding.where


class FindingsPane(ResourcePane[Finding]):
    """Findings, critical first; ``enter`` shows the evidence, ``f`` opens the first fix."""

    pane = "findings"
    noun = "findings"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "f",
            "fix(0)",
            "Fix",
            id="finding.fix",
            tooltip="Open the plan preview of the selected finding's first fix",
        ),
    ]

    def __init__(self, context: ConsoleContext) -> None:
        super().__init__(context)
        self.latest: dict[str, Fetched[Any]] = {}
        """The newest fetch of each source pane."""
        self.computing = False
        self.border_title = "findings: reading the panes…"

    @property
    def busy(self) -> bool:
        """While ``find`` runs."""
        return self.computing

    # --- rows ----------------------------------------------------------------

    def columns(self) -> list[TableColumn]:
        """Severity, title, fix key, where; the title takes what the terminal's width allows."""
        title = max(TITLE_WIDTH[0], min(TITLE_WIDTH[1], (self.size.width or 120) - 64))
        return [
            TableColumn("severity", "SEV", width=4),
            TableColumn("name", "FINDING", width=title),
            TableColumn("fix", "FIX (f, enter for all)", width=24),
            TableColumn("where", "WHERE"),
        ]

    def on_resize(self) -> None:
        """A narrower terminal: a narrower title column, so the fix key stays in view."""
        wanted = self.columns()
        if self.is_mounted and list(self.table.table_columns) != wanted:
            keep = self.table.selected_key()
            self.table.set_columns(wanted)
            if keep is not None:
                self.table.select_key(keep)

    def row_key(self, record: Finding) -> str:
        """The finding's id (stable across refreshes)."""
        return record.id

    def sort_name(self, record: Finding) -> str:
        """By id within a severity, like ``shipdeck doctor``."""
        return record.id

    def flags(self, record: Finding) -> tuple[Flag, ...]:
        """The finding as one flag, for the severity marker and the order."""
        return (Flag(record.kind, record.severity, record.title),)

    def cells(self, record: Finding, now: datetime) -> tuple[str | Text, ...]:
        """One row."""
        fix = Text("—", style="dim")
        if record.fixes:
            fix = Text.assemble(("f ", "bold"), fix_label(record.fixes[0]))
            if len(record.fixes) > 1:
                fix.append(f" +{len(record.fixes) - 1}", style="dim")
        return (
            severity_text(record.severity),
            record.title,
            fix,
            where_text(record, self.context),
        )

    def detail(self, record: Finding) -> Screen[None] | None:
        """Evidence, cause and every fix."""
        from tui.screens.finding_detail import FindingDetail

        return FindingDetail(self.context, record.id, record)

    def finding(self, finding_id: str) -> Finding | None:
        """The finding with ``finding_id`` if the last computation found it."""
        return self.records.get(finding_id)

    # --- computing -------------------------------------------------------------

    def source_fetched(self, pane: str, fetched: Fetched[Any]) -> None:
        """A source pane has a new fetch: find again once every source has one."""
        if pane not in SOURCES:
            return
        self.latest[pane] = fetched
        missing = [name for name in SOURCES if name not in self.latest]
        if missing:
            if self.fetched_at is None:
                self.border_title = f"findings: waiting for {', '.join(missing)}…"
            return
        latest = self.latest
        snapshot = Snapshot(
            latest["repositories"], latest["builds"], latest["services"], latest["quotas"]
        )
        self.computing = True
        self.run_worker(
            partial(self._find, snapshot),
            name="findings",
            group="findings",
            thread=True,
            exclusive=True,
            exit_on_error=False,
            description="find problems",
        )

    def _find(self, snapshot: Snapshot) -> None:
        """Worker thread: the rules, then the timeline's state file; the rows go by message."""
        from actions.timeline import record_findings
        from cloud.findings import find

        findings = find(snapshot)
        record_error = None
        try:
            record_findings(
                findings, complete=not snapshot.errors, regions=self.context.session.regions
            )
        except OSError as exc:
            record_error = f"{exc.strerror or exc}: {getattr(exc, 'filename', '') or ''}"
        if not get_current_worker().is_cancelled:
            self.post_message(FindingsFound(tuple(findings), snapshot.errors, record_error))

    @on(FindingsFound)
    def _found(self, message: FindingsFound) -> None:
        message.stop()
        self.computing = False
        self.show_fetched(Fetched(message.findings, message.errors), self.context.clock())
        if message.record_error:
            self.notify(
                message.record_error, title="could not record the timeline", severity="warning"
            )

    def update_title(self) -> None:
        """``findings (52: 9 critical)``, or ``findings (3/52) /cdn`` while filtered."""
        if self.fetched_at is None:
            return
        super().update_title()
        critical = sum(1 for f in self.records.values() if f.severity is Severity.CRITICAL)
        if critical and not self.table.filter_text:
            self.border_title = f"findings ({len(self.records)}: {critical} critical)"
        elif not self.records:
            self.border_title = "findings (0): nothing wrong was found"

    # --- fix key -----------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """``f`` is greyed when the selected finding has no fix (or read-only forbids it)."""
        if action == "fix":
            finding = self.selected()
            index = int(str(parameters[0])) if parameters else 0
            if finding is None or index >= len(finding.fixes):
                return None
            return fix_state(self.context, finding.fixes[index])
        return super().check_action(action, parameters)

    def on_data_table_row_highlighted(self) -> None:
        """Another row: ``f`` may apply or not."""
        self.refresh_keys()

    def action_fix(self, index: int) -> None:
        """Open the preview of the selected finding's fix number ``index`` (0 = the first)."""
        finding = self.selected()
        if finding is not None and index < len(finding.fixes):
            start_fix(self, self.context, finding.fixes[index], origin=None)
