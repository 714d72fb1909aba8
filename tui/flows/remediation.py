"""A remediation from a key or a finding: form, fresh plan, preview, apply, outcome, settle.

Every action of the catalogue (the fallback build included) goes through this
one flow, started from a ``Fix``: an action on a ``ResourceRef`` with starting
values. A key on a row makes the fix with the action's ``fix_for`` (and takes
the parameters a finding's fix for the same action and resource names, which
know more: the missing variable read from the pod's log); a finding's key
starts the finding's own fix. The flow is one async worker on the app (so
closing a detail screen during an apply does not lose its outcome): every read
or write of the cloud runs in a thread, every widget is touched on the UI
thread, and the modals are awaited with ``push_screen_wait``. A long-running
action shows its steps and output on a progress screen while it applies. Once
applied, the touched resources and everything they flag are read again at once
and until they settle.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, ClassVar

from textual.binding import Binding, BindingType
from textual.dom import DOMNode

from cloud.findings.model import Fix
from cloud.model.ref import ResourceRef
from cloud.text import safe_value
from tui.context.presenter import mask_fields, unmask_answer
from tui.flows.notice import done, under_way
from tui.flows.params import action_values, form_fields
from tui.flows.preview import SharedPlanPreview
from widgets.action_form import ActionForm, FormField
from widgets.key_states import KeyStates
from widgets.plan_preview import PlanPreviewData

if TYPE_CHECKING:
    from textual.app import App

    from actions.model import Action, Outcome, Plan
    from cloud.settings import Settings
    from tui.context.state import ConsoleContext

STALE = "The state changed since the plan was shown. This is the new plan: review it again."


@dataclass(frozen=True)
class RemediationKey:
    """An action of the catalogue on a key."""

    action: str  # the catalogue name, e.g. "retag-latest"
    key: str
    label: str  # short, for the footer

    @property
    def binding_id(self) -> str:
        """``action.retag-latest``: what a keymap names."""
        return f"action.{self.action}"

    def binding(self) -> Binding:
        """The binding a pane or detail screen declares."""
        return Binding(self.key, f"remediate({self.action!r})", self.label, id=self.binding_id)


def bindings(keys: tuple[RemediationKey, ...]) -> list[BindingType]:
    """The bindings of a scope, for a class's ``BINDINGS``."""
    return [key.binding() for key in dict.fromkeys(keys)]


def long_description(
    binding_id: str | None,
    description: str,
    *,
    label: bool = True,
    settings: Settings | None = None,
) -> str:
    """``Retag: Put latest on an existing image`` for an action's binding (help, palette).

    With ``settings``, the config file's own actions too, marked "(custom)".
    """
    if binding_id is None or not binding_id.startswith("action."):
        return description
    from actions.catalogue import CATALOGUE, custom_actions

    name = binding_id.removeprefix("action.")
    found = CATALOGUE.get(name)
    title = found.title if found is not None else None
    if found is None and settings is not None:
        custom = custom_actions(settings)[0].get(name)
        title = f"{custom.title} (custom)" if custom is not None else None
    if title is None:
        return description
    return f"{description}: {title}" if label else title


# Actions whose prefilled values are only a starting point (the current count,
# the current image): the form comes first. Others go straight to the plan
# when every field has a value, and ``e`` in the preview edits them.
ALWAYS_ASK = frozenset({"scale-service", "scale-deployment", "set-image"})


def asks_first(cls: type[Action], fields: list[FormField]) -> bool:
    """Whether the form comes before the first plan."""
    if not fields:
        return False
    if cls.name in ALWAYS_ASK or cls.asks_first:
        return True
    return any((f.required and not f.value) or f.secret or f.choices for f in fields)


def action_class(context: ConsoleContext, action: str) -> type[Action] | None:
    """The catalogue's ``action``, or the config file's own action of that name."""
    from actions.catalogue import action_class as find

    return find(action, context.settings)


def mutates_cloud(context: ConsoleContext, action: str) -> bool:
    """Whether read-only mode forbids ``action`` (a support-case draft only writes a file;
    an action of one's own with ``mutates = false`` only reads)."""
    cls = action_class(context, action)
    return cls is None or cls.mutates_cloud


def fix_state(context: ConsoleContext, fix: Fix) -> bool | None:
    """True: the fix's key works; None: greyed (unknown action, or read-only forbids it)."""
    if action_class(context, fix.action) is None:
        return None
    if context.reason_for(fix.ref) is not None and mutates_cloud(context, fix.action):
        return None
    return True


def greyed_reason(context: ConsoleContext, fix: Fix) -> str | None:
    """Why the key of ``fix`` is greyed, in one line (None: it is not)."""
    if action_class(context, fix.action) is None:
        return f"{fix.action}: unknown action"
    reason = context.reason_for(fix.ref)
    if reason is not None and mutates_cloud(context, fix.action):
        return f"{fix.action}: refused, read-only mode ({reason})"
    return None


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


