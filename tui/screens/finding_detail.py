"""One finding: what shows it (evidence), why (cause), and every fix with its key and command.

The screen follows the model: when a diagnosis no longer finds the finding
(its cause is gone), it says so at the top instead of going stale.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType

from cloud.findings import Finding
from cloud.incident import ModelState
from tui.context.formatting import severity_text, where_text
from tui.context.state import ConsoleContext
from tui.flows.remediation import fix_state, greyed_reason, launch
from tui.screens.detail import DetailScreen
from widgets.detail_view import DetailSection

FIX_KEYS = 9


def _fix_bindings() -> list[BindingType]:
    bindings: list[BindingType] = [
        Binding("f", "fix(0)", "Fix", id="finding.fix", tooltip="The first fix's plan preview"),
    ]
    for number in range(1, FIX_KEYS + 1):
        bindings.append(
            Binding(
                str(number),
                f"fix({number - 1})",
                f"Fix {number}",
                id=f"finding.fix-{number}",
                show=False,
                tooltip=f"The plan preview of fix {number}",
            )
        )
    return bindings


class FindingDetail(DetailScreen):
    """Evidence, cause and fixes of one finding; ``f`` or ``1``..``9`` open a fix."""

    BINDINGS: ClassVar[list[BindingType]] = _fix_bindings()

    def __init__(self, context: ConsoleContext, finding: Finding) -> None:
        self.finding_id = finding.id
        self.finding = finding
        """The finding as last found (kept when a diagnosis no longer finds it)."""
        self.resolved = False
        self.title_text = f"finding {finding.title}"
        super().__init__(context, None)

    def model_changed(self, state: ModelState, parts: tuple[str, ...]) -> None:
        """A new diagnosis: the finding as it is now, or resolved."""
        if not state.complete:
            return
        current = state.diagnosis.finding(self.finding_id)
        self.resolved = current is None
        if current is not None:
            self.finding = current
        self.show()
        self.refresh_bindings()

    def log_subject(self) -> object | None:
        """``l`` follows the log of the resource the finding is about."""
        return self.context.state.record(self.finding.ref)

    def action_refresh(self) -> None:
        """Read the account again; the finding follows (or is marked resolved)."""
        self.context.request(
            k for k in {m.ref.kind for m in self.finding.marks} | {self.finding.ref.kind}
        )
        self.notify("reading again…", timeout=2)

    def sections(self) -> list[DetailSection]:
        """Status, evidence, cause, fixes."""
        f = self.finding
        sections: list[DetailSection] = []
        if self.resolved:
            sections.append(
                DetailSection(
                    "resolved",
                    text=Text(
                        "✓ not found at the last read: its cause is gone", style="bold green"
                    ),
                )
            )
        sections.append(
            DetailSection(
                "finding",
                fields=(
                    ("severity", severity_text(f.severity)),
                    ("where", where_text(f.ref, multi_region=self.context.multi_region)),
                    ("id", f.id),
                ),
            )
        )
        sections.append(
            DetailSection("evidence", text="\n".join(f.evidence), empty="no evidence recorded")
        )
        sections.append(DetailSection("cause", text=Text(f.cause, style="bold")))
        fixes = Text()
        for number, fix in enumerate(f.fixes, start=1):
            if number > 1:
                fixes.append("\n")
            key = ("f / 1" if number == 1 else str(number)) if number <= FIX_KEYS else "-"
            fixes.append(f" {key} ", style="bold reverse")
            fixes.append(f"  {fix.action}", style="bold")
            if fix.note:
                fixes.append(f"  {fix.note}")
            fixes.append(f"\n    $ {fix.command()}\n", style="cyan")
        sections.append(
            DetailSection(
                "fixes (the key opens the plan preview; the command does the same from a shell)",
                text=fixes if f.fixes else None,
                empty="no action fixes this: the cause says what to change",
            )
        )
        return sections

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """A fix key works when the fix exists (hidden otherwise) and read-only allows it."""
        if action == "fix":
            index = int(str(parameters[0])) if parameters else 0
            if index >= len(self.finding.fixes):
                return None if index == 0 else False
            if self.resolved:
                return None
            return fix_state(self.context, self.finding.fixes[index])
        return super().check_action(action, parameters)

    def why_greyed(self, action: str, parameters: tuple[object, ...]) -> str | None:
        """What pressing a greyed fix key tells the person."""
        index = int(str(parameters[0])) if parameters else 0
        if action != "fix" or index >= len(self.finding.fixes):
            return None
        if self.resolved:
            return "this finding is resolved: nothing to fix"
        return greyed_reason(self.context, self.finding.fixes[index])

    def action_fix(self, index: int) -> None:
        """Open fix number ``index`` (0 = the first)."""
        if self.check_action("fix", (index,)) is True:
            launch(self.app, self.context, self.finding.fixes[index], self)
