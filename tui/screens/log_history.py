"""What a log screen does with time: older pages at the top, ``:since``/``:at``, range saves.

The base of ``LogsScreen``. Scrolling to the top of a CloudWatch log (groups,
a build, an ECS service, a function) reads the page before its first line
(``cloud.logs.history.read_older``) in a thread worker and puts it above,
the line at the top staying where it was on screen; the status line says
"reading…", then what came, "beginning of log", or the error. When the buffer
is full, older lines push the newest out at the bottom: reading stops (new
lines would leave a gap), the view says how many were set aside, and ``f`` /
``end`` read the tail again. ``:since 2h`` reads again from that time and
follows; ``:at TIME`` reads from there with the cursor on the first line, older
context a scroll up. ``ctrl+s`` can save a range read again from the service.
"""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path

from textual import on, work

from cloud.logs.history import OLDER_PAGE, RANGE_CAP, Stopped
from cloud.logs.records import iso_ms
from cloud.logs.since import SinceError, parse_since
from cloud.logs.subjects import LogSubject
from cloud.session import CloudSession
from tui.context.screen import ShipdeckScreen
from tui.context.state import ConsoleContext
from tui.flows.log_feed import LogFeed
from tui.flows.log_history import (
    HistoryReader,
    JumpError,
    OlderArrived,
    OlderFailed,
    RangeFailed,
    RangeProgress,
    RangeSaved,
    now_ms,
    parse_jump,
    span,
)
from widgets.log_buffer import StatusNote
from widgets.log_history import Jump, RangeSaveWanted, ReachedTop, TailWanted
from widgets.log_range_progress import RangeProgressScreen
from widgets.log_view import LogView

DETACHED = "reading history (f: the tail again)"
"""What the border says instead of FOLLOW once the newest lines were set aside."""


