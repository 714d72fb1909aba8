"""The logs screen: one live log view fed by a thread worker; ``escape`` stops it and goes back.

What a row's ``l`` follows is the kind registry's (``cloud.model.kinds.log_of``):
a project's last build, a build, an ECS service, a Lambda function, a
deployment's crashing pod, a pod. A CloudWatch log also reads its history on
demand (``tui.screens.log_history``): older pages at the top, ``:since``/``:at``,
and ranges to save.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType

from cloud.logs.fields import LineReading
from cloud.logs.limits import SHARED_LIMITERS
from cloud.logs.subjects import LogSubject
from cloud.session import CloudSession
from tui.context.state import ConsoleContext
from tui.flows.log_feed import (
    BACKLOG_PAUSE,
    FLUSH_INTERVAL,
    NOT_READING,
    READING,
    RESTARTING,
    STARTING,
    TAKE_LIMIT,
    LogFeed,
    LogsArrived,
)
from tui.flows.log_process import read_in_process
from tui.screens.log_history import LogHistory
from widgets.footer import KeyFooter
from widgets.log_view import LogView
from widgets.pacing import Paced


def saved_logs_dir() -> Path:
    """Where ``ctrl+s`` and ``S`` write: ``<state dir>/logs``."""
    from actions.paths import state_dir

    return state_dir() / "logs"


class LogsScreen(LogHistory):
    """A live log of one source; the keys are the log view's (``logs.*``)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="back", tooltip="Stop reading and go back"),
    ]

    def __init__(
        self,
        context: ConsoleContext,
        source: LogSubject,
        *,
        max_lines: int | None = None,
        save_dir: Path | None = None,
        session: CloudSession | None = None,
    ) -> None:
        super().__init__(context, source, session)
        self.session = session or context.session
        """The session the log is read with: its row's profile's, with several profiles."""
        self.feed = LogFeed()
        self._max_lines = max_lines if max_lines is not None else context.settings.log_max_lines
        self._save_dir = save_dir
        self._label, self._show_labels = source.labeller()
        self._feeding = Paced(self, FLUSH_INTERVAL, self._take)

    def compose(self) -> ComposeResult:
        """Header, the log view, footer."""
        yield self.make_header()
        yield LogView(
            self.context.shown(self.source.title()),
            max_lines=self._max_lines,
            show_source=self._show_labels,
            save_dir=self._save_dir if self._save_dir is not None else saved_logs_dir(),
            structure=LineReading(),
            id="logs",
        )
        yield KeyFooter()

    def presenter_changed(self) -> None:
        """Presenter mode was switched: draw the lines again, masked or not."""
        super().presenter_changed()
        self.view.source = self.context.shown(self.source.title())
        self.view.update_border()
        self.view.set_text_filter(self.context.shown if self.context.presenter else None)

    @property
    def view(self) -> LogView:
        """The log view."""
        return self.query_one(LogView)

    def on_mount(self) -> None:
        """Keys to the rows; start reading."""
        self.view.set_text_filter(self.context.shown if self.context.presenter else None)
        self.view.pages_history = self.source.pages_history
        self.view.range_check = self.range_refused
        self.view.jumps = True
        self.view.log_lines.focus()
        SHARED_LIMITERS.set_rate(self.context.settings.log_calls_per_second)
        self.follow_logs()

    @work(thread=True, exclusive=True, group="logs", exit_on_error=False, description="read logs")
    def follow_logs(self) -> None:
        """Worker thread: read the source until it ends or the screen goes away."""
        session, source, feed = self.session, self.reading, self.feed
        rate = self.context.settings.log_calls_per_second
        try:
            if read_in_process(feed, session, source, rate, self.ring):
                return
            feed.read(
                lambda: source.open(session, feed.stop), self.ring, self._label, source.scope()
            )
        finally:
            if feed.state in (READING, STARTING, RESTARTING):  # however reading ended
                feed.state = NOT_READING
            self.ring()

    def ring(self) -> None:
        """Tell the screen lines are waiting (any thread; coalesced while one is queued)."""
        self.post_message(LogsArrived(self.feed))

    @on(LogsArrived)
    def _arrived(self, message: LogsArrived) -> None:
        """Take what is pending now, or once the ~100 ms since the last take are up."""
        if message.feed is self.feed:
            self._feeding.request()

    def start_reading(self) -> None:
        """Read ``self.reading`` into ``self.feed`` (a jump or the tail again)."""
        self.follow_logs()

    def _take(self) -> None:
        items = self.feed.take(TAKE_LIMIT)
        if not self.taking():
            return  # the tail was set aside for older lines: f reads it again
        self.view.reader_state = self.feed.state
        if items:
            self.view.write_batch(items)
            self.lines_taken()
        if self.feed.pending_count:  # the next slice soon, keys and drawing first
            self._feeding.later(BACKLOG_PAUSE)

    def on_unmount(self) -> None:
        """The transport stops at its next check."""
        self.feed.stop.set()

    def action_back(self) -> None:
        """Stop reading and go back."""
        self.feed.stop.set()
        self.dismiss()
