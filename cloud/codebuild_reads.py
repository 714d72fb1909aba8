"""Raw reads of a region's CodeBuild projects and their recent builds, shared by two panes.

The projects pane and the quotas pane (which counts running builds per compute
type) both need them; they go through the session's ReadCache so that loading
both panes at once lists the projects once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from cloud.fanout import parallel_map
from cloud.session import CloudSession

if TYPE_CHECKING:
    from types_boto3_codebuild import CodeBuildClient
    from types_boto3_codebuild.type_defs import BuildTypeDef, ProjectTypeDef

RECENT_BUILDS = 10
_BATCH = 100


@dataclass(frozen=True)
class RegionProjects:
    """A region's projects with up to ten of each one's newest builds (newest first)."""

    projects: tuple[ProjectTypeDef, ...]
    builds: dict[str, tuple[BuildTypeDef, ...]]


def codebuild_client(session: CloudSession, region: str) -> CodeBuildClient:
    """The session's CodeBuild client for ``region``, typed."""
    return cast("CodeBuildClient", session.client("codebuild", region))


def read_region_projects(
    session: CloudSession,
    region: str,
    max_age: float,
    on_projects: Callable[[Sequence[ProjectTypeDef]], None] | None = None,
) -> RegionProjects:
    """The region's projects and recent builds; reused if read less than ``max_age`` s ago.

    ``on_projects`` hears each batch of projects as it is described, before their
    builds are read (when this call is the one that reads them).
    """
    return session.shared(
        f"codebuild-projects:{region}", lambda: _load(session, region, on_projects), max_age
    )


def _load(
    session: CloudSession,
    region: str,
    on_projects: Callable[[Sequence[ProjectTypeDef]], None] | None = None,
) -> RegionProjects:
    client = codebuild_client(session, region)
    names: list[str] = []
    for page in client.get_paginator("list_projects").paginate(sortBy="NAME"):
        names.extend(page.get("projects", []))
    projects: list[ProjectTypeDef] = []
    for start in range(0, len(names), _BATCH):
        answer = client.batch_get_projects(names=names[start : start + _BATCH])
        described = answer.get("projects", [])
        projects.extend(described)
        if on_projects is not None:
            on_projects(described)

    def recent_ids(name: str) -> list[str]:
        # Newest first; a page may hold fewer ids than we keep, so read on until we have them.
        ids: list[str] = []
        paginator = client.get_paginator("list_builds_for_project")
        for page in paginator.paginate(projectName=name, sortOrder="DESCENDING"):
            ids.extend(page.get("ids", []))
            if len(ids) >= RECENT_BUILDS:
                break
        return ids[:RECENT_BUILDS]

    ids_per_project = dict(zip(names, parallel_map(recent_ids, names), strict=True))
    by_id = batch_get_builds(client, [i for ids in ids_per_project.values() for i in ids])
    builds = {
        name: tuple(by_id[i] for i in ids if i in by_id) for name, ids in ids_per_project.items()
    }
    return RegionProjects(tuple(projects), builds)


def batch_get_builds(client: CodeBuildClient, ids: Sequence[str]) -> dict[str, BuildTypeDef]:
    """The builds with ``ids``, by id (BatchGetBuilds takes 100 ids at a time)."""
    found: dict[str, BuildTypeDef] = {}
    for start in range(0, len(ids), _BATCH):
        answer = client.batch_get_builds(ids=list(ids[start : start + _BATCH]))
        for build in answer.get("builds", []):
            if "id" in build:
                found[build["id"]] = build
    return found
