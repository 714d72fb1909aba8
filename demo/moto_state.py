"""State set on (and read from) moto's own objects, which the world's moto server serves.

The world's moto server runs in this process, so its backends are at hand.

moto stamps resources with the time its create call ran: the world's start. Where
the scenario says otherwise and every read of the resource must agree, the time is
set on moto's object right after it is created, before the gateway lets clients in.
Where moto's own handling of a call leaves a resource unlike AWS (UpdateService keeps
the old deployment), the world corrects the object right after the call. The clock
reads what runs (a function's image, a service's tasks) from here too: no HTTP call.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from moto.awslambda.exceptions import UnknownFunctionException
from moto.backends import get_backend
from moto.ecs.exceptions import RevisionNotFoundException, TaskDefinitionNotFoundException


def lambda_time(at: datetime) -> str:
    """Lambda's time format, ``2025-11-11T04:39:26.000+0000`` (milliseconds, +0000)."""
    at = at.astimezone(UTC)
    return at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}+0000"


def _arn_parts(arn: str) -> tuple[str, str, str]:
    """(region, account, resource) of ``arn:partition:service:region:account:resource``."""
    parts = arn.split(":", 5)
    if len(parts) < 6:
        raise ValueError(f"not an ARN: {arn!r}")
    return parts[3], parts[4], parts[5]


def set_function_last_modified(function_arn: str, at: datetime) -> str:
    """Set ``LastModified`` of the function's ``$LATEST``; returns the text set."""
    region, account, resource = _arn_parts(function_arn)
    name = resource.split(":")[1]  # function:NAME[:qualifier]
    function = get_backend("lambda")[account][region].get_function(name)
    function.last_modified = lambda_time(at)
    return str(function.last_modified)


def set_repository_created(repository_arn: str, at: datetime) -> None:
    """Set ``createdAt`` of an ECR repository (DescribeRepositories)."""
    region, account, resource = _arn_parts(repository_arn)
    name = resource.split("/", 1)[1]  # repository/NAME (NAME may hold slashes)
    repository = get_backend("ecr")[account][region].repositories[name]
    repository.created_at = at.astimezone(UTC).replace(tzinfo=None)  # moto's naive UTC


# -- reads of what runs, for the world's clock (live streams, ECS rollouts) ----------------------
def lambda_function(account: str, region: str, name: str) -> Any | None:
    """moto's function ``name`` (its ``$LATEST``), or None when there is none."""
    backend = get_backend("lambda")[account][region]
    try:
        return backend.get_function(name)
    except UnknownFunctionException:
        return None


def function_image(function: Any) -> str | None:
    """The ImageUri a function runs (None for a zip function)."""
    image = (getattr(function, "code", None) or {}).get("ImageUri")
    return str(image) if image else None


def ecs_service(account: str, region: str, cluster: str, name: str) -> Any | None:
    """moto's service ``name`` of ``cluster`` (names or ARNs), or None."""
    services = get_backend("ecs")[account][region].services
    return services.get(f"{cluster.rsplit('/', 1)[-1]}:{name.rsplit('/', 1)[-1]}")


def ecs_task_definition(account: str, region: str, reference: str) -> Any | None:
    """moto's task definition for ``family:revision`` or its ARN, or None."""
    try:
        return get_backend("ecs")[account][region].describe_task_definition(reference)
    except (TaskDefinitionNotFoundException, RevisionNotFoundException):
        return None


def running_service_tasks(service: Any) -> list[Any]:
    """moto's tasks of ``service`` (its group) that are meant to run, oldest first."""
    backend = get_backend("ecs")[service._account_id][service.region_name]
    tasks = list((backend.tasks.get(service.cluster_name) or {}).values())
    return [
        t for t in tasks if t.group == f"service:{service.name}" and t.desired_status == "RUNNING"
    ]


def task_definition_memory(definition: Any) -> int | None:
    """Task memory in MiB (the sum of the containers' when the task sets none)."""
    memory = getattr(definition, "memory", None)
    if memory is not None and str(memory).isdigit():
        return int(memory)
    total = sum(int(c.get("memory") or 0) for c in definition.container_definitions)
    return total or None


def task_definition_images(definition: Any) -> list[str]:
    """The images of a task definition's containers."""
    return [str(c.get("image", "")) for c in definition.container_definitions]


# -- ECS deployments: what moto's UpdateService leaves out ---------------------------------------
def set_service_deployments(
    service: Any, task_definition_arn: str, deployments: list[dict[str, Any]]
) -> None:
    """Make ``task_definition_arn`` the service's and ``deployments`` its deployments.

    moto's UpdateService stores the task definition as the caller wrote it (``family:3``,
    not the ARN ECS reports) and keeps the old PRIMARY deployment. The list is replaced
    whole, so a DescribeServices serializing it meanwhile sees the old or the new one.
    """
    service.task_definition = task_definition_arn
    service.deployments = deployments


def service_deployments(service: Any) -> list[dict[str, Any]]:
    """Copies of the service's deployments (moto's dicts, naive UTC datetimes)."""
    return [dict(d) for d in service.deployments]