def where_of(context: ConsoleContext, refs: Sequence[ResourceRef]) -> str:
    """Where the plan acts, under its title: the region (or context), and with several
    profiles shown, each profile and its account (``payments account 3456… ap-northeast-1``).

    The account is masked in presenter mode with the rest of the preview.
    """
    places: list[str] = []
    for ref in refs:
        account = context.account_of(ref.profile) if ref.profile else None
        words = (ref.profile, f"account {account}" if account else "", ref.scope)
        places.append(" ".join(w for w in words if w))
    return ", ".join(dict.fromkeys(places))


def row_fix(context: ConsoleContext, action: str, record: object, selected: object) -> Fix | None:
    """``action`` on the row ``record``, with what a finding's fix for it knows added."""
    cls = action_class(context, action)
    fix = cls.fix_for(record, selected) if cls is not None else None
    if fix is None:
        return None
    for finding in context.state.diagnosis.about(fix.ref):
        for known in finding.fixes:
            if known.action == action and known.ref == fix.ref:
                return replace(fix, params={**fix.params, **known.params})
    return fix


def touched(
    context: ConsoleContext, ref: ResourceRef, cls: type[Action]
) -> tuple[tuple[ResourceRef, ...], tuple[str, ...]]:
    """What an apply on ``ref`` changes: the resource, every row its findings flag, and the
    kinds the action says it affects."""
    refs = [ref]
    for finding in context.state.diagnosis.about(ref):
        refs.extend(mark.ref for mark in finding.marks)
        refs.append(finding.ref)
    return tuple(dict.fromkeys(refs)), cls.affects


class Flow:
    """What every action flow shares: its notices, and errors shown rather than swallowed."""

    name: str  # the action, as notices title it
    app: App[Any]
    context: ConsoleContext

    def say(self, message: str, *, title: str = "", severity: str = "information") -> None:
        """A notification, with secrets masked."""
        from actions.secrets import mask_secrets

        self.app.notify(
            mask_secrets(message),
            title=title or self.name,
            severity=severity,  # type: ignore[arg-type]
            timeout=10 if severity == "error" else 6,
        )

    async def run(self) -> None:
        """The whole flow; an error anywhere is shown, never swallowed."""
        from actions.model import ActionError

        self.context.action_running = self.name
        try:
            await self._run()
        except ActionError as exc:
            self.say(str(exc), severity="error")
        except Exception as exc:  # noqa: BLE001 - a cloud or network failure: shown to the person
            self.say(f"{type(exc).__name__}: {exc}", severity="error")
        finally:
            self.context.action_running = None

    async def _run(self) -> None:
        raise NotImplementedError

    def action(self, ref: ResourceRef, values: dict[str, str]) -> Action:
        """The flow's action on ``ref``, as this console makes it (read-only, audit, settings)."""
        from actions.catalogue import make_action

        return make_action(
            self.name,
            ref,
            values,
            self.context.session_for(ref),  # the row's profile's, with several
            read_only=self.context.read_only_flag,
            audit=self.context.audit_log(),
            settings=self.context.settings,
        )


class RemediationFlow(Flow):
    """One run of one fix, from the key press to the re-read resources."""

    def __init__(
        self, app: App[Any], context: ConsoleContext, fix: Fix, origin: DOMNode | None
    ) -> None:
        self.app = app
        self.context = context
        self.fix = fix
        self.name = fix.action
        self.origin = origin  # the detail screen it started from, read again afterwards
        self.typed: dict[str, str] = {}  # the parameters as last typed (to edit them again)
        self.defaults: dict[str, str] = dict(fix.params)

    @property
    def label(self) -> str:
        """``nova/cdn-service (ap-northeast-1)``."""
        return self.fix.ref.label

    async def _run(self) -> None:
        cls = action_class(self.context, self.fix.action)
        if cls is None:
            self.say("unknown action", severity="error")
            return
        record = self.context.state.record(self.fix.ref)
        if record is not None:
            self.defaults = {**cls.defaults(record), **self.fix.params}
        found = await asyncio.to_thread(
            cls.choices, self.context.session_for(self.fix.ref), self.fix.ref, record
        )
        fields = form_fields(cls, self.fix.ref, self.defaults, found)
        show_form = asks_first(cls, fields)
        while True:
            action = await self._ask(cls, fields, show_form=show_form)
            if action is None:
                return
            from actions.secrets import mask_secrets

            planning = under_way(
                self.app, mask_secrets(f"planning {cls.name} on {self.label}…"), title="planning"
            )
            try:
                plan = await asyncio.to_thread(action.plan)
            finally:
                done(self.app, planning)
            result = await self._confirm_and_apply(action, plan, editable=bool(fields))
            if result == "edit":
                fields, show_form = [_refill(f, self.typed) for f in fields], True
                continue
            if result == "applied":
                refs, kinds = touched(self.context, self.fix.ref, cls)
                if self.context.reads is not None:
                    self.context.reads.settle(refs, kinds)
                reload = getattr(self.origin, "reload", None)
                if callable(reload) and getattr(self.origin, "is_attached", False):
                    reload()
            return

    async def _ask(
        self, cls: type[Action], fields: list[FormField], *, show_form: bool
    ) -> Action | None:
        """The form (when it is needed) until the values make an action."""
        from actions.model import BadParameter

        self.typed = {f.name: f.value for f in fields}
        while True:
            if show_form:
                title = self.context.shown(f"{cls.name}  {self.label}")
                safe = safe_value(fields)  # prefilled from a fresh read: outside text
                shown = mask_fields(safe) if self.context.presenter else safe
                answer = await self.app.push_screen_wait(ActionForm(title, shown, where=cls.title))
                if answer is None:
                    return None
                self.typed = unmask_answer(fields, shown, answer)
            try:
                values = action_values(cls, self.defaults, self.typed)
                return self.action(self.fix.ref, values)
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
        where = where_of(self.context, (self.fix.ref,))
        while True:
            data = preview_data(plan, where, changed)
            preview = SharedPlanPreview(self.context, data, editable=editable)
            confirmed = await self.app.push_screen_wait(preview)
            if preview.edit_requested:
                return "edit"
            if not confirmed:
                self.say("cancelled: nothing was changed", title=action.name)
                return "cancelled"
            try:
                outcome = await self._apply(action, plan)
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

    async def _apply(self, action: Action, plan: Plan) -> Outcome:
        """Apply in a thread; a long-running action shows its progress meanwhile."""
        if not action.long_running:
            return await asyncio.to_thread(action.apply, plan)
        from tui.flows.progress import ActionProgress

        progress = ActionProgress(self.context, action, plan)
        await self.app.push_screen(progress)
        try:
            outcome = await asyncio.to_thread(action.apply, plan)
        except BaseException:
            progress.finished(None)
            raise
        progress.finished(outcome)
        return outcome


