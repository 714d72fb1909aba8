"""ECR repositories and their images (who deploys them, and what is wrong, is the diagnosis's)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, cast

from cloud.arrivals import Arrivals, Early
from cloud.errors import recoverable_errors
from cloud.fanout import Job, attempt, gather, parallel_map
from cloud.records import Fetched, FetchError, ImageRecord, RepositoryRecord
from cloud.session import CloudSession

if TYPE_CHECKING:
    from types_boto3_ecr import ECRClient
    from types_boto3_ecr.type_defs import ImageDetailTypeDef, RepositoryTypeDef

BUILDCACHE_TAG = "buildcache"
_EPOCH = datetime.min.replace(tzinfo=UTC)


def ecr_client(session: CloudSession, region: str) -> ECRClient:
    """The session's ECR client for ``region``, typed."""
    return cast("ECRClient", session.client("ecr", region))


@dataclass(frozen=True)
class _RepositoryFacts:
    region: str
    repository: RepositoryTypeDef
    images: tuple[ImageRecord, ...]
    has_lifecycle_policy: bool | None


def fetch_repositories(
    session: CloudSession, early: Early | None = None
) -> Fetched[RepositoryRecord]:
    """Every repository of every region with its images and their stats.

    ``early`` hears the repositories known so far while the read goes on: each
    list page's repositories at once (``partial``), then each with its images.
    """
    arrivals: Arrivals[RepositoryRecord] = Arrivals(early)
    facts = gather(
        [
            Job("ecr", region, partial(_region_facts, session, region, arrivals))
            for region in session.regions
        ]
    )
    arrivals.close()
    records = tuple(repository_record(f) for f in facts.records)
    return Fetched(records, facts.errors, facts.fetched_at)


def _region_facts(
    session: CloudSession, region: str, arrivals: Arrivals[RepositoryRecord]
) -> Fetched[_RepositoryFacts]:
    client = ecr_client(session, region)
    repositories: list[RepositoryTypeDef] = []
    for page in client.get_paginator("describe_repositories").paginate():
        listed = page.get("repositories", [])
        repositories.extend(listed)
        arrivals.listed(
            ((region, r.get("repositoryName", "")), listed_repository(region, r)) for r in listed
        )

    def read(repository: RepositoryTypeDef) -> _RepositoryFacts | FetchError:
        name = repository.get("repositoryName", "")
        images = attempt(partial(_images, client, region, name), "ecr", region)
        if isinstance(images, FetchError):
            return images
        policy = _has_lifecycle_policy(client, name)
        facts = _RepositoryFacts(region, repository, tuple(images), policy)
        arrivals.landed((region, name), repository_record(facts))
        return facts

    outcomes = parallel_map(read, repositories)
    return Fetched(
        tuple(o for o in outcomes if isinstance(o, _RepositoryFacts)),
        tuple(o for o in outcomes if isinstance(o, FetchError)),
    )


def listed_repository(region: str, repository: RepositoryTypeDef) -> RepositoryRecord:
    """A repository as DescribeRepositories lists it, before its images are read."""
    return replace(repository_record(_RepositoryFacts(region, repository, (), None)), partial=True)


def _has_lifecycle_policy(client: ECRClient, name: str) -> bool | None:
    try:
        client.get_lifecycle_policy(repositoryName=name)
    except client.exceptions.LifecyclePolicyNotFoundException:
        return False
    except recoverable_errors():
        return None  # could not be read; the row shows it as unknown
    return True


def image_record(region: str, detail: ImageDetailTypeDef) -> ImageRecord:
    """An ImageRecord from DescribeImages."""
    summary = detail.get("imageScanFindingsSummary", {})
    counts = summary.get("findingSeverityCounts", {})
    return ImageRecord(
        repository=detail.get("repositoryName", ""),
        region=region,
        digest=detail.get("imageDigest", ""),
        tags=tuple(detail.get("imageTags", [])),
        size_bytes=int(detail.get("imageSizeInBytes", 0)),
        pushed_at=detail.get("imagePushedAt"),
        scan_status=detail.get("imageScanStatus", {}).get("status"),
        finding_counts=tuple(sorted(counts.items())),
    )


def _images(client: ECRClient, region: str, repository: str) -> list[ImageRecord]:
    images: list[ImageRecord] = []
    for page in client.get_paginator("describe_images").paginate(repositoryName=repository):
        images.extend(image_record(region, d) for d in page.get("imageDetails", []))
    images.sort(key=lambda i: i.pushed_at or _EPOCH, reverse=True)
    return images


def fetch_images(session: CloudSession, region: str, repository: str) -> Fetched[ImageRecord]:
    """The images of one repository, newest first."""
    client = ecr_client(session, region)
    return gather([Job("ecr", region, partial(_images, client, region, repository))])


def repository_record(facts: _RepositoryFacts) -> RepositoryRecord:
    """A RepositoryRecord from DescribeRepositories, its images and its lifecycle policy."""
    repo = facts.repository
    images = facts.images  # newest first
    name = repo.get("repositoryName", "")
    uri = repo.get("repositoryUri", "")
    runnable = [i for i in images if BUILDCACHE_TAG not in i.tags]
    newest = runnable[0] if runnable else (images[0] if images else None)
    # What the buildcache is weighed against: the image that runs (latest), not merely
    # the newest push (a small test image pushed last made "2184594x the runtime image").
    runtime = next((i for i in runnable if "latest" in i.tags), newest if runnable else None)
    buildcache = next((i for i in images if BUILDCACHE_TAG in i.tags), None)
    has_latest = any("latest" in i.tags for i in images)
    scan_on_push = bool(repo.get("imageScanningConfiguration", {}).get("scanOnPush", False))
    return RepositoryRecord(
        name=name,
        region=facts.region,
        uri=uri,
        arn=repo.get("repositoryArn", ""),
        created_at=repo.get("createdAt"),
        scan_on_push=scan_on_push,
        encryption=repo.get("encryptionConfiguration", {}).get("encryptionType", "AES256"),
        tag_mutability=repo.get("imageTagMutability", "MUTABLE"),
        has_lifecycle_policy=facts.has_lifecycle_policy,
        image_count=len(images),
        has_latest=has_latest,
        newest_tags=newest.tags if newest else (),
        newest_size_bytes=newest.size_bytes if newest else None,
        newest_pushed_at=newest.pushed_at if newest else None,
        total_size_bytes=sum(i.size_bytes for i in images),
        buildcache_size_bytes=buildcache.size_bytes if buildcache else None,
        runtime_size_bytes=runtime.size_bytes if runtime else None,
        images=images,
    )
