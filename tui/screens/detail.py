"""The base of detail screens: one resource of the model, ``escape`` back, ``r`` to read again.

A detail shows the record the model holds for its ``ResourceRef`` (so it says
what every pane says), the flags the diagnosis puts on it, and what its own
fetch adds (events, running tasks, images). When the model reads its kind
again and the record changed, the detail redraws and fetches again; when the
resource is gone from the model, it says so rather than showing it as it was.
"""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widget import Widget
from textual.widgets import Static

from cloud.incident import ModelState
from cloud.model.kinds import log_of
from cloud.model.ref import ResourceRef
from cloud.model.snapshot import EXTRAS_OF
from cloud.records import Fetched, FetchError
from tui.context.formatting import flag_lines
from tui.context.messages import DetailFetched
from tui.context.presenter import mask_section
from tui.context.screen import ShipdeckScreen
from tui.context.state import ConsoleContext
from widgets.detail_view import DetailSection, DetailView
from widgets.footer import KeyFooter

R = TypeVar("R")


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

    def __init__(self, context: ConsoleContext, ref: ResourceRef | None = None) -> None:
        super().__init__(context)
        self.ref = ref
        self.parts: dict[str, Fetched[Any]] = {}
        self.last: object | None = context.state.record(ref) if ref is not None else None
        """The record as last seen in the model (kept when the model no longer has it)."""

    @property
    def record(self) -> object | None:
        """The model's record of this resource now, else as last seen."""
        if self.ref is None:
            return self.last
        found: object | None = self.context.state.record(self.ref)
        return found if found is not None else self.last

    def record_as(self, kind: type[R]) -> R | None:
        """``record``, typed as the record class this screen shows."""
        found = self.record
        return found if isinstance(found, kind) else None

    @property
    def gone(self) -> bool:
        """The resource was read again and is not there any more."""
        if self.ref is None:
            return False
        state = self.context.state
        return state.read((self.ref.kind,)) and state.record(self.ref) is None

    def compose(self) -> ComposeResult:
        """Header, title, body, footer."""
        yield self.make_header()
        yield Static(self.title_text, classes="detail-title", markup=False)
        yield from self.compose_body()
        yield KeyFooter()

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

    def flags_section(self) -> DetailSection:
        """The flags the diagnosis puts on this resource (the findings behind its row)."""
        state = self.context.state
        flags = state.diagnosis.flags(self.ref)
        empty = "nothing to act on" if state.complete else "reading the account…"
        return DetailSection("flags", fields=flag_lines(flags), empty=empty)

    def gone_section(self) -> list[DetailSection]:
        """A line saying the resource is gone, when it is."""
        if not self.gone:
            return []
        text = Text("not found at the last read: deleted, or out of reach", style="bold red")
        return [DetailSection("gone", text=text)]

    def load(self) -> object:
        """Start the workers that read this screen's own data (override; may return the worker)."""
        return None

    def reload(self) -> None:
        """Read this screen's own data again (after an action on it)."""
        self.load()

    def show(self) -> None:
        """Redraw the title and the sections (masked in presenter mode)."""
        if not self.query(".detail-title"):
            return  # not composed yet: on_mount draws it
        self.query_one(".detail-title", Static).update(self.context.shown(self.title_text))
        sections = self.gone_section() + self.sections()
        if self.context.presenter:
            sections = [mask_section(s) for s in sections]
        self.query_one(DetailView).show(sections)

    def presenter_changed(self) -> None:
        """Show the sections again, masked or not."""
        super().presenter_changed()
        self.show()

    def model_changed(self, state: ModelState, parts: tuple[str, ...]) -> None:
        """Its kind (or the logs that explain it) was read again: redraw; fetch again if it
        changed."""
        if self.ref is None:
            return
        mine = {self.ref.kind, *EXTRAS_OF.get(self.ref.kind, ())}
        if not mine & set(parts) and parts:
            self.show()  # flags may come from another kind's findings
            self.refresh_bindings()
            return
        found = state.record(self.ref)
        changed = found is not None and found != self.last
        if found is not None:
            self.last = found
        if changed:
            # What this screen fetched describes the resource as it was: never show both.
            self.parts.clear()
            self.load()
        self.show()
        self.refresh_bindings()

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
        return self.record

    def action_logs(self) -> None:
        """Live log of this resource (or of its selected build or pod)."""
        from tui.screens.logs import LogsScreen

        subject = self.log_subject()
        source = log_of(subject) if subject is not None else None
        if source is None:
            self.notify("no log for this", timeout=3)
            return
        session = self.context.session_for(self.ref) if self.ref is not None else None
        self.app.push_screen(LogsScreen(self.context, source, session=session))

    def action_refresh(self) -> None:
        """Read again: this resource's kind in the model, and the screen's own data."""
        if self.ref is not None:
            self.context.request((self.ref.kind,))
        self.load()
        self.notify("reading again…", timeout=2)
