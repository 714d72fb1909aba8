"""The first read of every pane, done by a reader process while the console is built.

On a cold start the console's interpreter has two big jobs: import Textual and
mount the screens (about half a second of CPU), and, for the first reads, import
boto3 and the Kubernetes client, create some fifteen clients and parse about
eighty answers (more again). Under one GIL they add up; in two processes they
overlap, on a laptop's second core.

The reader process checks the profile, regions and kube context first, so bad
input still sends no request and gets its one line; it sends that verdict, then
the account id and each pane's ``Fetched`` as soon as it is read, and exits.
Records are frozen dataclasses and cross the pipe as they are. Later reads
(refresh, details, actions) run in the console's own threads, as always.

Where no process can be started, the same reads run on threads in this process.
"""

from __future__ import annotations

import gc
import multiprocessing
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from multiprocessing.connection import Connection
from typing import Any

from cloud.records import Fetched
from cloud.session import CloudConfigError, CloudSession
from tui.helper_process import detach_from_console

PANES = ("repositories", "builds", "services", "quotas")
_ACCOUNT = "account"


class ReaderLost(Exception):
    """The reader process ended before it sent this read; read it here instead."""


class ReadFailed(Exception):
    """A first read raised in the reader process (a bug, not an AWS error: those are data)."""


def _fetchers() -> dict[str, Callable[[CloudSession], Fetched[Any]]]:
    from cloud.inventory import fetch_projects, fetch_quotas, fetch_repositories, fetch_services

    return {
        "repositories": fetch_repositories,
        "builds": fetch_projects,
        "services": fetch_services,
        "quotas": fetch_quotas,
    }


def _read_everything(session: CloudSession, send: Callable[[tuple[Any, ...]], None]) -> None:
    """Read every pane and the account id on threads; ``send`` each outcome as it comes."""

    def read(name: str) -> None:
        try:
            if name == _ACCOUNT:
                outcome: tuple[Any, ...] = ("done", name, session.account_id())
            else:
                outcome = ("done", name, _fetchers()[name](session))
        except Exception as exc:  # noqa: BLE001 - sent to the console, which shows it
            outcome = ("failed", name, f"{type(exc).__name__}: {exc}")
        send(outcome)

    threads = [
        threading.Thread(target=read, args=(name,), name=f"shipdeck-first-{name}", daemon=True)
        for name in (*PANES, _ACCOUNT)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def _reader_main(
    conn: Connection, profile: str | None, regions: Sequence[str], context: str | None
) -> None:
    """The reader process: check the session, then send every first read, then exit."""
    # A short-lived process that only allocates: the cyclic collector would spend a
    # tenth of its time walking the botocore models it has just parsed, for nothing.
    gc.disable()
    detach_from_console()
    session = CloudSession(profile=profile, regions=regions, kube_context=context)
    try:
        session.validate()
    except CloudConfigError as exc:
        conn.send(("refused", str(exc)))
        return
    conn.send(("checked", session.regions, session.kube_context))
    lock = threading.Lock()

    def send(message: tuple[Any, ...]) -> None:
        with lock:
            conn.send(message)

    _read_everything(session, send)
    conn.close()


class Prefetch:
    """The first reads: one future per pane (and the account id), each handed out once."""

    def __init__(self) -> None:
        self._futures: dict[str, Future[Any]] = {name: Future() for name in (*PANES, _ACCOUNT)}
        self._verdict: Future[tuple[tuple[str, ...], str | None]] = Future()
        self.reader_pid: int | None = None
        """The reader process's pid (None when the reads run on threads here)."""

    @classmethod
    def start(cls, profile: str | None, regions: Sequence[str], context: str | None) -> Prefetch:
        """Start the reader process (or, failing that, plan to read on threads here)."""
        prefetch = cls()
        # fork is cheap and safe while this process has a single thread (nothing is held
        # by a thread that would not exist in the child); otherwise a fresh interpreter.
        mp = (
            multiprocessing.get_context("fork")
            if _can_fork()
            else multiprocessing.get_context("spawn")
        )
        receive, send = mp.Pipe(duplex=False)
        process = mp.Process(
            target=_reader_main,
            args=(send, profile, tuple(regions), context),
            name="shipdeck-reader",
            daemon=True,  # ends with the console, even in the middle of a read
        )
        try:
            process.start()
        except OSError:
            receive.close()
            send.close()
            return _InProcess()
        send.close()  # the child's end: EOF here once the child is gone
        prefetch.reader_pid = process.pid
        threading.Thread(
            target=prefetch._listen, args=(receive, process), name="shipdeck-reader", daemon=True
        ).start()
        return prefetch

    def check(self, session: CloudSession) -> None:
        """Wait for the reader's verdict on the session; raise CloudConfigError if it refused."""
        try:
            regions, context = self._verdict.result()
        except ReaderLost:
            session.validate()  # the reader died before its verdict: check here
            return
        session.adopt_checked(regions, context)

    def take(self, pane: str) -> Future[Fetched[Any]] | None:
        """The pending first read of ``pane``, or None once it was taken (or never started)."""
        return self._futures.pop(pane, None)

    def take_account(self) -> Future[str | None] | None:
        """The pending account id read, or None once taken."""
        return self._futures.pop(_ACCOUNT, None)

    def _listen(self, conn: Connection, process: multiprocessing.process.BaseProcess) -> None:
        pending = dict(self._futures)
        try:
            while True:
                try:
                    message = conn.recv()
                except (EOFError, OSError):
                    break
                kind = message[0]
                if kind == "refused":
                    self._verdict.set_exception(CloudConfigError(message[1]))
                elif kind == "checked":
                    self._verdict.set_result((tuple(message[1]), message[2]))
                elif kind == "done":
                    pending.pop(message[1]).set_result(message[2])
                elif kind == "failed":
                    pending.pop(message[1]).set_exception(ReadFailed(message[2]))
        finally:
            conn.close()
            lost = ReaderLost("the reader process ended early")
            if not self._verdict.done():
                self._verdict.set_exception(lost)
            for future in pending.values():
                future.set_exception(lost)
            process.join()


class _InProcess(Prefetch):
    """The same reads on threads of this process, after checking the session here."""

    def check(self, session: CloudSession) -> None:
        """Check here, then start the reads (they must not start before the check)."""
        session.validate()
        futures = dict(self._futures)

        def send(message: tuple[Any, ...]) -> None:
            kind, name, value = message
            if kind == "done":
                futures[name].set_result(value)
            else:
                futures[name].set_exception(ReadFailed(value))

        threading.Thread(
            target=_read_everything, args=(session, send), name="shipdeck-first", daemon=True
        ).start()


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1
