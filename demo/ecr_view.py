"""ECR answers as ECR gives them, where moto differs.

moto reports ``imageSizeInBytes`` from the manifest's ``config.size`` and stamps
``imagePushedAt`` with the time of its own put_image; ECR reports the sum of the
layer sizes and, for the seeded images, the scenario's push time.
"""

from __future__ import annotations

import json
import threading
from typing import Any

from botocore.exceptions import ClientError

from demo.aws_clients import ClientPool
from demo.gateway import Call, Forward, Reply, Route
from demo.k8s_objects import split_image

_PREFIX = "AmazonEC2ContainerRegistry_V20150921."
_MUTATIONS = ("PutImage", "BatchDeleteImage", "DeleteRepository", "CreateRepository")


def manifest_size(manifest: str) -> int | None:
    """Sum of the layer sizes of an image manifest (None for a manifest list)."""
    try:
        layers = json.loads(manifest).get("layers")
    except (ValueError, AttributeError):
        return None
    if not isinstance(layers, list):
        return None
    return sum(int(layer.get("size", 0)) for layer in layers)


class EcrView:
    """Corrects DescribeImages and counts changes to images (the clock watches them)."""

    def __init__(self, clients: ClientPool) -> None:
        self._clients = clients
        self._lock = threading.Lock()
        self._sizes: dict[tuple[str, str, str], int] = {}
        self._pushed: dict[tuple[str, str, str], float] = {}
        self._exists: dict[tuple[str, str, str], bool] = {}
        self._exists_generation = -1
        self.generation = 0

    def image_exists(self, reference: str) -> bool:
        """Whether an ECR image reference (``<registry>/<repo>:<tag>``) resolves.

        Images of other registries are taken to exist (the world does not model them).
        Answers are cached until the images change (``generation``).
        """
        parts = split_image(reference)
        if parts is None:
            return True
        with self._lock:
            if self._exists_generation != self.generation:
                self._exists.clear()
                self._exists_generation = self.generation
            known = self._exists.get(parts)
        if known is not None:
            return known
        region, repository, tag = parts
        try:
            self._clients.get("ecr", region).describe_images(
                repositoryName=repository, imageIds=[{"imageTag": tag}]
            )
            found = True
        except ClientError as err:
            if err.response["Error"]["Code"] not in (
                "ImageNotFoundException",
                "RepositoryNotFoundException",
            ):
                raise
            found = False
        with self._lock:
            self._exists[parts] = found
        return found

    def remember(
        self, region: str, repository: str, digest: str, size: int, pushed_at: float | None
    ) -> None:
        """Record an image's true size and, for seeded images, its push time."""
        with self._lock:
            self._sizes[(region, repository, digest)] = size
            if pushed_at is not None:
                self._pushed[(region, repository, digest)] = pushed_at

    def note_change(self) -> None:
        """Count a change made to images outside the gateway (the registry's pushes)."""
        with self._lock:
            self.generation += 1

    def routes(self) -> dict[str, Route]:
        """Gateway routes: DescribeImages corrected, mutations counted."""
        routes: dict[str, Route] = {_PREFIX + "DescribeImages": self._describe_images}
        for name in _MUTATIONS:
            routes[_PREFIX + name] = self._mutation
        return routes

    def _mutation(self, call: Call, forward: Forward) -> Reply:
        reply = forward(call)
        if reply.status == 200:
            with self._lock:
                self.generation += 1
            image = reply.data().get("image") or {}
            size = manifest_size(str(image.get("imageManifest", "")))
            digest = image.get("imageId", {}).get("imageDigest")
            if size is not None and digest:
                self.remember(call.region, str(image.get("repositoryName")), digest, size, None)
        return reply

    def _describe_images(self, call: Call, forward: Forward) -> Reply:
        reply = forward(call)
        if reply.status != 200:
            return reply
        data = reply.data()
        details: list[dict[str, Any]] = data.get("imageDetails", [])
        repository = str(call.json().get("repositoryName", ""))
        missing = [
            d["imageDigest"]
            for d in details
            if (call.region, repository, d.get("imageDigest")) not in self._sizes
        ]
        if missing:
            self._learn(call.region, repository, missing)
        with self._lock:
            for detail in details:
                key = (call.region, repository, detail.get("imageDigest", ""))
                if key in self._sizes:
                    detail["imageSizeInBytes"] = self._sizes[key]
                if key in self._pushed:
                    detail["imagePushedAt"] = self._pushed[key]
        return Reply.json(data)

    def _learn(self, region: str, repository: str, digests: list[str]) -> None:
        ecr = self._clients.get("ecr", region)
        for start in range(0, len(digests), 100):
            found = ecr.batch_get_image(
                repositoryName=repository,
                imageIds=[{"imageDigest": d} for d in digests[start : start + 100]],
            )
            for image in found.get("images", []):
                size = manifest_size(image.get("imageManifest", ""))
                if size is not None:
                    self.remember(region, repository, image["imageId"]["imageDigest"], size, None)
