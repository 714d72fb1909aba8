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
from cloud.logs.records import iso_ms
from cloud.logs.subjects import LogSubject
from cloud.session import CloudSession
from tui.flows.helper_process import detach_from_console
from tui.flows.log_feed import ENDED, NOT_READING, READING, RESTARTING, LogFeed, ReadPosition
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
    # a pod's log: the Kubernetes client takes ~0.3 s to import, once here, not per view
    "kubernetes.client",
    "kubernetes.config",
    "cloud.logs.kube",
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


MAX_RESTARTS = 5  # restarts in a row without a new line before the view says it stopped


def read_in_process(
    feed: LogFeed,
    session: CloudSession,
    source: LogSubject,
    calls_per_second: float,
    ring: Callable[[], object],
) -> bool:
    """Worker thread: feed ``feed`` from a reader process until it ends or ``feed.stop``.

    A reader that dies (any exit code but 0) is started again from the newest
    line it sent, and what it sends again is dropped (``ReadPosition``): the
    view loses and repeats nothing, and says what the reader is doing.
    False when no process could be started (the caller then reads in a thread).
    """
    try:
        _helpers_running()
    except (OSError, ValueError):  # multiprocessing's helpers cannot start: read here
        return False
    position = ReadPosition()
    subject = source
    failures = 0
    while True:
        run = _ReaderRun(feed, session, subject, calls_per_second, position)
        if not run.start():
            if subject is source:
                return False  # no process could be started: read here
            _tell(feed, ring, StatusNote("error", "the log reader could not be started", "error"))
            feed.state = NOT_READING
            break
        feed.state = READING
        ring()
        code = run.pump(ring)
        if feed.stop.is_set():
            break
        if code == 0:
            feed.state = ENDED if run.ended else NOT_READING
            ring()
            break
        failures = 1 if run.lines else failures + 1
        if failures > MAX_RESTARTS:
            text = f"the log reader ended with code {code} {failures} times in a row; not reading"
            feed.state = NOT_READING
            _tell(feed, ring, StatusNote("error", text, "error"))
            break
        since = position.restart()
        subject = source if since is None else source.resumed(since)
        where = "the start" if since is None else iso_ms(since)
        text = f"the log reader ended with code {code}; restarted from {where}"
        feed.state = RESTARTING
        _tell(feed, ring, StatusNote("reconnected", text, "warning"))
    return True


def _tell(feed: LogFeed, ring: Callable[[], object], note: StatusNote) -> None:
    feed.put([note])
    ring()  # the state changed too: the view draws it even while lines are pending


class _ReaderRun:
    """One reader process and the pump that moves its items into the feed."""

    def __init__(
        self,
        feed: LogFeed,
        session: CloudSession,
        source: LogSubject,
        calls_per_second: float,
        position: ReadPosition,
    ) -> None:
        self.feed = feed
        self.position = position
        self.lines = 0
        self.ended = False
        context = _context()
        self.receive, send = context.Pipe(duplex=False)
        hold, self.control = context.Pipe(duplex=False)
        self._ends = (send, hold)
        facts = (session.profile, tuple(session.regions), session.kube_context)
        self.process = context.Process(
            target=_reader_main,
            args=(send, hold, dict(os.environ), facts, calls_per_second, source),
            name="shipdeck-log-reader",
            daemon=True,
        )

    def start(self) -> bool:
        """Start the process; False (every pipe closed) when it cannot be."""
        try:
            self.process.start()
        except (OSError, ValueError):
            for end in (self.receive, self.control, *self._ends):
                end.close()
            return False
        for end in self._ends:
            end.close()
        self.feed.reader_pid = self.process.pid
        return True

    def pump(self, ring: Callable[[], object]) -> int | None:
        """Move items until the reader ends or the feed stops; the reader's exit code."""
        feed, receive, process = self.feed, self.receive, self.process
        try:
            while not feed.stop.is_set():
                if not receive.poll(POLL_SECONDS):
                    continue
                try:
                    items: list[LogItem] = receive.recv()
                except (EOFError, OSError):
                    break
                items = self.position.kept(items)
                self.lines += sum(1 for i in items if isinstance(i, tuple))
                self.ended = self.ended or any(
                    isinstance(i, StatusNote) and i.kind == "ended" for i in items
                )
                if items and feed.put(items):
                    ring()
        finally:
            self.control.close()  # the reader stops at its next check
            receive.close()
            process.join(timeout=2)
            if process.is_alive():
                process.terminate()
                process.join(timeout=2)
        code: int | None = process.exitcode
        return code
