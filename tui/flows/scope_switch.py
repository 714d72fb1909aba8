"""Switching the console to another AWS profile, regions or kube context without a restart.

``:profile``, ``:region`` and ``:ctx`` (their pickers, or a name typed after
them) post ``ScopeRequested``; the app's ``switch_scope`` hands it to the one
``ScopeSwitch`` of the console, which:

1. opens the new scope on a worker thread (``cloud.scopes.open_scopes``: the checks
   of start-up, then the credentials, for every profile shown: ``:region`` and ``:ctx``
   keep all of them, ``:profile a,b`` shows several side by side), so a bad choice is
   one readable message and the console keeps showing the scope it had (one profile
   refused refuses the whole switch: nothing replaced, nothing lost);
2. once it is good, on the UI thread: closes the screens above the console (as k9s
   pops back to its resource list; a detail or log of the old account must not stay
   on screen as if it were of the new one), retires the old model feed (reads of the
   old scope still under way land nowhere), gives the context the new session, an
   empty model, the accounts, the audit log of the profile and read-only decided again,
   and starts a new feed on it. Panes say they are loading until the new rows land.

A switch is refused while an action runs: its preview, apply and settling belong
to the scope it was planned in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, Literal

from textual.message import Message

from cloud.session import CloudConfigError
from cloud.sessions import Sessions
from tui.context.state import ConsoleContext
from tui.flows.model_feed import ModelFeed

if TYPE_CHECKING:
    from textual.app import App


ScopePart = Literal["profile", "region", "context"]
"""What ``:profile``, ``:region`` and ``:ctx`` each switch."""


@dataclass
class ScopeRequested(Message):
    """Point the console at another scope; None keeps that part as it is.

    ``profiles``: every profile to show, side by side (one: that one alone).
    """

    profiles: tuple[str, ...] | None = None
    regions: tuple[str, ...] | None = None
    context: str | None = None


@dataclass
class ScopeOpened(Message):
    """Worker: the asked-for scope was checked and works."""

    ticket: int
    sessions: Sessions
    accounts: dict[str, str | None]
    """Each profile's account id by its tag (``Sessions.tags``)."""


@dataclass
class ScopeRefused(Message):
    """Worker: the asked-for scope cannot be used; ``error`` is one line."""

    ticket: int
    error: str


@dataclass(frozen=True)
class Scope:
    """Where a console points: AWS profiles (None: the default chain), regions, kube context."""

    profiles: tuple[str | None, ...]
    regions: tuple[str, ...]
    context: str | None

    def describe(self) -> str:
        """``profile nova-viewer · ap-northeast-1 · ctx nova``, for messages."""
        regions = ", ".join(self.regions)
        names = "+".join(p or "default" for p in self.profiles)
        word = "profiles" if len(self.profiles) > 1 else "profile"
        return f"{word} {names} · {regions} · ctx {self.context or '—'}"


def parse_names(text: str) -> tuple[str, ...]:
    """``us-east-1,eu-west-1`` (commas or spaces) as names, each once, in order."""
    return tuple(dict.fromkeys(part for part in text.replace(",", " ").split() if part))


parse_regions = parse_names
"""Region names as ``:region`` takes them."""


class ScopeSwitch:
    """The console's switches of scope: checked off the UI thread, adopted on it."""

    def __init__(self, app: App[Any], context: ConsoleContext) -> None:
        self.app = app
        self.context = context
        self.ticket = 0
        """The newest switch asked for; an older one that answers late is dropped."""
        self.pending: Scope | None = None
        """The scope being checked, if any."""

    def current(self) -> Scope:
        """Where the console points now."""
        session = self.context.session
        sessions = self.context.sessions.all if self.context.sessions else (session,)
        profiles = tuple(s.profile for s in sessions)
        return Scope(profiles, session.regions, session.kube_context)

    def request(
        self,
        *,
        profiles: Sequence[str] | None = None,
        regions: Sequence[str] | None = None,
        context: str | None = None,
    ) -> bool:
        """Check the scope with these parts changed, then switch to it; False if refused now.

        Parts not given are kept, every profile shown among them: ``:region`` opens each
        current profile in the new regions.
        """
        if self.context.action_running is not None:
            self.app.notify(
                f"{self.context.action_running} is running: switch once it has ended",
                title="not switched",
                severity="warning",
            )
            return False
        now = self.current()
        wanted = Scope(
            tuple(profiles) if profiles else now.profiles,
            tuple(regions) if regions else now.regions,
            context if context is not None else now.context,
        )
        if wanted == now:
            self.app.notify(f"already on {wanted.describe()}", timeout=3)
            return False
        self.ticket += 1
        self.pending = wanted
        self.app.run_worker(
            partial(self._open, self.ticket, wanted),
            name="switch scope",
            group="scope-switch",
            thread=True,
            exclusive=True,
            exit_on_error=False,
            description=f"check {wanted.describe()}",
        )
        return True

    def _open(self, ticket: int, scope: Scope) -> None:
        """Worker thread: every profile's session checked as at start-up, and the accounts."""
        from cloud.scopes import open_scopes

        try:
            sessions, accounts = open_scopes(scope.profiles, scope.regions, scope.context)
        except CloudConfigError as exc:
            self.app.post_message(ScopeRefused(ticket, str(exc)))
            return
        self.app.post_message(ScopeOpened(ticket, sessions, accounts))

    def refused(self, message: ScopeRefused) -> None:
        """UI thread: say why, and change nothing."""
        if message.ticket != self.ticket:
            return
        self.pending = None
        self.app.notify(message.error, title="not switched", severity="error", timeout=10)

    def adopt(self, message: ScopeOpened, feed: ModelFeed) -> ModelFeed | None:
        """UI thread: the console on the new scope; the new feed (None when out of date)."""
        if message.ticket != self.ticket:
            return None
        self.pending = None
        if self.context.action_running is not None:  # one began while the scope was checked
            self.app.notify(
                f"{self.context.action_running} is running: switch once it has ended",
                title="not switched",
                severity="warning",
            )
            return None
        while len(self.app.screen_stack) > 1:  # back to the console, as k9s pops to its list
            self.app.pop_screen()
        feed.retire()
        self.context.rescope(message.sessions.all, message.accounts)
        fresh = ModelFeed(self.app, self.context, None, scope=feed.scope + 1)
        self.context.reads = fresh
        fresh.start()
        return fresh
