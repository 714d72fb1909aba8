"""Textual's footer, rebuilt once per burst of binding changes instead of once per change."""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widgets import Footer


class CoalescedFooter(Footer):
    """A Footer that coalesces ``bindings_changed`` signals.

    Textual's Footer recomposes itself (every key widget, styled anew) for each
    signal. Mounting a screen, focusing its table and setting its first pane
    send three in a row; switching panes sends two. Signals that arrive before
    the next refresh are one rebuild here.
    """

    _rebuild_queued = False

    def bindings_changed(self, screen: Screen[Any]) -> None:
        """Queue one rebuild for every signal until the screen has refreshed."""
        if self._rebuild_queued:
            return
        self._rebuild_queued = True
        self.call_after_refresh(self._rebuild, screen)

    def _rebuild(self, screen: Screen[Any]) -> None:
        self._rebuild_queued = False
        super().bindings_changed(screen)
