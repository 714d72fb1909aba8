"""Which workloads run which images: the link from an ECR repository to what deploys it."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

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
