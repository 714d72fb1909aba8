"""The plan preview: what an action would change, its checks and commands; apply or cancel.

Plain data in (``PlanPreviewData``): the widget knows nothing of actions or AWS.
How the person confirms depends on the danger: a yes for ``safe``, a yes on a
button in warning colours for ``risky``, and for ``destructive`` the resource
name typed exactly before the apply button enables. A plan with a failed
check cannot be applied, and says why; one that would change nothing says so
and has no Apply button at all (Close).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

DANGER_WORDS = {
    "safe": "SAFE",
    "risky": "RISKY: check the changes before you apply",
    "destructive": "DESTRUCTIVE: cannot be undone",
}
_DANGER_STYLE = {
    "safe": "bold green",
    "risky": "bold black on yellow",
    "destructive": "bold white on red",
}
_BUTTON_VARIANT = {"safe": "success", "risky": "warning", "destructive": "error"}


@dataclass(frozen=True)
class PlanPreviewData:
    """A plan as the preview shows it (strings only; secrets already kept out)."""

    title: str  # "retag-latest  ecr:nova/cdn-service"
    summary: str
    danger: str  # "safe", "risky" or "destructive"
    checks: tuple[tuple[str, bool, str], ...] = ()  # (name, passed, detail)
    changes: tuple[tuple[str, str, str, str], ...] = ()  # (resource, field, before, after)
    commands: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    confirm_text: str | None = None  # destructive: what the person types
    where: str = ""  # region or context, shown under the title
    changed: str | None = None  # shown in warning colours when the state moved under a plan

    @property
    def ready(self) -> bool:
        """Every check passed."""
        return all(passed for _, passed, _ in self.checks)

    @property
    def changes_nothing(self) -> bool:
        """Applying would change nothing."""
        return not self.changes

    @property
    def refusal(self) -> str | None:
        """Why this plan cannot be applied at all, or None."""
        failed = next(((name, detail) for name, passed, detail in self.checks if not passed), None)
        if failed is not None:
            name, detail = failed
            return f"cannot apply: {name}" + (f" ({detail})" if detail else "")
        if self.changes_nothing:
            return "nothing to change: this is already in place"
        return None


def checks_table(checks: tuple[tuple[str, bool, str], ...]) -> Table:
    """✓/✗, the check, its detail."""
    table = Table.grid(padding=(0, 1))
    table.add_column(width=1)
    table.add_column()
    table.add_column(style="dim")
    for name, passed, detail in checks:
        mark = Text("✓", style="bold green") if passed else Text("✗", style="bold red")
        table.add_row(mark, Text(name, style="" if passed else "bold red"), Text(detail))
    return table


def changes_text(changes: tuple[tuple[str, str, str, str], ...]) -> Text:
    """Each change as ``resource  field`` over ``before -> after`` (values can be long)."""
    text = Text()
    for index, (resource, field, before, after) in enumerate(changes):
        if index:
            text.append("\n")
        text.append(resource, style="bold")
        text.append(f"  {field}\n", style="cyan")
        text.append("  ")
        text.append(before or "—", style="red")
        # Long values (image URIs, policies) each get a line of their own.
        text.append(" -> " if len(before) + len(after) < 90 else "\n  -> ", style="bold")
        text.append(after, style="green")
    return text


class PlanPreview(ModalScreen[bool]):
    """Shows a plan; dismisses with True only when the person confirms an applicable plan."""

    DEFAULT_CSS = """
    PlanPreview { align: center middle; }
    PlanPreview > #plan-box {
        width: 116; max-width: 98%; height: auto; max-height: 96%;
        border: round $success; border-title-style: bold; background: $surface; padding: 0 1;
    }
    PlanPreview.-risky > #plan-box { border: round $warning; }
    PlanPreview.-destructive > #plan-box { border: round $error; }
    PlanPreview #plan-body { height: auto; max-height: 100%; }
    PlanPreview #plan-foot { dock: bottom; height: auto; }
    PlanPreview .plan-heading { color: $text-muted; text-style: bold; margin-top: 1; }
    PlanPreview #plan-summary { text-style: bold; }
    PlanPreview #plan-changed { background: $warning 30%; color: $text; padding: 0 1; }
    PlanPreview #plan-refusal { color: $text-error; text-style: bold; margin-top: 1; }
    PlanPreview #plan-commands { background: $boost; padding: 0 1; }
    PlanPreview #plan-confirm-label { margin-top: 1; }
    PlanPreview #plan-confirm { background: $boost; }
    PlanPreview #plan-confirm:focus { background: $error 25%; }
    PlanPreview #plan-buttons { height: auto; margin-top: 1; }
    PlanPreview #plan-buttons Button { margin-right: 2; }
    PlanPreview #plan-hint { color: $text-muted; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,n", "cancel", "Cancel", id="preview.cancel"),
        Binding("a", "apply", "Apply", id="preview.apply"),
        Binding("y", "copy_commands", "Copy commands", id="preview.copy"),
        Binding("e", "edit", "Edit parameters", id="preview.edit"),
    ]

    def __init__(self, data: PlanPreviewData, *, editable: bool = False) -> None:
        super().__init__(classes=f"-{data.danger}")
        self.data = data
        self.editable = editable
        self.edit_requested = False
        """Set when the person chose to change the parameters (dismissed with False)."""

    @property
    def typed_ok(self) -> bool:
        """For destructive plans: the confirmation text is typed exactly (always True otherwise)."""
        if self.data.danger != "destructive" or not self.data.confirm_text:
            return True
        return self.query_one("#plan-confirm", Input).value == self.data.confirm_text

    @property
    def can_apply(self) -> bool:
        """Ready, changes something, and (destructive) confirmed by typing."""
        return self.data.refusal is None and self.typed_ok

    def compose(self) -> ComposeResult:
        """Title, summary, checks, changes, commands, notes; confirmation and buttons below."""
        data = self.data
        with Vertical(id="plan-box") as box:
            box.border_title = Text(data.title)  # names from outside: never markup
            box.border_subtitle = Text(data.where)
            with VerticalScroll(id="plan-body"):
                yield Static(Text(data.summary), id="plan-summary")
                if data.changed:
                    yield Static(Text(data.changed), id="plan-changed")
                yield Static(
                    Text(
                        DANGER_WORDS.get(data.danger, data.danger),
                        style=_DANGER_STYLE.get(data.danger, ""),
                    ),
                    id="plan-danger",
                )
                yield Static("checks", classes="plan-heading")
                yield Static(checks_table(data.checks) if data.checks else "none", id="plan-checks")
                yield Static("changes", classes="plan-heading")
                if data.changes:
                    yield Static(changes_text(data.changes), id="plan-changes")
                else:
                    yield Static(Text("none: already in place", style="dim"), id="plan-changes")
                yield Static("equivalent commands (y copies them)", classes="plan-heading")
                yield Static(Text("\n".join(data.commands) or "—"), id="plan-commands")
                if data.notes:
                    yield Static("notes", classes="plan-heading")
                    yield Static(Text("\n".join(data.notes), style="dim"), id="plan-notes")
            refusal = data.refusal
            # Docked: the confirmation and buttons stay on screen while the plan scrolls.
            with Vertical(id="plan-foot"):
                if refusal is not None:
                    yield Static(Text(refusal), id="plan-refusal")
                elif data.danger == "destructive" and data.confirm_text:
                    yield Static(
                        Text.assemble("type ", (data.confirm_text, "bold"), " to confirm"),
                        id="plan-confirm-label",
                    )
                    yield Input(placeholder=data.confirm_text, compact=True, id="plan-confirm")
                with Horizontal(id="plan-buttons"):
                    if not data.changes_nothing:  # nothing to apply: no Apply to press
                        label = "Apply" if data.danger == "safe" else f"Apply ({data.danger})"
                        yield Button(
                            label,
                            id="plan-apply",
                            variant=_BUTTON_VARIANT.get(data.danger, "primary"),  # type: ignore[arg-type]
                            disabled=True,
                        )
                    yield Button("Close" if data.changes_nothing else "Cancel", id="plan-cancel")
                hint = "y copy commands · " + ("e edit parameters · " if self.editable else "")
                hint += "esc cancel"
                if refusal is None and data.danger == "destructive":
                    hint = "type it, then enter applies · esc cancel (tab to the buttons for y, e)"
                elif refusal is None and data.danger == "risky":
                    hint = "a apply (Cancel has the focus: enter cancels) · " + hint
                elif refusal is None:
                    hint = "enter apply · " + hint
                yield Static(hint, id="plan-hint")

    def on_mount(self) -> None:
        """Focus what the person does next: type, apply, or cancel.

        A risky plan opens with Cancel focused, so an enter meant for the screen
        before does not apply it; ``a`` (or tab, enter) applies.
        """
        self._update_apply()
        if self.data.refusal is not None or self.data.danger == "risky":
            self.query_one("#plan-cancel", Button).focus()
        elif self.data.danger == "destructive" and self.data.confirm_text:
            self.query_one("#plan-confirm", Input).focus()
        else:
            self.query_one("#plan-apply", Button).focus()

    def _update_apply(self) -> None:
        for button in self.query("#plan-apply").results(Button):
            button.disabled = not self.can_apply

    @on(Input.Changed, "#plan-confirm")
    def _typed(self) -> None:
        self._update_apply()

    @on(Input.Submitted, "#plan-confirm")
    def _submitted(self) -> None:
        self.action_apply()

    @on(Button.Pressed, "#plan-apply")
    def _apply_pressed(self) -> None:
        self.action_apply()

    @on(Button.Pressed, "#plan-cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    def action_apply(self) -> None:
        """Apply, when the plan allows it; otherwise say why not."""
        if self.can_apply:
            self.dismiss(True)
            return
        refusal = self.data.refusal
        if refusal is None and self.data.confirm_text:
            refusal = f"type {self.data.confirm_text} exactly to confirm"
        self.app.bell()
        self.notify(refusal or "cannot apply", severity="warning", timeout=4)

    def action_edit(self) -> None:
        """Back to the parameters (nothing is applied)."""
        if self.editable:
            self.edit_requested = True
            self.dismiss(False)

    def action_cancel(self) -> None:
        """Change nothing."""
        self.dismiss(False)

    def action_copy_commands(self) -> None:
        """Copy the equivalent command lines to the clipboard (OSC 52)."""
        text = "\n".join(self.data.commands)
        if not text:
            return
        self.app.copy_to_clipboard(text)
        count = len(self.data.commands)
        self.notify(f"copied {count} command line{'s' if count > 1 else ''}", timeout=3)
