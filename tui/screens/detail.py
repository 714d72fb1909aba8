"""The base of detail screens: a title, sections, ``escape`` back, ``r`` to read again."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widget import Widget
from textual.widgets import Static

from cloud.records import Fetched, FetchError
from tui.messages import DetailFetched
from tui.presenter import mask_section
from tui.screens.base import ShipdeckScreen
from widgets.detail_view import DetailSection, DetailView
from widgets.footer import CoalescedFooter


def error_section(errors: tuple[FetchError, ...]) -> list[DetailSection]:
    """A section listing fetch errors in red, or nothing when there are none."""
    if not errors:
        return []
    text = Text("\n".join(e.line() for e in errors), style="bold red")
    return [DetailSection("errors", text=text)]


class DetailScreen(ShipdeckScreen):
    """A pushed screen about one resource; subclasses say what to fetch and how to show it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="back"),
        Binding("r", "refresh", "Refresh", id="refresh"),
        Binding("l", "logs", "Logs", id="logs.open"),
    ]

    title_text: str = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.parts: dict[str, Fetched[Any]] = {}

    def compose(self) -> ComposeResult:
        """Header, title, body, footer."""
        yield self.make_header()
        yield Static(self.title_text, classes="detail-title")
        yield from self.compose_body()
        yield CoalescedFooter()

    def compose_body(self) -> ComposeResult:
        """The detail view (a subclass may add a table under it)."""
        yield DetailView()

    def on_mount(self) -> None:
        """Show what is known, then read the rest."""
        self.show()
        self.load()
        self.focus_target().focus()

    def focus_target(self) -> Widget:
        """What has focus first (override when a table should have it)."""
        return self.query_one(DetailView)

    def sections(self) -> list[DetailSection]:
        """What the screen shows now (override)."""
        return []

    def load(self) -> object:
        """Start the workers that read this screen's data (override; may return the worker)."""
        return None

    def show(self) -> None:
        """Redraw the title and the sections (masked in presenter mode)."""
        self.query_one(".detail-title", Static).update(self.context.shown(self.title_text))
        sections = self.sections()
        if self.context.presenter:
            sections = [mask_section(s) for s in sections]
        self.query_one(DetailView).show(sections)

    def presenter_changed(self) -> None:
        """Show the sections again, masked or not."""
        super().presenter_changed()
        self.show()

    @on(DetailFetched)
    def _fetched(self, message: DetailFetched) -> None:
        self.parts[message.part] = message.fetched
        self.show()
        self.refresh_bindings()  # which action keys apply may have changed

    def action_back(self) -> None:
        """Back to where the person came from."""
        self.dismiss()

    def log_subject(self) -> object | None:
        """What ``l`` shows the log of."""
        return getattr(self, "record", None)

    def action_logs(self) -> None:
        """Live log of this resource (or of its selected build or pod)."""
        from tui.screens.logs import LogsScreen, log_source_for

        source = log_source_for(self.log_subject())
        if source is None:
            self.notify("no log for this", timeout=3)
            return
        self.app.push_screen(LogsScreen(self.context, source))

    def action_refresh(self) -> None:
        """Read again."""
        self.load()
        self.notify("reading again…", timeout=2)
