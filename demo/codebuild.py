"""CodeBuild as the world serves it: builds, admission against quotas, UpdateProject.

moto 5.2 has no UpdateProject and no ``concurrentBuildLimit``, never refuses a build
and finishes builds at once, so projects stay in moto (CreateProject, BatchGetProjects,
DeleteProject are forwarded) while builds live here and advance with the clock.
"""

from __future__ import annotations

import copy
import threading
import uuid
from datetime import UTC, datetime
from typing import Any

from demo import moto_direct
from demo.aws_clients import ClientPool, LogSink
from demo.build_logs import Line
from demo.builds import Build
from demo.gateway import ApiError, Call, Forward, Reply, Route
from demo.model import BUILD_PHASES, CodeBuildProject
from demo.quotas import QuotaBook

_PREFIX = "CodeBuild_20161006."
_DEFAULT_COMMANDS = {"BUILD": ("echo Building...",), "POST_BUILD": ("echo Build completed",)}


class BuildService:
    """Builds of every region, the UpdateProject overlay, and the admission rule."""

    def __init__(
        self,
        clients: ClientPool,
        sink: LogSink,
        quotas: QuotaBook,
        account_id: str,
        projects: tuple[CodeBuildProject, ...],
        page_size: int | None = None,
    ) -> None:
        self._clients = clients
        # ListBuilds(ForProject) answer 100 ids a page, as CodeBuild does; a scenario may say fewer.
        self._page_size = min(100, page_size or 100)
        self._sink = sink
        self._quotas = quotas
        self._account = account_id
        self._lock = threading.Lock()
        self._builds: dict[str, Build] = {}
        self._order: list[str] = []  # build ids, oldest first
        self._numbers: dict[tuple[str, str], int] = {}
        self._overlay: dict[tuple[str, str], dict[str, Any]] = {}
        self._runs = {(p.region, p.name): p for p in projects}

    # -- seeding ---------------------------------------------------------------------------
    def seed_project(self, project: CodeBuildProject) -> None:
        """Record what moto cannot hold for a scenario project, then load its history."""
        overlay: dict[str, Any] = {
            "created": project.created_at.timestamp(),
            "lastModified": project.created_at.timestamp(),
        }
        if project.concurrent_build_limit is not None:
            overlay["concurrentBuildLimit"] = project.concurrent_build_limit
        self._overlay[(project.region, project.name)] = overlay
        # Read from moto's backend, not over HTTP: seeding a large world makes thousands.
        found = moto_direct.project_metadata(self._account, project.region, project.name)
        if found is None:
            raise ValueError(f"project {project.name} was not created in {project.region}")
        found.pop("lastModifiedDate", None)  # moto's own name; the overlay has lastModified
        shape = self._merge(project.region, _plain(copy.deepcopy(found)))
        for record in project.builds:
            build = self._new_build(
                project.region,
                shape,
                record.source_version,
                [
                    {"name": k, "value": v, "type": "PLAINTEXT"}
                    for k, v in record.environment_overrides.items()
                ],
                record.initiator,
                record.number,
            )
            build.resolved_source_version = record.resolved_source_version
            lines = build.load_record(record)
            self._sink.write(project.region, build.log_group, build.uuid, lines)

    # -- clock -----------------------------------------------------------------------------------
    def advance(self, now: float) -> None:
        """Advance every running build; write the log lines they produced."""
        moment = datetime.fromtimestamp(now, UTC)
        writes: list[tuple[Build, list[Line]]] = []
        with self._lock:
            for build_id in self._order:
                build = self._builds[build_id]
                if build.complete:
                    continue
                free = self._running(build.region, build.compute_type) < self._effective(build)
                lines = build.advance(moment, free)
                if lines:
                    writes.append((build, lines))
        for build, lines in writes:
            self._sink.write(build.region, build.log_group, build.uuid, lines)

    def busy(self) -> bool:
        """True while any build is still running (the clock can then tick)."""
        with self._lock:
            return any(not b.complete for b in self._builds.values())

    # -- admission ---------------------------------------------------------------------------
    def _effective(self, build: Build) -> int:
        quota = self._quotas.quota_for_compute_type("codebuild", build.compute_type)
        applied = self._quotas.applied(build.region, "codebuild", quota.code) if quota else 15.0
        effective = int(applied or 0)
        limit = build.project.get("concurrentBuildLimit")
        if isinstance(limit, int):
            effective = min(effective, limit)
        return effective

    def _running(self, region: str, compute_type: str) -> int:
        return sum(
            1
            for b in self._builds.values()
            if b.region == region
            and b.compute_type == compute_type
            and not b.complete
            and b.current not in ("SUBMITTED", "QUEUED")
        )

    def _queued(self, region: str, compute_type: str) -> int:
        return sum(
            1
            for b in self._builds.values()
            if b.region == region
            and b.compute_type == compute_type
            and b.current in ("SUBMITTED", "QUEUED")
        )

    def _admit(self, build: Build) -> None:
        effective = self._effective(build)
        capacity = 5 * max(effective, 0)
        if effective <= 0 or (
            self._running(build.region, build.compute_type) >= effective
            and self._queued(build.region, build.compute_type) >= capacity
        ):
            raise ApiError(
                "AccountLimitExceededException",
                f"Cannot have more than {capacity} builds in queue for the account",
            )

    # -- projects ------------------------------------------------------------------------------
    def _project(self, region: str, name: str) -> dict[str, Any]:
        found = self._clients.get("codebuild", region).batch_get_projects(names=[name])
        if not found.get("projects"):
            raise ApiError(
                "ResourceNotFoundException",
                f"Project cannot be found: arn:aws:"
                f"codebuild:{region}:{self._account}:project/{name}",
            )
        return self._merge(region, _plain(found["projects"][0]))

    def _merge(self, region: str, project: dict[str, Any]) -> dict[str, Any]:
        overlay = self._overlay.get((region, project["name"]), {})
        merged = {**project, **copy.deepcopy(overlay)}
        if merged.get("concurrentBuildLimit") is None:
            merged.pop("concurrentBuildLimit", None)
        return merged

    def _new_build(
        self,
        region: str,
        project: dict[str, Any],
        version: str,
        overrides: list[dict[str, str]],
        initiator: str,
        number: int | None = None,
    ) -> Build:
        name = project["name"]
        key = (region, name)
        number = number if number is not None else self._numbers.get(key, 0) + 1
        self._numbers[key] = max(number, self._numbers.get(key, 0))
        run = self._runs.get(key)
        build = Build(
            build_id=f"{name}:{uuid.uuid4()}",
            number=number,
            region=region,
            account=self._account,
            project=project,
            source_version=version,
            resolved_source_version=uuid.uuid4().hex[:8] + uuid.uuid4().hex,
            initiator=initiator,
            overrides=overrides,
            durations=dict(run.run.durations) if run else {p: 2.0 for p in BUILD_PHASES},
            commands=dict(run.run.commands) if run else dict(_DEFAULT_COMMANDS),
        )
        self._builds[build.build_id] = build
        self._order.append(build.build_id)
        return build

    # -- API -------------------------------------------------------------------------------------
    def routes(self) -> dict[str, Route]:
        """Gateway routes for the CodeBuild operations the world serves."""
        handlers: dict[str, Route] = {
            "StartBuild": self._start,
            "RetryBuild": self._retry,
            "StopBuild": self._stop,
            "BatchGetBuilds": self._batch_get,
            "ListBuildsForProject": self._list_for_project,
            "ListBuilds": self._list,
            "UpdateProject": self._update,
            "BatchGetProjects": self._batch_get_projects,
        }
        return {_PREFIX + name: handler for name, handler in handlers.items()}

    def _start(self, call: Call, _: Forward) -> Reply:
        body = call.json()
        project = self._project(call.region, body["projectName"])
        if body.get("computeTypeOverride"):
            project["environment"] = {
                **project.get("environment", {}),
                "computeType": body["computeTypeOverride"],
            }
        if body.get("timeoutInMinutesOverride"):
            project["timeoutInMinutes"] = body["timeoutInMinutesOverride"]
        return self._launch(
            call.region,
            project,
            body.get("sourceVersion") or project.get("sourceVersion") or "main",
            list(body.get("environmentVariablesOverride", [])),
        )

    def _launch(
        self, region: str, project: dict[str, Any], version: str, overrides: list[dict[str, str]]
    ) -> Reply:
        with self._lock:
            probe = Build("probe:probe", 0, region, self._account, project, "", "", "", [], {}, {})
            self._admit(probe)
            build = self._new_build(
                region,
                project,
                version,
                overrides,
                f"{project.get('serviceRole', '').rsplit('/', 1)[-1]}/console",
            )
            build.begin(datetime.now(UTC))
            return Reply.json({"build": build.shape()})

    def _retry(self, call: Call, _: Forward) -> Reply:
        body = call.json()
        with self._lock:
            old = self._builds.get(body.get("id", ""))
        if old is None:
            raise ApiError("ResourceNotFoundException", f"Build {body.get('id')} does not exist")
        project = self._project(call.region, old.project["name"])
        return self._launch(call.region, project, old.source_version, old.overrides)

    def _stop(self, call: Call, _: Forward) -> Reply:
        build_id = call.json()["id"]
        with self._lock:
            build = self._builds.get(build_id)
            if build is None or build.region != call.region:
                raise ApiError("ResourceNotFoundException", f"Build {build_id} does not exist")
            if not build.complete:
                build.stop_requested = True
            return Reply.json({"build": build.shape()})

    def _batch_get(self, call: Call, _: Forward) -> Reply:
        found, missing = [], []
        with self._lock:
            for build_id in call.json().get("ids", []):
                build = self._builds.get(build_id)
                if build is not None and build.region == call.region:
                    found.append(build.shape())
                else:
                    missing.append(build_id)
        return Reply.json({"builds": found, "buildsNotFound": missing})

    def _page(self, ids: list[str], body: dict[str, Any]) -> Reply:
        if body.get("sortOrder", "DESCENDING") == "DESCENDING":
            ids = list(reversed(ids))
        token = str(body.get("nextToken") or "0")
        if not token.isdigit():
            raise ApiError("InvalidInputException", "Invalid nextToken")
        start, size = int(token), self._page_size
        page = ids[start : start + size]
        data: dict[str, Any] = {"ids": page}
        if start + size < len(ids):
            data["nextToken"] = str(start + size)
        return Reply.json(data)

    def _list_for_project(self, call: Call, _: Forward) -> Reply:
        body = call.json()
        name = body["projectName"]
        self._project(call.region, name)
        with self._lock:
            ids = [
                i
                for i in self._order
                if self._builds[i].region == call.region and self._builds[i].project["name"] == name
            ]
        return self._page(ids, body)

    def _list(self, call: Call, _: Forward) -> Reply:
        with self._lock:
            ids = [i for i in self._order if self._builds[i].region == call.region]
        return self._page(ids, call.json())

    def _update(self, call: Call, _: Forward) -> Reply:
        body = call.json()
        name = body.pop("name")
        self._project(call.region, name)
        with self._lock:
            overlay = self._overlay.setdefault((call.region, name), {})
            for key, value in body.items():
                if key == "concurrentBuildLimit" and (value is None or value == -1):
                    overlay["concurrentBuildLimit"] = None  # -1 removes the limit, as in AWS
                else:
                    overlay[key] = value
            overlay["lastModified"] = datetime.now(UTC).timestamp()
        return Reply.json({"project": self._project(call.region, name)})

    def _batch_get_projects(self, call: Call, forward: Forward) -> Reply:
        reply = forward(call)
        if reply.status != 200:
            return reply
        data = reply.data()
        with self._lock:
            data["projects"] = [self._merge(call.region, p) for p in data.get("projects", [])]
        return Reply.json(data)


def _plain(value: Any) -> Any:
    """boto3 answers carry datetimes; turn them back into epoch seconds for JSON."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, datetime):
        return value.timestamp()
    return value
