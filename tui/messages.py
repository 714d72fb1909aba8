"""Messages worker threads post back to the UI thread (the only way data reaches a widget)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.message import Message

from cloud.records import Fetched

if TYPE_CHECKING:
    from tui.log_worker import LogFeed


@dataclass
class PaneFetched(Message):
    """A pane's fetch finished: its records and the errors of what could not be read."""

    pane: str
    fetched: Fetched[Any]


@dataclass
class AccountRead(Message):
    """STS answered (or not) with the account id for the header."""

    account: str | None


@dataclass
class DetailFetched(Message):
    """A detail screen's fetch finished; ``part`` says which section it fills."""

    part: str
    fetched: Fetched[Any]


@dataclass
class LogTailRead(Message):
    """The last lines of a pod's log (or why they could not be read)."""

    pod: str
    container: str | None
    text: str
    error: str | None = None


@dataclass
class LogsArrived(Message):
    """Lines are waiting in ``feed`` (one at a time: a newer one replaces an unhandled one)."""

    feed: LogFeed

    def can_replace(self, message: Message) -> bool:
        """Coalesce: one doorbell per feed in the queue is enough."""
        return isinstance(message, LogsArrived) and message.feed is self.feed
