"""The console screen: four panes, the ``:``/``/`` prompt, the status line, and their refresh."""

from __future__ import annotations

import time
from functools import partial
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.reactive import reactive
from textual.widgets import ContentSwitcher, DataTable
from textual.worker import get_current_worker

from cloud.records import Fetched
from tui.command_table import command_names, find_command
from tui.context import ConsoleContext
from tui.formatting import age
from tui.messages import AccountRead, PaneFetched
from tui.panes.base import ResourcePane
from tui.panes.builds import BuildsPane
from tui.panes.findings import SOURCES, FindingsPane
from tui.panes.quotas import QuotasPane
from tui.panes.repositories import RepositoriesPane
from tui.panes.services import ServicesPane
from tui.prefetch import ReaderLost
from tui.screens.base import ShipdeckScreen
from tui.startup import release_collector
from widgets.command_line import CommandLine
from widgets.footer import CoalescedFooter
from widgets.header_bar import HeaderBar
from widgets.resource_table import ResourceTable
from widgets.status_bar import PaneStatus, StatusBar

PANE_CLASSES = (
    FindingsPane,
    RepositoriesPane,
    BuildsPane,
    ServicesPane,
    QuotasPane,
)
PANES: tuple[str, ...] = tuple(cls.pane for cls in PANE_CLASSES)
STARTUP_SECONDS = 20.0
"""Cyclic garbage collection resumes after the first reads, or this long after start."""
_PANES = Binding.Group("Panes", compact=True)


