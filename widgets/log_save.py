"""What saving a log view tells: the messages of its writer thread and the notice."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual.message import Message


@dataclass
class LogSaved(Message):
    """``lines`` lines were written to ``path``: the ones shown, or all (``what``)."""

    path: Path
    lines: int
    what: str  # "shown" (ctrl+s: what the filter lets through) or "all"
    total: int  # every line buffered or held, to say what was left out


@dataclass
class LogSaveFailed(Message):
    """The file ``path`` could not be written."""

    path: Path
    error: str


def saved_notice(saved: LogSaved, save_all_key: str | None) -> str:
    """``saved 21 shown lines to PATH (S saves all 48)``; ``saved all 48 lines to PATH``."""
    if saved.what == "all":
        return f"saved all {saved.lines:,} lines to {saved.path}"
    text = f"saved {saved.lines:,} shown lines to {saved.path}"
    if saved.lines < saved.total and save_all_key:
        text += f" ({save_all_key} saves all {saved.total:,})"
    return text
