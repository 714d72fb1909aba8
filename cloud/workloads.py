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
    return UseIndex(uses).of_repository(repository_uri)


class UseIndex:
    """The uses parsed once and grouped by repository path: a repository's uses are found
    without reading every workload again (an account of 900 repositories and 1,000
    workloads parsed a million image references per diagnosis)."""

    def __init__(self, uses: Sequence[ImageUse]) -> None:
        self._by_path: dict[str, list[tuple[ImageUse, ImageRef]]] = {}
        for use in uses:
            ref = parse_image(use.image)
            self._by_path.setdefault(ref.path, []).append((use, ref))

    def of_repository(self, repository_uri: str) -> list[tuple[ImageUse, ImageRef]]:
        """As :func:`uses_of_repository`."""
        own = parse_image(repository_uri)
        return [
            (use, ref)
            for use, ref in self._by_path.get(own.path, ())
            if not (ref.host and _ECR_HOST.match(ref.host) and own.host and ref.host != own.host)
        ]
