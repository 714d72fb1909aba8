"""Service quotas in the console: cells, detail, keys."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from rich.text import Text

from cloud.model.ref import ResourceRef
from cloud.records import QuotaRecord
from tui.context.formatting import number, short
from tui.flows.action_keys import KIND_KEYS
from tui.kinds.view import Cell, KindView, RowContext

if TYPE_CHECKING:
    from textual.screen import Screen

    from tui.context.state import ConsoleContext

KEYS = KIND_KEYS["quota"]


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


def cells(record: QuotaRecord, row: RowContext) -> Mapping[str, Cell]:
    """One quota row."""
    open_requests = [r for r in record.requests if r.status in ("PENDING", "CASE_OPENED")]
    return {
        "region": record.region,
        "service": record.service_code,
        "code": record.quota_code,
        "name": short(compact_name(record.name), 28),
        "applied": applied_text(record),
        "default": number(record.default_value, missing="—"),
        "effective": effective_text(record),
        "running": "—" if record.running_builds is None else str(record.running_builds),
        "queue": "—" if record.queue_capacity is None else str(record.queue_capacity),
        "requests": f"{len(open_requests)} open" if open_requests else "—",
    }


def detail(context: ConsoleContext, ref: ResourceRef) -> Screen[None]:
    """The quota's arithmetic and increase requests."""
    from tui.screens.quota_detail import QuotaDetail

    return QuotaDetail(context, ref)


VIEW = KindView[QuotaRecord](
    "quota",
    cells,
    lambda r: f"{r.service_code}/{r.quota_code}/{r.region}",
    detail=detail,
    keys=KEYS,
    # The quota's values; the running builds (from CodeBuild) come after.
    listed=(
        *("region", "service", "code", "name"),
        *("applied", "default", "effective", "queue", "requests"),
    ),
)
