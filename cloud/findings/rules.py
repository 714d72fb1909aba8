"""``diagnose``: every rule over one snapshot, giving the findings and the row flags they mark."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

from cloud.findings.alarms import alarm_findings
from cloud.findings.builds import blocked_findings, capacity_findings, failure_findings
from cloud.findings.functions import function_findings
from cloud.findings.images import image_findings, repository_findings
from cloud.findings.links import Links
from cloud.findings.model import SEVERITY_ORDER, Finding, sort_key
from cloud.findings.workloads import deployment_findings, ecs_findings
from cloud.model.ref import ResourceRef
from cloud.model.snapshot import Snapshot
from cloud.records import FetchError, Flag


@dataclass(frozen=True)
class Diagnosis:
    """What is wrong with one snapshot: the findings, and the flags they put on rows."""

    findings: tuple[Finding, ...] = ()
    errors: tuple[FetchError, ...] = ()
    flags_by_ref: Mapping[ResourceRef, tuple[Flag, ...]] = field(default_factory=dict)
    deployers_by_ref: Mapping[ResourceRef, tuple[str, ...]] = field(default_factory=dict)

    def flags(self, ref: ResourceRef | None) -> tuple[Flag, ...]:
        """The flags of the row ``ref``, most urgent first."""
        return self.flags_by_ref.get(ref, ()) if ref is not None else ()

    def deployers(self, ref: ResourceRef | None) -> tuple[str, ...]:
        """The workloads that run an image of the repository ``ref``."""
        return self.deployers_by_ref.get(ref, ()) if ref is not None else ()

    @cached_property
    def _by_id(self) -> dict[str, Finding]:
        return {f.id: f for f in self.findings}

    @cached_property
    def _about(self) -> dict[ResourceRef, tuple[Finding, ...]]:
        found: dict[ResourceRef, list[Finding]] = {}
        for finding in self.findings:
            for ref in dict.fromkeys([finding.ref, *(m.ref for m in finding.marks)]):
                found.setdefault(ref, []).append(finding)
        return {ref: tuple(items) for ref, items in found.items()}

    def finding(self, finding_id: str) -> Finding | None:
        """The finding with ``finding_id``, if it is still found."""
        return self._by_id.get(finding_id)

    def about(self, ref: ResourceRef) -> tuple[Finding, ...]:
        """The findings that mark the row ``ref`` (its own, and others that concern it)."""
        return self._about.get(ref, ())

    @property
    def ids(self) -> frozenset[str]:
        """Every finding id."""
        return frozenset(f.id for f in self.findings)


def find(snapshot: Snapshot, links: Links | None = None) -> list[Finding]:
    """The findings of ``snapshot``, critical first; the same cause always gives the same id.

    Pure: no network, no clock.
    """
    links = links or Links(snapshot)
    findings = image_findings(snapshot, links) + repository_findings(snapshot)
    for deployment in snapshot.deployments:
        findings += deployment_findings(deployment, snapshot)
    for service in snapshot.ecs_services:
        findings += ecs_findings(service, findings)
    for function in snapshot.functions:
        findings += function_findings(function, snapshot)
    for project in snapshot.projects:
        findings += blocked_findings(project, snapshot.quotas)
        findings += failure_findings(project, snapshot)
    for quota in snapshot.quotas:
        findings += capacity_findings(quota)
    findings = alarm_findings(snapshot, findings)
    merged: dict[str, Finding] = {}
    for finding in findings:
        merged.setdefault(finding.id, finding)
    return sorted(merged.values(), key=sort_key)


def diagnose(snapshot: Snapshot) -> Diagnosis:
    """The findings of ``snapshot`` and the row flags they mark, from one set of rules."""
    links = Links(snapshot)
    findings = find(snapshot, links)
    flags: dict[ResourceRef, list[Flag]] = {}
    for finding in findings:
        for mark in finding.marks:
            flags.setdefault(mark.ref, []).append(
                Flag(finding.kind, finding.severity, mark.text, finding.id)
            )
    return Diagnosis(
        findings=tuple(findings),
        errors=snapshot.errors,
        flags_by_ref={
            ref: tuple(sorted(found, key=lambda f: SEVERITY_ORDER[f.severity]))
            for ref, found in flags.items()
        },
        deployers_by_ref=_deployers(snapshot, links),
    )


def links_only(snapshot: Snapshot) -> Diagnosis:
    """No findings, only the links (who deploys a repository): for an account still being
    read, where a rule would judge from half of it and the rules are the slow part."""
    return Diagnosis(errors=snapshot.errors, deployers_by_ref=_deployers(snapshot, Links(snapshot)))


def _deployers(snapshot: Snapshot, links: Links) -> dict[ResourceRef, tuple[str, ...]]:
    deployers = {}
    for repo in snapshot.repositories:
        users = links.deployers(repo)
        if users:
            deployers[ResourceRef("ecr", repo.name, repo.region)] = users
    return deployers
