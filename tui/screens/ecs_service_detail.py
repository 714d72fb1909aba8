"""An ECS service: deployments, tasks, why tasks stopped, and the service's events."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import work
from textual.binding import BindingType

from cloud.model.ref import ResourceRef
from cloud.records import EcsServiceRecord, EcsTaskRecord
from cloud.text import human
from tui.context.formatting import status_text, timestamp
from tui.context.messages import DetailFetched
from tui.context.state import ConsoleContext
from tui.flows.action_keys import KIND_KEYS
from tui.flows.remediation import RemediationHost, bindings
from tui.screens.charts import ChartsHost
from tui.screens.detail import DetailScreen, error_section
from widgets.detail_view import DetailSection


def _task_id(arn: str) -> str:
    return arn.rsplit("/", 1)[-1][:12]


def stopped_text(task: EcsTaskRecord) -> Text:
    """When and why a task stopped, then each container's exit."""
    text = Text()
    text.append(f"{timestamp(task.stopped_at)}  {task.stop_code or ''}".rstrip(), style="bold")
    text.append("\n")
    text.append(task.stopped_reason or "no reason given", style="red")
    for name, code, reason in task.container_exit_codes:
        text.append(f"\n{name}: exit {human(code, 'code unknown')}", style="dim")
        if reason and reason not in (task.stopped_reason or ""):
            text.append(f" ({reason})", style="dim")
    return text


class EcsServiceDetail(ChartsHost, RemediationHost, DetailScreen):
    """What ``aws ecs describe-services`` and ``describe-tasks`` would tell, on one page."""

    BINDINGS: ClassVar[list[BindingType]] = bindings(KIND_KEYS["ecs"])
    remediation_keys = KIND_KEYS["ecs"]

    def __init__(self, context: ConsoleContext, ref: ResourceRef) -> None:
        self.title_text = f"ecs service {ref.name}  ({ref.scope})"
        super().__init__(context, ref)

    def remediation_record(self) -> object | None:
        """The resource this screen is about."""
        return self.current

    def log_subject(self) -> object | None:
        """``l`` follows this resource's log (as last read)."""
        return self.current

    @work(
        thread=True,
        exclusive=True,
        group="detail",
        exit_on_error=False,
        description="read the service's tasks and events",
    )
    def load(self) -> None:
        """Read the service with its tasks and events (in a thread)."""
        from cloud.inventory import fetch_ecs_service_detail

        assert self.ref is not None
        cluster, _, name = self.ref.name.partition("/")
        fetched = fetch_ecs_service_detail(
            self.context.session_for(self.ref), self.ref.scope, cluster, name
        )
        self.post_message(DetailFetched("service", fetched))

    @property
    def current(self) -> EcsServiceRecord | None:
        """The service as this screen's fetch read it (tasks, events), else as the model has it."""
        fetched = self.parts.get("service")
        if fetched is not None and fetched.records:
            found = fetched.records[0]
            if isinstance(found, EcsServiceRecord):
                return found
        record = self.record_as(EcsServiceRecord)
        return record

    def sections(self) -> list[DetailSection]:
        """Service, flags, deployments, stopped tasks, running tasks, events."""
        s = self.current
        if s is None:
            return [DetailSection("service", empty="reading…")]
        fetched = self.parts.get("service")
        sections = error_section(fetched.errors) if fetched else []
        running = [t for t in s.tasks if t.last_status != "STOPPED"]
        stopped = [t for t in s.tasks if t.last_status == "STOPPED"]
        sections += [
            DetailSection(
                "service",
                fields=(
                    ("status", status_text(s.status)),
                    ("launch type", s.launch_type or "—"),
                    ("tasks", f"{s.running} running / {s.desired} desired / {s.pending} pending"),
                    ("task definition", s.task_definition),
                    ("images", "\n".join(s.images) or "—"),
                    ("cpu / memory", f"{s.cpu or '—'} / {s.memory or '—'}"),
                    ("logs", f"{s.log_group or '—'} (prefix {s.log_stream_prefix or '—'})"),
                ),
            ),
            self.flags_section(),
            *self.chart_sections(),
            DetailSection(
                "deployments",
                # Running/desired in one column: the table fits an 80-column terminal.
                columns=("STATUS", "TASK DEF", "TASKS", "ROLLOUT", "CREATED"),
                rows=tuple(
                    (
                        status_text(d.status),
                        d.task_definition,
                        f"{d.running}/{d.desired}"
                        + (f" +{d.pending} pending" if d.pending else ""),
                        d.rollout_state or "—",
                        timestamp(d.created_at),
                    )
                    for d in s.deployments
                ),
                empty="no deployments",
            ),
            DetailSection(
                "stopped tasks",
                fields=tuple((_task_id(t.task_arn), stopped_text(t)) for t in stopped),
                empty="no stopped tasks" if fetched else "loading…",
            ),
            DetailSection(
                "tasks",
                columns=("TASK", "TASK DEF", "STATUS", "DESIRED", "STARTED"),
                rows=tuple(
                    (
                        _task_id(t.task_arn),
                        t.task_definition,
                        status_text(t.last_status),
                        t.desired_status,
                        timestamp(t.started_at),
                    )
                    for t in running
                ),
                empty="no running tasks" if fetched else "loading…",
            ),
            DetailSection(
                "events",
                columns=("TIME", "MESSAGE"),
                rows=tuple((timestamp(when), message) for when, message in s.events[:20]),
                empty="no events" if fetched else "loading…",
            ),
        ]
        return sections
