"""Findings about images: tags that workloads pull but ECR lacks, and repository hygiene."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cloud.classify import (
    BLOAT_RATIO,
    DENIED_WORDS,
    NOT_FOUND_WORDS,
    PULL_REASONS,
    current_stopped,
    gigabytes,
    image_pull_hint,
    one_line,
    task_pull_failed,
    task_text,
)
from cloud.findings.links import Links
from cloud.findings.model import FALLBACK_BUILD, Finding, Fix, Mark
from cloud.model.kinds import ref_of, workload_label
from cloud.model.ref import ResourceRef
from cloud.model.snapshot import Snapshot
from cloud.records import (
    DeploymentRecord,
    EcsServiceRecord,
    ProjectRecord,
    RepositoryRecord,
    Severity,
)
from cloud.workloads import ImageRef, parse_image

_ECR_REGION = re.compile(r"^\d{12}\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$")
BUILDCACHE_TAG = "buildcache"


@dataclass(frozen=True)
class _Pull:
    """A workload that fails to pull an image, and what it said."""

    workload: ResourceRef
    ref: ImageRef
    count: int
    message: str
    noun: str  # "pod" or "task"


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


def tag_absent(repo: RepositoryRecord, tag: str, message: str) -> bool | None:
    """True when ``tag`` is not in ``repo``; None when the records cannot tell."""
    if repo.images or repo.image_count == 0:
        return not any(tag in image.tags for image in repo.images)
    if tag == "latest":
        return not repo.has_latest
    if tag in repo.newest_tags:
        return False
    lowered = message.lower()
    if any(word in lowered for word in NOT_FOUND_WORDS):
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
    workload = ResourceRef("k8s", f"{deployment.namespace}/{deployment.name}", deployment.context)
    return [
        _Pull(workload, parse_image(image), len(messages), messages[0], "pod")
        for image, messages in by_image.items()
    ]


def _ecs_pulls(service: EcsServiceRecord) -> list[_Pull]:
    failed = [t for t in current_stopped(service) if task_pull_failed(t)]
    if not failed:
        return []
    workload = ResourceRef("ecs", f"{service.cluster}/{service.name}", service.region)
    message = task_text(failed[0]).strip()
    return [
        _Pull(workload, parse_image(image), len(failed), message, "task")
        for image in service.images
    ]


def _pulls(snapshot: Snapshot) -> list[_Pull]:
    pulls: list[_Pull] = []
    for deployment in snapshot.deployments:
        pulls.extend(_k8s_pulls(deployment))
    for service in snapshot.ecs_services:
        pulls.extend(_ecs_pulls(service))
    return pulls


def _pull_mark(pull: _Pull) -> Mark:
    """The workload row's flag: ``1 pod ImagePullBackOff: image nova/cdn:latest not found``."""
    hint = image_pull_hint(pull.message) or one_line(pull.message)
    plural = "s" if pull.count > 1 else ""
    if pull.noun == "pod":
        return Mark(pull.workload, f"{pull.count} pod{plural} ImagePullBackOff: {hint}")
    return Mark(pull.workload, f"{pull.count} task{plural} could not pull the image: {hint}")


def image_findings(snapshot: Snapshot, links: Links) -> list[Finding]:
    """Missing tags that workloads pull (k8s pods, ECS tasks) and pulls that fail otherwise."""
    repositories = snapshot.repositories
    projects = snapshot.projects
    missing: dict[tuple[str, str, str], list[_Pull]] = {}
    findings: list[Finding] = []
    for pull in _pulls(snapshot):
        repo = repository_of(pull.ref, repositories)
        tag = pull.ref.effective_tag or pull.ref.digest or "latest"
        absent = tag_absent(repo, tag, pull.message) if repo else None
        if repo is not None and absent:
            missing.setdefault((repo.region, repo.name, tag), []).append(pull)
        elif repo is not None and absent is False and _said_not_found(pull.message):
            findings.append(_pull_retrying(pull, repo))
        elif repo is not None and absent is False:
            findings.append(_pull_refused(pull, repo))
        elif repo is None and snapshot.read_whole("ecr"):  # not from a failed read
            findings.append(_pull_failed(pull))
    by_repo = {(r.region, r.name): r for r in repositories}
    for (region, name, tag), found in sorted(missing.items()):
        findings.append(_missing_tag(by_repo[(region, name)], tag, found, projects, links))
    # A deployed `latest` that is gone although no pod has failed yet (they run a cached copy).
    for repo in repositories:
        if (repo.region, repo.name, "latest") in missing or repo.has_latest:
            continue
        if links.latest_users(repo):
            findings.append(_missing_tag(repo, "latest", [], projects, links))
    return findings


