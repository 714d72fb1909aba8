"""Field filters on structured lines: ``level=error status>=500 msg~timeout``, and what of
them CloudWatch can do itself.

An expression is one condition or more, ANDed (separated by spaces, ``&&`` or
``and``): ``FIELD OP VALUE`` with OP one of ``= != > >= < <= ~ !~``. FIELD is a
key of the record (``a.b`` walks into objects; a leading ``$.`` is allowed);
VALUE is a word or a ``"quoted string"``. ``~`` searches the value for a regex
(smart case; one that does not compile is a FilterError saying why, never
quietly taken as text).

How a condition judges a line:

- ``=`` is exact; a number (``status=500``) also matches the JSON number;
  on a level key (``level``, ``severity``...) levels are compared by what they
  mean, so ``level=error`` matches ``ERROR``, ``err`` and pino's ``50``;
- ``> >= < <=`` compare numbers (JSON numbers; logfmt values that read as one),
  or levels by severity on a level key (``level>=warn``);
- a line without the field fails every condition but ``!=`` and ``!~``;
- a plain (unstructured) line's level is the level word among its first four
  words, upper case or in brackets (``[ERROR]``, ``ERROR:``, ``2025-11-10 08:50
  WARN ...``), so ``level=error`` keeps a runtime's ``[ERROR]`` lines beside
  JSON ones (locally: CloudWatch's JSON patterns never match a plain line, so
  ``tail --local`` keeps them there too);
- ``msg~`` and ``message~`` read the line's message whatever its key
  (``message``, ``msg``, ``event``...); a plain (unstructured) line's message
  is its whole text, for ``~`` and ``!~`` only.

``cloudwatch_pattern`` turns the conditions CloudWatch can judge the same way
into a JSON filter pattern (``{ ($.level = "error") && ($.status >= 500) }``);
the caller still applies the whole expression to what comes back, so the
pattern only has to keep every line the expression keeps. ``~``, ``!=``,
``!~``, names CloudWatch cannot address and values it would read as wildcards
stay local. CloudWatch's JSON patterns read JSON events only: for logfmt
lines the filter must stay local (``shipdeck tail --local``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from cloud.logs.records import LogBatch, LogEvent
from cloud.logs.structured import (
    LEVEL_KEYS,
    LEVEL_NAMES,
    LEVELS,
    CompactLine,
    Record,
    canonical_level,
    compact_line,
    parse_record,
    pretty_lines,
)
from cloud.text import safe_text

MAX_EXPRESSION = 1000  # characters
MAX_CONDITIONS = 16
PATTERN_LIMIT = 1024  # characters CloudWatch takes in a filter pattern

_OPS = ("!=", ">=", "<=", "!~", "=", ">", "<", "~")
_CONDITION = re.compile(
    r"(?P<field>(?:\$\.)?[A-Za-z_@][\w.@-]*)\s*(?P<op>!=|>=|<=|!~|=|>|<|~)\s*"
    r'(?P<value>"(?:[^"\\]|\\.)*"|[^\s"]+)'
)
_JOINER = re.compile(r"\s*(?:&&|\band\b)?\s*")
_NUMBER = re.compile(r"-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_PATH = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
_MESSAGE_FIELDS = ("msg", "message")
_LEVEL_FIELDS = frozenset(LEVEL_KEYS)
_NUMERIC_OF = {"trace": 10, "debug": 20, "info": 30, "warn": 40, "error": 50, "fatal": 60}


class FilterError(ValueError):
    """An expression that reads as a field filter but cannot be one (the message says why)."""


def looks_like_fields(text: str) -> bool:
    """Whether ``text`` is meant as a field expression (it starts ``FIELD OP``)."""
    return _CONDITION.match(text.strip()) is not None


def _search(shown: str, value: str) -> re.Pattern[str]:
    flags = 0 if any(c.isupper() for c in value) else re.IGNORECASE
    try:
        return re.compile(value, flags)
    except re.error as error:
        raise FilterError(
            f"{shown}: not a regular expression ({error}); put a backslash before "
            "( ) [ ] * + ? to look for the character itself"
        ) from None


_LEVEL_WORD = re.compile(r"\[?([A-Za-z]{3,11})\]?:?")


def plain_level(text: str) -> str | None:
    """The level a plain line states among its first four words (``[ERROR]``, ``WARN``,
    ``INFO:``; upper case or bracketed, so a message's "info" is no level); None if none."""
    for word in text[:120].split(None, 4)[:4]:
        found = _LEVEL_WORD.fullmatch(word)
        if found is not None and (word[0] == "[" or found[1].isupper()):
            level = canonical_level(found[1])
            if level is not None:
                return level
    return None


def _number(text: str) -> float | None:
    return float(text) if _NUMBER.fullmatch(text) else None


@dataclass(frozen=True)
class Condition:
    """One ``FIELD OP VALUE``."""

    field: str
    op: str
    value: str
    number: float | None = None
    level: str | None = None  # the canonical level VALUE names, on a level key
    pattern: re.Pattern[str] | None = None

    @property
    def text(self) -> str:
        """The condition as it can be typed again."""
        value = self.value if self.value and " " not in self.value else json.dumps(self.value)
        return f"{self.field}{self.op}{value}"

    def _lookup(self, record: Record) -> tuple[bool, object]:
        values = record.values
        if self.field in values:
            return True, values[self.field]
        here: object = values
        for part in self.field.split("."):
            if not isinstance(here, dict) or part not in here:
                return False, None
            here = here[part]
        return True, here

    def keeps(self, record: Record | None, text: str) -> bool:
        """Whether the line (``record``, or plain ``text`` when None) passes."""
        negative = self.op in ("!=", "!~")
        value: object
        if record is None:
            if self.level is not None:
                stated = plain_level(text)
                if stated is None:
                    return self.op == "!="
                return _compare(LEVELS.index(stated), self.op, LEVELS.index(self.level))
            if self.field not in _MESSAGE_FIELDS or self.pattern is None:
                return negative
            found, value = True, text
        else:
            found, value = self._lookup(record)
            if not found and self.pattern is not None and self.field in _MESSAGE_FIELDS:
                # ``msg~x`` reads whichever message key the line has (local only: no pattern
                # sent to CloudWatch names a key the line may not use).
                found = record.message_key is not None
                value = record.values.get(record.message_key or "")
        if not found:
            return negative
        if self.pattern is not None:
            shown = value if isinstance(value, str) else json.dumps(value)
            return (self.pattern.search(shown) is not None) != (self.op == "!~")
        if self.level is not None:
            have = canonical_level(value)
            if have is None:
                return self.op == "!="
            return _compare(LEVELS.index(have), self.op, LEVELS.index(self.level))
        if self.op in ("=", "!="):
            same = _equal(value, self.value, self.number)
            return same == (self.op == "=")
        have_number = _as_number(value, typed=record is None or record.typed)
        if have_number is None or self.number is None:
            return False
        return _compare(have_number, self.op, self.number)

    def cloudwatch(self) -> str | None:
        """This condition as a CloudWatch JSON pattern term, or None when it stays local."""
        path = self.field[2:] if self.field.startswith("$.") else self.field
        if self.op not in ("=", ">", ">=", "<", "<=") or not _PATH.fullmatch(path):
            return None
        selector = f"$.{path}"
        if self.level is not None:
            wanted = [
                level
                for level in LEVELS
                if _compare(LEVELS.index(level), self.op, LEVELS.index(self.level))
            ]
            return " || ".join(_level_terms(selector, wanted))
        if self.op == "=":
            if any(c in self.value for c in '*"\\') or not self.value:
                return None  # CloudWatch reads * as a wildcard; quotes would need escaping
            if self.number is not None:
                return f'{selector} = {self.value} || {selector} = "{self.value}"'
            return f'{selector} = "{self.value}"'
        if self.number is None:
            return None
        return f"{selector} {self.op} {self.value}"


def _level_terms(selector: str, wanted: list[str]) -> list[str]:
    """Every common spelling of the ``wanted`` levels (lower, UPPER, Title), and pino's number."""
    terms: list[str] = []
    for name, level in LEVEL_NAMES.items():
        if level in wanted:
            for spelling in dict.fromkeys((name, name.upper(), name.title())):
                terms.append(f'{selector} = "{spelling}"')
    terms.extend(f"{selector} = {_NUMERIC_OF[level]}" for level in wanted)
    return terms


def _compare(have: float, op: str, want: float) -> bool:
    if op == "=":
        return have == want
    if op == "!=":
        return have != want
    if op == ">":
        return have > want
    if op == ">=":
        return have >= want
    if op == "<":
        return have < want
    return have <= want


def _as_number(value: object, *, typed: bool) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if not typed and isinstance(value, str):
        return _number(value)
    return None


def _equal(value: object, text: str, number: float | None) -> bool:
    if isinstance(value, str):
        return value == text
    if number is not None and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value) == number
    if value is None or isinstance(value, bool):
        return json.dumps(value) == text
    return False


