"""``cloud.text.safe_text``: the one rule, on each shape of hostile text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from cloud.logs.records import LogEvent
from cloud.records import ErrorKind, Fetched, FetchError
from cloud.text import safe_lines, safe_text, safe_value
from tests.hostile.corpus import (
    APC,
    BIDI,
    CLEAR,
    CSI_8BIT,
    DCS,
    HOSTILE,
    MARKUP,
    OSC_8BIT,
    OSC_CLIPBOARD,
    OSC_TITLE,
    leaks,
)


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (OSC_TITLE, "␛]0;pwned-title␇"),
        (OSC_CLIPBOARD, "␛]52;c;Y3VybCBldmlsfHNo␛\\"),
        (CLEAR, "␛[2J␛[H"),
        (CSI_8BIT, "␛[31m"),
        (OSC_8BIT, "␛]0;c1-title␛\\"),
        (DCS, "␛P1$qm␛\\"),
        (APC, "␛_hidden␛\\"),
        (BIDI, "<U+202E>exe.txt<U+202C> <U+2066>isolated<U+2069>"),
        ("a\x00b\x7fc\rd", "a␀b␡c␍d"),
    ],
)
def test_every_sequence_is_shown_as_what_it_is(text: str, shown: str) -> None:
    assert safe_text(text) == shown
    assert safe_lines(text) == shown


def test_markup_and_ordinary_text_are_left_alone() -> None:
    for text in (MARKUP, "nova/cdn-service:latest", "日本語 — ünïcödé ✓", ""):
        assert safe_text(text) is text  # not even copied


def test_one_line_shows_newlines_and_many_lines_keep_them() -> None:
    text = "panicked at main.rs:1\r\n\tCLICKHOUSE_URL must be set\n"
    assert safe_text(text) == "panicked at main.rs:1␍↵ CLICKHOUSE_URL must be set↵"
    assert safe_lines(text) == "panicked at main.rs:1\n\tCLICKHOUSE_URL must be set\n"
    assert safe_lines("progress 10%\rprogress 20%") == "progress 10%␍progress 20%"


def test_undecodable_bytes_are_replacement_characters() -> None:
    text = b"bad \xff\xfe byte".decode("utf-8", "surrogateescape")
    assert safe_text(text) == "bad \ufffd\ufffd byte"
    safe_text(text).encode("utf-8")  # printable without an error


def test_length_is_bounded() -> None:
    assert safe_text("x" * 10_000, limit=100) == "x" * 99 + "…"
    assert len(safe_lines("y\n" * 100_000)) == 65536
    assert safe_text("x" * 10_000, limit=None) == "x" * 10_000


def test_the_whole_corpus_leaves_nothing_a_terminal_acts_on() -> None:
    assert leaks(HOSTILE)  # the check itself sees them
    assert leaks(safe_text(HOSTILE)) == []
    assert leaks(safe_lines(HOSTILE)) == []
    assert MARKUP in safe_text(HOSTILE)


@dataclass(frozen=True)
class _Inner:
    message: str
    count: int


@dataclass(frozen=True)
class _Record:
    name: str
    tags: tuple[str, ...]
    inner: _Inner
    labels: dict[str, str]


def test_records_read_from_outside_are_made_safe_in_fetched() -> None:
    calm = _Record("nova/auth", ("latest",), _Inner("ok", 1), {"app": "auth"})
    hostile = _Record(
        f"repo{CLEAR}", (f"v1{OSC_TITLE}",), _Inner(f"line\n{CSI_8BIT}", 2), {"k": BIDI}
    )
    fetched = Fetched((calm, hostile), (FetchError("ecr", "x", ErrorKind.OTHER, OSC_TITLE),))
    assert fetched.records[0] is calm  # nothing to change: not copied
    safe = fetched.records[1]
    assert safe == _Record(
        "repo␛[2J␛[H",
        ("v1␛]0;pwned-title␇",),
        _Inner("line\n␛[31m", 2),
        {"k": "<U+202E>exe.txt<U+202C> <U+2066>isolated<U+2069>"},
    )
    assert fetched.errors[0].message == "␛]0;pwned-title␇"


def test_named_tuples_keep_their_type() -> None:
    event = LogEvent(1, None, "g", "s", f"m{CLEAR}", "id")
    safe = safe_value(event)
    assert isinstance(safe, LogEvent) and safe.message == "m␛[2J␛[H"


def test_the_command_line_writes_only_through_the_guard() -> None:
    """Every subcommand prints through ``cli.output``, or writes text that went through its
    ``shown`` (``shipdeck world``'s progress line draws with ``\\r ESC[K`` itself)."""
    cli = Path(__file__).resolve().parents[2] / "cli"
    # to the terminal: click, print, or a write to stdout/stderr (files are not terminals)
    writes = re.compile(r"click\.echo\(|(?<![\w.])print\(|(std(out|err)|stream)\.write\(")
    offenders = [
        f"{path.name}:{number}"
        for path in sorted(cli.glob("*.py"))
        if path.name != "output.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if writes.search(line) and "shown(" not in line
    ]
    assert offenders == []
