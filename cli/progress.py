"""Long-running actions on the command line: a line per step change, Ctrl-C cancels.

Shared by ``shipdeck action NAME ... --yes`` and its friendly twin
``shipdeck fallback-build``: :class:`StepPrinter` is the action's progress
listener (plain lines, fit for CI logs), :func:`apply_interruptibly` runs
``apply()`` on a worker thread so that Ctrl-C on the main thread can cancel
every step and still wait for the action to clean up (undo partial pushes).
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from cli.output import echo

if TYPE_CHECKING:
    from actions.model import Action, ActionError, Outcome, Plan
    from actions.progress import StepStatus

EXIT_INTERRUPTED = 130


def describe_step(status: StepStatus) -> str:
    """A step as one plain line: ``building step 2/4: COPY ...``, ``done sha256:ab  3 MB``."""
    if status.progress and not status.finished:
        return status.progress
    if status.ok:
        return f"{status.state} {status.result}".rstrip()
    if status.finished and status.result:
        return f"{status.state}: {status.result}"
    return status.state


class StepPrinter:
    """A progress listener: one line per change of a step's stage; with ``verbose``, its output.

    A stage is the state and the head of the progress text before ``:``
    (``building step 2/4``, ``pushing latest``), so a push's byte counts or a
    step's detail do not print a line each.
    """

    def __init__(self, *, verbose: bool = False) -> None:
        self.verbose = verbose
        self._lock = threading.Lock()
        self._last: dict[str, tuple[str, str]] = {}
        self._width = 18

    def step(self, status: StepStatus) -> None:
        """Print the step if its stage changed (called on the action's worker threads)."""
        stage = (status.state, status.progress.partition(":")[0])
        with self._lock:
            if self._last.get(status.key) == stage:
                return
            self._last[status.key] = stage
            self._width = max(self._width, len(status.key))
            elapsed = status.elapsed or 0.0
            echo(f"{elapsed:7.1f}s  {status.key:{self._width}}  {describe_step(status)}")

    def line(self, key: str, text: str) -> None:
        """Print one output line, prefixed with its step, when verbose."""
        if not self.verbose:
            return
        with self._lock:
            echo(f"{'':9}{key:{self._width}} | {text}")


def apply_interruptibly(action: Action, plan: Plan) -> tuple[Outcome | ActionError, bool]:
    """Apply on a worker thread; Ctrl-C cancels every step and waits for the action to end.

    Returns the outcome (or the ActionError apply raised) and whether Ctrl-C
    was pressed. A second Ctrl-C leaves at once.
    """
    from actions.model import ActionError

    result: list[Outcome | ActionError] = []
    ended = threading.Event()

    def run() -> None:
        try:
            result.append(action.apply(plan))
        except ActionError as exc:  # handed to the main thread, which reports it
            result.append(exc)
        finally:
            ended.set()

    worker = threading.Thread(target=run, name=f"{action.name}-apply", daemon=True)
    worker.start()
    interrupted = False
    # An Event, not worker.join(): on Python 3.11 a Ctrl-C that interrupts join()
    # can mark the thread as stopped while it still runs (its outcome would be lost).
    while True:
        try:
            if ended.wait(0.2):
                break
        except KeyboardInterrupt:
            if interrupted:
                raise
            interrupted = True
            echo("cancelling every step (Ctrl-C again to leave at once)...", err=True)
            action.cancel(None)
    if not result:
        return ActionError(f"{action.name}: stopped without an outcome"), interrupted
    return result[0], interrupted


def step_summary_lines(steps: tuple[StepStatus, ...]) -> list[str]:
    """The final table of a long-running action: one line per step, its state, time and result."""
    if not steps:
        return []
    width = max(len(s.key) for s in steps)
    return [
        f"{s.key:{width}}  {s.state:9}  {s.elapsed or 0.0:6.1f}s  {s.result or s.progress}".rstrip()
        for s in steps
    ]
