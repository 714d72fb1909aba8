"""Hand-built records for the rule tests: plain frozen dataclasses, filled with plausible values."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from cloud.model.kinds import ref_of
from cloud.model.ref import ResourceRef
from cloud.model.snapshot import BUILD_LOGS, FUNCTION_LOGS, POD_LOGS, Snapshot
from cloud.records import (
    BlockedReason,
    BuildLogTail,
    BuildRecord,
    ContainerStateRecord,
    DeploymentRecord,
    EcsServiceRecord,
    EcsTaskRecord,
    Fetched,
    FunctionLog,
    LambdaFunctionRecord,
    LogLine,
    PhaseRecord,
    PodLogTail,
    PodRecord,
    ProjectRecord,
    QuotaRecord,
    RepositoryRecord,
    ServiceRecord,
)

REGISTRY = "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com"
T0 = datetime(2025, 11, 11, 4, 0, tzinfo=UTC)


def repository(name: str, **changes: Any) -> RepositoryRecord:
    record = RepositoryRecord(
        name=name,
        region="ap-northeast-1",
        uri=f"{REGISTRY}/{name}",
        arn=f"arn:aws:ecr:ap-northeast-1:123456789012:repository/{name}",
        created_at=T0,
        scan_on_push=True,
        encryption="AES256",
        tag_mutability="MUTABLE",
        has_lifecycle_policy=True,
        image_count=2,
        has_latest=True,
        newest_tags=("latest", "main"),
        newest_size_bytes=50_000_000,
        newest_pushed_at=T0,
        total_size_bytes=100_000_000,
        buildcache_size_bytes=None,
        runtime_size_bytes=50_000_000,
    )
    return replace(record, **changes)


def container(image: str, **changes: Any) -> ContainerStateRecord:
    record = ContainerStateRecord(
        name="app",
        image=image,
        ready=True,
        restart_count=0,
        state="running",
        reason=None,
        message=None,
        last_exit_code=None,
        last_reason=None,
        last_message=None,
    )
    return replace(record, **changes)


def pod(name: str, *containers: ContainerStateRecord, namespace: str = "shop") -> PodRecord:
    return PodRecord(
        name=name,
        namespace=namespace,
        context="ctx",
        phase="Running",
        node="node-1",
        created_at=T0,
        containers=containers,
        owner="app",
    )


def deployment(
    name: str, pods: Sequence[PodRecord], *, namespace: str = "shop", **changes: Any
) -> DeploymentRecord:
    ready = sum(1 for p in pods if all(c.ready for c in p.containers))
    record = DeploymentRecord(
        name=name,
        namespace=namespace,
        context="ctx",
        desired=len(pods),
        ready=ready,
        updated=len(pods),
        available=ready,
        images=tuple(sorted({c.image for p in pods for c in p.containers})),
        env_names=(("app", ("RUST_LOG",)),),
        pods=tuple(pods),
    )
    return replace(record, **changes)


def task(definition: str, **changes: Any) -> EcsTaskRecord:
    record = EcsTaskRecord(
        task_arn=f"arn:aws:ecs:ap-northeast-1:123456789012:task/c/{definition}",
        task_definition=definition,
        last_status="STOPPED",
        desired_status="STOPPED",
        started_at=T0,
        stopped_at=T0,
        stop_code="EssentialContainerExited",
        stopped_reason="Essential container in task exited",
    )
    return replace(record, **changes)


def ecs_service(name: str, tasks: Sequence[EcsTaskRecord] = (), **changes: Any) -> EcsServiceRecord:
    record = EcsServiceRecord(
        cluster="c",
        name=name,
        region="ap-northeast-1",
        arn=f"arn:aws:ecs:ap-northeast-1:123456789012:service/c/{name}",
        status="ACTIVE",
        launch_type="FARGATE",
        desired=2,
        running=2,
        pending=0,
        task_definition=f"{name}:1",
        images=(f"{REGISTRY}/{name}:latest",),
        cpu="256",
        memory="512",
        log_group=None,
        log_stream_prefix=None,
        tasks=tuple(tasks),
    )
    return replace(record, **changes)


def function(name: str, **changes: Any) -> LambdaFunctionRecord:
    record = LambdaFunctionRecord(
        name=name,
        region="ap-northeast-1",
        arn=f"arn:aws:lambda:ap-northeast-1:123456789012:function:{name}",
        package_type="Image",
        image_uri=f"{REGISTRY}/{name}:v2",
        runtime=None,
        memory_mb=1024,
        timeout_seconds=30,
        state="Active",
        last_update_status="Successful",
        last_update_reason=None,
        last_modified=T0,
        log_group=f"/aws/lambda/{name}",
    )
    return replace(record, **changes)


def project(name: str, **changes: Any) -> ProjectRecord:
    record = ProjectRecord(
        name=name,
        region="ap-northeast-1",
        arn=f"arn:aws:codebuild:ap-northeast-1:123456789012:project/{name}",
        source_type="GITHUB",
        source_location=None,
        compute_type="BUILD_GENERAL1_LARGE",
        environment_type="LINUX_CONTAINER",
        image="aws/codebuild/standard:7.0",
        privileged=False,
        service_role=None,
        log_group=None,
        timeout_minutes=60,
        concurrent_build_limit=None,
        last_build=None,
        recent_statuses=(),
    )
    return replace(record, **changes)


def blocked(project_limit: int | None = None, applied: float | None = None) -> BlockedReason:
    return BlockedReason(
        quota_code="L-4DDC4A99",
        quota_name="Concurrently running builds for Linux/Large environment",
        applied_value=applied,
        default_value=15.0,
        effective_concurrency=0,
        queue_capacity=0,
        project_limit=project_limit,
        explanation="No applied value for L-4DDC4A99 (AWS default 15): effective concurrency 0.",
    )


def build(number: int, status: str, *phases: PhaseRecord, project_name: str = "p") -> BuildRecord:
    return BuildRecord(
        build_id=f"{project_name}:{number:04d}",
        project=project_name,
        region="ap-northeast-1",
        number=number,
        status=status,
        current_phase="COMPLETED",
        start=T0,
        end=T0,
        source_version="main",
        initiator=None,
        log_group=f"/aws/codebuild/{project_name}",
        log_stream=f"{number:04d}",
        phases=phases,
    )


def phase(kind: str, status: str, *contexts: str) -> PhaseRecord:
    return PhaseRecord(kind, status, T0, T0, 3, contexts)


def quota(code: str = "L-4DDC4A99", **changes: Any) -> QuotaRecord:
    record = QuotaRecord(
        service_code="codebuild",
        quota_code=code,
        name="Concurrently running builds for Linux/Large environment",
        region="ap-northeast-1",
        applied_value=None,
        default_value=15.0,
        effective_value=0.0,
        unit=None,
        adjustable=True,
    )
    return replace(record, **changes)


def snapshot(
    repositories: Sequence[RepositoryRecord] = (),
    services: Sequence[ServiceRecord] = (),
    projects: Sequence[ProjectRecord] = (),
    quotas: Sequence[QuotaRecord] = (),
    *,
    pod_logs: Mapping[tuple[str, str], str] | None = None,
    build_logs: Mapping[str, str] | None = None,
    function_logs: Mapping[tuple[str, str], Sequence[LogLine]] | None = None,
) -> Snapshot:
    """Every kind and extra read at ``T0``: services split by kind, logs keyed as the snapshot's."""
    parts: dict[str, Sequence[Any]] = {
        "ecr": repositories,
        "codebuild": projects,
        "ecs": [s for s in services if isinstance(s, EcsServiceRecord)],
        "lambda": [s for s in services if isinstance(s, LambdaFunctionRecord)],
        "k8s": [s for s in services if isinstance(s, DeploymentRecord)],
        "quota": quotas,
        POD_LOGS: [
            PodLogTail("ctx", namespace, name, None, True, text)
            for (namespace, name), text in (pod_logs or {}).items()
        ],
        BUILD_LOGS: [
            BuildLogTail("ap-northeast-1", build_id, text)
            for build_id, text in (build_logs or {}).items()
        ],
        FUNCTION_LOGS: [
            FunctionLog(region, name, tuple(lines))
            for (region, name), lines in (function_logs or {}).items()
        ],
    }
    return Snapshot({name: Fetched(tuple(found), (), T0) for name, found in parts.items()})


def ref(record: object) -> ResourceRef:
    """The ResourceRef of a record of a registered kind."""
    found = ref_of(record)
    assert found is not None, f"not a record of a registered kind: {record!r}"
    return found
