"""The logs screen: one live log view fed by a thread worker; ``escape`` stops it and goes back.

``log_source_for`` turns a row's record (a project's last build, a build, an
ECS service, a Lambda function, a deployment's crashing pod, a pod) into what
``LogsScreen`` reads, so an ``l`` key on any pane or detail needs one line.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType

from cloud.logs.limits import SHARED_LIMITERS
from cloud.records import (
    BuildRecord,
    DeploymentRecord,
    EcsServiceRecord,
    LambdaFunctionRecord,
    PodRecord,
    ProjectRecord,
)
from tui.context import ConsoleContext
from tui.log_process import read_in_process
from tui.log_worker import (
    BACKLOG_PAUSE,
    FLUSH_INTERVAL,
    TAKE_LIMIT,
    BuildSource,
    EcsSource,
    LambdaSource,
    LogFeed,
    LogSource,
    PodSource,
    error_scope,
    labeller,
    open_stream,
    source_title,
)
from tui.messages import LogsArrived
from tui.screens.base import ShipdeckScreen
from widgets.footer import CoalescedFooter
from widgets.log_view import LogView
from widgets.pacing import Paced


def saved_logs_dir() -> Path:
    """Where ``ctrl+s`` writes: ``<state dir>/logs``."""
    from actions.paths import state_dir

    return state_dir() / "logs"


def _pod_source(pod: PodRecord, container: str | None = None) -> PodSource:
    """A pod's log: of a container that keeps dying, the previous (crashed) run."""
    for state in pod.containers:
        if container is not None and state.name != container:
            continue
        crashed = state.restart_count > 0 and not state.ready
        return PodSource(pod.namespace, pod.name, state.name, previous=crashed)
    return PodSource(pod.namespace, pod.name, container)


def log_source_for(record: object) -> LogSource | None:
    """What ``l`` on ``record`` shows, or None when it has no log."""
    match record:
        case BuildRecord():
            return BuildSource(record.region, record.build_id)
        case ProjectRecord(last_build=BuildRecord() as build):
            return BuildSource(build.region, build.build_id)
        case EcsServiceRecord():
            return EcsSource(record.region, record.cluster, record.name)
        case LambdaFunctionRecord():
            return LambdaSource(record.region, record.name)
        case PodRecord():
            return _pod_source(record)
        case DeploymentRecord():
            from tui.screens.deployment_detail import crashing_pod

            crashing = crashing_pod(record)
            if crashing is not None:
                return _pod_source(*crashing)
            return _pod_source(record.pods[0]) if record.pods else None
    return None


class LogsScreen(ShipdeckScreen):
    """A live log of one source; the keys are the log view's (``logs.*``)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="back", tooltip="Stop reading and go back"),
    ]

    def __init__(
        self,
        context: ConsoleContext,
        source: LogSource,
        *,
        max_lines: int | None = None,
        save_dir: Path | None = None,
    ) -> None:
        super().__init__(context)
        self.source = source
        self.feed = LogFeed()
        self._max_lines = max_lines if max_lines is not None else context.settings.log_max_lines
        self._save_dir = save_dir
        self._label, self._show_labels = labeller(source)
        self._feeding = Paced(self, FLUSH_INTERVAL, self._take)

    def compose(self) -> ComposeResult:
        """Header, the log view, footer."""
        yield self.make_header()
        yield LogView(
            source_title(self.source),
            max_lines=self._max_lines,
            show_source=self._show_labels,
            save_dir=self._save_dir if self._save_dir is not None else saved_logs_dir(),
            id="logs",
        )
        yield CoalescedFooter()

    def presenter_changed(self) -> None:
        """Presenter mode was switched: draw the lines again, masked or not."""
        super().presenter_changed()
        self.view.set_text_filter(self.context.shown if self.context.presenter else None)

    @property
    def view(self) -> LogView:
        """The log view."""
        return self.query_one(LogView)

    def on_mount(self) -> None:
        """Keys to the rows; start reading."""
        self.view.set_text_filter(self.context.shown if self.context.presenter else None)
        self.view.log_lines.focus()
        SHARED_LIMITERS.set_rate(self.context.settings.log_calls_per_second)
        self.follow_logs()

    @work(thread=True, exclusive=True, group="logs", exit_on_error=False, description="read logs")
    def follow_logs(self) -> None:
        """Worker thread: read the source until it ends or the screen goes away."""
        session, source, feed = self.context.session, self.source, self.feed
        rate = self.context.settings.log_calls_per_second
        if read_in_process(feed, session, source, rate, self.ring):
            return
        feed.read(
            lambda: open_stream(session, source, feed.stop),
            self.ring,
            self._label,
            error_scope(source),
        )

    def ring(self) -> None:
        """Tell the screen lines are waiting (any thread; coalesced while one is queued)."""
        self.post_message(LogsArrived(self.feed))

    @on(LogsArrived)
    def _arrived(self, message: LogsArrived) -> None:
        """Take what is pending now, or once the ~100 ms since the last take are up."""
        if message.feed is self.feed:
            self._feeding.request()

    def _take(self) -> None:
        items = self.feed.take(TAKE_LIMIT)
        if items:
            self.view.write_batch(items)
        if self.feed.pending_count:  # the next slice soon, keys and drawing first
            self._feeding.later(BACKLOG_PAUSE)

    def on_unmount(self) -> None:
        """The transport stops at its next check."""
        self.feed.stop.set()

    def action_back(self) -> None:
        """Stop reading and go back."""
        self.feed.stop.set()
        self.dismiss()
