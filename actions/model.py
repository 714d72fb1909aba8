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
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, ClassVar

from actions.bounds import NumberBounds
from actions.plan import Change, Check, Danger, Outcome, Plan, with_profile
from cloud.findings.model import Fix
from cloud.model.kinds import ref_of
from cloud.model.ref import ResourceRef

if TYPE_CHECKING:
    from actions.audit import AuditLog
    from actions.progress import OutputFeed, ProgressListener, StepStatus
    from cloud.settings import Settings

__all__ = [
    "Action",
    "ActionError",
    "BadParameter",
    "Change",
    "Check",
    "Choices",
    "Danger",
    "Outcome",
    "Param",
    "Plan",
    "PreconditionFailed",
    "ReadOnlyRefused",
    "StalePlan",
]

Choices = dict[str, tuple[tuple[str, str], ...]]
"""Per parameter, the (label, value) pairs a form offers to choose from."""


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
    bounds: NumberBounds | None = None  # a number: checked before anything happens


def _read_only_reason(session: Any, flag: bool, settings: Settings | None) -> str | None:
    """Read-only mode for an action: decided by ``cloud.settings.read_only_reason`` alone.

    Without ``settings`` the config file is read here, so a caller that forgot
    to pass them cannot bypass a read-only config (a bad file is a bad parameter).
    """
    from cloud.settings import ConfigError, load_settings, read_only_reason

    if flag:
        return read_only_reason(None, flag=True, profile=None, context=None)
    if settings is None:
        try:
            settings = load_settings()
        except ConfigError as exc:
            raise BadParameter(str(exc)) from exc
    return read_only_reason(
        settings,
        flag=False,
        profile=getattr(session, "profile", None),
        context=getattr(session, "kube_context", None),
    )


