"""``F`` on a finding: the same fix for every finding like it, in one plan and one confirmation.

Findings are alike when they are the same problem (the finding's kind) with
the same first fix, e.g. the six ``buildcache-bloat`` warnings of Nova, each
fixed by ``delete-tag``. Only fixes that need nothing typed can go together (a
secret or a value to choose is asked per resource, with ``f``). The plans are
read together, shown as one (``actions.batch.combine``), and applied one by
one, each re-planned, checked and audited by its own action; then every
touched resource is read again until it settles, as after a single fix.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from cloud.findings.model import Finding, Fix
from tui.flows.notice import done, under_way
from tui.flows.params import HIDDEN
from tui.flows.preview import SharedPlanPreview
from tui.flows.remediation import (
    ALWAYS_ASK,
    STALE,
    Flow,
    fix_state,
    launch,
    preview_data,
    start,
    touched,
    where_of,
)

if TYPE_CHECKING:
    from textual.app import App

    from actions.model import Action, Plan
    from tui.context.state import ConsoleContext


def batchable(fix: Fix) -> bool:
    """Whether ``fix`` can be planned with nothing typed (no secret, no open value)."""
    from actions.catalogue import CATALOGUE

    cls = CATALOGUE.get(fix.action)
    if cls is None or cls.long_running or cls.name in ALWAYS_ASK:
        return False
    for param in cls.params:
        if param.secret:
            return False
        if param.required and param.name not in HIDDEN and not fix.params.get(param.name):
            return False
    return True


def alike(findings: list[Finding] | tuple[Finding, ...], finding: Finding) -> list[Finding]:
    """The findings fixed as ``finding`` is: same kind, same first action (itself first)."""
    if not finding.fixes or not batchable(finding.fixes[0]):
        return [finding]
    action = finding.fixes[0].action
    others = [
        f
        for f in findings
        if f.id != finding.id and f.kind == finding.kind and f.fixes and f.fixes[0].action == action
    ]
    return [finding, *others]


class BatchFlow(Flow):
    """One run of one fix on several resources, from the key press to the re-read rows."""

    def __init__(self, app: App[Any], context: ConsoleContext, fixes: list[Fix]) -> None:
        self.app = app
        self.context = context
        self.fixes = fixes
        self.name = fixes[0].action

    def _actions(self) -> list[Action]:
        from actions.catalogue import CATALOGUE

        cls = CATALOGUE[self.name]
        made = []
        for fix in self.fixes:
            record = self.context.state.record(fix.ref)
            values = {**(cls.defaults(record) if record is not None else {}), **fix.params}
            names = {p.name for p in cls.params}
            made.append(self.action(fix.ref, {k: v for k, v in values.items() if k in names and v}))
        return made

    async def _plans(self, actions: list[Action]) -> list[Plan]:
        return list(await asyncio.gather(*(asyncio.to_thread(a.plan) for a in actions)))

    async def _run(self) -> None:
        from actions.batch import BatchResult, combine
        from actions.model import ActionError, ReadOnlyRefused, StalePlan

        actions = self._actions()
        planning = under_way(
            self.app, f"planning {self.name} on {len(actions)} resources…", title="planning"
        )
        try:
            plans = await self._plans(actions)
        finally:
            done(self.app, planning)
        changed: str | None = None
        where = where_of(self.context, [f.ref for f in self.fixes])
        while True:
            preview = SharedPlanPreview(self.context, preview_data(combine(plans), where, changed))
            if not await self.app.push_screen_wait(preview):
                self.say("cancelled: nothing was changed")
                return
            result = BatchResult()
            stale: list[int] = []
            for index, (action, plan) in enumerate(zip(actions, plans, strict=True)):
                try:
                    result.done.append(
                        (action.target_label, await asyncio.to_thread(action.apply, plan))
                    )
                except StalePlan as exc:
                    plans[index] = exc.fresh
                    stale.append(index)
                except ReadOnlyRefused as exc:
                    self.say(str(exc), severity="error")
                    return
                except ActionError as exc:
                    result.failed.append((action.target_label, str(exc)))
            if stale and not result.done and not result.failed:
                changed = STALE  # nothing applied: the whole batch is shown again, fresh
                continue
            for index in stale:
                result.failed.append(
                    (actions[index].target_label, "changed since the plan; not applied")
                )
            break
        self.say(
            result.message(self.name),
            title=f"{self.name}: {'done' if result.ok else 'failed'}",
            severity="information" if result.ok else "error",
        )
        cls = type(actions[0])
        refs: list[Any] = []
        kinds: tuple[str, ...] = ()
        for fix in self.fixes:
            more, kinds = touched(self.context, fix.ref, cls)
            refs.extend(more)
        if self.context.reads is not None:
            self.context.reads.settle(refs, kinds)


def launch_batch(app: App[Any], context: ConsoleContext, fixes: list[Fix]) -> None:
    """Run the batch of ``fixes`` (one action) as an app worker, unless an action is under way."""
    # With several profiles, the fixes on a read-only profile's rows are left out.
    allowed = [fix for fix in fixes if fix_state(context, fix) is True]
    if len(allowed) <= 1:
        launch(app, context, (allowed or fixes)[0], None)  # or a refusal said the usual way
        return
    start(BatchFlow(app, context, allowed), f"{allowed[0].action} on {len(allowed)} resources")