def _describe(pull: _Pull) -> str:
    hint = image_pull_hint(pull.message) or one_line(pull.message)
    plural = "s" if pull.count > 1 else ""
    return f"{workload_label(pull.workload)}: {pull.count} {pull.noun}{plural} cannot pull: {hint}"


def _missing_tag(
    repo: RepositoryRecord,
    tag: str,
    pulls: Sequence[_Pull],
    projects: Iterable[ProjectRecord],
    links: Links,
) -> Finding:
    here = _ref(repo)
    newest = ", ".join(repo.newest_tags) or "(untagged)"
    evidence = [_describe(pull) for pull in pulls]
    evidence.append(f"ecr {repo.name}: no image tagged {tag}; newest image: {newest}")
    deployed_by = links.deployers(repo)
    if not pulls and deployed_by:
        evidence.append(f"deployed by {', '.join(deployed_by)} (running copies are cached)")
    fixes: list[Fix] = []
    if tag == "latest" and repo.newest_tags:
        note = f"puts latest on the newest image ({repo.newest_tags[0]})"
        fixes.append(Fix("retag-latest", here, {}, note))
    project = building_project(repo, projects)
    if project is not None:
        service = repo.name.rsplit("/", 1)[-1]
        fixes.append(
            Fix(
                FALLBACK_BUILD,
                ResourceRef("codebuild", project, repo.region),
                {"services": service},
                f"builds {service} here and pushes it",
            )
        )
    for pull in pulls:
        if pull.workload.kind == "ecs":
            note = "back to the previous task-definition revision"
            fixes.append(Fix("rollback-service", pull.workload, {}, note))
        elif tag != "latest" and repo.newest_tags:
            image = f":{repo.newest_tags[0]}"
            fixes.append(
                Fix(
                    "set-image", pull.workload, {"image": image}, f"runs {repo.name}{image} instead"
                )
            )
    users = sorted({workload_label(pull.workload) for pull in pulls}) or list(
        links.latest_users(repo)
    )
    who = ", ".join(users)
    row = f"{tag} missing; {repo.name}:{tag} is pulled by {who}" if users else f"{tag} missing"
    return Finding(
        id=f"missing-tag:{repo.region}:{repo.name}:{tag}",
        kind="missing-tag",
        severity=Severity.CRITICAL if pulls else Severity.WARNING,
        title=f"{repo.name}:{tag} is missing from ECR",
        ref=here,
        evidence=tuple(evidence),
        cause=(
            f"The tag {tag} is not in {repo.name} ({repo.region}), so "
            f"{who or 'its workloads'} cannot pull {repo.name}:{tag}; "
            "the push that should have put it there never happened."
        ),
        fixes=tuple(fixes),
        marks=(Mark(here, row), *(_pull_mark(pull) for pull in pulls)),
    )


def _said_not_found(message: str) -> bool:
    lowered = message.lower()
    return any(word in lowered for word in NOT_FOUND_WORDS)


def _pull_retrying(pull: _Pull, repo: RepositoryRecord) -> Finding:
    """The tag was missing at the last pull and is there now: the pulls are in back-off."""
    image = f"{repo.name}:{pull.ref.effective_tag}"
    if pull.workload.kind == "ecs":
        fix = Fix("force-deploy", pull.workload, {}, "starts tasks that pull it now")
    else:
        fix = Fix("restart-rollout", pull.workload, {}, "new pods pull it now")
    plural = "s" if pull.count > 1 else ""
    return Finding(
        id=f"image-pull-retrying:{pull.workload.scope}:{pull.workload.name}",
        kind="image-pull-retrying",
        severity=Severity.WARNING,
        title=f"{workload_label(pull.workload)} still backs off pulling {image}, which exists now",
        ref=pull.workload,
        evidence=(_describe(pull), f"ecr {repo.name}: {pull.ref.effective_tag} is present now"),
        cause=(
            f"{image} was missing when the {pull.noun}{plural} last tried; they retry with a "
            "back-off (up to 5 minutes on Kubernetes). Restarting pulls it now."
        ),
        fixes=(fix,),
        marks=(
            Mark(pull.workload, f"{pull.count} {pull.noun}{plural} waiting to pull {image} again"),
        ),
    )


