"""A quota: applied vs default vs effective, what that means for builds, and increase requests."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.binding import BindingType

from cloud.records import QuotaRecord
from tui.action_flow import RemediationHost
from tui.context import ConsoleContext
from tui.formatting import flag_lines, number, status_text, timestamp
from tui.remediations import QUOTA_KEYS, bindings
from tui.screens.detail import DetailScreen
from widgets.detail_view import DetailSection


class QuotaDetail(RemediationHost, DetailScreen):
    """The arithmetic behind a quota, in the words a person needs for a support case."""

    BINDINGS: ClassVar[list[BindingType]] = bindings(QUOTA_KEYS)
    remediation_keys = QUOTA_KEYS

    def __init__(self, context: ConsoleContext, record: QuotaRecord) -> None:
        self.record = record
        self.title_text = f"quota {record.service_code} {record.quota_code}  ({record.region})"
        super().__init__(context)

    def remediation_record(self) -> object | None:
        """The resource this screen is about."""
        return self.record

    def sections(self) -> list[DetailSection]:
        """Values, explanation, flags, requests."""
        q = self.record
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
            DetailSection("flags", fields=flag_lines(q.flags), empty="nothing to act on"),
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
