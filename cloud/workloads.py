"""Which workloads run which images: the link from an ECR repository to what deploys it."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cloud.records import DeploymentRecord, EcsServiceRecord, LambdaFunctionRecord

ServiceLike = EcsServiceRecord | LambdaFunctionRecord | DeploymentRecord

_ECR_HOST = re.compile(r"^\d{12}\.dkr\.ecr(?:-fips)?\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?$")


@dataclass(frozen=True)
class ImageRef:
    """An image reference split into registry host, repository path, tag and digest."""

    host: str | None
    path: str
    tag: str | None
    digest: str | None

    @property
    def effective_tag(self) -> str | None:
        """The tag pulled: the given one, ``latest`` when neither tag nor digest is given."""
        if self.tag is None and self.digest is None:
            return "latest"
        return self.tag


def parse_image(ref: str) -> ImageRef:
    """Split ``host/path:tag@digest`` (any part but the path may be absent)."""
    rest, _, digest = ref.partition("@")
    host: str | None = None
    first, slash, remainder = rest.partition("/")
    if slash and ("." in first or ":" in first or first == "localhost"):
        host, rest = first, remainder
    path, colon, tag = rest.rpartition(":")
    if not colon:
        path, tag = rest, ""
    return ImageRef(host, path, tag or None, digest or None)


@dataclass(frozen=True)
class ImageUse:
    """One workload running one image, e.g. ``k8s nova-backend/cdn-service`` runs ``...:latest``."""

    workload: str
    image: str


def workload_label(record: ServiceLike) -> str:
    """How a workload is named in a repository's ``deployed_by``."""
    if isinstance(record, DeploymentRecord):
        return f"k8s {record.namespace}/{record.name}"
    if isinstance(record, EcsServiceRecord):
        return f"ecs {record.cluster}/{record.name}"
    return f"lambda {record.name}"


def image_uses(services: Iterable[ServiceLike]) -> list[ImageUse]:
    """Every (workload, image) pair of the services, pods' images included, without repeats."""
    seen: set[tuple[str, str]] = set()
    uses: list[ImageUse] = []
    for record in services:
        label = workload_label(record)
        if isinstance(record, DeploymentRecord):
            images = list(record.images) + [
                c.image for pod in record.pods for c in pod.containers if c.image
            ]
        elif isinstance(record, EcsServiceRecord):
            images = list(record.images)
        else:
            images = [record.image_uri] if record.image_uri else []
        for image in images:
            if (label, image) not in seen:
                seen.add((label, image))
                uses.append(ImageUse(label, image))
    return uses


def uses_of_repository(
    repository_uri: str, uses: Sequence[ImageUse]
) -> list[tuple[ImageUse, ImageRef]]:
    """The uses whose image comes from the repository at ``repository_uri``.

    The repository path must match; an ECR host must also match (another
    account's or region's repository of the same name is not this one), any
    other registry (a mirror, a local registry) matches on the path alone.
    """
    own = parse_image(repository_uri)
    found: list[tuple[ImageUse, ImageRef]] = []
    for use in uses:
        ref = parse_image(use.image)
        if ref.path != own.path:
            continue
        if ref.host and _ECR_HOST.match(ref.host) and own.host and ref.host != own.host:
            continue
        found.append((use, ref))
    return found
