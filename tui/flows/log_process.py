"""A log screen's transport in a reader process, so the view keeps its own CPU.

Catching up on a backlog means parsing every FilterLogEvents page (botocore
walks each event of each page), merging and de-duplicating; showing it means
formatting, buffering and drawing. In one interpreter the two take turns under
the GIL and the service waits for both. Here a reader process runs the same
transport (``open_stream`` and ``LogFeed.read``) and sends the view's items,
plain tuples that cost little to pickle, through a pipe; the screen's thread
worker puts them in its feed as before. Closing the control pipe stops the
reader, and a reader whose console is gone stops at its next send.

Readers are forked from a fork server that already has the transport and
botocore imported (started in the background once the console is up), so
opening a log screen costs milliseconds. Where there is no fork server, the
reader is a fresh interpreter.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from multiprocessing.connection import Connection
from typing import Any

from cloud.logs.limits import SHARED_LIMITERS
from cloud.logs.subjects import LogSubject
from cloud.session import CloudSession
from tui.flows.helper_process import detach_from_console
from tui.flows.log_feed import LogFeed
from widgets.log_buffer import LogItem, StatusNote

_LENT = threading.Lock()
POLL_SECONDS = 0.05  # how often the pump looks at the stop flag while no items come
# What a reader needs, imported once in the fork server (no Textual: readers draw nothing).
_PRELOAD = [
    "tui.flows.log_process",
    "botocore.session",
    "botocore.client",
    "botocore.parsers",
    "tui.flows.log_reader_models",
]


def _context() -> Any:
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" in methods:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(_PRELOAD)
        return context
    return multiprocessing.get_context("spawn")


def _helpers_running() -> None:
    """Start multiprocessing's helper processes (resource tracker, fork server) if needed.

    multiprocessing hands ``sys.stderr``'s descriptor to its resource tracker;
    inside the console Textual captures ``sys.stderr`` with an object that has
    none (-1), which fails the start. The real stderr is lent for the moment.
    """
    if os.name != "posix":
        return  # spawn needs neither helper there
    from multiprocessing import forkserver, resource_tracker

    with _LENT:
        captured, sys.stderr = sys.stderr, sys.__stderr__
        try:
            resource_tracker.ensure_running()
            if "forkserver" in multiprocessing.get_all_start_methods():
                _context()
                forkserver.ensure_running()
        finally:
            sys.stderr = captured


def warm_up() -> None:
    """Start the helpers now (in the background), not when the first log opens."""
    threading.Thread(target=_helpers_running, name="shipdeck-forkserver", daemon=True).start()


class _SendingFeed(LogFeed):
    """The reader's side: what ``LogFeed.read`` would queue for the view goes to the pipe."""

    def __init__(self, send: Connection) -> None:
        super().__init__()
        self._send = send

    def put(self, items: list[LogItem]) -> bool:
        """Send ``items`` (blocking while the pipe is full: the console is behind)."""
        try:
            self._send.send(items)
        except (BrokenPipeError, ConnectionError, OSError):
            self.stop.set()  # the console is gone
        return False


def _stop_when_closed(control: Connection, stop: threading.Event) -> None:
    with contextlib.suppress(EOFError, OSError):
        control.recv()  # the console never sends: this returns when it closes its end
    stop.set()


def _reader_main(
    send: Connection,
    control: Connection,
    environment: Mapping[str, str],
    session_facts: tuple[str | None, Sequence[str], str | None],
    calls_per_second: float,
    source: LogSubject,
) -> None:
    """The reader process: read ``source`` until it ends or the console says stop."""
    detach_from_console()
    os.environ.clear()  # the console's environment now, not the fork server's at its start
    os.environ.update(environment)
    feed = _SendingFeed(send)
    threading.Thread(target=_stop_when_closed, args=(control, feed.stop), daemon=True).start()
    profile, regions, context = session_facts
    session = CloudSession(profile=profile, regions=regions, kube_context=context)
    session.adopt_checked(regions, context)
    SHARED_LIMITERS.set_rate(calls_per_second)
    label, _ = source.labeller()
    feed.read(lambda: source.open(session, feed.stop), _nobody, label, source.scope())
    send.close()


def _nobody() -> None:
    """The reader has no screen to ring; the pipe is the doorbell."""


def read_in_process(
    feed: LogFeed,
    session: CloudSession,
    source: LogSubject,
    calls_per_second: float,
    ring: Callable[[], object],
) -> bool:
    """Worker thread: feed ``feed`` from a reader process until it ends or ``feed.stop``.

    False when no process could be started (the caller then reads in a thread).
    """
    try:
        _helpers_running()
    except (OSError, ValueError):  # multiprocessing's helpers cannot start: read here
        return False
    context = _context()
    receive, send = context.Pipe(duplex=False)
    hold, control = context.Pipe(duplex=False)
    facts = (session.profile, tuple(session.regions), session.kube_context)
    process = context.Process(
        target=_reader_main,
        args=(send, hold, dict(os.environ), facts, calls_per_second, source),
        name="shipdeck-log-reader",
        daemon=True,
    )
    try:
        process.start()
    except (OSError, ValueError):  # no process could be started: read here
        for end in (receive, send, hold, control):
            end.close()
        return False

    send.close()
    hold.close()
    feed.reader_pid = process.pid
    try:
        while not feed.stop.is_set():
            if not receive.poll(POLL_SECONDS):
                continue
            try:
                items: list[LogItem] = receive.recv()
            except (EOFError, OSError):
                break
            if feed.put(items):
                ring()
    finally:
        control.close()  # the reader stops at its next check
        receive.close()
        process.join(timeout=2)
        if process.is_alive():
            process.terminate()
            process.join(timeout=2)
    if not feed.stop.is_set() and process.exitcode not in (0, None):
        note = StatusNote("error", f"the log reader ended with code {process.exitcode}", "error")
        if feed.put([note]):
            ring()
    return True
