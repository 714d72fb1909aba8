"""The shipdeck console application: wiring only; screens and panes live in their own files."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import ClassVar

from textual.app import App
from textual.binding import Binding, BindingType
from textual.screen import Screen

from cloud.session import CloudSession
from tui.config import Settings
from tui.context import ConsoleContext, utc_now
from tui.palette import ConsoleCommands
from tui.prefetch import Prefetch


class ShipdeckApp(App[None]):
    """Keyboard-first console for incidents in AWS container delivery."""

    CSS_PATH = "shipdeck.tcss"
    TITLE = "shipdeck"
    COMMANDS = App.COMMANDS | {ConsoleCommands}

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="quit", tooltip="Leave shipdeck"),
        Binding("question_mark", "help", "Keys", id="help", tooltip="Every key and its id"),
        Binding(
            "ctrl+p",
            "command_palette",
            "Palette",
            id="palette",
            show=False,
            priority=True,
            tooltip="Search every command",
        ),
    ]

    def __init__(
        self,
        session: CloudSession,
        settings: Settings,
        *,
        read_only: bool = False,
        badge: str | None = None,
        clock: Callable[[], datetime] | None = None,
        prefetch: Prefetch | None = None,
    ) -> None:
        super().__init__()
        self.context = ConsoleContext(
            session=session,
            settings=settings,
            read_only=read_only or settings.read_only,
            badge=badge,
            clock=clock or utc_now,
            prefetch=prefetch,
        )
        if settings.theme in self.available_themes:
            self.theme = settings.theme
        self.set_keymap(dict(settings.keys))

    @classmethod
    def binding_ids(cls) -> set[str]:
        """Every binding id a keymap may remap (the CLI rejects others)."""
        from tui.keys import all_binding_ids

        return all_binding_ids()

    def get_default_screen(self) -> Screen[None]:
        """The console screen with its four panes."""
        from tui.screens.console import ConsoleScreen

        return ConsoleScreen(self.context)

    def on_mount(self) -> None:
        """Say so when the configured theme does not exist, rather than failing."""
        if self.context.settings.theme not in self.available_themes:
            self.notify(f"unknown theme {self.context.settings.theme!r}", severity="warning")

    def action_help(self) -> None:
        """Show every key, what it does and its binding id."""
        from tui.keys import help_rows
        from widgets.key_help import KeyHelp

        rows = help_rows(self.context.settings.keys, self._key_display)
        hint = 'Remap any key in config.toml under [keys], e.g.  refresh = "ctrl+r"'
        self.push_screen(KeyHelp(rows, hint))

    def _key_display(self, key: str) -> str:
        return self.get_key_display(Binding(key, ""))
