"""The services pane: ECS services, Lambda functions and Kubernetes deployments in one table."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from rich.text import Text
from textual.binding import BindingType
from textual.screen import Screen

from cloud.records import (
    DeploymentRecord,
    EcsServiceRecord,
    Fetched,
    Flag,
    LambdaFunctionRecord,
    ServiceRecord,
)
from cloud.session import CloudSession
from tui.action_flow import RemediationHost
from tui.formatting import age, flags_text, image_tag, short, status_text
from tui.panes.base import FLAGS_WIDTH, ResourcePane
from tui.remediations import SERVICE_KEYS, bindings
from widgets.resource_table import TableColumn


def kind_of(record: ServiceRecord) -> str:
    """``ecs``, ``lambda`` or ``k8s``."""
    if isinstance(record, EcsServiceRecord):
        return "ecs"
    if isinstance(record, LambdaFunctionRecord):
        return "lambda"
    return "k8s"


def where(record: ServiceRecord) -> str:
    """The cluster (ECS), namespace (Kubernetes) or nothing (Lambda)."""
    if isinstance(record, EcsServiceRecord):
        return record.cluster
    if isinstance(record, DeploymentRecord):
        return record.namespace
    return "—"


def ready_text(ready: int, desired: int) -> Text:
    """``3/4`` in red when nothing is ready, yellow when some are missing."""
    style = "green" if ready >= desired else ("bold red" if ready == 0 else "yellow")
    return Text(f"{ready}/{desired}", style=style)


class ServicesPane(RemediationHost, ResourcePane[ServiceRecord]):
    """Everything that runs images, broken ones first."""

    pane = "services"
    BINDINGS: ClassVar[list[BindingType]] = bindings(SERVICE_KEYS)
    remediation_keys = SERVICE_KEYS

    @staticmethod
    def fetch(session: CloudSession) -> Fetched[Any]:
        """ECS services, Lambda functions and Kubernetes deployments."""
        from cloud.inventory import fetch_services

        return fetch_services(session)

    def columns(self) -> list[TableColumn]:
        """Kind, where, name, ready, image, status, flags."""
        return [
            TableColumn("kind", "KIND"),
            *self.region_columns(),
            TableColumn("where", "CLUSTER/NS"),
            TableColumn("name", "NAME"),
            TableColumn("ready", "READY"),
            TableColumn("flags", "FLAGS", width=FLAGS_WIDTH),
            TableColumn("status", "STATUS"),
            TableColumn("image", "IMAGE", width=30),
            TableColumn("age", "UPDATED"),
        ]

    def row_key(self, record: ServiceRecord) -> str:
        """Kind, location and name."""
        if isinstance(record, EcsServiceRecord):
            return f"ecs/{record.region}/{record.cluster}/{record.name}"
        if isinstance(record, LambdaFunctionRecord):
            return f"lambda/{record.region}/{record.name}"
        return f"k8s/{record.context}/{record.namespace}/{record.name}"

    def sort_name(self, record: ServiceRecord) -> str:
        """By kind, then where, then name."""
        return f"{kind_of(record)}/{where(record)}/{record.name}"

    def flags(self, record: ServiceRecord) -> tuple[Flag, ...]:
        """The record's own flags (CrashLoopBackOff, ImagePullBackOff, stopped tasks...)."""
        return record.flags

    def cells(self, record: ServiceRecord, now: datetime) -> tuple[str | Text, ...]:
        """One row of the services table."""
        if isinstance(record, EcsServiceRecord):
            region = record.region
            ready = ready_text(record.running, record.desired)
            image = record.images[0] if record.images else record.task_definition
            status = status_text(record.status)
            updated = age(record.deployments[0].created_at, now) if record.deployments else "—"
        elif isinstance(record, LambdaFunctionRecord):
            region = record.region
            ok = record.state == "Active"
            ready = Text("1/1" if ok else "0/1", style="green" if ok else "bold red")
            image = record.image_uri or record.runtime or "—"
            status = status_text(record.last_update_status or record.state)
            updated = age(record.last_modified, now)
        else:
            region = record.context
            ready = ready_text(record.ready, record.desired)
            image = record.images[0] if record.images else "—"
            status = status_text("RUNNING" if record.ready >= record.desired else "DEGRADED")
            created = [p.created_at for p in record.pods if p.created_at is not None]
            updated = age(max(created), now) if created else "—"
        return (
            kind_of(record),
            *self.region_cells(region),
            where(record),
            record.name,
            ready,
            flags_text(record.flags),
            status,
            short(image_tag(image), 30),
            updated,
        )

    def detail(self, record: ServiceRecord) -> Screen[None] | None:
        """The service's deployments, tasks/pods and events."""
        if isinstance(record, EcsServiceRecord):
            from tui.screens.ecs_service_detail import EcsServiceDetail

            return EcsServiceDetail(self.context, record)
        if isinstance(record, LambdaFunctionRecord):
            from tui.screens.lambda_detail import LambdaDetail

            return LambdaDetail(self.context, record)
        from tui.screens.deployment_detail import DeploymentDetail

        return DeploymentDetail(self.context, record)

    def remediation_record(self) -> object | None:
        """The selected row's record."""
        return self.selected()
