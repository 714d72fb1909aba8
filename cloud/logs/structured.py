"""Structured log lines: a JSON object or logfmt ``key=value`` pairs read as a record.

A line is read as structured only when the whole of it is: a JSON object that
parses (a line that merely starts with ``{`` is plain text), or nothing but
logfmt pairs (two at least). Everything else stays a plain line, with the
whole text as its message.

The text is hostile. A line longer than ``MAX_PARSED`` is never parsed (so a
huge object costs one length check), nesting deeper than Python's parser takes
is plain text, and what a record shows is bounded: values are cut at
``VALUE_LIMIT``, nesting below ``MAX_DEPTH`` is ``…``, a row at ``ROW_LIMIT``.
Every key and value goes through ``cloud.text.safe_text`` after decoding,
since JSON escapes (``\\u001b``, ``\\u202e``) decode to the very controls the
raw line was cleaned of.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import NamedTuple, cast

from cloud.text import UNSAFE_LINE, cut, safe_text

MAX_PARSED = 64 * 1024  # characters: a longer line stays plain text
MAX_DEPTH = 6  # nesting shown; deeper values are "…"
VALUE_LIMIT = 240  # characters of one value in the compact row
ROW_LIMIT = 2000  # characters of the fields part of a compact row
MAX_FIELDS = 64  # fields of one record shown (the rest are counted)
PRETTY_LINES = 400  # lines of the pretty view
TIME_LIMIT = 64  # characters of a line's own time
_UNSAFE = UNSAFE_LINE  # what a row may not hold as it is (a row is one line: no newline, no tab)
_DECODE = json.JSONDecoder().raw_decode

TIME_KEYS = ("timestamp", "time", "ts", "@timestamp", "asctime", "datetime", "t")
LEVEL_KEYS = ("level", "lvl", "levelname", "severity", "log.level", "loglevel", "log_level")
MESSAGE_KEYS = ("message", "msg", "event", "log", "@message")

LEVELS = ("trace", "debug", "info", "warn", "error", "fatal")
"""Canonical levels, least to most severe."""
LEVEL_LABELS = {level: f"{level.upper():<5}" for level in LEVELS}
"""How a row shows a level: upper case, five columns."""
FIELDS_GAP = "  "  # between the message and the fields in a row

LEVEL_NAMES = {
    "trace": "trace",
    "debug": "debug",
    "dbg": "debug",
    "info": "info",
    "information": "info",
    "notice": "info",
    "warn": "warn",
    "warning": "warn",
    "error": "error",
    "err": "error",
    "critical": "fatal",
    "crit": "fatal",
    "fatal": "fatal",
    "panic": "fatal",
    "alert": "fatal",
    "emerg": "fatal",
    "emergency": "fatal",
}
"""Level names as written, lower case, to their canonical level."""
# pino / bunyan numeric levels.
_NUMERIC_LEVELS = {10: "trace", 20: "debug", 30: "info", 40: "warn", 50: "error", 60: "fatal"}

_LOGFMT_PAIR = re.compile(r'\s*([A-Za-z_@][\w.@/-]*)=("(?:[^"\\]|\\.)*"|[^\s"]*)(?=\s|$)')

Value = str | int | float | bool | None | dict[str, object] | list[object]


class Record(NamedTuple):
    """A structured line: its values by key, and which keys are its time, level and message."""

    values: dict[str, object]
    """Top-level keys and values as parsed (logfmt values are strings)."""
    typed: bool
    """JSON (values have types) rather than logfmt (every value a string)."""
    time_key: str | None
    level_key: str | None
    message_key: str | None

    @property
    def level(self) -> str | None:
        """The canonical level (``LEVELS``), or None when there is none or it is not one."""
        if self.level_key is None:
            return None
        return canonical_level(self.values.get(self.level_key))

    @property
    def message(self) -> str:
        """The message, safe and bounded ("" when there is none)."""
        if self.message_key is None:
            return ""
        return shown_value(self.values.get(self.message_key), limit=ROW_LIMIT)


class CompactLine(NamedTuple):
    """What one row shows of a record: time, level, message, the other fields as ``k=v``."""

    time: str | None
    level: str | None  # canonical, see LEVELS
    message: str
    fields: str

    def row(self, *, with_time: bool = True) -> str:
        """``TIME LEVEL message  key=value ...``: the level upper case in five columns (so
        messages line up), two spaces before the fields; parts it lacks left out."""
        pieces = []
        if self.time and with_time:
            pieces.append(self.time)
        if self.level:
            pieces.append(LEVEL_LABELS[self.level])
        if self.message:
            pieces.append(self.message)
        text = " ".join(pieces)
        if self.fields:
            text = f"{text}{FIELDS_GAP}{self.fields}" if text else self.fields
        return text or "{}"

    def same_time(self, timestamp_ms: int, slack_ms: int = 2000) -> bool:
        """Whether the line's own time is ``timestamp_ms`` (its event's), give or take."""
        if not self.time:
            return False
        try:
            when = datetime.fromisoformat(self.time.replace(",", "."))
        except ValueError:
            return False
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return abs(when.timestamp() * 1000 - timestamp_ms) <= slack_ms


def canonical_level(value: object) -> str | None:
    """``"ERROR"``, ``"err"``, ``50`` -> ``"error"``; None when ``value`` names no level."""
    if isinstance(value, str):
        return LEVEL_NAMES.get(value.strip().lower())
    if isinstance(value, int) and not isinstance(value, bool):
        return _NUMERIC_LEVELS.get(value)
    return None


def _first(values: dict[str, object], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        if key in values:
            return key
    return None


def _record(values: dict[str, object], typed: bool) -> Record:
    time_key = _first(values, TIME_KEYS)
    level_key = _first(values, LEVEL_KEYS)
    message_key = _first(values, MESSAGE_KEYS)
    if message_key is not None and not isinstance(values[message_key], str | int | float):
        message_key = None  # an object under "event" is a field, not the message
    return Record(values, typed, time_key, level_key, message_key)


def parse_json(text: str) -> dict[str, object] | None:
    """The JSON object ``text`` is, or None (not an object, not JSON, too big or deep)."""
    if len(text) > MAX_PARSED:
        return None
    try:
        value, end = _DECODE(text)  # json.loads without its whitespace scans: text is stripped
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) and end == len(text) else None


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == '"':
        try:
            decoded = json.loads(value)
        except ValueError:
            return value[1:-1]
        return decoded if isinstance(decoded, str) else value[1:-1]
    return value


def parse_logfmt(text: str) -> dict[str, object] | None:
    """The pairs of a logfmt line, or None unless the whole line is two pairs or more."""
    if len(text) > MAX_PARSED or "=" not in text:
        return None
    values: dict[str, object] = {}
    at, end = 0, len(text.rstrip())
    match = _LOGFMT_PAIR.match
    while at < end:
        found = match(text, at)
        if found is None:
            return None
        values[found.group(1)] = _unquote(found.group(2))
        at = found.end()
    return values if len(values) >= 2 else None


def parse_record(text: str) -> Record | None:
    """``text`` as a structured record, or None when it is a plain line."""
    stripped = text.strip()
    if not stripped:
        return None
    if stripped[0] == "{":
        if stripped[-1] != "}":
            return None
        values = parse_json(stripped)
        return None if values is None else _record(values, True)
    values = parse_logfmt(stripped)
    return None if values is None else _record(values, False)


def shown_value(value: object, *, limit: int = VALUE_LIMIT, depth: int = 0) -> str:
    """``value`` as one safe line: strings as they are, the rest as compact JSON, bounded."""
    if isinstance(value, str):
        return safe_text(value, limit)
    return cut(_compact(value, depth, limit), limit)


def _compact(value: object, depth: int, budget: int) -> str:
    """Compact JSON of ``value``, nesting past ``MAX_DEPTH`` as ``…``, stopping near ``budget``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    if isinstance(value, str):
        return json.dumps(safe_text(value, VALUE_LIMIT), ensure_ascii=False)
    if depth >= MAX_DEPTH:
        return "…"
    parts: list[str] = []
    used = 0
    if isinstance(value, dict):
        for key, item in value.items():
            part = f"{json.dumps(safe_text(str(key), VALUE_LIMIT), ensure_ascii=False)}:"
            part += _compact(item, depth + 1, budget - used)
            parts.append(part)
            used += len(part) + 1
            if used >= budget:
                parts.append("…")
                break
        return "{" + ",".join(parts) + "}"
    if isinstance(value, list):
        for item in value:
            part = _compact(item, depth + 1, budget - used)
            parts.append(part)
            used += len(part) + 1
            if used >= budget:
                parts.append("…")
                break
        return "[" + ",".join(parts) + "]"
    return safe_text(str(value), budget)


