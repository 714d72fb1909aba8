"""The quotas pane: applied, default and effective values, and what they mean for builds."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from rich.text import Text
from textual.binding import BindingType
from textual.screen import Screen

from cloud.records import Fetched, Flag, QuotaRecord
from cloud.session import CloudSession
from tui.action_flow import RemediationHost
from tui.formatting import flags_text, number, short
from tui.panes.base import FLAGS_WIDTH, ResourcePane
from tui.remediations import QUOTA_KEYS, bindings
from widgets.resource_table import TableColumn


def effective_text(record: QuotaRecord) -> Text:
    """The effective value, red when it is zero."""
    style = "bold red" if record.effective_value <= 0 else ""
    return Text(number(record.effective_value), style=style)


def compact_name(name: str) -> str:
    """A quota name that fits a column, keeping the part that tells it from its siblings.

    ``Concurrently running builds for Linux/Large environment`` becomes
    ``running builds: Linux/Large``.
    """
    prefix = "Concurrently running builds for "
    if name.startswith(prefix):
        return "running builds: " + name.removeprefix(prefix).removesuffix(" environment")
    return name


def applied_text(record: QuotaRecord) -> Text:
    """``none`` when the account has no applied value: red when that leaves nothing to run."""
    if record.applied_value is not None:
        return Text(number(record.applied_value))
    return Text("none", style="bold red" if record.effective_value <= 0 else "dim")


class QuotasPane(RemediationHost, ResourcePane[QuotaRecord]):
    """Quotas that decide whether builds and services can run."""

    pane = "quotas"
    BINDINGS: ClassVar[list[BindingType]] = bindings(QUOTA_KEYS)
    remediation_keys = QUOTA_KEYS

    @staticmethod
    def fetch(session: CloudSession) -> Fetched[Any]:
        """The quotas shipdeck watches, in every region."""
        from cloud.inventory import fetch_quotas

        return fetch_quotas(session)

    def columns(self) -> list[TableColumn]:
        """Service, code, name, applied/default/effective, builds and queue, flags."""
        return [
            *self.region_columns(),
            TableColumn("service", "SERVICE"),
            TableColumn("code", "QUOTA"),
            TableColumn("name", "NAME", width=28),
            TableColumn("applied", "APPLIED"),
            TableColumn("default", "DEFAULT"),
            TableColumn("effective", "EFFECTIVE"),
            TableColumn("running", "RUNNING"),
            TableColumn("queue", "QUEUE"),
            TableColumn("requests", "REQUESTS"),
            TableColumn("flags", "FLAGS", width=FLAGS_WIDTH),
        ]

    def row_key(self, record: QuotaRecord) -> str:
        """Region, service and quota code."""
        return f"{record.region}/{record.service_code}/{record.quota_code}"

    def sort_name(self, record: QuotaRecord) -> str:
        """By service, then code."""
        return f"{record.service_code}/{record.quota_code}/{record.region}"

    def flags(self, record: QuotaRecord) -> tuple[Flag, ...]:
        """The record's own flags."""
        return record.flags

    def cells(self, record: QuotaRecord, now: datetime) -> tuple[str | Text, ...]:
        """One row of the quotas table."""
        open_requests = [r for r in record.requests if r.status in ("PENDING", "CASE_OPENED")]
        return (
            *self.region_cells(record.region),
            record.service_code,
            record.quota_code,
            short(compact_name(record.name), 28),
            applied_text(record),
            number(record.default_value, missing="—"),
            effective_text(record),
            "—" if record.running_builds is None else str(record.running_builds),
            "—" if record.queue_capacity is None else str(record.queue_capacity),
            f"{len(open_requests)} open" if open_requests else "—",
            flags_text(record.flags),
        )

    def detail(self, record: QuotaRecord) -> Screen[None] | None:
        """The quota's arithmetic and increase requests."""
        from tui.screens.quota_detail import QuotaDetail

        return QuotaDetail(self.context, record)

    def remediation_record(self) -> object | None:
        """The selected row's record."""
        return self.selected()
