"""``find``: every rule over one snapshot, merged by finding id, most urgent first."""

from __future__ import annotations

from cloud.findings.builds import blocked_findings, failure_findings
from cloud.findings.functions import function_findings
from cloud.findings.images import image_findings, repository_findings
from cloud.findings.model import Finding, Snapshot, sort_key
from cloud.findings.workloads import deployment_findings, ecs_findings
from cloud.records import DeploymentRecord, EcsServiceRecord, LambdaFunctionRecord


def find(snapshot: Snapshot) -> list[Finding]:
    """The findings of ``snapshot``, critical first; the same cause always gives the same id.

    Pure: no network, no clock. A part whose fetch failed yields no finding
    (``snapshot.errors`` says which parts could not be looked at).
    """
    findings = image_findings(snapshot) + repository_findings(snapshot)
    for record in snapshot.services.records:
        if isinstance(record, DeploymentRecord):
            findings += deployment_findings(record, snapshot)
        elif isinstance(record, EcsServiceRecord):
            findings += ecs_findings(record, findings)
        elif isinstance(record, LambdaFunctionRecord):
            findings += function_findings(record, snapshot)
    quotas = snapshot.quotas.records
    for project in snapshot.projects.records:
        findings += blocked_findings(project, quotas)
        findings += failure_findings(project, snapshot)
    merged: dict[str, Finding] = {}
    for finding in findings:
        merged.setdefault(finding.id, finding)
    return sorted(merged.values(), key=sort_key)