class LogHistory(ShipdeckScreen):
    """A log screen's history: the subject as opened, where it reads from now, older pages."""

    feed: LogFeed
    range_cap = RANGE_CAP
    """Lines a range save reads at most (then it stops and says where the file ends)."""

    def __init__(
        self, context: ConsoleContext, source: LogSubject, session: CloudSession | None = None
    ) -> None:
        super().__init__(context)
        self.source = source
        """The subject as it was asked for (``f`` after history reads its tail again)."""
        self.reading = source.pinned(now_ms())
        """What is read now: the subject from a known time (a jump changes it)."""
        label, _ = source.labeller()
        # The row's profile's session, with several profiles: older pages come from its account.
        self._history = HistoryReader(session or context.session, source, label)
        self._generation = 0  # a jump makes older reads of the last position stale
        self._older_busy = False
        self._at_beginning = False
        self._anchor: int | None = None
        self._history_stop = threading.Event()
        self._range_stop: threading.Event | None = None
        self._range_screen: RangeProgressScreen | None = None

    @property
    def view(self) -> LogView:
        """The log view."""
        return self.query_one(LogView)

    def start_reading(self) -> None:
        """Start the reader of ``self.reading`` into ``self.feed`` (the screen's worker)."""
        raise NotImplementedError

    def taking(self) -> bool:
        """Whether new lines go into the view (not once the tail was set aside)."""
        return not self.view.tail_set_aside

    def lines_taken(self) -> None:
        """Lines arrived: after ``:at``, the cursor goes on the first of them."""
        if self._anchor is not None and self.view.buffer.line_count:
            self._anchor = None
            lines = self.view.log_lines
            lines.current_row = 0
            lines.move_to(0)
            lines.refresh()

    def on_unmount(self) -> None:
        """History reads and range saves stop too."""
        self._history_stop.set()
        if self._range_stop is not None:
            self._range_stop.set()

    def _say(self, text: str, error: bool = False) -> None:
        kind = "error" if error else "history"
        self.view.write_status(
            StatusNote(kind, self.context.shown(text), "error" if error else "info")
        )

    # --- older pages --------------------------------------------------------

    @on(ReachedTop)
    def _older_wanted(self, message: ReachedTop) -> None:
        message.stop()
        if self._older_busy:
            return
        if self._at_beginning:
            self._say("beginning of log: nothing is older")
            return
        oldest, held = self.view.oldest_held()
        since = getattr(self.reading, "since_ms", None)
        end = oldest if oldest is not None else (since or 0) - 1
        self._older_busy = True
        self._say(f"reading older lines before {iso_ms(max(0, end))}…")
        limit = max(1, min(OLDER_PAGE, self.view.buffer.max_lines // 2))
        self.read_older(self._generation, end, held, limit)

    @work(
        thread=True,
        exclusive=True,
        group="log-history",
        exit_on_error=False,
        description="read older log lines",
    )
    def read_older(
        self, generation: int, end_ms: int, held: Counter[tuple[str, str]], limit: int
    ) -> None:
        """Worker thread: the page before ``end_ms``; reports with a message."""
        from cloud.errors import classify, recoverable_errors

        try:
            items, beginning, searched = self._history.older(
                end_ms, held, limit, self._history_stop
            )
        except Stopped:
            return
        except LookupError as exc:
            self.post_message(OlderFailed(generation, str(exc.args[0] if exc.args else exc)))
        except recoverable_errors() as exc:
            _, region = self.reading.scope()
            line = classify(exc, "logs", region).line()
            self.post_message(OlderFailed(generation, line))
        else:
            self.post_message(OlderArrived(generation, items, beginning, searched))

    @on(OlderArrived)
    def _older_arrived(self, message: OlderArrived) -> None:
        if message.generation != self._generation:
            return
        self._older_busy = False
        self._at_beginning = message.beginning
        view = self.view
        if not message.items:
            if message.beginning:
                self._say(f"beginning of log: nothing before {iso_ms(message.searched_from_ms)}")
            else:
                self._say(f"no older lines back to {iso_ms(message.searched_from_ms)}")
            return
        before = view.tail_set_aside
        view.prepend_older(message.items)
        stamps = [i[0] for i in message.items if isinstance(i, tuple) and i[0] is not None]
        text = f"{len(message.items):,} older lines"
        if stamps:
            text += f" {span(stamps[0], stamps[-1])}"
        if message.beginning:
            text += " · beginning of log"
        if view.tail_set_aside:
            text += f" · newest {view.tail_set_aside:,} set aside (buffer full; f: the tail again)"
            if not before:
                self.feed.stop.set()  # new lines would land after a gap
                view.reader_state = DETACHED
        self._say(text)

    @on(OlderFailed)
    def _older_failed(self, message: OlderFailed) -> None:
        if message.generation != self._generation:
            return
        self._older_busy = False
        self._say(f"older lines not read: {message.text}", error=True)

    # --- reading again from a time -------------------------------------------

    def read_from(self, source: LogSubject, anchor: int | None = None) -> None:
        """Read ``source`` instead, from an empty view (following unless ``anchor``)."""
        self._generation += 1
        self._older_busy = False
        self._at_beginning = False
        self.feed.stop.set()
        self.feed = LogFeed()
        self.reading = source
        view = self.view
        view.clear_lines()
        view.follow = anchor is None
        view.reader_state = self.feed.state
        self._anchor = anchor
        self.start_reading()

    @on(TailWanted)
    def _tail_wanted(self, message: TailWanted) -> None:
        message.stop()
        self.read_from(self.source.pinned(now_ms()))
        self._say("reading the tail again")

    @on(Jump)
    def _jump(self, message: Jump) -> None:
        message.stop()
        try:
            jump = parse_jump(message.text)
        except JumpError as exc:
            self.notify(self.context.shown(str(exc)), severity="error", markup=False)
            return
        if jump.at_ms > now_ms():  # nothing there yet: say so, and keep what is shown
            text = f"{iso_ms(jump.at_ms)} is in the future: nothing to read from there yet"
            self.notify(self.context.shown(text), severity="error", markup=False)
            return
        self.read_from(self.source.resumed(jump.at_ms), jump.at_ms if jump.kind == "at" else None)
        self._say(f"reading from {iso_ms(jump.at_ms)} (:{jump.kind})")

    # --- a range to a file -----------------------------------------------------

    @on(RangeSaveWanted)
    def _range_wanted(self, message: RangeSaveWanted) -> None:
        message.stop()
        choice = message.choice
        found = self._range_of(choice.range_from or "", choice.range_to or "now")
        if isinstance(found, str):
            self.notify(found, severity="error", markup=False)
            return
        start, end = found
        stop = threading.Event()
        self._range_stop = stop
        what = span(start, end)
        progress = RangeProgressScreen(what)
        self._range_screen = progress
        self.app.push_screen(progress, lambda cancelled: stop.set() if cancelled else None)
        self.save_range(start, end, stop, what)

    def range_refused(self, start: str, end: str) -> str | None:
        """Why the range ``start``..``end`` as typed cannot be read (None: it can)."""
        found = self._range_of(start, end)
        return found if isinstance(found, str) else None

    def _range_of(self, start: str, end: str) -> tuple[int, int] | str:
        """The range as milliseconds, or one line saying what is wrong with it."""
        now = now_ms()
        try:
            first = parse_since(start, now)
            last = now if end.strip().lower() == "now" else parse_since(end, now)
        except SinceError:
            text = (
                f"cannot read the range {start}..{end}: give ISO times "
                "(UTC unless an offset) or 90m, 2h, 1d ago"
            )
            return self.context.shown(text)
        if last < first:
            return "the range ends before it starts"
        return first, last

    @work(thread=True, exclusive=True, group="log-range", exit_on_error=False, description="save")
    def save_range(self, start_ms: int, end_ms: int, stop: threading.Event, what: str) -> None:
        """Worker thread: read the range and write it to a private file; report back."""
        from cloud.errors import classify, recoverable_errors

        view = self.view
        folder = view.save_dir if view.save_dir is not None else Path.cwd()
        shown = self.context.shown if self.context.presenter else None
        try:
            path, read = self._history.save_range(
                start_ms,
                end_ms,
                folder,
                view.source,
                shown,
                lambda count: self._post(RangeProgress(count)),
                stop,
                self.range_cap,
            )
        except Stopped:
            self.post_message(RangeFailed("range save cancelled: nothing written"))
        except LookupError as exc:
            self.post_message(RangeFailed(str(exc.args[0] if exc.args else exc)))
        except recoverable_errors() as exc:
            _, region = self.reading.scope()
            self.post_message(RangeFailed(classify(exc, "logs", region).line()))
        except OSError as exc:
            self.post_message(RangeFailed(f"could not write the file: {exc}"))
        else:
            last = read.events[-1].timestamp_ms if read.events else None
            self.post_message(RangeSaved(path, len(read.events), read.capped, last, what))

    def _post(self, message: RangeProgress) -> None:
        self.post_message(message)

    @on(RangeProgress)
    def _range_progress(self, message: RangeProgress) -> None:
        if self._range_screen is not None and self._range_screen.is_attached:
            self._range_screen.lines_read(message.count)

    async def _range_over(self) -> None:
        """Close the progress screen first: a notice goes to the screen on top."""
        screen, self._range_screen = self._range_screen, None
        if screen is not None and screen.is_attached and self.app.screen is screen:
            await screen.dismiss(False)

    @on(RangeSaved)
    async def _range_saved(self, message: RangeSaved) -> None:
        await self._range_over()
        lines = "line" if message.count == 1 else "lines"
        text = f"saved {message.count:,} {lines} of {message.what} to {message.path}"
        if message.capped:
            ends = iso_ms(message.last_ms) if message.last_ms is not None else "its start"
            text += (
                f"; stopped at the cap of {self.range_cap:,} lines: the file ends at {ends}, "
                "save from there for the rest"
            )
        self.notify(self.context.shown(text), title="log saved", timeout=10, markup=False)

    @on(RangeFailed)
    async def _range_failed(self, message: RangeFailed) -> None:
        await self._range_over()
        self.notify(self.context.shown(message.text), severity="error", markup=False)
