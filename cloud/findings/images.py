"""Findings about images: tags that workloads pull but ECR lacks, and repository hygiene."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cloud.diagnosis import gigabytes, image_pull_hint
from cloud.findings.model import FALLBACK_BUILD, Finding, Fix, Snapshot
from cloud.records import (
    DeploymentRecord,
    EcsServiceRecord,
    EcsTaskRecord,
    ProjectRecord,
    RepositoryRecord,
    Severity,
)
from cloud.workloads import ImageRef, parse_image

PULL_REASONS = frozenset({"ImagePullBackOff", "ErrImagePull"})
_ECR_REGION = re.compile(r"^\d{12}\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$")
_DENIED = ("denied", "unauthorized", "forbidden", "not authorized", "accessdenied")
_NOT_FOUND = ("not found", "notfound", "manifest unknown", "does not exist")


Workload = EcsServiceRecord | DeploymentRecord


@dataclass(frozen=True)
class _Pull:
    """A workload that fails to pull an image, and what it said."""

    workload: str  # "k8s nova-backend/cdn-service", "ecs hr-chatbot-cluster/frontend-service"
    ref: ImageRef
    count: int
    message: str


def ecr_region(ref: ImageRef) -> str | None:
    """The region of an ECR registry host, None for any other registry."""
    found = _ECR_REGION.match(ref.host or "")
    return found.group(1) if found else None


def repository_of(
    ref: ImageRef, repositories: Iterable[RepositoryRecord]
) -> RepositoryRecord | None:
    """The repository ``ref`` is pulled from (same path, and same host when it is ECR's)."""
    for repo in repositories:
        own = parse_image(repo.uri)
        if own.path != ref.path:
            continue
        if ref.host is None or own.host is None or own.host == ref.host:
            return repo
        if ecr_region(ref) is None:
            return repo  # a mirror or local registry serving the same path
    return None


def tag_absent(repo: RepositoryRecord, tag: str, snapshot: Snapshot, message: str) -> bool | None:
    """True when ``tag`` is not in ``repo``; None when the records cannot tell."""
    images = snapshot.images.get((repo.region, repo.name))
    if images is not None:
        return not any(tag in image.tags for image in images)
    if tag == "latest":
        return not repo.has_latest
    if tag in repo.newest_tags:
        return False
    lowered = message.lower()
    if any(word in lowered for word in _NOT_FOUND):
        return True
    return None


def building_project(repo: RepositoryRecord, projects: Iterable[ProjectRecord]) -> str | None:
    """The CodeBuild project of the repository's region named like its namespace (nova-...)."""
    stem = repo.name.split("/", 1)[0] if "/" in repo.name else repo.name.split("-", 1)[0]
    for project in projects:
        if project.region == repo.region and project.name.split("-", 1)[0] == stem:
            return project.name
    return None


def _k8s_pulls(deployment: DeploymentRecord) -> list[_Pull]:
    by_image: dict[str, list[str]] = {}
    for pod in deployment.pods:
        for container in pod.containers:
            if not container.ready and container.reason in PULL_REASONS:
                by_image.setdefault(container.image, []).append(container.message or "")
    label = f"k8s {deployment.namespace}/{deployment.name}"
    return [
        _Pull(label, parse_image(image), len(messages), messages[0])
        for image, messages in by_image.items()
    ]


def task_text(task: EcsTaskRecord) -> str:
    """A stopped task's reason and its containers' reasons, as one string to search."""
    reasons = [r or "" for _, _, r in task.container_exit_codes]
    return " ".join([task.stopped_reason or "", *reasons])


def ecs_current_stopped(service: EcsServiceRecord) -> list[EcsTaskRecord]:
    """Stopped tasks of the task definition the service deploys now (older ones are history)."""
    return [
        t
        for t in service.tasks
        if t.last_status == "STOPPED" and t.task_definition == service.task_definition
    ]


def _ecs_pulls(service: EcsServiceRecord) -> list[_Pull]:
    stopped = ecs_current_stopped(service)
    failed = [t for t in stopped if "CannotPullContainerError" in task_text(t)]
    if not failed:
        return []
    label = f"ecs {service.cluster}/{service.name}"
    message = task_text(failed[0]).strip()
    return [_Pull(label, parse_image(image), len(failed), message) for image in service.images]


def image_findings(snapshot: Snapshot) -> list[Finding]:
    """Missing tags that workloads pull (k8s pods, ECS tasks) and pulls refused by ECR."""
    repositories = snapshot.repositories.records
    projects = snapshot.projects.records
    pulls: list[tuple[_Pull, Workload]] = []
    for record in snapshot.services.records:
        if isinstance(record, DeploymentRecord):
            pulls.extend((pull, record) for pull in _k8s_pulls(record))
        elif isinstance(record, EcsServiceRecord):
            pulls.extend((pull, record) for pull in _ecs_pulls(record))
    missing: dict[tuple[str, str, str], list[tuple[_Pull, Workload]]] = {}
    findings: list[Finding] = []
    for pull, workload in pulls:
        repo = repository_of(pull.ref, repositories)
        tag = pull.ref.effective_tag or pull.ref.digest or "latest"
        absent = tag_absent(repo, tag, snapshot, pull.message) if repo else None
        if repo is not None and absent:
            missing.setdefault((repo.region, repo.name, tag), []).append((pull, workload))
        elif repo is not None and absent is False:
            findings.append(_pull_refused(pull, workload, repo))
    by_repo = {(r.region, r.name): r for r in repositories}
    for (region, name, tag), found in sorted(missing.items()):
        findings.append(_missing_tag(by_repo[(region, name)], tag, found, projects))
    # A deployed `latest` that is gone although no pod has failed yet (they run a cached copy).
    for repo in repositories:
        key = (repo.region, repo.name, "latest")
        if key in missing:
            continue
        if any(f.code == "latest-missing" and f.severity is Severity.CRITICAL for f in repo.flags):
            findings.append(_missing_tag(repo, "latest", [], projects))
    return findings


def _describe(pull: _Pull) -> str:
    hint = image_pull_hint(pull.message) or " ".join(pull.message.split())[:160]
    what = "pod" if pull.workload.startswith("k8s") else "task"
    plural = "s" if pull.count > 1 else ""
    return f"{pull.workload}: {pull.count} {what}{plural} cannot pull: {hint}"


def _missing_tag(
    repo: RepositoryRecord,
    tag: str,
    pulls: Sequence[tuple[_Pull, Workload]],
    projects: Iterable[ProjectRecord],
) -> Finding:
    newest = ", ".join(repo.newest_tags) or "(untagged)"
    evidence = [_describe(pull) for pull, _ in pulls]
    evidence.append(f"ecr {repo.name}: no image tagged {tag}; newest image: {newest}")
    if not pulls and repo.deployed_by:
        evidence.append(f"deployed by {', '.join(repo.deployed_by)} (running copies are cached)")
    fixes: list[Fix] = []
    if tag == "latest" and repo.newest_tags:
        note = f"puts latest on the newest image ({repo.newest_tags[0]})"
        fixes.append(Fix("retag-latest", f"ecr:{repo.name}", {}, repo.region, note))
    project = building_project(repo, projects)
    if project is not None:
        service = repo.name.rsplit("/", 1)[-1]
        fixes.append(
            Fix(
                FALLBACK_BUILD,
                f"codebuild:{project}",
                {"services": service},
                repo.region,
                f"builds {service} here and pushes it",
            )
        )
    for _, workload in pulls:
        if isinstance(workload, EcsServiceRecord):
            fixes.append(
                Fix(
                    "rollback-service",
                    f"ecs:{workload.cluster}/{workload.name}",
                    {},
                    workload.region,
                    "back to the previous task-definition revision",
                )
            )
        elif tag != "latest" and repo.newest_tags:
            image = f":{repo.newest_tags[0]}"
            fixes.append(
                Fix(
                    "set-image",
                    f"k8s:{workload.namespace}/{workload.name}",
                    {"image": image},
                    None,
                    f"runs {repo.name}{image} instead",
                )
            )
    users = sorted({pull.workload for pull, _ in pulls}) or list(repo.deployed_by)
    return Finding(
        id=f"missing-tag:{repo.region}:{repo.name}:{tag}",
        kind="missing-tag",
        severity=Severity.CRITICAL if pulls else Severity.WARNING,
        title=f"{repo.name}:{tag} is missing from ECR",
        where=f"ecr:{repo.name}",
        region=repo.region,
        evidence=tuple(evidence),
        cause=(
            f"The tag {tag} is not in {repo.name} ({repo.region}), so "
            f"{', '.join(users) or 'its workloads'} cannot pull {repo.name}:{tag}; "
            "the push that should have put it there never happened."
        ),
        fixes=tuple(fixes),
    )


def _pull_refused(pull: _Pull, workload: Workload, repo: RepositoryRecord) -> Finding:
    image = f"{repo.name}:{pull.ref.effective_tag}"
    if isinstance(workload, EcsServiceRecord):
        resource = f"{workload.cluster}/{workload.name}"
        where, region = f"ecs:{resource}", workload.region
        who = "the task execution role (ecr:GetAuthorizationToken, ecr:BatchGetImage)"
    else:
        resource = f"{workload.namespace}/{workload.name}"
        where, region = f"k8s:{resource}", repo.region
        who = "the node role or image pull secret"
    denied = any(word in pull.message.lower() for word in _DENIED)
    why = "ECR refused the pull" if denied else "the pull failed although the tag exists"
    return Finding(
        id=f"image-pull-refused:{region}:{resource}",
        kind="image-pull-refused",
        severity=Severity.CRITICAL,
        title=f"{pull.workload} cannot pull {image}, which exists",
        where=where,
        region=region,
        evidence=(_describe(pull), f"ecr {repo.name}: {pull.ref.effective_tag} is present"),
        cause=f"{why}: check {who} and the network path to ECR.",
    )


def repository_findings(snapshot: Snapshot) -> list[Finding]:
    """Oversized buildcache tags, no lifecycle policy, scan on push off (from the row flags)."""
    findings: list[Finding] = []
    for repo in snapshot.repositories.records:
        codes = {flag.code: flag for flag in repo.flags}
        where, region = f"ecr:{repo.name}", repo.region
        bloat = codes.get("buildcache-bloat")
        if bloat is not None and repo.buildcache_size_bytes:
            saved = gigabytes(repo.buildcache_size_bytes)
            findings.append(
                Finding(
                    id=f"buildcache-bloat:{region}:{repo.name}:buildcache",
                    kind="buildcache-bloat",
                    severity=Severity.WARNING,
                    title=f"{repo.name}: buildcache tag of {saved}",
                    where=where,
                    region=region,
                    evidence=(
                        bloat.text,
                        f"buildcache {repo.buildcache_size_bytes} B, runtime image "
                        f"{repo.runtime_size_bytes or 0} B",
                    ),
                    cause=(
                        "A full build cache was pushed as an image: every pull of it and every "
                        "month of storage pays for the whole cache."
                    ),
                    fixes=(
                        Fix(
                            "delete-tag",
                            f"ecr:{repo.name}",
                            {"tag": "buildcache"},
                            region,
                            f"frees {saved} ({repo.buildcache_size_bytes} B)",
                        ),
                    ),
                )
            )
        if "no-lifecycle-policy" in codes:
            findings.append(
                Finding(
                    id=f"no-lifecycle-policy:{region}:{repo.name}",
                    kind="no-lifecycle-policy",
                    severity=Severity.INFO,
                    title=f"{repo.name} has no lifecycle policy",
                    where=where,
                    region=region,
                    evidence=(f"{repo.image_count} images, {gigabytes(repo.total_size_bytes)}",),
                    cause="Old and untagged images are kept forever and paid for.",
                    fixes=(
                        Fix(
                            "put-lifecycle-policy",
                            f"ecr:{repo.name}",
                            {},
                            region,
                            "keeps the last 10 main-/v images, expires untagged after 7 days",
                        ),
                    ),
                )
            )
        if "scan-on-push-off" in codes:
            findings.append(
                Finding(
                    id=f"scan-on-push-off:{region}:{repo.name}",
                    kind="scan-on-push-off",
                    severity=Severity.INFO,
                    title=f"{repo.name}: scan on push is off",
                    where=where,
                    region=region,
                    evidence=("imageScanningConfiguration.scanOnPush = false",),
                    cause="New images are never scanned for known vulnerabilities.",
                    fixes=(Fix("enable-scan-on-push", f"ecr:{repo.name}", {}, region),),
                )
            )
    return findings
