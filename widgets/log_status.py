"""The line above the log rows: the newest transport note and what went wrong so far.

Transport notes (mode changes, reconnects, CodeBuild phases, errors, the end)
are about the stream, not lines of it: they are shown here and kept in
``history``, never among the rows, so a filter neither hides nor counts them.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable

from rich.text import Text
from textual.widgets import Static

from widgets.log_buffer import StatusNote

_SEVERITY_MARK = {"info": "·", "warning": "▲", "error": "✗"}
_TALLIES = (
    ("error", "1 error", "{n:,} errors"),
    ("throttled", "throttled once", "throttled {n:,} times"),
    ("reconnected", "reconnected once", "reconnected {n:,} times"),
    ("sampled", "sampled once", "sampled {n:,} times"),
)
"""The notes worth a running count, in words (a phase, a mode or the end says itself)."""
HISTORY = 1000  # notes kept (a stream that reconnects all day must not grow memory)


class LogStatusLine(Static):
    """``▲ throttled: /aws/...: retrying in 2s   (phase 6 · throttled 1)``, coloured by severity."""

    DEFAULT_CSS = """
    LogStatusLine {
        height: 1;
        padding: 0 1;
        color: $text-muted;
        &.-warning { color: $text-warning; }
        &.-error { color: $text-error; background: $error 15%; }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("waiting for lines…", id=id, markup=False)
        self.counts: Counter[str] = Counter()
        """Status notes seen, by kind (never reset: nothing the stream said is lost)."""
        self.last: StatusNote | None = None
        self.history: deque[StatusNote] = deque(maxlen=HISTORY)
        """The newest notes, oldest first."""
        self._waiting = True
        self.text_filter: Callable[[str], str] | None = None
        """What the note's text passes through (the view's, e.g. masking while presenting)."""

    def show(self, note: StatusNote) -> None:
        """Count ``note`` and show it."""
        self.counts[note.kind] += 1
        self.history.append(note)
        self.last = note
        self._draw(note)

    def lines_arrived(self) -> None:
        """Lines flow: no longer "waiting for lines…" (a note, once there is one, stays)."""
        if self._waiting:
            self._waiting = False
            if self.last is None:
                self.update("")

    def tallies(self) -> str:
        """``2 errors · reconnected 5 times``: what went wrong so far ("" when nothing)."""
        said = []
        for kind, once, many in _TALLIES:
            n = self.counts[kind]
            if n:
                said.append(once if n == 1 else many.format(n=n))
        return " · ".join(said)

    def redraw(self) -> None:
        """Show the last note again (the filter changed)."""
        if self.last is not None:
            self._draw(self.last)

    def _draw(self, note: StatusNote) -> None:
        line = note.line() if self.text_filter is None else self.text_filter(note.line())
        text = Text(f"{_SEVERITY_MARK[note.severity]} {line}", no_wrap=True)
        if tallies := self.tallies():
            text.append(f"   (so far: {tallies})", style="dim")
        self.update(text)
        self.set_class(note.severity == "warning", "-warning")
        self.set_class(note.severity == "error", "-error")
