"""What runs images, in the console: ECS services, Lambda functions, Kubernetes deployments.

Three kinds that share the services pane's columns; each fills them its own way.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from rich.text import Text

from cloud.model.ref import ResourceRef
from cloud.records import DeploymentRecord, EcsServiceRecord, LambdaFunctionRecord
from tui.context.formatting import age, image_tag, short, status_text
from tui.flows.action_keys import KIND_KEYS
from tui.kinds.view import Cell, KindView, RowContext

if TYPE_CHECKING:
    from textual.screen import Screen

    from tui.context.state import ConsoleContext

ECS_KEYS = KIND_KEYS["ecs"]
LAMBDA_KEYS = KIND_KEYS["lambda"]
K8S_KEYS = KIND_KEYS["k8s"]


def ready_text(ready: int, desired: int) -> Text:
    """``3/4`` in red when nothing is ready, yellow when some are missing."""
    style = "green" if ready >= desired else ("bold red" if ready == 0 else "yellow")
    return Text(f"{ready}/{desired}", style=style)


def ecs_cells(record: EcsServiceRecord, row: RowContext) -> Mapping[str, Cell]:
    """An ECS service row."""
    image = record.images[0] if record.images else record.task_definition
    return {
        "kind": "ecs",
        "region": record.region,
        "where": record.cluster,
        "name": record.name,
        "ready": ready_text(record.running, record.desired),
        "status": status_text(record.status),
        "image": short(image_tag(image), 30),
        "age": age(record.deployments[0].created_at, row.now) if record.deployments else "—",
    }


def lambda_cells(record: LambdaFunctionRecord, row: RowContext) -> Mapping[str, Cell]:
    """A Lambda function row."""
    ok = record.state == "Active"
    return {
        "kind": "lambda",
        "region": record.region,
        "where": "—",
        "name": record.name,
        "ready": Text("1/1" if ok else "0/1", style="green" if ok else "bold red"),
        "status": status_text(record.last_update_status or record.state),
        "image": short(image_tag(record.image_uri or record.runtime or "—"), 30),
        "age": age(record.last_modified, row.now),
    }


def k8s_cells(record: DeploymentRecord, row: RowContext) -> Mapping[str, Cell]:
    """A Kubernetes deployment row."""
    created = [p.created_at for p in record.pods if p.created_at is not None]
    return {
        "kind": "k8s",
        "region": record.context,
        "where": record.namespace,
        "name": record.name,
        "ready": ready_text(record.ready, record.desired),
        "status": status_text("RUNNING" if record.ready >= record.desired else "DEGRADED"),
        "image": short(image_tag(record.images[0] if record.images else "—"), 30),
        "age": age(max(created), row.now) if created else "—",
    }


def ecs_detail(context: ConsoleContext, ref: ResourceRef) -> Screen[None]:
    """Deployments, tasks, events."""
    from tui.screens.ecs_service_detail import EcsServiceDetail

    return EcsServiceDetail(context, ref)


def lambda_detail(context: ConsoleContext, ref: ResourceRef) -> Screen[None]:
    """Image, state, the last update."""
    from tui.screens.lambda_detail import LambdaDetail

    return LambdaDetail(context, ref)


def k8s_detail(context: ConsoleContext, ref: ResourceRef) -> Screen[None]:
    """Pods, why they are not ready, their events, a crashing pod's log."""
    from tui.screens.deployment_detail import DeploymentDetail

    return DeploymentDetail(context, ref)


ECS = KindView[EcsServiceRecord](
    "ecs", ecs_cells, lambda r: f"ecs/{r.cluster}/{r.name}", detail=ecs_detail, keys=ECS_KEYS
)
LAMBDA = KindView[LambdaFunctionRecord](
    "lambda", lambda_cells, lambda r: f"lambda/—/{r.name}", detail=lambda_detail, keys=LAMBDA_KEYS
)
K8S = KindView[DeploymentRecord](
    "k8s",
    k8s_cells,
    lambda r: f"k8s/{r.namespace}/{r.name}",
    detail=k8s_detail,
    keys=K8S_KEYS,
    listed=("kind", "region", "where", "name", "ready", "status", "image"),  # the pods add age
)
