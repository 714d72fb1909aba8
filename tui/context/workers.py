"""Worker failures always surface: every node that runs workers reports them to the app.

Textual posts ``Worker.StateChanged`` to the node that started the worker and
does not bubble it, so one handler on a screen misses the workers of panes and
of the app. ``ReportsWorkers`` is mixed into every such node (screens, panes,
the app; a test checks that every class running a worker has it) and hands each
failure to the app as ``WorkerFailed``, which the app turns into a visible
message and whose end every "loading" display listens for.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message
from textual.worker import Worker, WorkerState


@dataclass
class WorkerFailed(Message):
    """A worker of any node raised (an AWS error is data; this is anything else)."""

    what: str  # the worker's description or name
    error: str  # ``KeyError: 'taskDefinition'``


class ReportsWorkers:
    """Mixed into a DOMNode: its failed workers reach the app's one handler."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Hand a failure to the app (by naming convention, so a mixin's handler is found)."""
        if event.state is not WorkerState.ERROR:
            return
        worker = event.worker
        error = worker.error
        what = worker.description or worker.name or "background task"
        text = f"{type(error).__name__}: {error}" if error is not None else "failed"
        app = getattr(self, "app", None)
        if app is not None:
            app.post_message(WorkerFailed(what, text))
