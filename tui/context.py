"""What every screen of one console shares: the cloud session, settings, the clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from cloud.session import CloudSession
from cloud.settings import Settings
from tui.prefetch import Prefetch
from tui.presenter import Cell, mask, mask_cell

if TYPE_CHECKING:
    from actions.audit import AuditLog


def utc_now() -> datetime:
    """The wall clock, in UTC (the default clock; tests pass a fixed one)."""
    return datetime.now(UTC)


@dataclass
class ConsoleContext:
    """Shared by the console and its detail screens; changed only on the UI thread."""

    session: CloudSession
    settings: Settings
    read_only: bool = False
    badge: str | None = None
    clock: Callable[[], datetime] = utc_now
    account: str | None = field(default=None)  # filled in once STS answers
    prefetch: Prefetch | None = None  # the first reads, started before the UI was built
    audit: AuditLog | None = None  # every plan and apply of this console; see audit_log()
    action_running: str | None = None  # the remediation under way (one at a time)
    presenter: bool = False  # screen sharing: account ids, addresses, secrets masked

    def shown(self, text: str) -> str:
        """``text`` as it may appear on screen now (masked in presenter mode)."""
        return mask(text) if self.presenter else text

    def shown_cell(self, cell: Cell) -> Cell:
        """A cell or field value as it may appear on screen now."""
        return mask_cell(cell) if self.presenter else cell

    def audit_log(self) -> AuditLog:
        """The audit log under the state directory, created on first use and kept."""
        if self.audit is None:
            from actions.audit import default_audit_log

            self.audit = default_audit_log(self.session.profile)
        return self.audit

    @property
    def multi_region(self) -> bool:
        """Whether tables need a region column."""
        return len(self.session.regions) > 1
