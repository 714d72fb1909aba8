"""The progress of a long-running action (a fallback build): its steps, their output, cancel.

Any action with ``long_running`` is shown the same way while it applies: one
row per step from ``action.steps()`` (polled every ``POLL_SECONDS``), every
output line from ``action.output()`` (drained every ``DRAIN_SECONDS`` into a
bounded log view, labelled by step), ``c`` cancels the selected step, ``C``
every step not finished. ``escape`` goes back while the action goes on; its
outcome is notified when it ends. Build output comes from Docker and names the
registry (which holds the account id on AWS): it is made safe for the terminal
as it arrives, and masked in presenter mode, also when the mode is switched
while the screen is up.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static

from cloud.text import safe_lines, safe_text
from tui.context.screen import ShipdeckScreen
from widgets.build_rows import BUILD_COLUMNS, build_row
from widgets.footer import KeyFooter
from widgets.log_view import LogView
from widgets.resource_table import ResourceTable

if TYPE_CHECKING:
    from actions.model import Action, Outcome, Plan
    from tui.context.state import ConsoleContext

POLL_SECONDS = 0.2
DRAIN_SECONDS = 0.1
OUTPUT_LINES = 20_000


class ActionProgress(ShipdeckScreen):
    """A long-running action's steps and output while it applies."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "cancel_step", "Cancel", id="progress.cancel", tooltip="Cancel this step"),
        Binding("C", "cancel_all", "Cancel all", id="progress.cancel-all"),
        Binding("escape", "back", "Back", id="back", tooltip="Back; the action goes on"),
    ]
    DEFAULT_CSS = """
    ActionProgress #progress-title {
        height: 1; padding: 0 1; text-style: bold; background: $boost;
    }
    ActionProgress #progress-notice { height: auto; padding: 0 1; }
    ActionProgress #progress-notice.-error { color: $text-error; background: $error 15%; }
    ActionProgress #progress-steps { height: 1fr; border-top: solid $primary 50%; }
    ActionProgress LogView { height: 2fr; }
    """

    def __init__(self, context: ConsoleContext, action: Action, plan: Plan) -> None:
        super().__init__(context)
        self.job = action
        self.plan = plan
        self.outcome: Outcome | None = None
        self.ended = False

    def compose(self) -> ComposeResult:
        """Title, notice, steps, output."""
        yield self.make_header()
        yield Static(self._title(), id="progress-title", markup=False)
        yield Static(self.context.shown(self.plan.summary), id="progress-notice", markup=False)
        yield ResourceTable(BUILD_COLUMNS, id="progress-steps")
        yield LogView("output", max_lines=OUTPUT_LINES, show_source=True, id="progress-output")
        yield KeyFooter()

    @property
    def table(self) -> ResourceTable:
        """The steps."""
        return self.query_one("#progress-steps", ResourceTable)

    def _title(self) -> str:
        return self.context.shown(f"{self.plan.action}  {self.plan.target}  ({self.job.region})")

    def on_mount(self) -> None:
        """Rows now, then keep them and the output moving."""
        self.query_one(LogView).set_text_filter(self._output_filter())
        self.table.focus()
        self._poll()
        self.set_interval(POLL_SECONDS, self._poll)
        self.set_interval(DRAIN_SECONDS, self._drain)

    def _poll(self) -> None:
        rows = []
        for step in self.job.steps():
            rows.append(
                build_row(
                    self.context.shown(step.key),
                    step.state,
                    self.context.shown(step.progress),
                    step.elapsed,
                    self.context.shown(step.result),
                )
            )
        self.table.set_rows(rows)
        self.refresh_bindings()

    def _drain(self) -> None:
        feed = self.job.output()
        if feed is None:
            return
        lines = feed.drain()
        if lines:  # safe here; masked by the view's filter, so a switch of mode redraws them
            self.query_one(LogView).write_batch(
                [(None, safe_text(line.service), safe_lines(line.text)) for line in lines]
            )

    def _output_filter(self) -> Callable[[str], str] | None:
        return self.context.shown if self.context.presenter else None

    def presenter_changed(self) -> None:
        """Presenter mode was switched: title, notice, steps and output drawn again."""
        super().presenter_changed()
        self.query_one("#progress-title", Static).update(self._title())
        self._show_notice()
        self._poll()
        self.query_one(LogView).set_text_filter(self._output_filter())

    def finished(self, outcome: Outcome | None) -> None:
        """``apply`` returned (None: it raised; the flow reports why)."""
        self.ended = True
        self.outcome = outcome
        if not self.is_attached:
            return
        self._poll()
        self._drain()
        self._show_notice()
        self.refresh_bindings()

    def _show_notice(self) -> None:
        notice = self.query_one("#progress-notice", Static)
        outcome = self.outcome
        if not self.ended:
            notice.update(self.context.shown(self.plan.summary))
        elif outcome is None:
            notice.update("stopped: see the notification")
            notice.add_class("-error")
        else:
            notice.update(
                self.context.shown(("done: " if outcome.ok else "failed: ") + outcome.message)
            )
            notice.set_class(not outcome.ok, "-error")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Cancelling is greyed once everything has finished."""
        if action in ("cancel_step", "cancel_all"):
            return None if self.ended else True
        return True

    def action_cancel_step(self) -> None:
        """Cancel the selected step (its pushes are undone)."""
        key = self.table.selected_key()
        if key is not None and self.job.cancel(key):
            self.notify(f"cancelling {key}", timeout=3)

    def action_cancel_all(self) -> None:
        """Cancel every step not finished."""
        if self.job.cancel(None):
            self.notify("cancelling every step not finished", timeout=3)

    def action_back(self) -> None:
        """Back to where the person was; the action goes on."""
        if not self.ended:
            self.notify(f"{self.plan.action} goes on: its outcome will be notified", timeout=4)
        self.dismiss()