class ConsoleScreen(ShipdeckScreen):
    """The main screen: one pane at a time, all four loaded at start, the visible one kept fresh."""

    BINDINGS: ClassVar[list[BindingType]] = [
        # One footer entry for the panes (room for the action keys of the pane).
        Binding("0", "show_pane('findings')", "Findings", id="pane.findings", group=_PANES),
        Binding("1", "show_pane('repositories')", "Repos", id="pane.repositories", group=_PANES),
        Binding("2", "show_pane('builds')", "Builds", id="pane.builds", group=_PANES),
        Binding("3", "show_pane('services')", "Services", id="pane.services", group=_PANES),
        Binding("4", "show_pane('quotas')", "Quotas", id="pane.quotas", group=_PANES),
        Binding("colon", "command_line", "Command", id="command-line"),
        Binding("slash", "filter", "Filter", id="filter"),
        Binding("r", "refresh", "Refresh", id="refresh"),
        Binding("escape", "back", "Clear filter", id="back"),
        Binding("l", "logs", "Logs", id="logs.open", tooltip="Live log of the selected row"),
    ]

    current: reactive[str] = reactive("findings", bindings=True)
    """The pane on screen."""

    def __init__(self, context: ConsoleContext) -> None:
        super().__init__(context)
        self._started_at: dict[str, float] = {}  # monotonic start of each pane's last fetch
        self._loading: set[str] = set()
        self._message_clear_at = 0.0
        self._started = False  # start-up over (first reads shown, or STARTUP_SECONDS passed)

    def compose(self) -> ComposeResult:
        """Header, panes, prompt, status line, footer."""
        yield self.make_header()
        with ContentSwitcher(initial=f"pane-{PANES[0]}", id="panes"):
            for cls in PANE_CLASSES:
                yield cls(self.context)
        yield CommandLine(command_names(), id="prompt")
        yield StatusBar(id="status")
        yield CoalescedFooter()

    def on_mount(self) -> None:
        """Fetch every pane at once so switching is instant; then keep the visible one fresh."""
        for pane in PANES:
            self.load(pane)
        self.run_worker(
            self._read_account,
            name="account",
            group="account",
            thread=True,
            exclusive=True,
            exit_on_error=False,
            description="read account id",
        )
        self.set_interval(1.0, self._tick)
        self.set_timer(STARTUP_SECONDS, self._startup_over)  # even if a first read never ends
        self.pane(self.current).table.focus()
        self._update_status()

    # --- panes and loading --------------------------------------------------

    def pane(self, name: str) -> ResourcePane[Any]:
        """The pane called ``name``."""
        return self.query_one(f"#pane-{name}", ResourcePane)

    @property
    def visible_pane(self) -> ResourcePane[Any]:
        """The pane on screen."""
        return self.pane(self.current)

    def load(self, name: str) -> None:
        """Fetch pane ``name`` in a thread, unless a fetch of it is already under way."""
        if name == FindingsPane.pane:  # computed from the four others: read those
            for source in SOURCES:
                self.load(source)
            return
        if name in self._loading:
            return
        self._loading.add(name)
        self._started_at[name] = time.monotonic()  # a failed fetch is retried a period later
        fetch = self.pane(name).fetch
        self.run_worker(
            partial(self._fetch_pane, name, fetch),
            name=name,
            group=f"pane-{name}",
            thread=True,
            exclusive=True,
            exit_on_error=False,
            description=f"fetch {name}",
        )
        self._update_status()

    def _fetch_pane(self, name: str, fetch: Any) -> None:
        """Worker thread: read, then hand the result to the UI thread."""
        prefetch = self.context.prefetch
        started = prefetch.take(name) if prefetch is not None else None
        try:
            fetched: Fetched[Any] | None = None
            if started is not None:
                try:
                    fetched = started.result()
                except ReaderLost:
                    fetched = None  # the reader process is gone: read here
            if fetched is None:
                fetched = fetch(self.context.session)
        finally:
            self._loading.discard(name)  # a set's discard is atomic; no UI is touched here
        if not get_current_worker().is_cancelled:
            self.post_message(PaneFetched(name, fetched))

    def _startup_over(self) -> None:
        """Collect garbage again; get the log readers' fork server ready (once)."""
        if self._started:
            return
        self._started = True
        release_collector()
        from tui.log_process import warm_up

        warm_up()

    def _read_account(self) -> None:
        prefetch = self.context.prefetch
        started = prefetch.take_account() if prefetch is not None else None
        try:
            account = started.result() if started is not None else None
        except ReaderLost:
            started = None
        if started is None:
            account = self.context.session.account_id()
        self.post_message(AccountRead(account))

    @on(PaneFetched)
    def _pane_fetched(self, message: PaneFetched) -> None:
        self.pane(message.pane).show_fetched(message.fetched, self.context.clock())
        self.query_one(FindingsPane).source_fetched(message.pane, message.fetched)
        self._update_status()
        if all(self.pane(name).fetched_at is not None for name in SOURCES):
            self._startup_over()

    @on(AccountRead)
    def _account_read(self, message: AccountRead) -> None:
        self.context.account = message.account
        self.query_one(HeaderBar).account = message.account

    def _tick(self) -> None:
        """Once a second: refresh the visible pane when due, move the ages on."""
        # The findings pane is kept fresh by keeping its four sources fresh.
        for name in SOURCES if self.current == FindingsPane.pane else (self.current,):
            started = self._started_at.get(name)
            interval = float(self.context.settings.refresh.get(name, 30.0))
            if started is None or time.monotonic() - started >= interval:
                self.load(name)
        if self._message_clear_at and time.monotonic() >= self._message_clear_at:
            self.say("")
        self._update_status()

    def _update_status(self) -> None:
        now = self.context.clock()
        statuses = []
        for name in PANES:
            pane = self.pane(name)
            statuses.append(
                PaneStatus(
                    name,
                    age(pane.fetched_at, now) if pane.fetched_at else None,
                    loading=name in self._loading or pane.busy,
                    errors=len(pane.errors),
                )
            )
        status = self.query_one(StatusBar)
        status.panes = tuple(statuses)
        status.current = self.current

    def say(self, message: str, seconds: float = 6.0) -> None:
        """A one-line message in the status line that goes away by itself."""
        self.query_one(StatusBar).message = self.context.shown(message)
        self._message_clear_at = time.monotonic() + seconds if message else 0.0

    def presenter_changed(self) -> None:
        """Rows, error lines and the header again, masked or not."""
        super().presenter_changed()
        now = self.context.clock()
        for name in PANES:
            pane = self.pane(name)
            if pane.fetched_at is not None:
                pane.rerender(now)

    # --- actions ------------------------------------------------------------

    def action_show_pane(self, name: str) -> None:
        """Switch to pane ``name``; a pane never loaded is fetched now."""
        if name not in PANES:
            self.say(f"no pane {name!r}")
            return
        self.current = name
        self.query_one(ContentSwitcher).current = f"pane-{name}"
        if self.pane(name).fetched_at is None:
            self.load(name)
        self.visible_pane.table.focus()
        self._update_status()

    def action_command_line(self) -> None:
        """Open the ``:`` prompt."""
        self.query_one(CommandLine).open("command")

    def action_filter(self) -> None:
        """Open the ``/`` prompt with the current filter."""
        self.query_one(CommandLine).open("filter", self.visible_pane.table.filter_text)

    def action_refresh(self) -> None:
        """Fetch the visible pane now."""
        self.load(self.current)

    def action_back(self) -> None:
        """Escape on the panes clears the filter."""
        self._set_filter("")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Grey ``escape`` when there is no filter to clear."""
        if action == "back" and self.is_mounted:
            return True if self.visible_pane.table.filter_text else None
        if action == "logs" and self.is_mounted:
            from tui.screens.logs import log_source_for

            record = self.visible_pane.selected()
            return True if record is not None and log_source_for(record) else None
        return True

    def action_logs(self) -> None:
        """Live log of the row under the cursor (build, ECS service, Lambda, pod)."""
        from tui.screens.logs import LogsScreen, log_source_for

        record = self.visible_pane.selected()
        source = log_source_for(record) if record is not None else None
        if source is None:
            self.say("no log for this row")
            return
        self.app.push_screen(LogsScreen(self.context, source))

    def action_open_logs(self) -> None:
        """``:logs``: choose log groups to tail."""
        from tui.screens.log_group_picker import LogGroupPicker

        self.app.push_screen(LogGroupPicker(self.context))

    # --- prompt -------------------------------------------------------------

    @on(CommandLine.CommandSubmitted)
    def _command(self, message: CommandLine.CommandSubmitted) -> None:
        if not message.text:
            return
        found = find_command(message.text)
        if found is None:
            word = message.text.split()[0]
            known = "findings, repos, builds, services, quotas, timeline, help"
            self.say(f"unknown command {word!r}: try {known}")
            return
        command, args = found
        self.say("")
        if command.name == "fallback":
            self._open_fallback(args)
            return
        self.call_after_refresh(self.run_action, command.action)

    def _open_fallback(self, args: tuple[str, ...]) -> None:
        """``:fallback [PROJECT]``: the named project, else the one selected in builds."""
        from tui.panes.builds import BuildsPane
        from tui.screens.fallback import FallbackScreen

        record = self.query_one(BuildsPane).selected()
        project = args[0] if args else (record.name if record else None)
        if project is None:
            self.say("fallback: name a project (:fallback nova-ecr-build) or select one in builds")
            return
        region = record.region if record and record.name == project else None
        self.app.push_screen(FallbackScreen(self.context, project, region))

    @on(CommandLine.FilterChanged)
    def _filter_changed(self, message: CommandLine.FilterChanged) -> None:
        self._set_filter(message.text)

    @on(CommandLine.Closed)
    def _prompt_closed(self) -> None:
        self.visible_pane.table.focus()

    def _set_filter(self, text: str) -> None:
        pane = self.visible_pane
        pane.table.filter_text = text
        pane.update_title()
        self.refresh_bindings()

    # --- details ------------------------------------------------------------

    @on(DataTable.RowSelected)
    def _open(self, message: DataTable.RowSelected) -> None:
        if not isinstance(message.data_table, ResourceTable):
            return
        pane = self.visible_pane
        record = pane.selected()
        if record is None:
            return
        screen = pane.detail(record)
        if screen is not None:
            self.app.push_screen(screen)