class Action(ABC):
    """A remediation: ``plan()`` reads and explains; ``apply()`` does exactly the plan.

    Every action, the fallback build included, is made the same way:
    ``Action(session, ref, values, read_only=..., audit=..., progress=...,
    settings=...)``. ``ref`` names the resource it acts on (of ``target_kind``).
    A long-running action (``long_running``) also reports ``steps()``, writes
    ``output()`` and takes ``cancel()`` from another thread, so the console's
    one flow and the command line show every action alike.
    """

    name: ClassVar[str]
    title: ClassVar[str]
    danger: ClassVar[Danger]
    target_kind: ClassVar[str]  # a kind of the registry: "ecr", "codebuild", "ecs", ...
    params: ClassVar[tuple[Param, ...]] = ()
    # False for actions that only write local files (a support-case draft):
    # read-only mode forbids changes to the cloud, not notes on the person's disk.
    mutates_cloud: ClassVar[bool] = True
    long_running: ClassVar[bool] = False
    # Whether the console's form comes before the first plan even when every value has a
    # default (a value the person is there to choose: a count, an image, their own params).
    asks_first: ClassVar[bool] = False
    # The kinds whose rows an apply changes (besides the target's own): read again after it.
    affects: ClassVar[tuple[str, ...]] = ()

    def __init__(
        self,
        session: Any,
        ref: ResourceRef,
        values: Mapping[str, str] | None = None,
        *,
        read_only: bool = False,
        audit: AuditLog | None = None,
        progress: ProgressListener | None = None,
        settings: Settings | None = None,
    ) -> None:
        if not self.acts_on(ref.kind):
            raise BadParameter(
                f"{self.name} acts on {self.target_kind}:... targets, not {ref.kind}:"
            )
        self.session = session
        self.ref = ref
        self.target = ref.name
        self.region = ref.scope
        self.read_only_reason = _read_only_reason(session, read_only, settings)
        """Why applying is forbidden (the flag, the config file, the profile or context)."""
        self.read_only = self.read_only_reason is not None
        self.audit = audit
        self.progress = progress
        self.settings = settings
        self.values = self._check_values(dict(values or {}))

    # --- what a row of the console offers ------------------------------------

    @classmethod
    def fix_for(cls, record: object, selected: object = None) -> Fix | None:
        """This action on the row ``record`` (``selected``: a build or pod row in its detail).

        None when it does not apply to that row. The fix's params are the
        form's starting values.
        """
        ref = ref_of(record)
        if ref is None or not cls.acts_on(ref.kind) or not cls.applies_to(record, selected):
            return None
        return Fix(cls.name, ref, cls.defaults(record, selected))

    @classmethod
    def acts_on(cls, kind: str) -> bool:
        """Whether the action takes targets of ``kind`` (its ``target_kind``; a person's own
        action from the config file names several)."""
        return kind == cls.target_kind

    @classmethod
    def applies_to(cls, record: Any, selected: object = None) -> bool:
        """Whether the action makes sense on this record of its kind."""
        return True

    @classmethod
    def defaults(cls, record: Any, selected: object = None) -> dict[str, str]:
        """The form's starting values for this record."""
        return {}

    @classmethod
    def choices(cls, session: Any, ref: ResourceRef, record: Any) -> Choices:
        """Lists to choose parameters from (reads the cloud: call it in a worker thread)."""
        return {}

    # --- long-running actions -----------------------------------------------------

    def steps(self) -> tuple[StepStatus, ...]:
        """The state of each unit of work (long-running actions; () otherwise)."""
        return ()

    def output(self) -> OutputFeed | None:
        """Where the steps' output lines go (long-running actions)."""
        return None

    def cancel(self, key: str | None = None) -> bool:
        """Cancel the step ``key``, or every step not finished (any thread).

        False when there is nothing to cancel (not long-running, or finished).
        """
        return False

    def _check_values(self, values: dict[str, str]) -> dict[str, str]:
        known = {p.name: p for p in self.params}
        for key in values:
            if key not in known and not key.startswith("env."):
                names = ", ".join(known) or "none"
                raise BadParameter(f"{self.name}: unknown parameter {key!r} (takes: {names})")
        for param in self.params:
            given = values.get(param.name)
            if param.bounds is not None and given:
                problem = param.bounds.problem(given)
                if problem is not None:
                    shown = given if len(given) <= 30 else given[:30] + "…"
                    raise BadParameter(f"{self.name}: {param.name}={shown!r}: {problem}")
            if param.name not in values:
                if param.required:
                    raise BadParameter(f"{self.name}: parameter {param.name!r} is required")
                if param.default is not None:
                    values[param.name] = param.default
        return values

    @property
    def target_label(self) -> str:
        """``kind:target`` as the command line writes it."""
        return self.ref.target

    def plan(self) -> Plan:
        """Read fresh state and say exactly what apply would do; recorded in the audit log."""
        plan = self._plan()
        if self.audit is not None:
            self.audit.record(self, "plan", plan=plan)
        return plan

    def refuse_if_read_only(self, plan: Plan | None = None) -> None:
        """Raise ``ReadOnlyRefused`` (audited) when read-only mode forbids this action.

        ``apply()`` calls it first, so no path (key, palette, command, finding,
        ``--yes``) can change anything in read-only mode; a command line may call
        it earlier, to refuse before slower checks.
        """
        if self.read_only_reason is None or not self.mutates_cloud:
            return
        if self.audit is not None:
            self.audit.record(self, "refused", plan=plan, outcome="read-only")
        raise ReadOnlyRefused(
            f"{self.name}: refused, shipdeck is in read-only mode ({self.read_only_reason})"
        )

    def apply(self, plan: Plan) -> Outcome:
        """Do what ``plan`` says, if it still holds; every attempt is audited."""
        self.refuse_if_read_only(plan)
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

    @staticmethod
    def _with_profile(command: str, profile: str) -> str:
        """``command`` as it acts on ``profile``'s account when pasted."""
        return with_profile(command, profile)

    def _new_plan(self, summary: str, **kwargs: Any) -> Plan:
        # With several profiles shown, the plan says whose resource it is and its
        # commands name the profile, so a pasted line acts on the same account.
        profile = self.ref.profile
        if profile:
            commands = kwargs.pop("commands", ())
            kwargs["commands"] = tuple(self._with_profile(c, profile) for c in commands)
        return Plan(
            action=self.name,
            target=f"{profile}/{self.target_label}" if profile else self.target_label,
            danger=self.danger,
            summary=summary,
            **kwargs,
        )
