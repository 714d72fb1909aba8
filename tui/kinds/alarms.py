"""CloudWatch alarms in the console: cells, detail."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from rich.text import Text

from cloud.findings.alarms import alarm_subject, condition_text
from cloud.model.ref import ResourceRef
from cloud.records import AlarmRecord
from tui.context.formatting import age, alarm_state_text, short
from tui.kinds.view import Cell, KindView, RowContext

if TYPE_CHECKING:
    from textual.screen import Screen

    from tui.context.state import ConsoleContext


def cells(record: AlarmRecord, row: RowContext) -> Mapping[str, Cell]:
    """One alarm row."""
    subject = alarm_subject(record)
    return {
        "region": record.region,
        "name": record.name,
        "state": alarm_state_text(record.state),
        "condition": short(condition_text(record), 44),
        "resource": subject.target if subject is not None else Text("—", style="dim"),
        "changed": age(record.updated_at, row.now),
    }


def detail(context: ConsoleContext, ref: ResourceRef) -> Screen[None]:
    """The alarm's condition, reason, chart and history."""
    from tui.screens.alarm_detail import AlarmDetail

    return AlarmDetail(context, ref)


_ORDER = {"ALARM": "0", "INSUFFICIENT_DATA": "1"}

VIEW = KindView[AlarmRecord](
    "alarm",
    cells,
    lambda r: f"{_ORDER.get(r.state, '2')}{r.name}/{r.region}",
    detail=detail,
    listed=("region", "name", "state", "condition", "resource", "changed"),
)