def compact(record: Record) -> CompactLine:
    """The record as one row: its time, level and message, then every other field.

    This runs for every structured line of a flood, so it is one tight loop: each
    value is bounded as it is written, and the row's parts are checked for what a
    terminal would act on with one search each; only a line that holds any is made
    safe part by part.
    """
    values = record.values
    time_key, level_key, message_key = record.time_key, record.level_key, record.message_key
    level = canonical_level(values[level_key]) if level_key is not None else None
    if level is None:
        level_key = None  # a level we cannot read stays a field
    fields = _fields(values, (time_key, level_key, message_key))
    time_value = values[time_key] if time_key is not None else None
    message_value = values[message_key] if message_key is not None else ""
    if (
        isinstance(time_value, str)
        and isinstance(message_value, str)
        and len(time_value) <= TIME_LIMIT
        and len(message_value) <= ROW_LIMIT
        and _UNSAFE.search(time_value) is None
        and _UNSAFE.search(message_value) is None
        and _UNSAFE.search(fields) is None
    ):
        return CompactLine(time_value, level, message_value, fields)
    return CompactLine(
        shown_value(time_value, limit=TIME_LIMIT) if time_value is not None else None,
        level,
        record.message,
        safe_text(fields, None),
    )


def _fields(values: dict[str, object], skip: tuple[str | None, ...]) -> str:
    """The fields not in ``skip`` as ``key=value`` joined by spaces, bounded (not made safe).

    A value with a space (or none at all) is quoted; values are cut at
    ``VALUE_LIMIT``, the whole at ``ROW_LIMIT`` or ``MAX_FIELDS`` fields, the rest
    counted. Most records are a few short fields: they are written in one pass and
    measured once; only a record past a bound takes the careful way.
    """
    parts: list[str] = []
    add = parts.append
    for key, value in values.items():
        if key in skip:
            continue
        kind = type(value)
        if kind is str:
            text = cast(str, value)
            if text and " " not in text and len(text) <= VALUE_LIMIT:
                add(f"{key}={text}")
            else:
                add(f"{key}={_value_text(text)}")
        elif kind is int or kind is float:
            add(f"{key}={value!r}")
        else:
            add(f"{key}={_value_text(value)}")
    fields = " ".join(parts)
    if (
        len(fields) + 1 < ROW_LIMIT
        and len(parts) < MAX_FIELDS
        and (len(fields) <= VALUE_LIMIT or all(len(key) <= VALUE_LIMIT for key in values))
    ):
        return fields
    return _bounded_fields(values, skip)


