"""The incident timeline: findings seen and resolved, actions planned, applied, and their outcome.

Read in a thread from the findings state file and the audit log (the same
``actions.timeline.timeline`` as ``shipdeck timeline``); ``ctrl+e`` writes it
as Markdown for the post-mortem.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Static

from actions.timeline import TimelineEvent
from tui.context.presenter import mask_rows
from tui.context.screen import ShipdeckScreen
from tui.context.state import ConsoleContext
from widgets.footer import KeyFooter
from widgets.resource_table import ResourceTable, TableColumn, TableRow

COLUMNS = (
    TableColumn("time", "TIME (UTC)", width=19),
    TableColumn("event", "EVENT", width=16),
    TableColumn("text", "WHAT", width=60),
    TableColumn("name", "SUBJECT"),
)
_EVENT_STYLE = {
    "finding seen": "bold red",
    "finding resolved": "bold green",
    "action plan": "cyan",
    "action apply": "bold cyan",
    "action outcome": "bold",
    "action refused": "yellow",
}


@dataclass
class TimelineRead(Message):
    """The timeline as read from the state file and the audit log."""

    events: tuple[TimelineEvent, ...]


def event_row(index: int, event: TimelineEvent) -> TableRow:
    """One event as a table row (the severity marker is the finding's)."""
    severity = event.severity if event.kind == "finding seen" else None
    text = event.text
    if event.kind == "action outcome" and not text.startswith("ok"):
        cell: str | Text = Text(text, style="bold red" if "fail" in text else "")
    else:
        cell = text
    return TableRow(
        f"{index}",
        (
            event.at.strftime("%Y-%m-%d %H:%M:%S"),
            Text(event.kind, style=_EVENT_STYLE.get(event.kind, "")),
            cell,
            event.subject,
        ),
        severity,
    )


class TimelineScreen(ShipdeckScreen):
    """The events in time order, newest at the bottom (where the cursor starts)."""

    DEFAULT_CSS = """
    TimelineScreen > ResourceTable { height: 1fr; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="back"),
        Binding("r", "refresh", "Refresh", id="refresh"),
        Binding(
            "ctrl+e",
            "app.export_timeline",
            "Export",
            id="timeline.export",
            tooltip="Write the timeline as Markdown under the state directory",
        ),
    ]

    def __init__(self, context: ConsoleContext) -> None:
        super().__init__(context)
        self.events: tuple[TimelineEvent, ...] = ()

    def compose(self) -> ComposeResult:
        """Header, title, the events, footer."""
        yield self.make_header()
        yield Static("incident timeline", classes="detail-title")
        yield ResourceTable(COLUMNS, id="timeline")
        yield KeyFooter()

    def on_mount(self) -> None:
        """Read the timeline and keep it current while it is open."""
        self.load()
        self.set_interval(5.0, self.load)
        self.query_one(ResourceTable).focus()

    @work(thread=True, exclusive=True, group="timeline", exit_on_error=False)
    def load(self) -> None:
        """Read the state file and the audit log (in a thread)."""
        from actions.timeline import timeline

        account = self.context.account  # as the header shows it (read by the reader process)
        self.post_message(TimelineRead(tuple(timeline(self.context.audit_log(), account=account))))

    @on(TimelineRead)
    def _read(self, message: TimelineRead) -> None:
        at_end = self._cursor_at_end()
        self.events = message.events
        self.show()
        if at_end:
            table = self.query_one(ResourceTable)
            table.move_cursor(max(table.row_count - 1, 0))

    def _cursor_at_end(self) -> bool:
        table = self.query_one(ResourceTable)
        return not self.events or table.cursor_row >= table.row_count - 1

    def show(self) -> None:
        """Put the events on screen (masked in presenter mode)."""
        rows = [event_row(i, e) for i, e in enumerate(self.events)]
        table = self.query_one(ResourceTable)
        table.set_rows(mask_rows(rows) if self.context.presenter else rows)
        findings = sum(1 for e in self.events if e.kind.startswith("finding"))
        title = f"incident timeline: {len(self.events)} events ({findings} about findings)"
        if not self.events:
            title = "incident timeline: nothing recorded yet"
        self.query_one(".detail-title", Static).update(title + "   ctrl+e writes it as Markdown")

    def presenter_changed(self) -> None:
        """The rows again, masked or not."""
        super().presenter_changed()
        self.show()

    def action_back(self) -> None:
        """Back to the console."""
        self.dismiss()

    def action_refresh(self) -> None:
        """Read again."""
        self.load()
