"""The console screen: the panes, the ``:``/``/`` prompt, the status line, and their refresh.

Every pane draws from the model; this screen asks the model feed, once a
second, to read the kinds on screen that are due (each kind's interval counts
from the end of its last read, on the context's injectable clock), and redraws
the panes whenever parts of the model land.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.reactive import reactive
from textual.widgets import ContentSwitcher

from cloud.incident import ModelState
from cloud.model.kinds import KIND_NAMES, PANES
from tui.console.command_suggester import CommandSuggester
from tui.console.commands import SCOPE_COMMANDS, command_names, find_command
from tui.context.formatting import age
from tui.context.screen import ShipdeckScreen
from tui.context.startup import release_collector
from tui.context.state import ConsoleContext
from tui.flows.remediation import RemediationKey
from tui.flows.scope_switch import ScopePart
from tui.panes.base import ResourcePane
from tui.panes.findings import FindingsPane
from tui.panes.kind_pane import pane_with_keys
from widgets.command_line import CommandLine
from widgets.footer import KeyFooter
from widgets.resource_table import ResourceTable
from widgets.status_bar import PaneStatus, StatusBar

PANE_NAMES: tuple[str, ...] = ("findings", *(p.name for p in PANES))
STARTUP_SECONDS = 20.0
"""Cyclic garbage collection resumes after the first reads, or this long after start."""
_PANES = Binding.Group("Panes", compact=True)


def _pane_bindings() -> list[BindingType]:
    short = {"repositories": "Repos"}
    return [
        Binding(
            str(number),
            f"show_pane({name!r})",
            short.get(name, name.capitalize()),
            id=f"pane.{name}",
            group=_PANES,
        )
        for number, name in enumerate(PANE_NAMES)
    ]


class ConsoleScreen(ShipdeckScreen):
    """The main screen: one pane at a time, all read at start, the visible one kept fresh."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *_pane_bindings(),
        # Priority: the prompt opens (and takes the focus) as the key arrives, so the keys
        # typed right after it in one burst ("/cdn", ":logs") are the prompt's.
        Binding("colon", "command_line", "Command", id="command-line", priority=True),
        Binding("slash", "filter", "Filter", id="filter", priority=True),
        Binding("r", "refresh", "Refresh", id="refresh"),
        Binding("escape", "back", "Clear filter", id="back"),
        Binding("l", "logs", "Logs", id="logs.open", tooltip="Live log of the selected row"),
    ]

    current: reactive[str] = reactive("findings", bindings=True)
    """The pane on screen."""

    def __init__(
        self,
        context: ConsoleContext,
        custom_keys: tuple[tuple[tuple[str, ...], RemediationKey], ...] = (),
    ) -> None:
        super().__init__(context)
        self.custom_keys = custom_keys
        """The config file's own actions: (their kinds, their key), offered on those rows."""
        self._message_clear_at = 0.0
        self._started = False  # start-up over (first reads shown, or STARTUP_SECONDS passed)
        self._landed: set[str] = set()  # parts landed since the last redraw
        self._redraw_queued = False

    def compose(self) -> ComposeResult:
        """Header, panes, prompt, status line, footer."""
        yield self.make_header()
        with ContentSwitcher(initial=f"pane-{PANE_NAMES[0]}", id="panes"):
            yield FindingsPane(self.context)
            for pane in PANES:
                custom = tuple(k for kinds, k in self.custom_keys if set(kinds) & set(pane.kinds))
                yield pane_with_keys(pane.name, custom)(self.context)
        yield CommandLine(command_names(), suggester=CommandSuggester(command_names()), id="prompt")
        yield StatusBar(id="status")
        yield KeyFooter()

    def on_mount(self) -> None:
        """Draw what the model has; then, once a second, keep the visible pane fresh."""
        self.model_changed(self.context.state, ())
        self.set_interval(1.0, self.tick)
        self.set_timer(STARTUP_SECONDS, self._startup_over)  # even if a first read never ends
        self.pane(self.current).table.focus()
        self._update_status()

    # --- panes and the model ----------------------------------------------------

    def pane(self, name: str) -> ResourcePane:
        """The pane called ``name``."""
        return self.query_one(f"#pane-{name}", ResourcePane)

    @property
    def visible_pane(self) -> ResourcePane:
        """The pane on screen."""
        return self.pane(self.current)

    def model_changed(self, state: ModelState, parts: tuple[str, ...]) -> None:
        """Parts of the model landed: every pane draws from the newest state, once for all
        the changes that land before the screen is next painted."""
        if not self.query("#panes"):
            return  # not composed yet: on_mount draws it
        self._landed.update(parts)
        if not self._redraw_queued:
            self._redraw_queued = True
            self.call_after_refresh(self._redraw)

    def _redraw(self) -> None:
        self._redraw_queued = False
        parts, self._landed = tuple(self._landed), set()
        self.draw(self.context.state, parts)

    def draw(self, state: ModelState, parts: tuple[str, ...]) -> None:
        """Every pane whose rows ``parts`` change draws from ``state`` now."""
        now = self.context.clock()
        early = bool(parts) and all(state.snapshot.arriving(part) for part in parts)
        for name in PANE_NAMES:
            pane = self.pane(name)
            if early and not set(pane.kinds) & set(parts):
                continue  # rows still arriving change only the pane that lists them
            if pane.version != state.version:
                pane.show_state(state, now)
        self._update_status()
        if state.complete:
            self._startup_over()

    def tick(self) -> None:
        """Once a second: read the visible pane's kinds when due, move the ages on."""
        if self.context.reads is not None:
            self.context.reads.tick(self.visible_pane.read_kinds)
        if self._message_clear_at and self.context.monotonic() >= self._message_clear_at:
            self.say("")
        self._update_status()

    def _startup_over(self) -> None:
        """Collect garbage again; get the log readers' fork server ready (once)."""
        if self._started:
            return
        self._started = True
        release_collector()
        from tui.flows.log_process import warm_up

        warm_up()

    def _update_status(self) -> None:
        now = self.context.clock()
        statuses = []
        for name in PANE_NAMES:
            pane = self.pane(name)
            statuses.append(
                PaneStatus(
                    name,
                    age(pane.read_at, now) if pane.read_at else None,
                    loading=pane.busy,
                    errors=len(pane.errors),
                )
            )
        status = self.query_one(StatusBar)
        status.panes = tuple(statuses)
        status.current = self.current

    def say(self, message: str, seconds: float = 6.0) -> None:
        """A one-line message in the status line that goes away by itself."""
        self.query_one(StatusBar).message = self.context.shown(message)
        self._message_clear_at = self.context.monotonic() + seconds if message else 0.0

    def presenter_changed(self) -> None:
        """Rows, error lines and the header again, masked or not."""
        super().presenter_changed()
        now = self.context.clock()
        for name in PANE_NAMES:
            pane = self.pane(name)
            if pane.loaded:
                pane.rerender(now)

    # --- actions ------------------------------------------------------------

    def action_show_pane(self, name: str) -> None:
        """Switch to pane ``name``; its kinds are read now when they are due."""
        if name not in PANE_NAMES:
            self.say(f"no pane {name!r}")
            return
        self.current = name
        self.query_one(ContentSwitcher).current = f"pane-{name}"
        self.visible_pane.table.focus()
        self.tick()

    def action_command_line(self) -> None:
        """Open the ``:`` prompt (typed into the open prompt, ``:`` is just a character)."""
        prompt = self.query_one(CommandLine)
        if prompt.is_open:
            raise SkipAction()
        prompt.open("command")

    def action_filter(self) -> None:
        """Open the ``/`` prompt with the current filter ("nova/cdn": ``/`` in a prompt)."""
        prompt = self.query_one(CommandLine)
        if prompt.is_open:
            raise SkipAction()
        prompt.open("filter", self.visible_pane.table.filter_text)

    def action_refresh(self) -> None:
        """Read the visible pane's kinds now."""
        self.context.request(self.visible_pane.kinds or KIND_NAMES)
        self._update_status()

    def action_back(self) -> None:
        """Escape on the panes clears the filter."""
        self._set_filter("")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Grey ``escape`` when there is no filter to clear, ``l`` when the row has no log."""
        if action == "back" and self.is_mounted:
            return True if self.visible_pane.table.filter_text else None
        if action == "logs" and self.is_mounted:
            from cloud.model.kinds import log_of

            record = self.visible_pane.selected()
            return True if record is not None and log_of(record) else None
        return True

    def action_logs(self) -> None:
        """Live log of the row under the cursor (build, ECS service, Lambda, pod)."""
        from cloud.model.kinds import log_of
        from tui.screens.logs import LogsScreen

        record = self.visible_pane.selected()
        source = log_of(record) if record is not None else None
        if source is None:
            self.say("no log for this row")
            return
        session = self.context.session_of(getattr(record, "profile", ""))
        self.app.push_screen(LogsScreen(self.context, source, session=session))

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
            known = "findings, repos, builds, services, quotas, alarms, profile, region, ctx, help"
            self.say(f"unknown command {word!r}: try {known}")
            return
        command, args = found
        self.say("")
        if command.name == "fallback":
            self._open_fallback(args)
            return
        if command.name in SCOPE_COMMANDS and args:
            self._switch_scope(SCOPE_COMMANDS[command.name], " ".join(args))
            return
        self.call_after_refresh(self.run_action, command.action)

    def action_pick_scope(self, part: ScopePart) -> None:
        """``:profile``, ``:region``, ``:ctx``: choose where the console points."""
        from tui.screens.scope_picker import ScopePicker

        self.app.push_screen(ScopePicker(self.context, part))

    def _switch_scope(self, part: ScopePart, name: str) -> None:
        """``:profile A[,B]``, ``:region A[,B]``, ``:ctx NAME``: checked, then switched to."""
        from tui.flows.scope_switch import ScopeRequested, parse_names

        if part == "region":
            regions = parse_names(name)
            if not regions:
                self.say("region: name one or more, e.g. :region us-east-1,eu-west-1")
                return
            self.app.post_message(ScopeRequested(regions=regions))
        elif part == "profile":
            profiles = parse_names(name)
            if not profiles:
                self.say("profile: name one or more, e.g. :profile world,payments")
                return
            self.app.post_message(ScopeRequested(profiles=profiles))
        else:
            self.app.post_message(ScopeRequested(context=name))
        self.say(f"checking {part} {name}…")

    def scope_changed(self) -> None:
        """Another profile, regions or context: every pane forgets its rows and says it is
        loading until the new scope's reads land; the header and keys follow."""
        super().scope_changed()
        for name in PANE_NAMES:
            self.pane(name).reset()
        self._landed.clear()
        self.visible_pane.table.focus()
        self._update_status()

    def _open_fallback(self, args: tuple[str, ...]) -> None:
        """``:fallback [PROJECT]``: the fallback build of the named project, else the selected."""
        from cloud.findings.model import Fix
        from cloud.model.ref import ResourceRef
        from cloud.records import ProjectRecord
        from tui.flows.remediation import launch

        builds = self.pane("builds")
        record = builds.selected()
        name = args[0] if args else (record.name if isinstance(record, ProjectRecord) else None)
        if name is None:
            self.say("fallback: name a project (:fallback nova-ecr-build) or select one in builds")
            return
        projects = [p for p in self.context.state.snapshot.projects if p.name == name]
        if not projects:
            self.say(f"fallback: no CodeBuild project {name!r} was read")
            return
        project = projects[0]
        if isinstance(record, ProjectRecord) and record.name == name:
            project = record
        ref = ResourceRef("codebuild", project.name, project.region, project.profile)
        launch(self.app, self.context, Fix("fallback-build", ref), None)

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

    @on(ResourceTable.RowSelected)
    def _open(self, message: ResourceTable.RowSelected) -> None:
        screen = self.visible_pane.detail()
        if screen is not None:
            self.app.push_screen(screen)
