"""What an action would do, as plain data: the plan a person previews, and what an apply did.

Kept apart from ``actions.model`` so the audit log, the plan text of the command
line and the console's preview read plans without knowing actions.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


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


# ``aws`` as a program: at the start, in ``$(...)``, or after a pipe, ``&&`` or ``;``.
_AWS_PROGRAM = re.compile(r"(^|\$\(|[|;&]\s*)aws(?= )")


def with_profile(command: str, profile: str) -> str:
    """``command`` with ``--profile NAME`` right after each ``aws`` it runs.

    A plan's commands are pasted into a shell that knows nothing of the
    console's profiles: with several shown, an ``aws`` line without its profile
    would run against the default account. Other programs (kubectl, docker) are
    left as they are; ``profile`` "" (the only profile) changes nothing.
    """
    if not profile:
        return command
    return _AWS_PROGRAM.sub(lambda m: f"{m.group(1)}aws --profile {shlex.quote(profile)}", command)


@dataclass(frozen=True)
class Outcome:
    """What an apply did."""

    ok: bool
    message: str
    duration_seconds: float = 0.0
    # More for the audit entry of the outcome (a command's exact argv and exit code).
    audited: Mapping[str, Any] = field(default_factory=dict, compare=False)
