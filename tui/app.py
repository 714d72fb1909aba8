"""The shipdeck console application: wiring only; screens and panes live in their own files."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import ClassVar

from textual import events, on
from textual.actions import ActionError
from textual.actions import parse as parse_action
from textual.app import App
from textual.binding import Binding, BindingType
from textual.notifications import SeverityLevel
from textual.screen import Screen

from cloud.session import CloudSession
from cloud.sessions import Sessions
from cloud.settings import Settings
from cloud.text import CELL_LIMIT, safe_lines, safe_text
from tui.context.messages import AccountRead, ModelChanged, ReadEnded
from tui.context.screen import ShipdeckScreen
from tui.context.state import ConsoleContext, utc_now
from tui.context.workers import ReportsWorkers, WorkerFailed
from tui.flows.model_feed import ModelFeed
from tui.flows.prefetch import Prefetch
from tui.flows.scope_switch import ScopeOpened, ScopeRefused, ScopeRequested, ScopeSwitch
from tui.keys import APP_BINDINGS
from tui.palette import ConsoleCommands


class ShipdeckApp(ReportsWorkers, App[None]):
    """Keyboard-first console for incidents in AWS container delivery."""

    CSS_PATH = "shipdeck.tcss"
    TITLE = "shipdeck"
    COMMANDS = App.COMMANDS | {ConsoleCommands}

    BINDINGS: ClassVar[list[BindingType]] = APP_BINDINGS

    def __init__(
        self,
        session: CloudSession,
        settings: Settings,
        *,
        read_only: bool = False,
        badge: str | None = None,
        clock: Callable[[], datetime] | None = None,
        monotonic: Callable[[], float] | None = None,
        prefetch: Prefetch | None = None,
        presenter: bool = False,
        sessions: Sessions | None = None,
    ) -> None:
        super().__init__()
        self.context = ConsoleContext(
            session=session,
            sessions=sessions,
            settings=settings,
            read_only_flag=read_only,
            badge=badge,
            clock=clock or utc_now,
            monotonic=monotonic or time.monotonic,
            presenter=presenter,
        )
        self.feed = ModelFeed(self, self.context, prefetch)
        """Reads the model: first reads, refreshes, settling after actions."""
        self.context.reads = self.feed
        self.scopes = ScopeSwitch(self, self.context)
        """Moves the console to another profile, regions or kube context (``switch_scope``)."""
        if settings.theme in self.available_themes:
            self.theme = settings.theme
        self.set_keymap(dict(settings.keys))
        from tui.keys import custom_keys

        self.custom_keys, self.custom_problems = custom_keys(settings)
        """The config file's own actions on their keys; the entries left out, one line each."""

    @classmethod
    def binding_ids(cls) -> set[str]:
        """Every binding id a keymap may remap (the CLI rejects others)."""
        from tui.keys import all_binding_ids

        return all_binding_ids()

    def get_default_screen(self) -> Screen[None]:
        """The console screen with its four panes."""
        from tui.console.screen import ConsoleScreen

        return ConsoleScreen(self.context, self.custom_keys)

    def on_mount(self) -> None:
        """Start the first reads; say so when the configured theme does not exist."""
        self.feed.start()
        if self.context.settings.theme not in self.available_themes:
            self.notify(f"unknown theme {self.context.settings.theme!r}", severity="warning")
        for problem in self.custom_problems:  # the entry is left out; the rest works
            self.notify(problem, title="[[actions]] entry left out", severity="error", timeout=30)

    def on_key(self, event: events.Key) -> None:
        """A greyed key that reached no binding: say why it does nothing (read-only, no
        fix, not this row), when the widget that greyed it can tell."""
        active = self.screen.active_bindings.get(event.key)
        if active is None or active.enabled:
            return
        explain = getattr(active.node, "why_greyed", None)
        if explain is None:
            return
        try:
            _, name, parameters = parse_action(active.binding.action)
        except ActionError:
            return
        said = explain(name, parameters)
        if said:
            self.notify(self.context.shown(said), severity="warning", markup=False, timeout=4)

    # --- what the workers hand back: every screen hears it ----------------------

    def _screens(self) -> list[ShipdeckScreen]:
        return [s for s in self.screen_stack if isinstance(s, ShipdeckScreen)]

    @on(ModelChanged)
    def _model_changed(self, message: ModelChanged) -> None:
        """New parts of the model: every open screen redraws from the same, newest state."""
        if message.scope != self.feed.scope:
            return  # read in a scope the console has switched away from
        if not message.early:
            self.feed.changed(message.state, message.parts)
        newest = self.context.state  # a later merge may have landed since this message
        for screen in self._screens():
            screen.model_changed(newest, message.parts)

    @on(ReadEnded)
    def _read_ended(self, message: ReadEnded) -> None:
        """A read ended (however): its kinds stop loading."""
        if message.scope != self.feed.scope:
            return
        self.feed.ended(message.kinds)

    @on(AccountRead)
    def _account_read(self, message: AccountRead) -> None:
        if message.scope != self.feed.scope:
            return
        self.context.account = message.account
        if message.accounts is not None:
            self.context.accounts = dict(message.accounts)
        for screen in self._screens():
            screen.account_changed(message.account)

    # --- switching scope: :profile, :region, :ctx -----------------------------------

    def switch_scope(
        self,
        *,
        profile: str | None = None,
        profiles: tuple[str, ...] | None = None,
        regions: tuple[str, ...] | None = None,
        context: str | None = None,
    ) -> bool:
        """Point the console at other AWS profiles, regions or kube context (None: keep).

        ``profile`` is one profile alone, ``profiles`` several side by side; regions and
        context change for every profile shown. The scope is checked on a worker first;
        only a good one replaces the sessions, clears the model and restarts the reads
        (``tui.flows.scope_switch``). False when it was refused at once (an action
        running, the same scope).
        """
        names = (profile,) if profile is not None else profiles
        return self.scopes.request(profiles=names, regions=regions, context=context)

    @on(ScopeRequested)
    def _scope_requested(self, message: ScopeRequested) -> None:
        self.switch_scope(
            profiles=message.profiles, regions=message.regions, context=message.context
        )

    @on(ScopeRefused)
    def _scope_refused(self, message: ScopeRefused) -> None:
        self.scopes.refused(message)

    @on(ScopeOpened)
    def _scope_opened(self, message: ScopeOpened) -> None:
        feed = self.scopes.adopt(message, self.feed)
        if feed is None:
            return
        self.feed = feed
        for screen in self._screens():
            screen.scope_changed()
        where = self.scopes.current().describe()
        self.notify(where, title="switched", timeout=5)

    @on(WorkerFailed)
    def _worker_failed(self, message: WorkerFailed) -> None:
        """The one place a failed worker of any screen, pane or the app becomes visible."""
        self.notify(message.error, title=f"{message.what} failed", severity="error", timeout=10)

    def action_help(self) -> None:
        """Show every key, what it does and its binding id."""
        from tui.keys import custom_help_rows, help_rows
        from widgets.key_help import KeyHelp

        rows = help_rows(self.context.settings.keys, self._key_display)
        rows += custom_help_rows(self.custom_keys, self.context.settings, self._key_display)
        hint = 'Remap any key in config.toml under [keys], e.g.  refresh = "f5"'
        self.push_screen(KeyHelp(rows, hint))

    def _key_display(self, key: str) -> str:
        return self.get_key_display(Binding(key, ""))

    # --- presenter mode: the app-wide choke points ----------------------------

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every notification of every screen: safe for the terminal, masked in presenter mode.

        Notifications quote names and errors from outside, so they are never
        read as markup (``[red]`` in a tag is shown as typed) and their
        control characters are shown, not obeyed (``cloud.text``).
        """
        del markup  # nothing shipdeck says needs markup; outside text must not get it
        shown = self.context.shown
        super().notify(
            shown(safe_lines(message, CELL_LIMIT)),
            title=shown(safe_text(title)),
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    def copy_to_clipboard(self, text: str) -> None:
        """Copies stay masked in presenter mode (what is pasted in the meeting chat...)."""
        super().copy_to_clipboard(self.context.shown(text))

    def action_toggle_presenter(self) -> None:
        """Presenter mode on or off; every open screen shows its data again."""
        self.context.presenter = not self.context.presenter
        for screen in self.screen_stack:
            changed = getattr(screen, "presenter_changed", None)
            if callable(changed):
                changed()
        state = "on: account ids, addresses, secrets masked" if self.context.presenter else "off"
        self.notify(f"presenter mode {state}", timeout=3)

    def action_timeline(self) -> None:
        """Open the incident timeline."""
        from tui.screens.timeline import TimelineScreen

        self.push_screen(TimelineScreen(self.context))

    def action_export_timeline(self) -> None:
        """Write the timeline as Markdown under ``<state dir>/timelines/`` and say where."""
        self.run_worker(
            self._export_timeline(),
            name="export timeline",
            group="timeline-export",
            exclusive=True,
            exit_on_error=False,
            description="export the timeline",
        )

    async def _export_timeline(self) -> None:
        import asyncio

        from actions.timeline import export_timeline

        try:
            path, count = await asyncio.to_thread(
                export_timeline,
                self.context.audit_log(),
                self.context.shown,
                self.context.clock(),
                self.context.account,  # the reader's answer: no AWS client in this process
            )
        except OSError as exc:
            self.notify(f"{exc.strerror or exc}", title="timeline not written", severity="error")
            return
        self.notify(f"{count} events → {path}", title="timeline written", markup=False, timeout=10)
