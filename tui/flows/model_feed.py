"""Keeping the incident model fresh: the first reads, refreshes on their intervals, settling.

One ``ModelFeed`` per console. Reads run in thread workers of the app: each
reads some kinds with ``read_snapshot`` and merges every group of parts into the
model as it lands (``IncidentModel.merge``, in the worker; a read again merges once,
when it ended), then posts
``ModelChanged`` so every screen redraws from the same new state. A kind asked
for while a read of it is under way is read again once that read ends, so a
read asked for after an action never returns what was read before it.

Time is injected (``ConsoleContext.monotonic``): a kind is due when its
interval has passed since its last read *ended*, so a slow account is never
read back to back; the console calls ``tick`` once a second with the kinds on
screen, and tests call it after moving their clock.

After an action, ``settle`` reads the touched kinds at once and again every
``SETTLE_EVERY`` seconds until every touched resource says it has settled
(its kind's ``settled``: an ECS deployment completed, a rollout ready) after
at least ``SETTLE_MIN_READS`` reads, or ``SETTLE_LIMIT`` seconds passed.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

from cloud.incident import IncidentModel, ModelState
from cloud.model.kinds import KIND_NAMES, PANES, kind
from cloud.model.ref import ResourceRef
from cloud.records import Fetched
from cloud.session import CloudSession
from tui.context.messages import AccountRead, ModelChanged, ReadEnded
from tui.context.state import ConsoleContext
from tui.context.workers import WorkerFailed

if TYPE_CHECKING:
    from textual.app import App

    from cloud.sessions import Sessions
    from tui.flows.prefetch import Parts, Prefetch

SETTLE_EVERY = 2.0  # seconds between the reads that follow a change
SETTLE_LIMIT = 120.0  # seconds after which a change that has not settled is left alone
SETTLE_MIN_READS = 3  # a rollout may not have begun at the first read after the apply
DEFAULT_INTERVAL = 30.0


@dataclass
class _Watch:
    """A change being followed until it settles."""

    refs: tuple[ResourceRef, ...]
    kinds: tuple[str, ...]
    until: float
    counts: dict[str, int] = field(default_factory=dict)  # reads of each kind since the apply

    @property
    def reads(self) -> int:
        """How many times every one of its kinds has been read since the apply."""
        return min((self.counts.get(name, 0) for name in self.kinds), default=0)


@dataclass
class ModelFeed:
    """Reads parts of the model on workers; what is being read, when each kind was read."""

    app: App[Any]
    context: ConsoleContext
    prefetch: Prefetch | None = None
    reading: set[str] = field(default_factory=set)
    again: set[str] = field(default_factory=set)  # asked for while being read
    ended_at: dict[str, float] = field(default_factory=dict)  # monotonic end of last read
    watches: list[_Watch] = field(default_factory=list)
    _arriving: dict[tuple[str, str], dict[ResourceRef, Any]] = field(default_factory=dict)
    _arriving_lock: threading.Lock = field(default_factory=threading.Lock)
    # The timeline is kept per account: a diagnosis that comes before the account id
    # (the reader's, so this process never loads botocore) waits here for it.
    _account_lock: threading.Lock = field(default_factory=threading.Lock)
    _account_known: bool = False
    _account_id: str | None = None
    _account_ids: dict[str, str | None] = field(default_factory=dict)
    _unrecorded: ModelState | None = None
    scope: int = 0
    """Which scope (profile, regions, context) this feed reads: its messages carry it, and
    the app drops those of a feed it has retired (``tui.flows.scope_switch``)."""
    retired: bool = False
    """Set on the UI thread when the console switched scope: nothing more is posted."""
    model: IncidentModel = field(init=False)
    """The model this feed merges into: the context's when the feed was made, so a read of
    the old scope that lands after a switch never reaches the new scope's model."""

    sessions: Sessions = field(init=False)
    """The profiles this feed reads (the context's when the feed was made)."""
    session: CloudSession = field(init=False)
    """The first of them (the context's session when the feed was made)."""

    def __post_init__(self) -> None:
        self.model = self.context.model
        assert self.context.sessions is not None
        self.sessions = self.context.sessions
        self.session = self.sessions.primary

    def interval(self, name: str) -> float:
        """Seconds between reads of kind ``name``: its pane's ``[refresh]`` setting."""
        for each in PANES:
            if name in each.kinds:
                return float(self.context.settings.refresh.get(each.name, each.refresh_seconds))
        return DEFAULT_INTERVAL

    # --- asking for reads -----------------------------------------------------

    def start(self) -> None:
        """The first reads: from the reader process when there is one, else here."""
        if self.prefetch is None:
            self.request(KIND_NAMES)
            self._read_account(None)
            return
        self.reading.update(KIND_NAMES)
        self.app.run_worker(
            partial(self._adopt, self.prefetch),
            name="first reads",
            group="model-first",
            thread=True,
            exit_on_error=False,
            description="first reads",
        )

    def request(self, kinds: Iterable[str]) -> None:
        """Read ``kinds`` now; those being read now are read again once that read ends."""
        wanted = [name for name in dict.fromkeys(kinds) if name in KIND_NAMES]
        busy = [name for name in wanted if name in self.reading]
        self.again.update(busy)
        todo = tuple(name for name in wanted if name not in self.reading)
        if not todo:
            return
        self.reading.update(todo)
        self.app.run_worker(
            partial(self._read, todo),
            name=f"read {', '.join(todo)}",
            group=f"model-{'-'.join(todo)}",
            thread=True,
            exit_on_error=False,
            description=f"read {', '.join(todo)}",
        )

    def is_reading(self, kinds: Iterable[str]) -> bool:
        """Whether any of ``kinds`` is being read (or asked for again)."""
        return any(name in self.reading or name in self.again for name in kinds)

    def due(self, kinds: Iterable[str]) -> list[str]:
        """The kinds of ``kinds`` whose interval has passed since their last read ended."""
        now = self.context.monotonic()
        found = []
        for name in kinds:
            if name in self.reading:
                continue
            ended = self.ended_at.get(name)
            if ended is None or now - ended >= self.interval(name):
                found.append(name)
        return found

    def tick(self, visible: Iterable[str]) -> None:
        """Once a second: read the visible kinds that are due, and follow changes settling."""
        if self.prefetch is not None and not self.ended_at:
            return  # the first reads are still arriving
        todo = self.due(visible)
        now = self.context.monotonic()
        for watch in self.watches:
            for name in watch.kinds:
                ended = self.ended_at.get(name)
                if name not in self.reading and (ended is None or now - ended >= SETTLE_EVERY):
                    todo.append(name)
        if todo:
            self.request(todo)

    def settle(self, refs: Iterable[ResourceRef], kinds: Iterable[str]) -> None:
        """Read ``kinds`` now and keep reading them until ``refs`` have settled."""
        refs = tuple(dict.fromkeys(refs))
        wanted = tuple(dict.fromkeys([*kinds, *(ref.kind for ref in refs)]))
        until = self.context.monotonic() + SETTLE_LIMIT
        self.watches.append(_Watch(refs, wanted, until))
        self.request(wanted)

    # --- what the workers hand back (UI thread) ---------------------------------

    def changed(self, state: ModelState, parts: tuple[str, ...]) -> None:
        """A read merged ``parts``: count it for the changes being followed."""
        for watch in list(self.watches):
            landed = set(parts) & set(watch.kinds)
            if not landed:
                continue
            for name in landed:
                watch.counts[name] = watch.counts.get(name, 0) + 1
            if self.context.monotonic() > watch.until or (
                watch.reads >= SETTLE_MIN_READS and _settled(state, watch.refs)
            ):
                self.watches.remove(watch)

    def ended(self, kinds: tuple[str, ...]) -> None:
        """A read of ``kinds`` ended: they may be read again (at once, if asked meanwhile)."""
        now = self.context.monotonic()
        for name in kinds:
            self.reading.discard(name)
            self.ended_at[name] = now
        again = [name for name in kinds if name in self.again]
        self.again.difference_update(again)
        if again:
            self.request(again)

    @property
    def settling(self) -> bool:
        """Whether a change is still being followed."""
        return bool(self.watches)

    def retire(self) -> None:
        """The console switched scope (UI thread): reads under way end unheard."""
        self.retired = True
        self.watches.clear()

    # --- workers ----------------------------------------------------------------

    def _post(self, message: ModelChanged | ReadEnded | AccountRead | WorkerFailed) -> None:
        """Any thread: ``message`` to the app, tagged with this feed's scope; nothing once
        retired (the app also drops what was posted just before)."""
        if self.retired:
            return
        if not isinstance(message, WorkerFailed):
            message.scope = self.scope
        self.app.post_message(message)

    def _read(self, kinds: tuple[str, ...]) -> None:
        """Worker thread: read ``kinds`` with their extras, in every profile at once.

        A first read merges each group as it lands, so rows come as soon as they can. A
        read again merges once per profile, when it ended: one moment of the account, never
        pods read after a fix beside the repository read before it (a finding that flips
        severity for one redraw, its row jumping away under the cursor).
        """
        from cloud.sessions import read_profiles

        state = self.model.state
        first = any(not state.snapshot.has(name) for name in kinds)
        landed: dict[str, dict[str, Fetched[Any]]] = {}

        def keep(tag: str, parts: Parts) -> None:
            landed.setdefault(tag, {}).update(parts)

        try:
            read_profiles(
                self.sessions,
                kinds,
                previous=state.by_profile,
                on_parts=self._merge_of if first else keep,
                on_early=self._early_of,
            )
        finally:
            for tag, parts in landed.items():
                self._merge_of(tag, parts)
            self._post(ReadEnded(kinds))

    def _merge(self, parts: Parts) -> None:
        """Worker thread: the first profile's parts into the model (the reader process's)."""
        self._merge_of(self.model.profiles[0], parts)

    def _merge_of(self, profile: str, parts: Parts) -> None:
        """Worker thread: the parts of ``profile`` into the model; a whole diagnosis into
        the timeline."""
        state = self.model.merge(parts, profile)
        with self._arriving_lock:
            for name in parts:
                self._arriving.pop((profile, name), None)
        self._post(ModelChanged(state, tuple(parts)))
        if state.complete:
            self._record(state)

    def _early(self, name: str, changed: Fetched[Any]) -> None:
        """Any thread: the first profile's rows listed so far (the reader process's)."""
        self._early_of(self.model.profiles[0], name, changed)

    def _early_of(self, profile: str, name: str, changed: Fetched[Any]) -> None:
        """Any thread: rows a first read of ``name`` in ``profile`` listed or described since
        the last call; with those before them, drawn at once."""
        spec = kind(name)
        with self._arriving_lock:
            known = self._arriving.setdefault((profile, name), {})
            for record in changed.records:
                known[spec.ref(record)] = record
            state = self.model.merge_early(name, Fetched(tuple(known.values())), profile)
            if state is None:  # the part itself is in: what arrived before is done with
                self._arriving.pop((profile, name), None)
        if state is not None:
            self._post(ModelChanged(state, (name,), early=True))

    def _record(self, state: ModelState) -> None:
        """The findings seen now, for the incident timeline (a small state file), once the
        account they belong to is known."""
        from actions.timeline import record_findings

        with self._account_lock:
            if not self._account_known:
                self._unrecorded = state  # recorded when the account id arrives
                return
            account = self._account_id
            accounts = dict(self._account_ids)
        try:
            if not self.sessions.several:
                record_findings(
                    list(state.diagnosis.findings),
                    complete=not state.diagnosis.errors,
                    regions=self.session.regions,
                    account=account,
                )
                return
            # Several profiles: each account's findings in its own timeline.
            for tag, session in zip(self.sessions.tags, self.sessions.all, strict=True):
                record_findings(
                    [f for f in state.diagnosis.findings if f.profile == tag],
                    complete=not any(e.profile == tag for e in state.diagnosis.errors),
                    regions=session.regions,
                    account=accounts.get(tag),
                )
        except OSError as exc:
            where = getattr(exc, "filename", "") or ""
            error = f"{exc.strerror or exc}: {where}".rstrip(": ")
            self._post(WorkerFailed("recording the timeline", error))

    def _adopt(self, prefetch: Prefetch) -> None:
        """Worker thread: the reader process's parts, then whatever it could not send."""
        import threading

        from tui.flows.prefetch import EarlyPart, ReaderLost, ReadFailed

        threading.Thread(
            target=self._account, args=(prefetch,), name="shipdeck-account", daemon=True
        ).start()
        landed: set[str] = set()
        try:
            for parts in prefetch.take_parts():
                if isinstance(parts, EarlyPart):
                    self._early(parts.name, parts.part)
                    continue
                self._merge(parts)
                landed.update(parts)
        except (ReaderLost, ReadFailed):
            missing = tuple(name for name in KIND_NAMES if name not in landed)
            if missing:
                self._post(ReadEnded(tuple(landed)))
                self._read(missing)  # posts its own ReadEnded
                return
        self._post(ReadEnded(KIND_NAMES))

    def _read_account(self, prefetch: Prefetch | None) -> None:
        self.app.run_worker(
            partial(self._account, prefetch),
            name="account",
            group="account",
            thread=True,
            exclusive=True,
            exit_on_error=False,
            description="read the account id",
        )

    def _account(self, prefetch: Prefetch | None) -> None:
        """Thread: the account id for the header (the reader's, else STS here)."""
        from tui.flows.prefetch import ReaderLost

        account: str | None = None
        accounts: dict[str, str | None] | None = None
        try:
            if prefetch is None:
                raise ReaderLost("no reader")
            account = prefetch.account().result()
        except ReaderLost:
            if self.sessions.several:
                accounts = self.sessions.accounts()  # in parallel
                account = accounts[self.sessions.tags[0]]
            else:
                account = self.session.account_id()
        with self._account_lock:
            self._account_known, self._account_id = True, account
            self._account_ids = dict(accounts or {})
            waiting, self._unrecorded = self._unrecorded, None
        self._post(AccountRead(account, accounts=accounts))
        if waiting is not None:
            self._record(waiting)


def _settled(state: ModelState, refs: tuple[ResourceRef, ...]) -> bool:
    for ref in refs:
        record = state.record(ref)
        if record is not None and not kind(ref.kind).settled(record):
            return False
    return True
