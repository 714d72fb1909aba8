"""What a finding is: a symptom traced to its root cause, with the actions that fix it.

A finding is data, like every record of the read side: the console shows it in
a pane and opens the action preview of a fix; ``shipdeck doctor`` prints it and
the equivalent ``shipdeck action ...`` line. Its ``id`` is stable across
refreshes (kind, region or context, resource, detail), so a finding that is
still there after a refresh is the same finding, and one whose cause is gone
simply stops being returned.

A finding also marks the rows it concerns (``marks``): the repository that lacks
a tag and the deployment whose pods cannot pull it. Those marks are the row
flags of every pane and detail; nothing else flags a row.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cloud.model.ref import ResourceRef
from cloud.records import Severity

# Actions that have a subcommand of their own besides ``shipdeck action NAME``.
FALLBACK_BUILD = "fallback-build"
KUBE_KINDS = frozenset({"k8s"})

SEVERITY_ORDER: Mapping[Severity, int] = {
    Severity.CRITICAL: 0,
    Severity.WARNING: 1,
    Severity.INFO: 2,
}


@dataclass(frozen=True)
class Fix:
    """One action of the catalogue that removes a finding's cause, on the resource it acts on.

    ``note`` says what the fix gives, e.g. ``frees 1.23 GB``.
    """

    action: str
    ref: ResourceRef
    # Not hashed (a dict): findings and fixes can still go in sets and dict keys.
    params: Mapping[str, str] = field(default_factory=dict, hash=False)
    note: str = ""

    def command(self) -> str:
        """The ``shipdeck ...`` line that plans this fix (add ``--yes`` to apply it)."""
        words = ["shipdeck"]
        if self.ref.profile:
            words += ["--profile", self.ref.profile]
        if self.ref.kind in KUBE_KINDS:
            words += ["--context", self.ref.scope] if self.ref.scope else []
        else:
            words += ["--region", self.ref.scope]
        if self.action == FALLBACK_BUILD:
            words += [FALLBACK_BUILD, self.ref.name]
            for key, value in sorted(self.params.items()):
                words += [f"--{key}", value]
        else:
            words += ["action", self.action, self.ref.target]
            for key, value in sorted(self.params.items()):
                words += ["--set", f"{key}={value}"]
        return shlex.join(words)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (``shipdeck doctor --json``)."""
        return {
            "action": self.action,
            "target": self.ref.target,
            "params": dict(self.params),
            "region": None if self.ref.kind in KUBE_KINDS else self.ref.scope,
            **({"profile": self.ref.profile} if self.ref.profile else {}),
            "note": self.note,
            "command": self.command(),
        }


@dataclass(frozen=True)
class Mark:
    """A row a finding flags, with the short text that row shows."""

    ref: ResourceRef
    text: str


@dataclass(frozen=True)
class Finding:
    """A problem with its evidence, root cause and fixes.

    ``id`` is ``KIND:REGION-OR-CONTEXT:RESOURCE[:DETAIL]``, e.g.
    ``missing-tag:ap-northeast-1:nova/cdn-service:latest`` (``PROFILE/...`` when several
    profiles are shown, so two accounts never share an id); ``ref`` is the
    resource the finding is about (the console jumps to it); ``evidence`` holds
    the rows, log lines and values that show the problem, one per line.
    """

    id: str
    kind: str
    severity: Severity
    title: str
    ref: ResourceRef
    evidence: tuple[str, ...]
    cause: str
    fixes: tuple[Fix, ...] = ()
    marks: tuple[Mark, ...] = ()

    @property
    def where(self) -> str:
        """``ecr:nova/cdn-service``."""
        return self.ref.target

    @property
    def profile(self) -> str:
        """The AWS profile it was found in ("" with a single profile)."""
        return self.ref.profile

    @property
    def region(self) -> str | None:
        """The AWS region, None for Kubernetes (the kube context decides)."""
        return None if self.ref.kind in KUBE_KINDS else self.ref.scope

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (``shipdeck doctor --json``)."""
        return {
            "id": self.id,
            "kind": self.kind,
            "severity": self.severity.value,
            "title": self.title,
            "where": self.where,
            "region": self.region,
            "context": self.ref.scope if self.ref.kind in KUBE_KINDS else None,
            **({"profile": self.ref.profile} if self.ref.profile else {}),
            "evidence": list(self.evidence),
            "cause": self.cause,
            "fixes": [fix.as_dict() for fix in self.fixes],
        }


SYMPTOM_KINDS = frozenset({"alarm", "alarm-no-data"})
"""Findings that report what a monitor says, not a cause: after the causes of their severity."""


def sort_key(finding: Finding) -> tuple[int, bool, str]:
    """Critical first; causes before what monitors say (alarms); then by id (stable output)."""
    return (SEVERITY_ORDER[finding.severity], finding.kind in SYMPTOM_KINDS, finding.id)
