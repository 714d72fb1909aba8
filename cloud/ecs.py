"""ECS services: every cluster's services with their task definitions and stopped tasks."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING, cast

from cloud.arrivals import Arrivals, Early
from cloud.fanout import Job, gather, parallel_map
from cloud.records import (
    EcsDeploymentRecord,
    EcsServiceRecord,
    EcsTaskRecord,
    ErrorKind,
    Fetched,
    FetchError,
)
from cloud.session import CloudSession

if TYPE_CHECKING:
    from types_boto3_ecs import ECSClient
    from types_boto3_ecs.type_defs import ServiceTypeDef, TaskDefinitionTypeDef, TaskTypeDef

_DESCRIBE_SERVICES_BATCH = 10
_DESCRIBE_TASKS_BATCH = 100


def ecs_client(session: CloudSession, region: str) -> ECSClient:
    """The session's ECS client for ``region``, typed."""
    return cast("ECSClient", session.client("ecs", region))


def fetch_ecs_services(
    session: CloudSession, early: Early | None = None
) -> Fetched[EcsServiceRecord]:
    """The ECS services of every cluster of every region, with their recently stopped tasks.

    ``early`` hears the services known so far while the read goes on: each list
    page's services at once (``partial``), then each cluster's in full.
    """
    arrivals: Arrivals[EcsServiceRecord] = Arrivals(early)
    fetched = gather(
        [
            Job("ecs", region, partial(region_ecs_services, session, region, arrivals))
            for region in session.regions
        ]
    )
    arrivals.close()
    return fetched


def region_ecs_services(
    session: CloudSession, region: str, arrivals: Arrivals[EcsServiceRecord] | None = None
) -> list[EcsServiceRecord]:
    """The services of every cluster in ``region``, with their recently stopped tasks."""
    client = ecs_client(session, region)
    clusters: list[str] = []
    for page in client.get_paginator("list_clusters").paginate():
        clusters.extend(page.get("clusterArns", []))
    heard = arrivals or Arrivals(None)
    per_cluster = parallel_map(lambda arn: _cluster_services(client, region, arn, heard), clusters)
    return [record for records in per_cluster for record in records]


def _cluster_services(
    client: ECSClient, region: str, cluster: str, arrivals: Arrivals[EcsServiceRecord]
) -> list[EcsServiceRecord]:
    arns: list[str] = []
    for page in client.get_paginator("list_services").paginate(cluster=cluster):
        listed = page.get("serviceArns", [])
        arns.extend(listed)
        arrivals.listed(((region, arn), listed_service(region, cluster, arn)) for arn in listed)
    services: list[ServiceTypeDef] = []
    for start in range(0, len(arns), _DESCRIBE_SERVICES_BATCH):
        answer = client.describe_services(
            cluster=cluster, services=arns[start : start + _DESCRIBE_SERVICES_BATCH]
        )
        services.extend(answer.get("services", []))
    if not services:
        return []
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="shipdeck-ecs") as pool:
        stopped_f = pool.submit(_tasks, client, cluster, {"desiredStatus": "STOPPED"})
        definitions_f = pool.submit(
            _task_definitions, client, [s.get("taskDefinition", "") for s in services]
        )
        stopped, definitions = stopped_f.result(), definitions_f.result()
    records = []
    for service in services:
        group = f"service:{service.get('serviceName', '')}"
        mine = [t for t in stopped if t.get("group") == group]
        definition = definitions.get(service.get("taskDefinition", ""))
        record = ecs_service_record(region, service, definition, mine)
        arrivals.landed((region, record.arn), record)
        records.append(record)
    return records


def listed_service(region: str, cluster: str, arn: str) -> EcsServiceRecord:
    """A service as ListServices names it, before it is described."""
    service: ServiceTypeDef = {"serviceArn": arn, "serviceName": _name(arn), "clusterArn": cluster}
    return replace(ecs_service_record(region, service, None, ()), partial=True)


def _task_definitions(client: ECSClient, arns: Iterable[str]) -> dict[str, TaskDefinitionTypeDef]:
    unique = sorted({arn for arn in arns if arn})

    def describe(arn: str) -> TaskDefinitionTypeDef:
        return client.describe_task_definition(taskDefinition=arn)["taskDefinition"]

    return dict(zip(unique, parallel_map(describe, unique), strict=True))


def _tasks(client: ECSClient, cluster: str, list_args: dict[str, str]) -> list[TaskTypeDef]:
    arns: list[str] = []
    paginator = client.get_paginator("list_tasks")
    for page in paginator.paginate(cluster=cluster, **list_args):  # type: ignore[arg-type]
        arns.extend(page.get("taskArns", []))
    tasks: list[TaskTypeDef] = []
    for start in range(0, len(arns), _DESCRIBE_TASKS_BATCH):
        answer = client.describe_tasks(
            cluster=cluster, tasks=arns[start : start + _DESCRIBE_TASKS_BATCH]
        )
        tasks.extend(answer.get("tasks", []))
    return tasks


