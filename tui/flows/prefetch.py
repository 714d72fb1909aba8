"""The first read of the model, done by a reader process while the console is built.

On a cold start the console's interpreter has two big jobs: import Textual and
mount the screens (about half a second of CPU), and, for the first reads, import
botocore and the Kubernetes client, create some fifteen clients and parse about
eighty answers (more again). Under one GIL they add up; in two processes they
overlap, on a laptop's second core.

The reader process checks the profile, regions and kube context first, so bad
input still sends no request and gets its one line; it sends that verdict, then
the account id, then the snapshot's parts (each kind with its extras) as soon as
each is read (``read_snapshot``'s ``on_parts``), with the rows a kind has listed
before its part is in (``on_early``), and exits. Records are frozen
dataclasses and cross the pipe as they are. Later reads (refresh, details,
actions) run in the console's own threads, as always.

Where no process can be started, the same reads run on a thread in this process.
"""

from __future__ import annotations

import gc
import multiprocessing
import queue
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from cloud.records import Fetched
from cloud.session import CloudConfigError, CloudSession
from tui.flows.helper_process import detach_from_console

Parts = Mapping[str, Fetched[Any]]


@dataclass(frozen=True)
class EarlyPart:
    """What the first read of kind ``name`` has listed so far (rows before the part is in)."""

    name: str
    part: Fetched[Any]


class ReaderLost(Exception):
    """The reader process ended before it sent everything; read the rest here."""


class ReadFailed(Exception):
    """The first read raised in the reader process (a bug, not an AWS error: those are data)."""


def _read_everything(session: CloudSession, send: Callable[[tuple[Any, ...]], None]) -> None:
    """The account id, then every part of the snapshot as it lands; ``send`` each."""
    from cloud.model.builder import read_snapshot

    account = threading.Thread(
        target=lambda: send(("account", session.account_id())), name="shipdeck-first-account"
    )
    account.start()
    try:
        read_snapshot(
            session,
            on_parts=lambda parts: send(("parts", dict(parts))),
            on_early=lambda name, part: send(("early", name, part)),
        )
    except Exception as exc:  # noqa: BLE001 - sent to the console, which shows it
        send(("failed", f"{type(exc).__name__}: {exc}"))
    account.join()
    send(("done",))


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
    """The first reads: the verdict on the session, the account id, then parts as they land."""

    def __init__(self) -> None:
        self._verdict: Future[tuple[tuple[str, ...], str | None]] = Future()
        self._account: Future[str | None] = Future()
        self._parts: queue.SimpleQueue[tuple[str, Any]] = queue.SimpleQueue()
        self._taken = False
        self.reader_pid: int | None = None
        """The reader process's pid (None when the reads run on a thread here)."""

    @classmethod
    def start(cls, profile: str | None, regions: Sequence[str], context: str | None) -> Prefetch:
        """Start the reader process (or, failing that, plan to read on a thread here)."""
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

    def account(self) -> Future[str | None]:
        """The account id, once STS answered (ReaderLost if the reader died first)."""
        return self._account

    def take_parts(self) -> Iterator[Parts | EarlyPart]:
        """Every group of parts as it lands (and the rows listed before a part is in),
        until the first read is over (once only).

        Raises ReaderLost when the reader died before the end (read the rest here),
        ReadFailed when the read itself raised.
        """
        if self._taken:
            return
        self._taken = True
        while True:
            kind, value = self._parts.get()
            if kind in ("parts", "early"):
                yield value
            elif kind == "done":
                return
            elif kind == "failed":
                raise ReadFailed(value)
            else:
                raise ReaderLost("the reader process ended early")

    def _deliver(self, message: tuple[Any, ...]) -> None:
        kind = message[0]
        if kind == "refused":
            self._verdict.set_exception(CloudConfigError(message[1]))
        elif kind == "checked":
            self._verdict.set_result((tuple(message[1]), message[2]))
        elif kind == "account":
            self._account.set_result(message[1])
        elif kind == "parts":
            self._parts.put(("parts", message[1]))
        elif kind == "early":
            self._parts.put(("early", EarlyPart(message[1], message[2])))
        elif kind == "failed":
            self._parts.put(("failed", message[1]))
        elif kind == "done":
            self._parts.put(("done", None))

    def _listen(self, conn: Connection, process: multiprocessing.process.BaseProcess) -> None:
        finished = False
        try:
            while True:
                try:
                    message = conn.recv()
                except (EOFError, OSError):
                    break
                finished = finished or message[0] in ("done", "refused")
                self._deliver(message)
        finally:
            conn.close()
            lost = ReaderLost("the reader process ended early")
            if not self._verdict.done():
                self._verdict.set_exception(lost)
            if not self._account.done():
                self._account.set_exception(lost)
            if not finished:
                self._parts.put(("lost", None))
            process.join()


class _InProcess(Prefetch):
    """The same reads on a thread of this process, after checking the session here."""

    def check(self, session: CloudSession) -> None:
        """Check here, then start the reads (they must not start before the check)."""
        session.validate()
        self._verdict.set_result((session.regions, session.kube_context))
        threading.Thread(
            target=_read_everything,
            args=(session, self._deliver),
            name="shipdeck-first",
            daemon=True,
        ).start()


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1
