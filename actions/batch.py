"""One action on several resources: one plan to read, one confirmation, every apply audited.

Six repositories with the same bloated ``buildcache`` tag are one decision, not
six. ``combine`` joins the plans of the same action on each resource into one
plan a person previews: every check and change names its resource, the danger
is the highest of them, and a destructive batch is confirmed by typing how many
resources it changes (each single plan would ask for its own name). Applying
stays per action (each re-plans, refuses a stale plan and is audited on its
own); ``BatchResult`` says what each did.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from actions.plan import Check, Danger, Outcome, Plan

_ORDER = (Danger.SAFE, Danger.RISKY, Danger.DESTRUCTIVE)


def batch_confirm_text(count: int) -> str:
    """What a person types to confirm a destructive batch of ``count`` resources."""
    return str(count)


def combine(plans: Sequence[Plan]) -> Plan:
    """The plans of one action on several resources as one plan (one plan: itself)."""
    if not plans:
        raise ValueError("combine needs at least one plan")
    if len(plans) == 1:
        return plans[0]
    actions = {p.action for p in plans}
    if len(actions) != 1:
        raise ValueError(f"one action per batch, not {', '.join(sorted(actions))}")
    danger = max((p.danger for p in plans), key=_ORDER.index)
    count = len(plans)
    changing = sum(1 for p in plans if p.changes)
    summary = f"{count} resources, {changing} to change:\n" + "\n".join(
        f"  {p.summary}" for p in plans
    )
    return Plan(
        action=plans[0].action,
        target=f"{count} resources",
        danger=danger,
        summary=summary,
        checks=tuple(
            Check(f"{p.target}: {c.name}", c.passed, c.detail) for p in plans for c in p.checks
        ),
        changes=tuple(c for p in plans for c in p.changes),
        commands=tuple(c for p in plans for c in p.commands),
        notes=tuple(f"{p.target}: {n}" for p in plans for n in p.notes),
        fingerprint=tuple((f"{p.target} {k}", v) for p in plans for k, v in p.fingerprint),
        confirm_text=batch_confirm_text(count) if danger is Danger.DESTRUCTIVE else None,
    )


@dataclass
class BatchResult:
    """What applying a batch did, resource by resource."""

    done: list[tuple[str, Outcome]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # target, why

    @property
    def ok(self) -> bool:
        """Every apply succeeded."""
        return not self.failed and all(o.ok for _, o in self.done)

    def message(self, action: str) -> str:
        """``delete-tag: 6 of 6 done`` or what failed, one line per failure."""
        succeeded = sum(1 for _, o in self.done if o.ok)
        total = len(self.done) + len(self.failed)
        lines = [f"{action}: {succeeded} of {total} done"]
        lines += [f"{t}: {o.message}" for t, o in self.done if not o.ok]
        lines += [f"{t}: {why}" for t, why in self.failed]
        return "\n".join(lines)
