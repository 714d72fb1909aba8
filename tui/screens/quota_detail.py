"""A quota: applied vs default vs effective, what that means for builds, and increase requests."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.binding import BindingType

from cloud.model.ref import ResourceRef
from cloud.records import QuotaRecord
from tui.context.formatting import number, status_text, timestamp
from tui.context.state import ConsoleContext
from tui.flows.action_keys import KIND_KEYS
from tui.flows.remediation import RemediationHost, bindings
from tui.screens.charts import ChartsHost
from tui.screens.detail import DetailScreen
from widgets.detail_view import DetailSection


class QuotaDetail(ChartsHost, RemediationHost, DetailScreen):
    """The arithmetic behind a quota, in the words a person needs for a support case."""

    BINDINGS: ClassVar[list[BindingType]] = bindings(KIND_KEYS["quota"])
    remediation_keys = KIND_KEYS["quota"]

    def __init__(self, context: ConsoleContext, ref: ResourceRef) -> None:
        service, _, code = ref.name.partition("/")
        self.title_text = f"quota {service} {code}  ({ref.scope})"
        super().__init__(context, ref)

    def remediation_record(self) -> object | None:
        """The resource this screen is about."""
        return self.record

    def sections(self) -> list[DetailSection]:
        """Values, explanation, flags, requests."""
        q = self.record_as(QuotaRecord)
        if q is None:
            return [DetailSection("quota", empty="reading…")]
        effective_style = "bold red" if q.effective_value <= 0 else ""
        fields: list[tuple[str, str | Text]] = [
            ("name", q.name),
            ("service", q.service_code),
            ("quota code", q.quota_code),
            ("region", q.region),
            (
                "applied value",
                Text("none", style="bold red")
                if q.applied_value is None
                else number(q.applied_value),
            ),
            ("AWS default", number(q.default_value, missing="—")),
            ("effective value", Text(number(q.effective_value), style=effective_style)),
            ("unit", q.unit or "—"),
            ("adjustable", "yes" if q.adjustable else "no"),
        ]
        if q.running_builds is not None:
            fields.append(("running builds", str(q.running_builds)))
        if q.queue_capacity is not None:
            fields.append(("queue capacity", f"{q.queue_capacity} (5 x concurrency)"))
        open_statuses = ("PENDING", "CASE_OPENED")
        return [
            DetailSection(
                "quota",
                fields=tuple(fields),
                text=Text(q.explanation, style="bold") if q.explanation else None,
            ),
            self.flags_section(),
            *self.chart_sections(),
            DetailSection(
                "increase requests",
                columns=("ID", "DESIRED", "STATUS", "CREATED", "CASE"),
                rows=tuple(
                    (
                        r.request_id,
                        number(r.desired_value),
                        status_text(r.status)
                        if r.status not in open_statuses
                        else Text(f"{r.status} (open)", style="yellow"),
                        timestamp(r.created),
                        r.case_id or "—",
                    )
                    for r in q.requests
                ),
                empty="no increase requests",
            ),
        ]
