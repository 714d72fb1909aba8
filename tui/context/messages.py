"""Messages worker threads post back to the UI thread (the only way data reaches a widget)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.message import Message

from cloud.incident import ModelState
from cloud.records import Fetched


@dataclass
class ModelChanged(Message):
    """Parts of the model were read and merged: ``state`` is the model now."""

    state: ModelState
    parts: tuple[str, ...]
    early: bool = False
    """Only rows a first read has listed so far: no part was read whole."""
    scope: int = 0
    """The scope of the feed that read it (the app drops a switched-away scope's)."""


@dataclass
class ReadEnded(Message):
    """A read of ``kinds`` ended (read, failed or cancelled): they are not loading any more."""

    kinds: tuple[str, ...]
    scope: int = 0
    """The scope of the feed that read it (the app drops a switched-away scope's)."""


@dataclass
class AccountRead(Message):
    """STS answered (or not) with the account id for the header."""

    account: str | None
    scope: int = 0
    """The scope of the feed that read it (the app drops a switched-away scope's)."""
    accounts: dict[str, str | None] | None = None
    """With several profiles: each profile's account id by tag (the ACCOUNT column)."""


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