def _refill(field: FormField, typed: dict[str, str]) -> FormField:
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

    def remediation_selected(self) -> object | None:
        """A sub-row the keys act on (a build or pod selected in a detail), if any."""
        return None

    def remediation_fix(self, action: str) -> Fix | None:
        """What ``action`` would do now, or None when it does not apply."""
        record = self.remediation_record()
        if record is None:
            return None
        return row_fix(self.context, action, record, self.remediation_selected())

    def remediation_state(self, action: str) -> bool | None:
        """True: enabled; None: greyed; False: hidden (a sibling on the same key applies)."""
        fix = self.remediation_fix(action)
        if fix is None:
            keys = {k.key for k in self.remediation_keys if k.action == action}
            siblings = [
                k.action for k in self.remediation_keys if k.key in keys and k.action != action
            ]
            if any(self.remediation_fix(s) is not None for s in siblings):
                return False
            return None
        # Per row: with several profiles, a read-only profile's rows grey, the others act.
        if self.context.reason_for(fix.ref) is not None and mutates_cloud(self.context, action):
            return None
        return True

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Remediation keys follow the selected row and read-only mode."""
        if action == "remediate" and parameters:
            return self.remediation_state(str(parameters[0]))
        return super().check_action(action, parameters)

    def why_greyed(self, action: str, parameters: tuple[object, ...]) -> str | None:
        """What a person pressing a greyed remediation key is told (None: nothing to say)."""
        if action != "remediate" or not parameters:
            return None
        name = str(parameters[0])
        fix = self.remediation_fix(name)
        if fix is None:
            if self.remediation_record() is None:
                return f"{name}: select a row first"
            return f"{name}: does not apply to the selected row"
        return greyed_reason(self.context, fix)

    def on_resource_table_row_highlighted(self) -> None:
        """Another row: other keys may apply."""
        self.refresh_keys()

    def action_remediate(self, action: str) -> None:
        """Start ``action`` on the selected row: form, plan, preview, apply."""
        fix = self.remediation_fix(action)
        if fix is None or self.remediation_state(action) is not True:
            return
        origin = self.screen if self.screen is not self.app.screen_stack[0] else None
        launch(self.app, self.context, fix, origin)


def launch(app: App[Any], context: ConsoleContext, fix: Fix, origin: DOMNode | None) -> None:
    """Run the flow of ``fix`` as an app worker, unless another action is under way."""
    if fix_state(context, fix) is not True:
        reason = context.reason_for(fix.ref)
        if reason is None:
            app.notify(f"{fix.action}: unknown action", severity="warning")
        else:
            app.notify(
                f"{fix.action}: refused, read-only mode ({reason})",
                severity="warning",
            )
        return
    start(RemediationFlow(app, context, fix, origin), f"{fix.action} {fix.ref.target}")


def start(flow: Flow, description: str) -> None:
    """Run ``flow`` as an app worker, unless another action is under way (one at a time)."""
    running = flow.context.action_running
    if running is not None:
        flow.app.notify(f"{running} is under way; one action at a time", severity="warning")
        return
    flow.context.action_running = flow.name  # set now, so a second key press is refused
    flow.app.run_worker(
        flow.run(),
        name=f"action {description}",
        group="remediation",
        exit_on_error=False,
        description=description,
    )
