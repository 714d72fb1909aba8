"""Links between kinds that no single record holds: which workloads run which repository.

Built once per diagnosis from the snapshot's workload kinds (every kind of the
registry that runs images), so the repository row, its detail and the findings
all say the same "deployed by".
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property

from cloud.model.kinds import WORKLOAD_KINDS, kind, workload_label
from cloud.model.snapshot import Snapshot
from cloud.records import RepositoryRecord
from cloud.session import CloudSession
from cloud.workloads import ImageUse, UseIndex


def read_image_uses(session: CloudSession) -> tuple[ImageUse, ...]:
    """Which workloads run which images now: the workload kinds read fresh, without extras."""
    from cloud.model.builder import read_snapshot

    return Links(read_snapshot(session, WORKLOAD_KINDS, extras=False)).uses


class Links:
    """Who deploys what, over one snapshot."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot

    @cached_property
    def uses(self) -> tuple[ImageUse, ...]:
        """Every (workload, image) pair of every workload kind, without repeats."""
        seen: set[tuple[str, str]] = set()
        found: list[ImageUse] = []
        for name in WORKLOAD_KINDS:
            spec = kind(name)
            for record in self.snapshot.records(name):
                images = spec.images(record)
                if not images:
                    continue
                label = workload_label(spec.ref(record))
                for image in images:
                    if (label, image) not in seen:
                        seen.add((label, image))
                        found.append(ImageUse(label, image))
        return tuple(found)

    @cached_property
    def _by_repository(self) -> Mapping[tuple[str, str], tuple[tuple[str, str | None], ...]]:
        found: dict[tuple[str, str], tuple[tuple[str, str | None], ...]] = {}
        index = UseIndex(self.uses)
        for repo in self.snapshot.repositories:
            found[(repo.region, repo.name)] = tuple(
                (use.workload, ref.effective_tag) for use, ref in index.of_repository(repo.uri)
            )
        return found

    def deployers(self, repo: RepositoryRecord) -> tuple[str, ...]:
        """The workloads that run an image of ``repo``: ``("k8s nova-backend/cdn-service",)``."""
        pairs = self._by_repository.get((repo.region, repo.name), ())
        return tuple(sorted({workload for workload, _ in pairs}))

    def latest_users(self, repo: RepositoryRecord) -> tuple[str, ...]:
        """The workloads that pull ``repo``'s ``latest`` tag."""
        pairs = self._by_repository.get((repo.region, repo.name), ())
        return tuple(sorted({workload for workload, tag in pairs if tag == "latest"}))
