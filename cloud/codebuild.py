"""CodeBuild projects and builds, and whether a project can start a build at all."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING

from cloud.arrivals import Arrivals, Early
from cloud.codebuild_reads import (
    batch_get_builds,
    codebuild_client,
    read_region_projects,
)
from cloud.fanout import Job, attempt, gather, parallel_map
from cloud.quotas import (
    ConcurrencyQuota,
    QuotaValues,
    blocked_reason,
    concurrency_quota,
    read_quota_values,
)
from cloud.records import (
    BlockedReason,
    BuildRecord,
    Fetched,
    FetchError,
    PhaseRecord,
    ProjectRecord,
)
from cloud.session import CloudSession

if TYPE_CHECKING:
    from types_boto3_codebuild.type_defs import BuildPhaseTypeDef, BuildTypeDef, ProjectTypeDef


def fetch_projects(session: CloudSession, early: Early | None = None) -> Fetched[ProjectRecord]:
    """Every project of every region, with its last builds and why it cannot build, if so.

    ``early`` hears the projects as they are described (``partial``: no builds yet).
    """
    arrivals: Arrivals[ProjectRecord] = Arrivals(early)
    jobs = [
        Job("codebuild", region, partial(_region_projects, session, region, arrivals))
        for region in session.regions
    ]
    found = gather(jobs)
    arrivals.close()
    return found


def _region_projects(
    session: CloudSession, region: str, arrivals: Arrivals[ProjectRecord]
) -> Fetched[ProjectRecord]:
    def described(projects: Sequence[ProjectTypeDef]) -> None:
        arrivals.listed(((region, p.get("name", "")), listed_project(region, p)) for p in projects)

    read = read_region_projects(session, region, max_age=0.0, on_projects=described)
    quotas: dict[str, ConcurrencyQuota] = {}
    for project in read.projects:
        quota = _quota_of(project)
        if quota is not None:
            quotas[quota.code] = quota
    codes = sorted(quotas)
    outcomes = parallel_map(
        lambda code: attempt(
            partial(read_quota_values, session, region, code), "service-quotas", region
        ),
        codes,
    )
    values = {v.code: v for v in outcomes if isinstance(v, QuotaValues)}
    errors = tuple(o for o in outcomes if isinstance(o, FetchError))
    records = tuple(
        project_record(region, p, read.builds.get(p.get("name", ""), ()), values)
        for p in read.projects
    )
    return Fetched(records, errors)


def listed_project(region: str, project: ProjectTypeDef) -> ProjectRecord:
    """A project as BatchGetProjects describes it, before its builds and quotas are read."""
    return replace(project_record(region, project, (), {}), partial=True)


def _quota_of(project: ProjectTypeDef) -> ConcurrencyQuota | None:
    environment = project.get("environment", {})
    return concurrency_quota(
        str(environment.get("type", "")), str(environment.get("computeType", ""))
    )


def project_blocked(
    project: ProjectTypeDef, values: Mapping[str, QuotaValues]
) -> BlockedReason | None:
    """Why ``project`` cannot start builds (effective concurrency 0), None when it can."""
    limit = project.get("concurrentBuildLimit")
    quota = _quota_of(project)
    known = values.get(quota.code) if quota else None
    if quota is not None and known is not None:
        named = ConcurrencyQuota(quota.code, known.name or quota.name)
        reason = blocked_reason(named, known.applied, known.default, limit)
        return reason if reason.effective_concurrency <= 0 else None
    if limit is not None and limit <= 0:
        return BlockedReason(
            quota_code=quota.code if quota else "",
            quota_name=quota.name if quota else "",
            applied_value=None,
            default_value=None,
            effective_concurrency=0,
            queue_capacity=0,
            project_limit=limit,
            explanation=(
                f"Project concurrentBuildLimit is {limit}: effective concurrency 0 — "
                "every StartBuild of this project is refused."
            ),
        )
    return None


def project_record(
    region: str,
    project: ProjectTypeDef,
    builds: Sequence[BuildTypeDef],
    values: Mapping[str, QuotaValues],
) -> ProjectRecord:
    """A ProjectRecord from BatchGetProjects, its recent builds and the quota values."""
    name = project.get("name", "")
    environment = project.get("environment", {})
    source = project.get("source", {})
    logs = project.get("logsConfig", {}).get("cloudWatchLogs", {})
    log_group = None
    if logs.get("status", "ENABLED") == "ENABLED":
        log_group = logs.get("groupName") or f"/aws/codebuild/{name}"
    records = [build_record(region, b) for b in builds]
    statuses = tuple(b.status for b in records)
    blocked = project_blocked(project, values)
    return ProjectRecord(
        name=name,
        region=region,
        arn=project.get("arn", ""),
        source_type=str(source.get("type", "")),
        source_location=source.get("location"),
        compute_type=str(environment.get("computeType", "")),
        environment_type=str(environment.get("type", "")),
        image=environment.get("image", ""),
        privileged=bool(environment.get("privilegedMode", False)),
        service_role=project.get("serviceRole"),
        log_group=log_group,
        timeout_minutes=project.get("timeoutInMinutes"),
        concurrent_build_limit=project.get("concurrentBuildLimit"),
        last_build=records[0] if records else None,
        recent_statuses=statuses,
        blocked=blocked,
        recent_builds=tuple(records),
    )


def phase_record(phase: BuildPhaseTypeDef) -> PhaseRecord:
    """A PhaseRecord; each context as ``STATUS_CODE: message``."""
    contexts = []
    for context in phase.get("contexts", []):
        code = context.get("statusCode", "")
        message = context.get("message", "")
        if code or message:
            contexts.append(f"{code}: {message}" if code and message else code or message)
    return PhaseRecord(
        phase_type=str(phase.get("phaseType", "")),
        status=phase.get("phaseStatus"),
        start=phase.get("startTime"),
        end=phase.get("endTime"),
        duration_seconds=phase.get("durationInSeconds"),
        contexts=tuple(contexts),
    )


def build_record(region: str, build: BuildTypeDef) -> BuildRecord:
    """A BuildRecord from BatchGetBuilds."""
    logs = build.get("logs", {})
    return BuildRecord(
        build_id=build.get("id", ""),
        project=build.get("projectName", ""),
        region=region,
        number=build.get("buildNumber"),
        status=str(build.get("buildStatus", "")),
        current_phase=build.get("currentPhase"),
        start=build.get("startTime"),
        end=build.get("endTime"),
        source_version=build.get("resolvedSourceVersion") or build.get("sourceVersion"),
        initiator=build.get("initiator"),
        log_group=logs.get("groupName"),
        log_stream=logs.get("streamName"),
        phases=tuple(phase_record(p) for p in build.get("phases", [])),
    )


def fetch_builds(
    session: CloudSession, region: str, project: str, limit: int = 20
) -> Fetched[BuildRecord]:
    """The newest ``limit`` builds of ``project``, newest first, with their phases."""

    def read() -> list[BuildRecord]:
        client = codebuild_client(session, region)
        ids: list[str] = []
        paginator = client.get_paginator("list_builds_for_project")
        for page in paginator.paginate(projectName=project, sortOrder="DESCENDING"):
            ids.extend(page.get("ids", []))
            if len(ids) >= limit:
                break
        ids = ids[:limit]
        found = batch_get_builds(client, ids)
        return [build_record(region, found[i]) for i in ids if i in found]

    return gather([Job("codebuild", region, read)])
