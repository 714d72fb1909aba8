"""The command palette (ctrl+p): every key of the current screen plus the ``:`` commands."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode

from tui.console.commands import COMMANDS
from tui.flows.remediation import long_description

Entry = tuple[str, str, Callable[[], Awaitable[object]]]


class ConsoleCommands(Provider):
    """Context-aware: what the screen the palette was opened on can do right now."""

    def _entries(self) -> list[Entry]:
        app = self.app
        seen: set[tuple[int, str]] = set()
        ranked: list[tuple[int, Entry]] = []
        for active in self.screen.active_bindings.values():
            binding = active.binding
            if binding.system or not binding.description or not active.enabled:
                continue
            if binding.action in ("command_palette", "app.command_palette"):
                continue
            marker = (id(active.node), binding.action)
            if marker in seen:
                continue
            seen.add(marker)
            keys = app.get_key_display(binding)
            help_text = f"key {keys}" + (f"  ·  {binding.id}" if binding.id else "")
            settings = getattr(getattr(app, "context", None), "settings", None)
            title = long_description(binding.id, binding.description, settings=settings)
            entry = (title, help_text, self._runner(binding.action, active.node))
            ranked.append((_rank(binding.id, binding.action), entry))
        # The row's actions first, then the screen's keys, moving the cursor last.
        entries = [entry for _, entry in sorted(ranked, key=lambda item: item[0])]
        actions = {action for _, action in seen}
        if "show_pane('repositories')" in actions:  # the console screen: offer the : commands too
            for command in COMMANDS:
                if command.action in actions:
                    continue
                entries.append(
                    (f":{command.name}", command.help, self._runner(command.action, self.screen))
                )
        return entries

    def _runner(self, action: str, node: DOMNode) -> Callable[[], Awaitable[object]]:
        return partial(self.app.run_action, action, node)

    async def discover(self) -> Hits:
        """Everything, when nothing is typed yet."""
        for title, help_text, run in self._entries():
            yield DiscoveryHit(title, run, help=help_text)

    async def search(self, query: str) -> Hits:
        """Fuzzy match on the description."""
        matcher = self.matcher(query)
        for title, help_text, run in self._entries():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), run, help=help_text)


ROW_ACTIONS = ("action.", "finding.", "logs.", "fallback")
MOVES = ("cursor_", "scroll_", "page_")


def _rank(binding_id: str | None, action: str) -> int:
    """0: an action on the selected row; 1: another key of the screen; 2: a cursor move."""
    if binding_id and binding_id.startswith(ROW_ACTIONS):
        return 0
    if action.startswith(MOVES):
        return 2
    return 1
