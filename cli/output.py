"""The one way the command line writes: every line made safe for the terminal first.

What the subcommands print quotes the outside world (log lines, tags, event
messages, error answers, plan text built from them). ``echo`` is the final
guard: whatever was missed upstream, no control sequence reaches the terminal
(``cloud.text.safe_text``; newlines and tabs kept). Only ``shipdeck tail
--raw`` writes bytes as they came, for pipes that want them.
"""

from __future__ import annotations

from typing import TextIO

import click

from cloud.text import safe_lines


def shown(text: str) -> str:
    """``text`` as the command line may print it (length kept: it was bounded where made)."""
    return safe_lines(text, limit=None)


def echo(message: str = "", *, err: bool = False) -> None:
    """``click.echo`` through the guard."""
    click.echo(shown(message), err=err)


def write(out: TextIO, text: str, *, raw: bool = False) -> None:
    """Write ``text`` to ``out`` in one call, through the guard unless ``raw``."""
    out.write(text if raw else shown(text))
