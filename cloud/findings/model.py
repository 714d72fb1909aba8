"""What a finding is: a symptom traced to its root cause, with the actions that fix it.

A finding is data, like every record of the read side: the console shows it in
a pane and opens the action preview of a fix; ``shipdeck doctor`` prints it and
the equivalent ``shipdeck action ...`` line. Its ``id`` is stable across
refreshes (kind, region or context, resource, detail), so a finding that is
still there after a refresh is the same finding, and one whose cause is gone
simply stops being returned.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cloud.records import (
    BuildRecord,
    Fetched,
    FetchError,
    ImageRecord,
    ProjectRecord,
    QuotaRecord,
    RepositoryRecord,
    ServiceRecord,
    Severity,
)

# Actions that are their own subcommand rather than ``shipdeck action NAME``.
FALLBACK_BUILD = "fallback-build"

SEVERITY_ORDER: Mapping[Severity, int] = {
    Severity.CRITICAL: 0,
    Severity.WARNING: 1,
    Severity.INFO: 2,
}


@dataclass(frozen=True)
class Fix:
    """One action that removes a finding's cause, as the action catalogue names it.

    ``target`` is ``KIND:NAME`` (``ecr:nova/cdn-service``); ``region`` is None
    for Kubernetes targets (the kube context decides). ``note`` says what the
    fix gives, e.g. ``frees 1.23 GB``.
    """

    action: str
    target: str
    # Not hashed (a dict): findings and fixes can still go in sets and dict keys.
    params: Mapping[str, str] = field(default_factory=dict, hash=False)
    region: str | None = None
    note: str = ""

    def command(self) -> str:
        """The ``shipdeck ...`` line that plans this fix (add ``--yes`` to apply it)."""
        words = ["shipdeck"]
        if self.region:
            words += ["--region", self.region]
        if self.action == FALLBACK_BUILD:
            words += [FALLBACK_BUILD, self.target.partition(":")[2]]
            for key, value in sorted(self.params.items()):
                words += [f"--{key}", value]
        else:
            words += ["action", self.action, self.target]
            for key, value in sorted(self.params.items()):
                words += ["--set", f"{key}={value}"]
        return shlex.join(words)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (``shipdeck doctor --json``)."""
        return {
            "action": self.action,
            "target": self.target,
            "params": dict(self.params),
            "region": self.region,
            "note": self.note,
            "command": self.command(),
        }


@dataclass(frozen=True)
class Finding:
    """A problem with its evidence, root cause and fixes.

    ``id`` is ``KIND:REGION-OR-CONTEXT:RESOURCE[:DETAIL]``, e.g.
    ``missing-tag:ap-northeast-1:nova/cdn-service:latest``; ``where`` is the
    resource as ``KIND:NAME`` (the console jumps to it); ``evidence`` holds
    the rows, log lines and values that show the problem, one per line.
    """

    id: str
    kind: str
    severity: Severity
    title: str
    where: str
    region: str | None
    evidence: tuple[str, ...]
    cause: str
    fixes: tuple[Fix, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (``shipdeck doctor --json``)."""
        return {
            "id": self.id,
            "kind": self.kind,
            "severity": self.severity.value,
            "title": self.title,
            "where": self.where,
            "region": self.region,
            "evidence": list(self.evidence),
            "cause": self.cause,
            "fixes": [fix.as_dict() for fix in self.fixes],
        }


@dataclass(frozen=True)
class LogLine:
    """One log line with its time (None when the source gave none)."""

    at: datetime | None
    text: str


@dataclass(frozen=True)
class Snapshot:
    """What the rules look at: the four panes' fetches and the extras the fetchers carry.

    Every extra is optional; a rule without its extra falls back to what the
    records say (a container's last termination message, a phase's context).

    - ``pod_logs``: (namespace, pod) -> the tail of the crashed container's log
    - ``builds``: (region, project) -> its recent builds, newest first, with phases
    - ``build_logs``: build id -> the tail of its log
    - ``images``: (region, repository) -> its images, newest first
    - ``function_logs``: (region, function) -> its recent log lines, oldest first
    """

    repositories: Fetched[RepositoryRecord]
    projects: Fetched[ProjectRecord]
    services: Fetched[ServiceRecord]
    quotas: Fetched[QuotaRecord]
    pod_logs: Mapping[tuple[str, str], str] = field(default_factory=dict)
    builds: Mapping[tuple[str, str], tuple[BuildRecord, ...]] = field(default_factory=dict)
    build_logs: Mapping[str, str] = field(default_factory=dict)
    images: Mapping[tuple[str, str], tuple[ImageRecord, ...]] = field(default_factory=dict)
    function_logs: Mapping[tuple[str, str], tuple[LogLine, ...]] = field(default_factory=dict)

    @property
    def errors(self) -> tuple[FetchError, ...]:
        """Every fetch error of the four panes: parts the rules could not look at."""
        return (
            self.repositories.errors
            + self.projects.errors
            + self.services.errors
            + self.quotas.errors
        )


def sort_key(finding: Finding) -> tuple[int, str]:
    """Critical first, then by id (stable output)."""
    return (SEVERITY_ORDER[finding.severity], finding.id)
