"""Refresh a node's keys in the footer only when one of them changed state."""

from __future__ import annotations

from textual.actions import parse
from textual.binding import Binding
from textual.dom import DOMNode


class KeyStates(DOMNode):
    """Mixed into panes and screens whose keys depend on the selected row.

    ``refresh_bindings()`` rebuilds the whole footer (tens of milliseconds).
    Rows arrive for every pane at start-up and at each refresh, and the cursor
    moves on every key press, but the keys' states (enabled, greyed, hidden)
    seldom change: ``refresh_keys()`` compares them first. A hidden node's keys
    are not in the footer; showing it again refreshes the footer anyway.
    """

    _key_states: tuple[bool | None, ...] | None = None

    def refresh_keys(self) -> None:
        """Refresh the footer if a key this class declares changed state."""
        if not self.display:
            self._key_states = None
            return
        states = tuple(
            self.check_action(name, params)
            for binding in Binding.make_bindings(self.BINDINGS)
            for _, name, params in (parse(binding.action),)
        )
        if states != self._key_states:
            self._key_states = states
            self.refresh_bindings()