def fetch_ecs_service_detail(
    session: CloudSession, region: str, cluster: str, service: str
) -> Fetched[EcsServiceRecord]:
    """One ECS service with deployments, events (newest first), running and stopped tasks."""

    def read() -> Sequence[EcsServiceRecord] | Fetched[EcsServiceRecord]:
        client = ecs_client(session, region)
        answer = client.describe_services(cluster=cluster, services=[service])
        found = [s for s in answer.get("services", []) if s.get("status") != "INACTIVE"]
        if not found:
            missing = FetchError(
                "ecs", region, ErrorKind.NOT_FOUND, f"service {service} not in cluster {cluster}"
            )
            return Fetched((), (missing,))
        described = found[0]
        name = described.get("serviceName", service)
        arn = described.get("taskDefinition", "")
        with ThreadPoolExecutor(max_workers=3, thread_name_prefix="shipdeck-ecs") as pool:
            running_f = pool.submit(
                _tasks, client, cluster, {"serviceName": name, "desiredStatus": "RUNNING"}
            )
            stopped_f = pool.submit(
                _tasks, client, cluster, {"serviceName": name, "desiredStatus": "STOPPED"}
            )
            definitions_f = pool.submit(_task_definitions, client, [arn])
            running, stopped = running_f.result(), stopped_f.result()
            definition = definitions_f.result().get(arn)
        return [ecs_service_record(region, described, definition, stopped, running)]

    return gather([Job("ecs", region, read)])


def _name(arn: str) -> str:
    return arn.rsplit("/", 1)[-1] if arn else ""


def _task_definition_name(arn: str) -> str:
    """``arn:...:task-definition/query-service:1`` as ``query-service:1``."""
    return _name(arn)


def ecs_task_record(task: TaskTypeDef) -> EcsTaskRecord:
    """A task as its detail shows it, with each container's exit code and reason."""
    return EcsTaskRecord(
        task_arn=task.get("taskArn", ""),
        task_definition=_task_definition_name(task.get("taskDefinitionArn", "")),
        last_status=task.get("lastStatus", ""),
        desired_status=task.get("desiredStatus", ""),
        started_at=task.get("startedAt"),
        stopped_at=task.get("stoppedAt"),
        stop_code=task.get("stopCode"),
        stopped_reason=task.get("stoppedReason"),
        container_exit_codes=tuple(
            (c.get("name", ""), c.get("exitCode"), c.get("reason"))
            for c in task.get("containers", [])
        ),
    )


def ecs_service_record(
    region: str,
    service: ServiceTypeDef,
    definition: TaskDefinitionTypeDef | None,
    stopped: Sequence[TaskTypeDef],
    running: Sequence[TaskTypeDef] = (),
) -> EcsServiceRecord:
    """An EcsServiceRecord from DescribeServices, its task definition and its tasks."""
    containers = list(definition.get("containerDefinitions", [])) if definition else []
    log_group: str | None = None
    log_prefix: str | None = None
    for container in containers:
        logging = container.get("logConfiguration", {})
        if logging.get("logDriver") == "awslogs":
            options = logging.get("options", {})
            log_group = options.get("awslogs-group")
            log_prefix = options.get("awslogs-stream-prefix")
            break
    cpu = definition.get("cpu") if definition else None
    memory = definition.get("memory") if definition else None
    if definition and memory is None:
        total = sum(c.get("memory", 0) for c in containers)
        memory = str(total) if total else None
    launch_type: str | None = service.get("launchType")
    if not launch_type and service.get("capacityProviderStrategy"):
        launch_type = service["capacityProviderStrategy"][0].get("capacityProvider")
    stopped_records = [ecs_task_record(t) for t in stopped]
    stopped_records.sort(key=lambda t: t.stopped_at.timestamp() if t.stopped_at else 0.0)
    stopped_records.reverse()
    desired = service.get("desiredCount", 0)
    running_count = service.get("runningCount", 0)
    events = sorted(
        service.get("events", []),
        key=lambda e: e["createdAt"].timestamp() if "createdAt" in e else 0.0,
        reverse=True,
    )
    return EcsServiceRecord(
        cluster=_name(service.get("clusterArn", "")),
        name=service.get("serviceName", ""),
        region=region,
        arn=service.get("serviceArn", ""),
        status=service.get("status", ""),
        launch_type=launch_type,
        desired=desired,
        running=running_count,
        pending=service.get("pendingCount", 0),
        task_definition=_task_definition_name(service.get("taskDefinition", "")),
        images=tuple(c["image"] for c in containers if "image" in c),
        cpu=cpu,
        memory=memory,
        log_group=log_group,
        log_stream_prefix=log_prefix,
        deployments=tuple(
            EcsDeploymentRecord(
                deployment_id=d.get("id", ""),
                status=d.get("status", ""),
                task_definition=_task_definition_name(d.get("taskDefinition", "")),
                desired=d.get("desiredCount", 0),
                running=d.get("runningCount", 0),
                pending=d.get("pendingCount", 0),
                rollout_state=d.get("rolloutState"),
                created_at=d.get("createdAt"),
            )
            for d in service.get("deployments", [])
        ),
        events=tuple((e.get("createdAt"), e.get("message", "")) for e in events),
        tasks=tuple([ecs_task_record(t) for t in running] + stopped_records),
    )
