"""Rows of a local build pool, and the question asked before it starts.

The widgets know nothing of Docker or ECR: a screen hands each row plain
values (the service, its state word, what it is doing, seconds elapsed, the
result or error) and ``build_row`` makes the ``TableRow`` a
``ResourceTable`` shows, coloured by state. ``ConfirmBuild`` is a
``ModalScreen[bool]``: ``y`` says yes, ``n`` or ``escape`` no.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import ModalScreen
from textual.widgets import Static

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


class ConfirmBuild(ModalScreen[bool]):
    """The question before a build starts: ``y`` builds and pushes, ``n``/``escape`` does not."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Build and push", id="fallback.confirm"),
        Binding("n,escape", "answer(False)", "No", id="fallback.decline"),
    ]
    DEFAULT_CSS = """
    ConfirmBuild { align: center middle; }
    ConfirmBuild > Static {
        width: 84; height: auto; padding: 1 2; border: thick $warning; background: $panel;
    }
    """

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        """The question and the keys."""
        text = Text(self.question + "\n\n")
        text.append("y", style="bold").append(" build and push    ")
        text.append("n", style="bold").append(" no")
        yield Static(text)

    def action_answer(self, yes: bool) -> None:
        """Close with the answer."""
        self.dismiss(yes)
