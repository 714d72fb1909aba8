"""What every screen of one console shares: the session, settings, clocks and the model."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol

from cloud.incident import IncidentModel, ModelState
from cloud.model.ref import ResourceRef
from cloud.session import CloudSession
from cloud.sessions import Sessions
from cloud.settings import Settings, read_only_reason
from cloud.text import safe_lines
from tui.context.presenter import Cell, mask, mask_cell, safe_cell

if TYPE_CHECKING:
    from actions.audit import AuditLog


def utc_now() -> datetime:
    """The wall clock, in UTC (the default clock; tests pass a fixed one)."""
    return datetime.now(UTC)


class ModelReads(Protocol):
    """How a screen asks for parts of the model to be read (``tui.flows.model_feed``)."""

    def request(self, kinds: Iterable[str]) -> None:
        """Read ``kinds`` now (again after a read under way, if one is)."""

    def settle(self, refs: Iterable[ResourceRef], kinds: Iterable[str]) -> None:
        """Read ``kinds`` now and again until ``refs`` have settled (or two minutes pass)."""

    def is_reading(self, kinds: Iterable[str]) -> bool:
        """Whether a read of any of ``kinds`` is under way or asked for."""

    def tick(self, visible: Iterable[str]) -> None:
        """Read the visible kinds that are due, and follow the changes settling."""


@dataclass
class ConsoleContext:
    """Shared by the console and its detail screens; changed only on the UI thread."""

    session: CloudSession
    settings: Settings
    read_only_flag: bool = False  # --read-only on the command line
    badge: str | None = None
    clock: Callable[[], datetime] = utc_now  # what ages on screen count from
    monotonic: Callable[[], float] = time.monotonic  # what refresh intervals count on
    account: str | None = field(default=None)  # filled in once STS answers
    audit: AuditLog | None = None  # every plan and apply of this console; see audit_log()
    action_running: str | None = None  # the remediation under way (one at a time)
    presenter: bool = False  # screen sharing: account ids, addresses, secrets masked
    model: IncidentModel = field(default_factory=IncidentModel)
    """The one truth every screen draws from (replaced whole by the reads)."""
    reads: ModelReads | None = None  # set by the app once its model feed exists
    sessions: Sessions | None = None
    """Every profile shown (``session`` is the first); None: ``session`` alone."""
    accounts: dict[str, str | None] = field(default_factory=dict)
    """Each profile's account id by its tag (``ResourceRef.profile``), once STS answers."""
    read_only_reason: str | None = field(init=False, default=None)
    """Why every change is refused (flag, config file, profile or context); None: allowed.
    With several profiles: only when every one of them is read-only (see ``reason_for``)."""
    read_only_reasons: dict[str, str | None] = field(init=False, default_factory=dict)
    """Why changes to each profile's rows are refused, by tag; None: allowed."""

    def __post_init__(self) -> None:
        if self.sessions is None:
            self.sessions = Sessions([self.session])
        self.session = self.sessions.primary
        if self.model.profiles != self.sessions.tags:
            self.model = IncidentModel(self.sessions.tags)
        self.decide_read_only()

    def decide_read_only(self) -> None:
        """Decide, per profile, whether changes are refused (and the one reason for the header).

        Decided where every action decides it, from the same inputs (each profile's own
        session), so the keys greyed here are exactly the applies the action layer refuses.
        """
        assert self.sessions is not None
        self.read_only_reasons = {
            tag: read_only_reason(
                self.settings,
                flag=self.read_only_flag,
                profile=session.profile,
                context=session.kube_context,
            )
            for tag, session in zip(self.sessions.tags, self.sessions.all, strict=True)
        }
        reasons = list(self.read_only_reasons.values())
        self.read_only_reason = reasons[0] if all(r is not None for r in reasons) else None

    @property
    def several(self) -> bool:
        """Whether several profiles are shown (rows carry an ACCOUNT column)."""
        return self.sessions is not None and self.sessions.several

    def session_for(self, ref: ResourceRef) -> CloudSession:
        """The session that reads and acts on ``ref`` (its profile's)."""
        return self.session_of(ref.profile)

    def session_of(self, profile: str) -> CloudSession:
        """The session of profile tag ``profile`` ("": the only, or first, one)."""
        assert self.sessions is not None
        return self.sessions.for_profile(profile)

    def reason_for(self, ref: ResourceRef) -> str | None:
        """Why a change to ``ref`` is refused (its profile's read-only reason); None: allowed."""
        return self.read_only_reasons.get(ref.profile, self.read_only_reason)

    def read_only_profiles(self) -> tuple[str, ...]:
        """The profiles whose rows refuse every change (for the header), in order."""
        return tuple(tag for tag, why in self.read_only_reasons.items() if why is not None)

    def account_of(self, profile: str) -> str | None:
        """The account id of profile tag ``profile`` (the header's with one profile)."""
        return self.accounts.get(profile, self.account if not self.several else None)

    def rescope(self, sessions: Sequence[CloudSession], accounts: Mapping[str, str | None]) -> None:
        """Point at other profiles, regions or kube context (UI thread, ``:profile``...).

        ``sessions``: every profile shown from now on, the first one first (``:region``
        and ``:ctx`` pass each current profile reopened); ``accounts``: their account
        ids by tag (``Sessions.tags``). Everything that belongs to the old scope goes
        with it: an empty model (its version goes on counting, so no pane mistakes it
        for one it drew), the accounts, the audit log (kept per profile), and
        read-only is decided again for the new profiles and context.
        """
        version = self.model.state.version
        self.sessions = Sessions(sessions)
        self.session = self.sessions.primary
        self.account = accounts.get(self.sessions.tags[0])
        self.accounts = dict(accounts) if self.sessions.several else {}
        self.audit = None
        self.model = IncidentModel(self.sessions.tags)
        self.model.state = ModelState(version=version + 1)
        self.decide_read_only()

    @property
    def read_only(self) -> bool:
        """Whether every change to the cloud is refused."""
        return self.read_only_reason is not None

    @property
    def state(self) -> ModelState:
        """The model as last read: snapshot, diagnosis, records by ref."""
        return self.model.state

    def shown(self, text: str) -> str:
        """``text`` as it may appear on screen now: safe for the terminal, masked when presenting.

        Records are made safe where they are read; this keeps text that did
        not come through them (action output, plan text, errors) safe too.
        """
        text = safe_lines(text, limit=None)
        return mask(text) if self.presenter else text

    def shown_cell(self, cell: Cell) -> Cell:
        """A cell or field value as it may appear on screen now."""
        cell = safe_cell(cell)
        return mask_cell(cell) if self.presenter else cell

    def audit_log(self) -> AuditLog:
        """The audit log under the state directory, created on first use and kept."""
        if self.audit is None:
            from actions.audit import default_audit_log

            self.audit = default_audit_log(self.session.profile)
        return self.audit

    @property
    def multi_region(self) -> bool:
        """Whether tables need a region column (several regions, in any profile)."""
        assert self.sessions is not None
        return len({r for s in self.sessions.all for r in s.regions}) > 1

    def request(self, kinds: Iterable[str]) -> None:
        """Ask for ``kinds`` to be read now (nothing happens before the feed exists)."""
        if self.reads is not None:
            self.reads.request(kinds)
