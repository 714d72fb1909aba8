"""The findings pane: what is wrong, where, and the key that fixes it; the console opens on it.

It reads nothing itself: its rows are the model's diagnosis, the same findings
``shipdeck doctor`` prints for the same snapshot. Until every kind has been read
once it says what it waits for (no finding is guessed from half the account).
When a refresh no longer finds a finding, its cause is gone: the row goes, the
cursor stays where it was, and a notice says what was resolved.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any, ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.screen import Screen

from cloud.findings import Finding
from cloud.incident import ModelState
from cloud.model.kinds import KIND_NAMES
from cloud.records import Severity
from tui.context.formatting import severity_text, where_text
from tui.flows.batch import alike, batchable, launch_batch
from tui.flows.remediation import fix_state, greyed_reason, launch
from tui.panes.base import ResourcePane
from widgets.resource_table import KEEP, TableColumn, TableRow

TITLE_WIDTH = (36, 60)
WHERE_MIN = 16  # cells under which WHERE says nothing useful
"""The narrowest and widest the title column gets."""


class FindingsPane(ResourcePane):
    """Findings, critical first; ``enter`` shows the evidence, ``f`` opens the first fix."""

    pane = "findings"
    kinds = KIND_NAMES
    read_kinds = KIND_NAMES
    noun = "findings"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "f",
            "fix(0)",
            "Fix",
            id="finding.fix",
            tooltip="Open the plan preview of the selected finding's first fix",
        ),
        Binding(
            "F",
            "fix_alike",
            "Fix all alike",
            id="finding.fix-alike",
            tooltip="One plan fixing every finding like the selected one (same problem and fix)",
        ),
    ]

    def __init__(self, context: Any) -> None:
        super().__init__(context)
        self.found: dict[str, Finding] = {}
        self.border_title = "findings: reading the account…"

    # --- rows ----------------------------------------------------------------

    def columns(self) -> list[TableColumn]:
        """Severity, title, fix key, where; the title takes what the terminal's width allows."""
        room = (self.size.width or 120) - 2  # inside the border
        title = max(TITLE_WIDTH[0], min(TITLE_WIDTH[1], room - 62))
        # Marker, SEV, FIX and the gaps take 36 cells; WHERE has what is left.
        if room - 36 - title < WHERE_MIN:
            # Too little for a WHERE worth reading: it goes (the detail has it), and the
            # title takes its room.
            title = room - 34
        return [
            TableColumn("severity", "SEV", width=4, keep=KEEP),
            TableColumn("name", "FINDING", width=title, keep=KEEP),
            TableColumn("fix", "FIX (f, enter for all)", width=24),
            TableColumn("where", "WHERE", keep=0),
        ]

    def on_resize(self) -> None:
        """A narrower terminal: a narrower title column, so the fix key stays in view."""
        wanted = self.columns()
        if self.is_mounted and list(self.table.table_columns) != wanted:
            keep = self.table.selected_key()
            self.table.set_columns(wanted)
            if keep is not None:
                self.table.select_key(keep)

    def reset(self) -> None:
        """Another scope: no finding of the old one is kept (nor said to be resolved)."""
        self.found = {}
        super().reset()
        self.border_title = "findings: reading the account…"

    def shown(self, state: ModelState) -> bool:
        """Only a diagnosis of the whole account is shown."""
        if not state.complete:
            missing = [name for name in KIND_NAMES if not state.read((name,))]
            self.border_title = f"findings: reading {', '.join(missing)}…"
        return state.complete

    def rows(self, state: ModelState, now: datetime) -> tuple[list[TableRow], dict[str, Any]]:
        """One row per finding, in the diagnosis's order (critical first, then by id)."""
        findings = state.diagnosis.findings
        gone = [f for key, f in self.found.items() if state.diagnosis.finding(key) is None]
        if gone and self.loaded:
            titles = "; ".join(self.context.shown(f.title) for f in gone[:3])
            more = f" (+{len(gone) - 3})" if len(gone) > 3 else ""
            self.notify(f"{titles}{more}", title="resolved", timeout=8)
        self.found = {f.id: f for f in findings}
        self.refs = {f.id: f.ref for f in findings}
        groups = Counter(_group(f) for f in findings)
        return [self._row(f, groups[_group(f)]) for f in findings], dict(self.found)

    def _row(self, finding: Finding, alike: int = 1) -> TableRow:
        fix = Text("—", style="dim")
        if finding.fixes:
            fix = Text.assemble(("f ", "bold"), finding.fixes[0].action)
            if len(finding.fixes) > 1:
                fix.append(f" +{len(finding.fixes) - 1}", style="dim")
            if alike > 1 and batchable(finding.fixes[0]):
                fix.append(f" F:{alike}", style="bold")
        cells = (
            severity_text(finding.severity),
            finding.title,
            fix,
            where_text(finding.ref, multi_region=self.context.multi_region),
        )
        return TableRow(finding.id, cells, finding.severity.value)

    def detail(self) -> Screen[None] | None:
        """Evidence, cause and every fix."""
        from tui.screens.finding_detail import FindingDetail

        finding = self.selected()
        return FindingDetail(self.context, finding) if isinstance(finding, Finding) else None

    def finding(self, finding_id: str) -> Finding | None:
        """The finding with ``finding_id`` if the last diagnosis found it."""
        return self.found.get(finding_id)

    def update_title(self) -> None:
        """``findings (52: 9 critical)``, or ``findings (3/52) /cdn`` while filtered."""
        super().update_title()
        critical = sum(1 for f in self.found.values() if f.severity is Severity.CRITICAL)
        if critical and not self.table.filter_text:
            self.border_title = f"findings ({len(self.found)}: {critical} critical)"
        elif not self.found:
            self.border_title = "findings (0): nothing wrong was found"

    # --- fix key -----------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """``f`` is greyed when the selected finding has no fix (or read-only forbids it);
        ``F`` also when no other finding is like it."""
        if action == "fix":
            finding = self.selected()
            index = int(str(parameters[0])) if parameters else 0
            if not isinstance(finding, Finding) or index >= len(finding.fixes):
                return None
            return fix_state(self.context, finding.fixes[index])
        if action == "fix_alike":
            finding = self.selected()
            if not isinstance(finding, Finding) or len(self.alike(finding)) < 2:
                return None
            return fix_state(self.context, finding.fixes[0])
        return super().check_action(action, parameters)

    def why_greyed(self, action: str, parameters: tuple[object, ...]) -> str | None:
        """What pressing a greyed ``f``/``F`` tells the person."""
        if action not in ("fix", "fix_alike"):
            return None
        finding = self.selected()
        if not isinstance(finding, Finding):
            return "select a finding first"
        index = int(str(parameters[0])) if parameters else 0
        if index >= len(finding.fixes):
            return "no action fixes this finding: its cause says what to change"
        if action == "fix_alike" and len(self.alike(finding)) < 2:
            return "no other finding is like this one: f fixes it alone"
        return greyed_reason(self.context, finding.fixes[index])

    def alike(self, finding: Finding) -> list[Finding]:
        """The open findings ``F`` fixes together with ``finding`` (itself first)."""
        return alike(list(self.found.values()), finding)

    def on_resource_table_row_highlighted(self) -> None:
        """Another row: ``f`` may apply or not."""
        self.refresh_keys()

    def action_fix(self, index: int) -> None:
        """Open the preview of the selected finding's fix number ``index`` (0 = the first)."""
        finding = self.selected()
        if isinstance(finding, Finding) and index < len(finding.fixes):
            launch(self.app, self.context, finding.fixes[index], None)

    def action_fix_alike(self) -> None:
        """One plan for the first fix of every finding like the selected one."""
        finding = self.selected()
        if isinstance(finding, Finding) and finding.fixes:
            launch_batch(self.app, self.context, [f.fixes[0] for f in self.alike(finding)])


def _group(finding: Finding) -> tuple[str, str]:
    """What makes findings alike: the problem and the action that fixes it."""
    return (finding.kind, finding.fixes[0].action if finding.fixes else "")