def _value_text(value: object) -> str:
    """One value as a row writes it (quoted when it has a space or is empty), cut."""
    if isinstance(value, str):
        text = cut(value, VALUE_LIMIT)
        if not text or " " in text:
            text = '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
        return text
    if type(value) is int or type(value) is float:
        return repr(value)
    return cut(_compact(value, 0, VALUE_LIMIT), VALUE_LIMIT)


def _bounded_fields(values: dict[str, object], skip: tuple[str | None, ...]) -> str:
    """``_fields`` of a record past a bound: keys cut, stopping at ``ROW_LIMIT`` or
    ``MAX_FIELDS`` with the rest counted."""
    parts: list[str] = []
    used = 0
    for key, value in values.items():
        if key in skip:
            continue
        shown_key = key if len(key) <= VALUE_LIMIT else cut(key, VALUE_LIMIT)
        part = f"{shown_key}={_value_text(value)}"
        parts.append(part)
        used += len(part) + 1
        if used >= ROW_LIMIT or len(parts) >= MAX_FIELDS:
            shown = len(parts) + sum(1 for k in skip if k)
            if shown < len(values):
                parts.append(f"(+{len(values) - shown} more)")
            break
    return " ".join(parts)


def compact_line(text: str) -> CompactLine | None:
    """``text`` as a compact row, or None when it is a plain line."""
    record = parse_record(text)
    return None if record is None else compact(record)


def pretty_lines(text: str) -> list[str] | None:
    """``text`` as indented lines (JSON) or one ``key: value`` a line (logfmt); None if plain."""
    record = parse_record(text)
    if record is None:
        return None
    lines: list[str] = []
    if record.typed:
        lines.extend(_pretty(record.values, 0, ""))
    else:
        lines.extend(
            f"{safe_text(k, VALUE_LIMIT)}: {shown_value(v)}" for k, v in record.values.items()
        )
    if len(lines) > PRETTY_LINES:
        lines = [*lines[:PRETTY_LINES], f"… {len(lines) - PRETTY_LINES} more lines"]
    return lines


def _pretty(value: object, depth: int, head: str, tail: str = "") -> Iterator[str]:
    """``value`` indented as JSON (``head`` before its first line, ``tail`` after its last:
    the comma an item before another takes), so an uncut record reads as valid JSON."""
    pad = "  " * depth
    if isinstance(value, dict) and value and depth < MAX_DEPTH:
        yield f"{pad}{head}{{"
        last = len(value) - 1
        for n, (key, item) in enumerate(value.items()):
            key_text = json.dumps(safe_text(key, VALUE_LIMIT), ensure_ascii=False)
            yield from _pretty(item, depth + 1, f"{key_text}: ", "," if n < last else "")
        yield f"{pad}}}{tail}"
    elif isinstance(value, list) and value and depth < MAX_DEPTH:
        yield f"{pad}{head}["
        last = len(value) - 1
        for n, item in enumerate(value):
            yield from _pretty(item, depth + 1, "", "," if n < last else "")
        yield f"{pad}]{tail}"
    else:
        shown = _compact(value, depth, ROW_LIMIT) if not isinstance(value, str) else None
        if shown is None:
            shown = json.dumps(safe_text(str(value), ROW_LIMIT), ensure_ascii=False)
        yield f"{pad}{head}{cut(shown, ROW_LIMIT)}{tail}"
