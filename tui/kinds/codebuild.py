"""CodeBuild projects in the console: cells, detail, keys."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from rich.text import Text

from cloud.model.ref import ResourceRef
from cloud.records import ProjectRecord
from tui.context.formatting import age, duration, status_text
from tui.flows.action_keys import KIND_KEYS
from tui.kinds.view import Cell, KindView, RowContext

if TYPE_CHECKING:
    from textual.screen import Screen

    from tui.context.state import ConsoleContext

KEYS = KIND_KEYS["codebuild"]

_HISTORY_MARKS = {
    "SUCCEEDED": ("✓", "green"),
    "FAILED": ("✗", "red"),
    "FAULT": ("✗", "red"),
    "TIMED_OUT": ("⏱", "red"),
    "STOPPED": ("■", "dim"),
    "IN_PROGRESS": ("…", "yellow"),
}


def history(statuses: tuple[str, ...]) -> Text:
    """Recent build results as marks, oldest left, newest right (``✓✓✗✓``)."""
    line = Text()
    for status in reversed(statuses):
        mark, style = _HISTORY_MARKS.get(status, ("?", "dim"))
        line.append(mark, style=style)
    return line


def cells(record: ProjectRecord, row: RowContext) -> Mapping[str, Cell]:
    """One project row."""
    last = record.last_build
    number = f"#{last.number} " if last is not None and last.number is not None else ""
    status = status_text(last.status if last else None)
    if last is not None:
        status = Text(number) + status
    elif record.blocked is not None:
        status = Text("cannot start", style="bold red")
    return {
        "region": record.region,
        "name": record.name,
        "status": status,
        "phase": (last.current_phase or "—") if last else "—",
        "started": age(last.start, row.now) if last else "—",
        "duration": duration(last.duration_seconds) if last else "—",
        "history": history(record.recent_statuses),
        "compute": record.compute_type.removeprefix("BUILD_GENERAL1_"),
    }


def detail(context: ConsoleContext, ref: ResourceRef) -> Screen[None]:
    """The project's recent builds."""
    from tui.screens.project_detail import ProjectDetail

    return ProjectDetail(context, ref)


VIEW = KindView[ProjectRecord](
    "codebuild",
    cells,
    lambda r: f"{r.name}/{r.region}",
    detail=detail,
    keys=KEYS,
    listed=("region", "name", "compute"),  # a described project; its builds come after
)
