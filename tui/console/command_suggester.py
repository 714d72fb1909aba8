"""Completion for the ``:`` prompt: a command's name, and the name after ``:profile``,
``:region`` and ``:ctx`` (the profiles, regions and kube contexts the pickers list)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from textual.suggester import Suggester

from cloud.session import CloudConfigError
from tui.console.commands import COMMANDS, SCOPE_COMMANDS
from tui.flows.scope_switch import ScopePart
from tui.screens.scope_picker import LISTERS


class CommandSuggester(Suggester):
    """The rest of what is typed: ``:pro`` -> ``profile``, ``:ctx nova-v`` -> ``nova-viewer``.

    The names after a scope command are read (off the UI thread) when its space is
    typed, so a profile added to the AWS config meanwhile is offered the next time.
    """

    def __init__(self, commands: Sequence[str]) -> None:
        super().__init__(use_cache=False, case_sensitive=False)
        self._commands = tuple(commands)
        self._names: dict[str, list[str]] = {}

    async def get_suggestion(self, value: str) -> str | None:
        """The whole line completed, or None (``value`` is casefolded)."""
        word, space, rest = value.partition(" ")
        if not space:
            return next((c for c in self._commands if c.lower().startswith(value)), None)
        part = _scope_part(word)
        if part is None or " " in rest.strip():
            return None
        names = await self._read(part, fresh=not rest)
        done, _, last = rest.rpartition(",") if part == "region" else ("", "", rest)
        if not last:
            return None
        found = next((n for n in names if n.lower().startswith(last) and n.lower() != last), None)
        if found is None:
            return None
        head = f"{word} {done}," if done else f"{word} "
        return head + found

    async def _read(self, part: ScopePart, *, fresh: bool) -> list[str]:
        if fresh or part not in self._names:
            try:
                self._names[part] = await asyncio.to_thread(LISTERS[part], ())
            except CloudConfigError:
                self._names[part] = []
        return self._names[part]


def _scope_part(word: str) -> ScopePart | None:
    """The part of the scope a command word switches (its aliases too)."""
    for command in COMMANDS:
        if word in command.names and command.name in SCOPE_COMMANDS:
            return SCOPE_COMMANDS[command.name]
    return None
