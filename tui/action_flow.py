"""A remediation from a key: parameters, a fresh plan, the preview, apply, the outcome, a refresh.

The flow is one async worker on the app (so closing a detail screen during an
apply does not lose its outcome): every read or write of the cloud runs in a
thread (``asyncio.to_thread``), every widget is touched on the UI thread, and
the modals are awaited with ``push_screen_wait``.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, ClassVar

from textual.dom import DOMNode

from cloud.records import BuildRecord
from tui.action_params import action_values, choices, form_fields
from tui.presenter import mask_fields, unmask_answer
from tui.remediations import RemediationKey, Target, target_for
from tui.screens.shared_preview import SharedPlanPreview
from widgets.action_form import ActionForm, FormField
from widgets.key_states import KeyStates
from widgets.plan_preview import PlanPreviewData

if TYPE_CHECKING:
    from textual.app import App

    from actions.model import Action, Plan
    from tui.context import ConsoleContext

STALE = "The state changed since the plan was shown. This is the new plan: review it again."
FOLLOW_UP_SECONDS = (3.0, 10.0)  # read the panes again as the change takes effect


# Actions whose prefilled values are only a starting point (the current count,
# the current image): the form comes first. Others go straight to the plan
# when every field has a value, and ``e`` in the preview edits them.
ALWAYS_ASK = frozenset({"scale-service", "scale-deployment", "set-image"})


def asks_first(cls: type[Action], fields: list[FormField]) -> bool:
    """Whether the form comes before the first plan."""
    if not fields:
        return False
    if cls.name in ALWAYS_ASK:
        return True
    return any((f.required and not f.value) or f.secret or f.choices for f in fields)


def mutates_cloud(action: str) -> bool:
    """Whether read-only mode forbids ``action`` (a support-case draft only writes a file)."""
    from actions.catalogue import CATALOGUE

    return CATALOGUE[action].mutates_cloud


def preview_data(plan: Plan, where: str, changed: str | None = None) -> PlanPreviewData:
    """A plan as the preview widget takes it, with anything secret-shaped masked."""
    from actions.secrets import mask_secrets as m

    return PlanPreviewData(
        title=f"{plan.action}  {m(plan.target)}",
        summary=m(plan.summary),
        danger=plan.danger.value,
        checks=tuple((m(c.name), c.passed, m(c.detail)) for c in plan.checks),
        changes=tuple((m(c.resource), m(c.field), m(c.before), m(c.after)) for c in plan.changes),
        commands=tuple(m(c) for c in plan.commands),
        notes=tuple(m(n) for n in plan.notes),
        confirm_text=plan.confirm_text,
        where=where,
        changed=changed,
    )


class RemediationFlow:
    """One run of one action on one target, from the key press to the refreshed pane."""

    def __init__(
        self, app: App[Any], context: ConsoleContext, target: Target, origin: DOMNode | None
    ) -> None:
        self.app = app
        self.context = context
        self.target = target
        self.origin = origin  # the detail screen it started from, read again afterwards
        self.typed: dict[str, str] = {}  # the parameters as last typed (to edit them again)

    @property
    def where(self) -> str:
        """The region, or the Kubernetes context."""
        return self.target.region or self.context.session.kube_context or ""

    def say(self, message: str, *, title: str = "", severity: str = "information") -> None:
        """A notification, with secrets masked."""
        from actions.secrets import mask_secrets

        self.app.notify(
            mask_secrets(message),
            title=title or self.target.action,
            severity=severity,  # type: ignore[arg-type]
            timeout=10 if severity == "error" else 6,
        )

    async def run(self) -> None:
        """The whole flow; an error anywhere is shown, never swallowed."""
        from actions.model import ActionError

        self.context.action_running = self.target.action
        try:
            await self._run()
        except ActionError as exc:
            self.say(str(exc), severity="error")
        except Exception as exc:  # noqa: BLE001 - a cloud or network failure: shown to the person
            self.say(f"{type(exc).__name__}: {exc}", severity="error")
        finally:
            self.context.action_running = None

    async def _run(self) -> None:
        from actions.catalogue import CATALOGUE

        cls = CATALOGUE[self.target.action]
        found = await asyncio.to_thread(choices, cls, self.target, self.context.session)
        fields = form_fields(cls, self.target, found)
        show_form = asks_first(cls, fields)
        while True:
            action = await self._ask(cls, fields, show_form=show_form)
            if action is None:
                return
            plan = await asyncio.to_thread(action.plan)
            result = await self._confirm_and_apply(action, plan, editable=bool(fields))
            if result == "edit":
                fields, show_form = [_refill(f, self.typed) for f in fields], True
                continue
            if result == "applied":
                self._refresh()
            return

    async def _ask(
        self, cls: type[Action], fields: list[FormField], *, show_form: bool
    ) -> Action | None:
        """The form (when it is needed) until the values make an action."""
        from actions.catalogue import make_action
        from actions.model import BadParameter

        self.typed = {f.name: f.value for f in fields}
        while True:
            if show_form:
                title = self.context.shown(f"{cls.name}  {self.target.label}")
                shown = mask_fields(fields) if self.context.presenter else fields
                answer = await self.app.push_screen_wait(ActionForm(title, shown, where=cls.title))
                if answer is None:
                    return None
                self.typed = unmask_answer(fields, shown, answer)
            try:
                values = action_values(cls, self.target, self.typed)
                return make_action(
                    cls.name,
                    self.target.target,
                    values,
                    self.context.session,
                    region=self.target.region,
                    read_only=self.context.read_only,
                    audit=self.context.audit_log(),
                )
            except BadParameter as exc:
                self.say(str(exc), severity="error")
                if not fields:
                    return None
                fields, show_form = [_refill(f, self.typed) for f in fields], True

    async def _confirm_and_apply(self, action: Action, plan: Plan, *, editable: bool) -> str:
        """Preview, and apply what was confirmed; a stale plan is shown again, fresh.

        Returns "applied", "cancelled" or "edit" (the person wants to change the parameters).
        """
        from actions.model import ReadOnlyRefused, StalePlan

        changed: str | None = None
        while True:
            data = preview_data(plan, self.where, changed)
            preview = SharedPlanPreview(self.context, data, editable=editable)
            confirmed = await self.app.push_screen_wait(preview)
            if preview.edit_requested:
                return "edit"
            if not confirmed:
                self.say("cancelled: nothing was changed", title=action.name)
                return "cancelled"
            try:
                outcome = await asyncio.to_thread(action.apply, plan)
            except StalePlan as exc:
                plan, changed = exc.fresh, STALE
                continue
            except ReadOnlyRefused as exc:
                self.say(str(exc), severity="error")
                return "cancelled"
            break
        message = outcome.message
        if outcome.ok and action.name == "draft-support-case":
            self.app.copy_to_clipboard(str(plan.internals.get("text", "")))
            message += " (the Markdown is on the clipboard)"
        self.say(
            message,
            title=f"{action.name}: {'done' if outcome.ok else 'failed'}",
            severity="information" if outcome.ok else "error",
        )
        return "applied"

    def _refresh(self) -> None:
        """Read the affected panes (and the detail it came from) now and as the change lands."""
        self._reload()
        for delay in FOLLOW_UP_SECONDS:
            self.app.set_timer(delay, self._reload)

    def _reload(self) -> None:
        from tui.screens.console import ConsoleScreen
        from tui.screens.detail import DetailScreen

        console = self.app.screen_stack[0] if self.app.screen_stack else None
        if isinstance(console, ConsoleScreen):
            for pane in self.target.panes:
                console.load(pane)
        if isinstance(self.origin, DetailScreen) and self.origin.is_attached:
            self.origin.load()


def _refill(field: FormField, typed: dict[str, str]) -> FormField:
    from dataclasses import replace

    return replace(field, value=typed.get(field.name, field.value))


class RemediationHost(KeyStates):
    """Mixed into panes and detail screens: ``remediate(NAME)`` on the selected row.

    A key is greyed (``check_action`` -> None) in read-only mode and when the
    row is not of the action's kind; when another action on the same key fits
    the row (``B``: roll back an ECS service or a Lambda function) the one that
    does not fit is hidden instead, so the footer shows the one that applies.
    """

    remediation_keys: ClassVar[tuple[RemediationKey, ...]] = ()
    context: ConsoleContext

    def remediation_record(self) -> object | None:
        """The record the keys act on (the selected row, or the detail's resource)."""
        return None

    def remediation_build(self) -> BuildRecord | None:
        """The build a build action acts on, when a build row is selected."""
        return None

    def remediation_target(self, action: str) -> Target | None:
        """What ``action`` would act on now, or None when it does not apply."""
        record = self.remediation_record()
        return None if record is None else target_for(action, record, self.remediation_build())

    def remediation_state(self, action: str) -> bool | None:
        """True: enabled; None: greyed; False: hidden (a sibling on the same key applies)."""
        if self.remediation_target(action) is None:
            keys = {k.key for k in self.remediation_keys if k.action == action}
            siblings = [
                k.action for k in self.remediation_keys if k.key in keys and k.action != action
            ]
            if any(self.remediation_target(s) is not None for s in siblings):
                return False
            return None
        if self.context.read_only and mutates_cloud(action):
            return None
        return True

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Remediation keys follow the selected row and read-only mode."""
        if action == "remediate" and parameters:
            return self.remediation_state(str(parameters[0]))
        return super().check_action(action, parameters)

    def on_data_table_row_highlighted(self) -> None:
        """Another row: other keys may apply."""
        self.refresh_keys()

    def action_remediate(self, action: str) -> None:
        """Start ``action`` on the selected row: form, plan, preview, apply."""
        target = self.remediation_target(action)
        if target is None or self.remediation_state(action) is not True:
            return
        origin = self.screen if self.screen is not self.app.screen_stack[0] else None
        launch(self.app, self.context, target, origin)


def launch(app: App[Any], context: ConsoleContext, target: Target, origin: DOMNode | None) -> None:
    """Run the flow of ``target`` as an app worker, unless another action is under way."""
    running = context.action_running
    if running is not None:
        app.notify(f"{running} is under way; one action at a time", severity="warning")
        return
    flow = RemediationFlow(app, context, target, origin)
    context.action_running = target.action  # set now, so a second key press is refused
    app.run_worker(
        flow.run(),
        name=f"action {target.action}",
        group="remediation",
        exit_on_error=False,
        description=f"{target.action} {target.target}",
    )
