"""Bulk seeding: the scenario written straight into moto's backends, without HTTP.

The world's moto server runs in this process (``demo.moto_state``), so seeding can
call the backend methods that moto's own request handlers call, minus the HTTP round
trip, the SigV4 parsing and the JSON both ways: a large scenario (thousands of
images, builds and log streams) is seeded in seconds instead of minutes. Only the
calls whose handlers add nothing but parameter parsing are made here; what moto does
in its handlers (CodeBuild's role check) the world already guarantees (it creates
the roles first). Clients see the result only once seeding is over (the gateway's
gates), so no call of theirs runs beside these writes.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from typing import Any

from moto.backends import get_backend
from moto.logs.exceptions import ResourceAlreadyExistsException


def create_repository(
    account: str,
    region: str,
    name: str,
    *,
    tag_mutability: str,
    scan_on_push: bool,
    encryption: str,
    lifecycle_policy: str | None,
) -> str:
    """Create an ECR repository (and its lifecycle policy); returns its ARN."""
    backend = get_backend("ecr")[account][region]
    repository = backend.create_repository(
        repository_name=name,
        registry_id=None,
        encryption_config={"encryptionType": encryption},
        image_scan_config={"scanOnPush": scan_on_push},
        image_tag_mutability=tag_mutability,
        tags=[],
    )
    if lifecycle_policy is not None:
        backend.put_lifecycle_policy(
            registry_id=account, repository_name=name, lifecycle_policy_text=lifecycle_policy
        )
    return str(repository.arn)


def put_image(
    account: str,
    region: str,
    repository: str,
    manifest: str,
    media_type: str,
    digest: str,
    tags: Iterable[str | None],
) -> None:
    """Put one manifest under each of ``tags`` (None: untagged), as PutImage does."""
    backend = get_backend("ecr")[account][region]
    for tag in tags:
        backend.put_image(repository, manifest, tag, media_type, digest)  # type: ignore[arg-type]


def create_project(account: str, region: str, **fields: Any) -> dict[str, Any]:
    """Create a CodeBuild project (the backend's keyword arguments); its metadata."""
    metadata: dict[str, Any] = get_backend("codebuild")[account][region].create_project(**fields)
    return metadata


def project_metadata(account: str, region: str, name: str) -> dict[str, Any] | None:
    """What BatchGetProjects answers for the project (None when there is none)."""
    found = get_backend("codebuild")[account][region].batch_get_projects([name])
    return dict(found[0]) if found else None


def write_log_events(
    account: str, region: str, group: str, stream: str, events: list[dict[str, Any]]
) -> None:
    """Create the group and stream when missing and append ``events`` (in time order)."""
    backend = get_backend("logs")[account][region]
    backend.ensure_log_group(group)
    # A stream written twice (a build's history, then its live lines) exists already.
    with contextlib.suppress(ResourceAlreadyExistsException):
        backend.create_log_stream(group, stream)
    if events:
        backend.put_log_events(group, stream, events)


def create_log_group(account: str, region: str, group: str, retention_days: int | None) -> None:
    """Create a log group (kept when it exists) with its retention."""
    backend = get_backend("logs")[account][region]
    backend.ensure_log_group(group)
    if retention_days:
        backend.put_retention_policy(group, retention_days)  # type: ignore[arg-type]


def default_network(account: str, region: str) -> tuple[str, str]:
    """(subnet id, security group id) of the region's default VPC, for awsvpc tasks."""
    ec2 = get_backend("ec2")[account][region]
    subnet = ec2.describe_subnets()[0]
    group = ec2.describe_security_groups(groupnames=["default"])[0]
    return str(subnet.id), str(group.id)


def ecs_backend(account: str, region: str) -> Any:
    """moto's ECS backend of the region (its methods are what the ECS handlers call)."""
    return get_backend("ecs")[account][region]
