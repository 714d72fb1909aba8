"""Findings about CodeBuild: projects that cannot start builds, full queues, build failures."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cloud.findings.model import FALLBACK_BUILD, Finding, Fix, Mark
from cloud.model.ref import ResourceRef
from cloud.model.snapshot import Snapshot
from cloud.records import BuildRecord, PhaseRecord, ProjectRecord, QuotaRecord, Severity
from cloud.text import cut

RECENT_BUILDS = 10  # a failure older than the last ten builds is history, not a finding
_OPEN = frozenset({"PENDING", "CASE_OPENED"})
_FINISHED_BAD = frozenset({"FAILED", "FAULT", "TIMED_OUT"})


def blocked_findings(project: ProjectRecord, quotas: Sequence[QuotaRecord]) -> list[Finding]:
    """A project whose effective concurrency is 0: every StartBuild is refused."""
    blocked = project.blocked
    if blocked is None or blocked.effective_concurrency > 0:
        return []
    region = project.region
    here = ResourceRef("codebuild", project.name, region)
    quota = next(
        (q for q in quotas if q.region == region and q.quota_code == blocked.quota_code), None
    )
    open_requests = [r for r in quota.requests if r.status in _OPEN] if quota else []
    applied = "none" if blocked.applied_value is None else f"{blocked.applied_value:g}"
    default = "unknown" if blocked.default_value is None else f"{blocked.default_value:g}"
    limit = "none" if blocked.project_limit is None else str(blocked.project_limit)
    evidence = [
        f"StartBuild: AccountLimitExceededException: Cannot have more than "
        f"{blocked.queue_capacity} builds in queue for the account",
        f"{blocked.quota_code} {blocked.quota_name}: applied {applied}, AWS default {default}",
        f"effective concurrency {blocked.effective_concurrency}, "
        f"queue 5 x {blocked.effective_concurrency} = {blocked.queue_capacity}",
        f"project {project.compute_type}, concurrentBuildLimit {limit}",
    ]
    evidence.extend(
        f"quota request {r.request_id}: {r.desired_value:g} {r.status}" for r in open_requests
    )
    fixes: list[Fix] = []
    if blocked.project_limit is not None and blocked.project_limit <= 0:
        fixes.append(Fix("remove-build-limit", here, {}, "concurrentBuildLimit unlimited"))
    quota_ref = ResourceRef("quota", f"codebuild/{blocked.quota_code}", region)
    if blocked.quota_code and not open_requests and (blocked.applied_value or 0) <= 0:
        wanted = f"{blocked.default_value:g}" if blocked.default_value else "15"
        note = f"asks for {wanted} concurrent builds"
        fixes.append(Fix("request-quota-increase", quota_ref, {"value": wanted}, note))
    if blocked.quota_code:
        fixes.append(Fix("draft-support-case", here, {}, "writes the Support case"))
    fixes.append(Fix(FALLBACK_BUILD, here, {}, "builds and pushes the images here"))
    if blocked.project_limit is not None and blocked.project_limit <= 0:
        why = f"project concurrentBuildLimit is {blocked.project_limit}"
    elif blocked.applied_value is None:
        why = f"no applied value for {blocked.quota_code}"
    else:
        why = f"{blocked.quota_code} applied value is {blocked.applied_value:g}"
    marks = [Mark(here, f"cannot start builds: {why}, effective concurrency 0")]
    if quota is not None:
        marks.append(
            Mark(quota_ref, f"effective concurrency 0: {project.name} cannot start builds")
        )
    return [
        Finding(
            id=f"builds-blocked:{region}:{project.name}",
            kind="builds-blocked",
            severity=Severity.CRITICAL,
            title=f"{project.name} cannot start builds (effective concurrency 0)",
            ref=here,
            evidence=tuple(evidence),
            cause=blocked.explanation,
            fixes=tuple(fixes),
            marks=tuple(marks),
        )
    ]


def capacity_findings(quota: QuotaRecord) -> list[Finding]:
    """A concurrency quota whose every build slot is taken: the next builds queue."""
    running, effective = quota.running_builds, int(quota.effective_value)
    if not quota.used_by or running is None or effective <= 0 or running < effective:
        return []
    here = ResourceRef("quota", f"{quota.service_code}/{quota.quota_code}", quota.region)
    text = f"{running} of {effective} build slots in use"
    return [
        Finding(
            id=f"builds-at-capacity:{quota.region}:{quota.service_code}/{quota.quota_code}",
            kind="builds-at-capacity",
            severity=Severity.INFO,
            title=f"{quota.quota_code} {quota.name}: {text}",
            ref=here,
            evidence=(text, f"used by {', '.join(quota.used_by)}"),
            cause=(
                f"Every concurrent build slot of {quota.quota_code} is taken: new builds of "
                f"{', '.join(quota.used_by)} wait in the queue ({quota.queue_capacity} places)."
            ),
            fixes=(
                Fix(
                    "request-quota-increase",
                    here,
                    {"value": f"{effective * 2}"},
                    f"asks for {effective * 2} concurrent builds",
                ),
            ),
            marks=(Mark(here, text),),
        )
    ]


@dataclass(frozen=True)
class _Failure:
    cause: str  # the finding's detail: "docker-not-found", "ecr-token-expired", ...
    title: str
    explanation: str


def classify_failure(build: BuildRecord, phase: PhaseRecord | None, log: str) -> _Failure:
    """Why a build failed, from its failed phase's context and the tail of its log."""
    context = " ".join(phase.contexts) if phase else ""
    text = f"{context}\n{log}"
    lowered = text.lower()
    phase_name = phase.phase_type if phase else build.current_phase or "?"
    if "docker: command not found" in lowered or (
        "exit status 127" in lowered and "docker" in lowered
    ):
        return _Failure(
            "docker-not-found",
            "docker: command not found",
            "The build image has no Docker daemon: the project environment needs privileged "
            "mode (environment.privilegedMode = true) to run docker.",
        )
    if "token has expired" in lowered or "no basic auth credentials" in lowered:
        return _Failure(
            "ecr-token-expired",
            "ECR authorization token expired before the push",
            "The ECR login happened too long before the push: run "
            "`aws ecr get-login-password | docker login` in pre_build, or again right before "
            "`docker push`.",
        )
    if build.status == "TIMED_OUT" or "BUILD_TIMED_OUT" in text:
        return _Failure(
            "build-timeout",
            "build timed out",
            "The build ran past the project timeout: cache dependencies (local or S3 cache), "
            "or raise timeoutInMinutes.",
        )
    if "npm ci" in lowered and ("in sync" in lowered or "lock file" in lowered):
        return _Failure(
            "npm-lockfile",
            "npm ci: package-lock.json out of sync",
            "package.json and package-lock.json disagree: run `npm install` and commit the "
            "lock file.",
        )
    return _Failure(
        f"{phase_name.lower()}-failed",
        f"{phase_name} failed",
        f"The {phase_name} phase failed: {context or 'see the build log'}.",
    )


