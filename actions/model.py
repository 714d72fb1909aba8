"""The remediation action model: plan first, then apply only a confirmed, fresh plan.

Every action reads fresh state in ``plan()``, checks its preconditions (each
shown as passed or failed) and lists exactly what will change, with the
command lines a person could paste instead. ``apply()`` re-plans; if what it
reads differs from the plan that was shown, it stops (``StalePlan``) and the
person is asked again. Read-only mode refuses ``apply()`` here, in the action
layer itself, not only in the UI.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from actions.audit import AuditLog


class Danger(StrEnum):
    """How much harm a mistaken apply can do; decides how the person confirms."""

    SAFE = "safe"  # a yes is enough (start a build)
    RISKY = "risky"  # a yes, shown in warning colours (force a deployment)
    DESTRUCTIVE = "destructive"  # the person types the resource name (delete a tag)


@dataclass(frozen=True)
class Check:
    """A precondition and whether it holds now."""

    name: str
    passed: bool
    detail: str = ""


@dataclass(frozen=True)
class Change:
    """One thing that will change: the resource, the field, before -> after."""

    resource: str
    field: str
    before: str
    after: str


@dataclass(frozen=True)
class Plan:
    """What an apply would do, computed from state read just now."""

    action: str
    target: str
    danger: Danger
    summary: str
    checks: tuple[Check, ...] = ()
    changes: tuple[Change, ...] = ()
    commands: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    # What the plan was computed from; apply() refuses when it differs.
    fingerprint: tuple[tuple[str, str], ...] = ()
    # For destructive actions: the text the person types to confirm.
    confirm_text: str | None = None
    # Values apply() needs that the person does not need to read (never secrets).
    internals: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def ready(self) -> bool:
        """Every precondition passed."""
        return all(check.passed for check in self.checks)

    @property
    def changes_nothing(self) -> bool:
        """Applying would change nothing (the fix is already in place)."""
        return not self.changes

    def as_dict(self) -> dict[str, Any]:
        """The plan as JSON-ready data (audit log, ``--json``); internals are left out."""
        return {
            "action": self.action,
            "target": self.target,
            "danger": self.danger.value,
            "summary": self.summary,
            "checks": [
                {"name": c.name, "passed": c.passed, "detail": c.detail} for c in self.checks
            ],
            "changes": [
                {"resource": c.resource, "field": c.field, "before": c.before, "after": c.after}
                for c in self.changes
            ],
            "commands": list(self.commands),
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class Outcome:
    """What an apply did."""

    ok: bool
    message: str
    duration_seconds: float = 0.0


class ActionError(Exception):
    """An action that cannot proceed; ``str()`` is one line for the person."""


class ReadOnlyRefused(ActionError):
    """Read-only mode: no mutation is possible."""


class PreconditionFailed(ActionError):
    """A check of the plan does not hold."""


class StalePlan(ActionError):
    """The state changed since the plan was shown; the new plan must be confirmed."""

    def __init__(self, fresh: Plan) -> None:
        super().__init__("the state changed since the plan was shown; review the new plan")
        self.fresh = fresh


class BadParameter(ActionError):
    """A parameter the action cannot use."""


@dataclass(frozen=True)
class Param:
    """A parameter an action takes (``--set NAME=VALUE`` on the command line)."""

    name: str
    help: str
    default: str | None = None
    required: bool = False
    secret: bool = False  # typed in a password field / read from stdin; never shown


class Action(ABC):
    """A remediation: ``plan()`` reads and explains; ``apply()`` does exactly the plan."""

    name: ClassVar[str]
    title: ClassVar[str]
    danger: ClassVar[Danger]
    target_kind: ClassVar[str]  # "ecr", "codebuild", "ecs", "lambda", "k8s", "quota"
    params: ClassVar[tuple[Param, ...]] = ()
    # False for actions that only write local files (a support-case draft):
    # read-only mode forbids changes to the cloud, not notes on the person's disk.
    mutates_cloud: ClassVar[bool] = True

    def __init__(
        self,
        session: Any,
        target: str,
        values: Mapping[str, str] | None = None,
        *,
        region: str | None = None,
        read_only: bool = False,
        audit: AuditLog | None = None,
    ) -> None:
        self.session = session
        self.target = target
        self.region = region or session.regions[0]
        self.read_only = read_only
        self.audit = audit
        self.values = self._check_values(dict(values or {}))

    def _check_values(self, values: dict[str, str]) -> dict[str, str]:
        known = {p.name: p for p in self.params}
        for key in values:
            if key not in known and not key.startswith("env."):
                names = ", ".join(known) or "none"
                raise BadParameter(f"{self.name}: unknown parameter {key!r} (takes: {names})")
        for param in self.params:
            if param.name not in values:
                if param.required:
                    raise BadParameter(f"{self.name}: parameter {param.name!r} is required")
                if param.default is not None:
                    values[param.name] = param.default
        return values

    @property
    def target_label(self) -> str:
        """``kind:target`` as the command line writes it."""
        return f"{self.target_kind}:{self.target}"

    def plan(self) -> Plan:
        """Read fresh state and say exactly what apply would do; recorded in the audit log."""
        plan = self._plan()
        if self.audit is not None:
            self.audit.record(self, "plan", plan=plan)
        return plan

    def apply(self, plan: Plan) -> Outcome:
        """Do what ``plan`` says, if it still holds; every attempt is audited."""
        if self.read_only and self.mutates_cloud:
            if self.audit is not None:
                self.audit.record(self, "refused", plan=plan, outcome="read-only")
            raise ReadOnlyRefused(f"{self.name}: refused, shipdeck is in read-only mode")
        fresh = self._plan()
        if fresh.fingerprint != plan.fingerprint or fresh.changes != plan.changes:
            if self.audit is not None:
                self.audit.record(self, "refused", plan=fresh, outcome="stale plan")
            raise StalePlan(replace(fresh))
        if not fresh.ready:
            failed = next(c for c in fresh.checks if not c.passed)
            if self.audit is not None:
                self.audit.record(self, "refused", plan=fresh, outcome=f"check: {failed.name}")
            raise PreconditionFailed(f"{self.name}: {failed.name}: {failed.detail}")
        if self.audit is not None:
            self.audit.record(self, "apply", plan=fresh)
        started = time.monotonic()
        try:
            outcome = self._apply(fresh)
        except ActionError as exc:
            outcome = Outcome(ok=False, message=str(exc))
        outcome = replace(outcome, duration_seconds=round(time.monotonic() - started, 3))
        if self.audit is not None:
            self.audit.record(self, "outcome", plan=fresh, outcome=outcome)
        return outcome

    @abstractmethod
    def _plan(self) -> Plan:
        """Read state and build the plan (no mutation)."""

    @abstractmethod
    def _apply(self, plan: Plan) -> Outcome:
        """Make the changes of a fresh, ready plan."""

    def _new_plan(self, summary: str, **kwargs: Any) -> Plan:
        return Plan(
            action=self.name,
            target=self.target_label,
            danger=self.danger,
            summary=summary,
            **kwargs,
        )
