"""The base of every shipdeck screen: the header, and the one place worker failures are reported."""

from __future__ import annotations

from textual import on
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from tui.context import ConsoleContext
from widgets.header_bar import HeaderBar


class ShipdeckScreen(Screen[None]):
    """A screen that shares the console's context and reports its workers' failures."""

    def __init__(self, context: ConsoleContext) -> None:
        super().__init__()
        self.context = context

    def make_header(self) -> HeaderBar:
        """A header showing where the console is pointed."""
        header = HeaderBar()
        session = self.context.session
        header.profile = session.profile or "default"
        header.account = self.context.account
        header.regions = session.regions
        header.kube_context = session.kube_context
        header.badge = self.context.badge
        header.read_only = self.context.read_only
        header.text_filter = self.context.shown
        header.presenter = self.context.presenter
        return header

    def presenter_changed(self) -> None:
        """Presenter mode was switched: show this screen's data again (subclasses add theirs)."""
        for header in self.query(HeaderBar):
            header.presenter = self.context.presenter

    @on(Worker.StateChanged)
    def report_worker_failure(self, event: Worker.StateChanged) -> None:
        """A worker that raised (not an AWS error, those are data) becomes a notification."""
        if event.state is not WorkerState.ERROR:
            return
        worker = event.worker
        error = worker.error
        what = worker.description or worker.name or "background task"
        self.notify(
            f"{type(error).__name__}: {error}" if error is not None else "failed",
            title=f"{what} failed",
            severity="error",
            timeout=10,
        )