def _condition(field: str, op: str, raw: str) -> Condition:
    value = raw
    if raw.startswith('"'):
        try:
            value = json.loads(raw)
        except ValueError:
            raise FilterError(
                f"{field}{op}{raw}: the quoted value is not closed properly"
            ) from None
    shown = f"{field}{op}{raw}"
    key = field[2:] if field.startswith("$.") else field
    if op in ("~", "!~"):
        if not value:
            raise FilterError(f"{shown}: {op} needs something to look for")
        return Condition(field, op, value, pattern=_search(safe_text(shown, 80), value))
    if key in _LEVEL_FIELDS and canonical_level(value) is not None:
        return Condition(field, op, value, level=canonical_level(value))
    number = _number(value)
    if op in ("=", "!="):
        return Condition(field, op, value, number=number)
    if number is None:
        raise FilterError(f"{shown}: {op} compares numbers (or levels on a level field)")
    return Condition(field, op, value, number=number)


@dataclass(frozen=True)
class FieldFilter:
    """Conditions that a line must all pass."""

    text: str
    conditions: tuple[Condition, ...]

    @classmethod
    def parse(cls, text: str) -> FieldFilter:
        """The expression ``text``; raises FilterError with one readable line when it is bad."""
        shown = safe_text(text, 80)
        if len(text) > MAX_EXPRESSION:
            raise FilterError(f"filter too long ({len(text)} characters; {MAX_EXPRESSION} at most)")
        conditions: list[Condition] = []
        at, end = 0, len(text.rstrip())
        while at < end:
            if conditions:
                joined = _JOINER.match(text, at)
                at = joined.end() if joined is not None else at
            else:
                at = len(text) - len(text.lstrip())
            found = _CONDITION.match(text, at)
            if found is None:
                rest = safe_text(text[at:], 40)
                raise FilterError(
                    f"cannot read {rest!r} in {shown!r}: "
                    "write FIELD OP VALUE (OP: = != > >= < <= ~ !~), e.g. level=error status>=500"
                )
            conditions.append(_condition(found["field"], found["op"], found["value"]))
            at = found.end()
            if len(conditions) > MAX_CONDITIONS:
                raise FilterError(f"too many conditions ({MAX_CONDITIONS} at most)")
        if not conditions:
            raise FilterError("an empty filter")
        return cls(text.strip(), tuple(conditions))

    def keeps_record(self, record: Record | None, text: str) -> bool:
        """Whether a line already parsed passes every condition."""
        return all(condition.keeps(record, text) for condition in self.conditions)

    def keeps(self, text: str) -> bool:
        """Whether the line ``text`` passes every condition."""
        return self.keeps_record(parse_record(text), text)

    def cloudwatch_pattern(self) -> str | None:
        """The conditions CloudWatch can judge, as its JSON filter pattern; None: none can."""
        terms = [term for c in self.conditions if (term := c.cloudwatch()) is not None]
        while terms:
            pattern = "{ " + " && ".join(f"({term})" for term in terms) + " }"
            if len(pattern) <= PATTERN_LIMIT:
                return pattern
            terms.remove(max(terms, key=len))  # a long list of level spellings stays local
        return None


