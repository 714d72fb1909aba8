"""Run a piece of UI work at most once per interval, folding the requests in between."""

from __future__ import annotations

import time
from collections.abc import Callable

from textual.message_pump import MessagePump
from textual.timer import Timer


class Paced:
    """``action`` on ``owner``'s timers: at once when the last run is old enough, else once
    when the interval is up; requests while a run is pending fold into it."""

    def __init__(self, owner: MessagePump, interval: float, action: Callable[[], object]) -> None:
        self._owner = owner
        self.interval = interval
        self._action = action
        self._last = 0.0  # monotonic time of the last run
        self._timer: Timer | None = None

    def request(self) -> None:
        """Run now, or once ``interval`` after the last run (UI thread)."""
        if self._timer is not None:
            return
        wait = self._last + self.interval - time.monotonic()
        if wait <= 0:
            self.run()
        else:
            self._timer = self._owner.set_timer(wait, self.run)

    def later(self, delay: float) -> None:
        """Run once ``delay`` from now, unless a run is already pending."""
        if self._timer is None:
            self._timer = self._owner.set_timer(delay, self.run)

    def run(self) -> None:
        """Run now; a pending run is dropped (this one is newer)."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self._last = time.monotonic()
        self._action()