def _pull_refused(pull: _Pull, repo: RepositoryRecord) -> Finding:
    image = f"{repo.name}:{pull.ref.effective_tag}"
    if pull.workload.kind == "ecs":
        who = "the task execution role (ecr:GetAuthorizationToken, ecr:BatchGetImage)"
        region = pull.workload.scope
    else:
        who = "the node role or image pull secret"
        region = repo.region
    denied = any(word in pull.message.lower() for word in DENIED_WORDS)
    why = "ECR refused the pull" if denied else "the pull failed although the tag exists"
    return Finding(
        id=f"image-pull-refused:{region}:{pull.workload.name}",
        kind="image-pull-refused",
        severity=Severity.CRITICAL,
        title=f"{workload_label(pull.workload)} cannot pull {image}, which exists",
        ref=pull.workload,
        evidence=(_describe(pull), f"ecr {repo.name}: {pull.ref.effective_tag} is present"),
        cause=f"{why}: check {who} and the network path to ECR.",
        marks=(_pull_mark(pull),),
    )


def _pull_failed(pull: _Pull) -> Finding:
    """A pull from a registry that is not one of the account's ECR repositories."""
    image = pull.ref.path + (f":{pull.ref.effective_tag}" if pull.ref.effective_tag else "")
    return Finding(
        id=f"image-pull-failed:{pull.workload.scope}:{pull.workload.name}",
        kind="image-pull-failed",
        severity=Severity.CRITICAL,
        title=f"{workload_label(pull.workload)} cannot pull {image}",
        ref=pull.workload,
        evidence=(_describe(pull),),
        cause=(
            f"{image} is not in any ECR repository shipdeck reads "
            f"({pull.ref.host or 'Docker Hub'}): check that the image exists there and that "
            "the nodes may pull from it."
        ),
        marks=(_pull_mark(pull),),
    )


def _ref(repo: RepositoryRecord) -> ResourceRef:
    found = ref_of(repo)
    assert found is not None
    return found


def repository_findings(snapshot: Snapshot) -> list[Finding]:
    """Oversized buildcache tags, no lifecycle policy, scan on push off."""
    findings: list[Finding] = []
    for repo in snapshot.repositories:
        here, region = _ref(repo), repo.region
        findings.extend(_bloat(repo, here))
        if repo.has_lifecycle_policy is False:
            findings.append(
                Finding(
                    id=f"no-lifecycle-policy:{region}:{repo.name}",
                    kind="no-lifecycle-policy",
                    severity=Severity.INFO,
                    title=f"{repo.name} has no lifecycle policy",
                    ref=here,
                    evidence=(f"{repo.image_count} images, {gigabytes(repo.total_size_bytes)}",),
                    cause="Old and untagged images are kept forever and paid for.",
                    fixes=(
                        Fix(
                            "put-lifecycle-policy",
                            here,
                            {},
                            "keeps the last 10 main-/v images, expires untagged after 7 days",
                        ),
                    ),
                    marks=(
                        Mark(here, "no lifecycle policy: old and untagged images kept forever"),
                    ),
                )
            )
        if not repo.scan_on_push:
            findings.append(
                Finding(
                    id=f"scan-on-push-off:{region}:{repo.name}",
                    kind="scan-on-push-off",
                    severity=Severity.INFO,
                    title=f"{repo.name}: scan on push is off",
                    ref=here,
                    evidence=("imageScanningConfiguration.scanOnPush = false",),
                    cause="New images are never scanned for known vulnerabilities.",
                    fixes=(Fix("enable-scan-on-push", here),),
                    marks=(Mark(here, "scan on push is off"),),
                )
            )
    return findings


def _bloat(repo: RepositoryRecord, here: ResourceRef) -> list[Finding]:
    cache, runtime = repo.buildcache_size_bytes, repo.runtime_size_bytes
    if not cache:
        return []
    if not runtime:
        text = f"buildcache {gigabytes(cache)} and no runtime image"
    elif cache >= BLOAT_RATIO * runtime:
        text = f"buildcache {gigabytes(cache)}, {cache / runtime:.0f}x the runtime image"
    else:
        return []
    saved = gigabytes(cache)
    return [
        Finding(
            id=f"buildcache-bloat:{repo.region}:{repo.name}:{BUILDCACHE_TAG}",
            kind="buildcache-bloat",
            severity=Severity.WARNING,
            title=f"{repo.name}: buildcache tag of {saved}",
            ref=here,
            evidence=(text, f"buildcache {cache} B, runtime image {runtime or 0} B"),
            cause=(
                "A full build cache was pushed as an image: every pull of it and every "
                "month of storage pays for the whole cache."
            ),
            fixes=(Fix("delete-tag", here, {"tag": BUILDCACHE_TAG}, f"frees {saved} ({cache} B)"),),
            marks=(Mark(here, text),),
        )
    ]