def _failed_phase(build: BuildRecord) -> PhaseRecord | None:
    return next((p for p in build.phases if p.status in _FINISHED_BAD | {"STOPPED"}), None)


def failure_findings(project: ProjectRecord, snapshot: Snapshot) -> list[Finding]:
    """One advice finding per kind of failure among the project's recent builds."""
    builds = project.recent_builds or ((project.last_build,) if project.last_build else ())
    recent = [b for b in builds[:RECENT_BUILDS] if b.status in _FINISHED_BAD]
    if not recent:
        return []
    newest_finished = next((b for b in builds if b.status != "IN_PROGRESS"), None)
    region = project.region
    here = ResourceRef("codebuild", project.name, region)
    grouped: dict[str, tuple[_Failure, list[str]]] = {}
    counts: dict[str, int] = {}
    for build in recent:
        phase = _failed_phase(build)
        log = snapshot.build_log(build.build_id)
        failure = classify_failure(build, phase, log)
        entry = grouped.setdefault(failure.cause, (failure, []))
        counts[failure.cause] = counts.get(failure.cause, 0) + 1
        number = f"#{build.number}" if build.number is not None else build.build_id
        where_failed = f"{phase.phase_type} {phase.status}" if phase else build.status
        entry[1].append(f"{number} {where_failed}: {'; '.join(phase.contexts) if phase else ''}")
        entry[1].extend(_telling_log_lines(log))
    latest_cause = None
    if newest_finished is not None and newest_finished.status in _FINISHED_BAD:
        log = snapshot.build_log(newest_finished.build_id)
        latest_cause = classify_failure(newest_finished, _failed_phase(newest_finished), log).cause
    findings: list[Finding] = []
    for cause, (failure, evidence) in sorted(grouped.items()):
        explanation = failure.explanation
        if cause == "build-timeout" and project.timeout_minutes:
            explanation += f" The project timeout is {project.timeout_minutes} min."
        if cause == "docker-not-found" and project.privileged:
            explanation += " Privileged mode is on now."
        count = counts[cause]
        findings.append(
            Finding(
                id=f"build-failure:{region}:{project.name}:{cause}",
                kind="build-failure",
                severity=Severity.WARNING if cause == latest_cause else Severity.INFO,
                title=f"{project.name}: {failure.title}",
                ref=here,
                evidence=tuple(line.rstrip(": ") for line in evidence),
                cause=explanation,
                marks=(Mark(here, f"{failure.title} ({count} of the last {len(builds)} builds)"),),
            )
        )
    return findings


def _telling_log_lines(log: str) -> list[str]:
    keys = ("command not found", "token has expired", "npm err!", "timed out", "denied")
    lines = [line.strip() for line in log.splitlines() if line.strip()]
    return [cut(line, 200) for line in lines if any(k in line.lower() for k in keys)][:2]
