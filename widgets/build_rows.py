"""Rows of a long-running action's steps (the services of a fallback build).

The widget knows nothing of Docker or ECR: a screen hands each row plain
values (the step, its state word, what it is doing, seconds elapsed, the
result or error) and ``build_row`` makes the ``TableRow`` a
``ResourceTable`` shows, coloured by state.
"""

from __future__ import annotations

from rich.text import Text

from widgets.resource_table import TableColumn, TableRow

BUILD_COLUMNS = (
    TableColumn("service", "SERVICE"),
    TableColumn("state", "STATE", width=10),
    TableColumn("progress", "PROGRESS", width=44),
    TableColumn("elapsed", "ELAPSED", width=8),
    TableColumn("result", "RESULT"),
)
STATE_STYLES = {
    "queued": "dim",
    "building": "cyan",
    "pushing": "bold cyan",
    "done": "bold green",
    "failed": "bold red",
    "cancelled": "yellow",
}
_SEVERITY = {"failed": "critical", "cancelled": "warning"}
PROGRESS_LIMIT = 120


def build_row(
    service: str, state: str, progress: str = "", elapsed: float | None = None, result: str = ""
) -> TableRow:
    """One service's row; ``elapsed`` None while it waits; a failed row's result is red."""
    return TableRow(
        service,
        (
            service,
            Text(state, style=STATE_STYLES.get(state, "")),
            progress[:PROGRESS_LIMIT],
            f"{elapsed:.1f}s" if elapsed is not None else "",
            Text(result, style="red") if state == "failed" else result,
        ),
        _SEVERITY.get(state),
    )