def line_filter(text: str) -> Callable[[str], bool] | None:
    """A test for lines from a field expression; None when ``text`` is not one (FilterError
    when it is meant as one but is bad)."""
    if not looks_like_fields(text):
        return None
    return FieldFilter.parse(text).keeps


def filter_batches(batches: Iterable[LogBatch], keeps: Callable[[str], bool]) -> Iterator[LogBatch]:
    """``batches`` with only the events whose message ``keeps`` passes (statuses all kept)."""
    try:
        for batch in batches:
            yield LogBatch(tuple(e for e in batch.events if keeps(e.message)), batch.statuses)
    finally:
        close = getattr(batches, "close", None)
        if close is not None:
            close()  # the transport stops with its reader


def compact_event_line(event: LogEvent) -> str:
    """``event.line()`` with a structured message as its compact row (its own time left out
    when it is the event's)."""
    parts = compact_line(event.message)
    if parts is None:
        return event.line()
    row = parts.row(with_time=not parts.same_time(event.timestamp_ms))
    return f"{event.iso_time()} {event.group}/{event.stream} {row}"


class LineReading:
    """How the console's log view reads structured lines (``widgets.log_structure``'s
    ``LineStructure``): compact rows, the pretty view of ``J`` and ``&`` field filters."""

    def compact_line(self, text: str) -> CompactLine | None:
        """``text`` as time, level, message and fields; None when it is a plain line."""
        return compact_line(text)

    def pretty_lines(self, text: str) -> list[str] | None:
        """``text`` pretty-printed, or None when it is a plain line."""
        return pretty_lines(text)

    def line_filter(self, expression: str) -> Callable[[str], bool] | None:
        """A test for lines from a field expression (None: not one; FilterError: a bad one)."""
        return line_filter(expression)


__all__ = [
    "Condition",
    "FieldFilter",
    "FilterError",
    "LineReading",
    "compact_event_line",
    "filter_batches",
    "line_filter",
    "looks_like_fields",
]
