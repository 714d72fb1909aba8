"""Structured lines and field filters: parsing, judging, the CloudWatch pattern, hostile text."""

from __future__ import annotations

import json
import time

import pytest

from cloud.logs.fields import FieldFilter, FilterError, compact_event_line, looks_like_fields
from cloud.logs.records import LogEvent
from cloud.logs.structured import (
    MAX_PARSED,
    ROW_LIMIT,
    VALUE_LIMIT,
    compact_line,
    parse_record,
    pretty_lines,
)

ACCESS = json.dumps(
    {
        "timestamp": "2025-11-11T05:12:44.118Z",
        "level": "ERROR",
        "message": "POST /api/chat 503",
        "request_id": "3f9a",
        "path": "/api/chat",
        "status": 503,
        "latency_ms": 15031.8,
        "error": {"type": "OperationalError", "attempts": [1, 2, 3]},
    }
)
HEALTH = json.dumps({"level": "info", "msg": "GET /health 200", "status": 200, "ok": True})
LOGFMT = 'ts=2025-11-11T05:12:44Z level=warn msg="slow query" duration_ms=812 table=users'
PLAIN = "[ERROR] Task timed out after 30.03 seconds"


def keeps(expression: str, line: str) -> bool:
    return FieldFilter.parse(expression).keeps(line)


def test_a_json_line_is_time_level_message_then_the_other_fields() -> None:
    parts = compact_line(ACCESS)
    assert parts is not None
    assert parts.time == "2025-11-11T05:12:44.118Z"
    assert parts.level == "error"
    assert parts.message == "POST /api/chat 503"
    assert parts.fields == (
        "request_id=3f9a path=/api/chat status=503 latency_ms=15031.8 "
        'error={"type":"OperationalError","attempts":[1,2,3]}'
    )
    assert parts.row() == (
        "2025-11-11T05:12:44.118Z ERROR POST /api/chat 503  request_id=3f9a path=/api/chat "
        'status=503 latency_ms=15031.8 error={"type":"OperationalError","attempts":[1,2,3]}'
    )


def test_the_pretty_view_of_a_record_is_json_to_copy() -> None:
    record = json.loads(ACCESS)
    pretty = pretty_lines(ACCESS)
    assert pretty is not None and pretty[1].startswith('  "timestamp": ')
    assert json.loads("\n".join(pretty)) == record, "indented, with its commas"


def test_logfmt_and_other_spellings_of_level_and_message() -> None:
    parts = compact_line(LOGFMT)
    assert parts is not None
    assert (parts.level, parts.message) == ("warn", "slow query")
    assert parts.row(with_time=False) == "WARN  slow query  duration_ms=812 table=users"
    pino = compact_line('{"level": 50, "msg": "boom", "pid": 7}')
    assert pino is not None and pino.level == "error"
    odd = compact_line('{"level": "loud", "message": "hi"}')
    assert odd is not None and odd.level is None and odd.fields == "level=loud"


@pytest.mark.parametrize(
    "line",
    [
        PLAIN,
        '{"level": "info", "message": "cut short',
        "{not json at all}",
        "[1, 2, 3]",
        '"just a string"',
        "GET /api?a=b 200",  # a = in a plain line is not logfmt
        "Starting server port=8080 host=0.0.0.0",  # words before the pairs: plain
        "only=one",  # one pair is not enough to call it logfmt
        "",
    ],
)
def test_what_only_looks_structured_is_a_plain_line(line: str) -> None:
    assert parse_record(line) is None
    assert compact_line(line) is None
    assert pretty_lines(line) is None


def test_hostile_keys_and_values_are_shown_not_obeyed() -> None:
    line = json.dumps(
        {
            "level": "info",
            "message": "\x1b]0;owned\x07 \x9b2J [red]markup[/]",
            "\u202efdp.exe": "\u001b[2J\r\nnext",
        }
    )
    assert "\\u001b" in line, "the raw line is clean: only decoding brings the controls back"
    parts = compact_line(line)
    assert parts is not None
    assert parts.message == "␛]0;owned␇ ␛[2J [red]markup[/]"
    assert parts.fields == "<U+202E>fdp.exe=␛[2J␍↵next"
    pretty = "\n".join(pretty_lines(line) or [])
    assert "\x1b" not in pretty and "\u202e" not in pretty and "\r" not in pretty


def test_a_row_is_one_line_whatever_a_value_holds() -> None:
    # A newline or tab alone, decoded from its escape, must not break the row in two.
    parts = compact_line(json.dumps({"level": "warn", "msg": "a\tb", "trace": "at x\nat y"}))
    assert parts is not None
    assert parts.row() == 'WARN  a b  trace="at x↵at y"'
    parts = compact_line(json.dumps({"level": "info", "msg": "ok", "stack": "x\ny"}))
    assert parts is not None and parts.fields == "stack=x↵y"


def test_huge_and_deep_json_is_bounded() -> None:
    deep = '{"a":' * 100_000 + "1" + "}" * 100_000
    began = time.perf_counter()
    assert compact_line(deep) is None, "longer than MAX_PARSED: plain, not parsed"
    nested = '{"a":' * 3000 + "1" + "}" * 3000
    assert len(nested) < MAX_PARSED
    assert compact_line(nested) is None or "…" in compact_line(nested).fields  # type: ignore[union-attr]
    shallow_deep = json.dumps({"level": "info", "deep": json.loads("[" * 40 + "]" * 40)})
    parts = compact_line(shallow_deep)
    assert parts is not None and "…" in parts.fields and len(parts.fields) < 100
    wide = json.dumps({f"k{i}": "v" * 500 for i in range(100)})
    assert len(wide) < MAX_PARSED
    parts = compact_line(wide)
    assert parts is not None
    assert len(parts.fields) <= ROW_LIMIT + VALUE_LIMIT + 40
    assert parts.fields.endswith("more)")
    pretty = pretty_lines(wide)
    assert pretty is not None and all(len(line) <= ROW_LIMIT + 10 for line in pretty)
    assert time.perf_counter() - began < 5, "bounded work (a generous bound for a busy machine)"


@pytest.mark.parametrize(
    ("expression", "line", "kept"),
    [
        ("level=error", ACCESS, True),
        ("level=error", HEALTH, False),
        ("level=ERROR", HEALTH, False),
        ("level>=warn", LOGFMT, True),
        ("level>=warn", HEALTH, False),
        ("level<warn", HEALTH, True),
        ("status>=500", ACCESS, True),
        ("status>=500", HEALTH, False),
        ("status=503", ACCESS, True),
        ("status!=503", ACCESS, False),
        ("status!=503", HEALTH, True),
        ("latency_ms>15000.5", ACCESS, True),
        ("duration_ms>800", LOGFMT, True),  # logfmt values read as numbers
        ("path=/api/chat", ACCESS, True),
        ("path=/API/chat", ACCESS, False),  # exact
        ("error.type=OperationalError", ACCESS, True),  # into objects
        ("ok=true", HEALTH, True),
        ('msg~"timed out"', PLAIN, True),  # a plain line's message is its text
        ("msg~timeout", ACCESS, False),
        ("msg~/api/ch", ACCESS, True),  # msg reads "message" too
        ("message~HEALTH", HEALTH, False),  # smart case
        ("message~health", HEALTH, True),
        ("msg!~health", HEALTH, False),
        ("status>=500", PLAIN, False),  # a plain line has no fields
        ("level=error status>=500", ACCESS, True),
        ("level=error && status>=500 and msg~POST", ACCESS, True),
        ("level=error status>=600", ACCESS, False),
        ("missing=1", ACCESS, False),
        ("missing!=1", ACCESS, True),
        ('msg~"still running"', '{"msg": "LLM call still running"}', True),
        # A plain line's level is the level word it starts with, upper case or bracketed.
        ("level=error", "[ERROR]\t2025-11-10T08:50:01.123Z\t3f9a\tboom", True),
        ("level>=warn", "2025-11-10 08:50:01,123 WARNING app.db: slow", True),
        ("level>=warn", "INFO:     Started server process [1]", False),
        ("level=info", "the user info was saved", False),  # a message's word is no level
        ("level=error", PLAIN, True),
        ("level=error", "Task timed out after 30.03 seconds", False),
        ("level!=error", "Task timed out after 30.03 seconds", True),
    ],
)
def test_conditions_judge_lines(expression: str, line: str, kept: bool) -> None:
    assert keeps(expression, line) is kept


@pytest.mark.parametrize(
    ("expression", "says"),
    [
        ("status>=lots", "status>=lots: >= compares numbers"),
        ("level=error status", "cannot read 'status'"),
        ("level=error )(", "cannot read ')('"),
        ("msg~", "cannot read"),
        ('msg="open', "cannot read"),
        ("a=1 " * 20, "too many conditions"),
        ("a=" + "x" * 2000, "filter too long"),
        ("msg~(bad", "msg~(bad: not a regular expression (missing )"),
    ],
)
def test_a_bad_expression_says_why_in_one_line(expression: str, says: str) -> None:
    with pytest.raises(FilterError) as raised:
        FieldFilter.parse(expression)
    assert says in str(raised.value)
    assert "\n" not in str(raised.value)


def test_hostile_expression_text_is_made_safe_in_the_error() -> None:
    with pytest.raises(FilterError) as raised:
        FieldFilter.parse("level=error \x1b[2J")
    assert "\x1b" not in str(raised.value) and "␛[2J" in str(raised.value)


def test_what_reads_as_a_field_expression() -> None:
    assert looks_like_fields("level=error")
    assert looks_like_fields("  status >= 500")
    assert looks_like_fields("$.status>=500")
    assert not looks_like_fields("ERROR")
    assert not looks_like_fields('"connection refused"')
    assert not looks_like_fields('{ $.level = "error" }')
    assert not looks_like_fields("[ip, user, status=5*]")


@pytest.mark.parametrize(
    ("expression", "pattern"),
    [
        (
            "status>=500",
            "{ ($.status >= 500) }",
        ),
        (
            "path=/api/chat status=503",
            '{ ($.path = "/api/chat") && ($.status = 503 || $.status = "503") }',
        ),
        (
            "level=error",
            '{ ($.level = "error" || $.level = "ERROR" || $.level = "Error" || '
            '$.level = "err" || $.level = "ERR" || $.level = "Err" || $.level = 50) }',
        ),
        ("$.error.type=OperationalError", '{ ($.error.type = "OperationalError") }'),
        ("status>=500 msg~timeout", "{ ($.status >= 500) }"),  # ~ stays local
        ("msg~timeout", None),
        ("status!=200", None),
        ("path=/api/*", None),  # CloudWatch would read * as a wildcard
        ('msg="say \\"hi\\""', None),
        ("@timestamp=x", None),
        ("level>=debug", None),  # too many spellings for CloudWatch's 1,024 characters
    ],
)
def test_what_cloudwatch_is_asked_to_judge(expression: str, pattern: str | None) -> None:
    assert FieldFilter.parse(expression).cloudwatch_pattern() == pattern


def test_tail_prints_a_structured_event_as_its_compact_row() -> None:
    at = 1_762_837_964_118  # 2025-11-11T05:12:44.118Z, the line's own time
    event = LogEvent(at, None, "/aws/lambda/bot", "s", ACCESS, "1")
    assert compact_event_line(event) == (
        "2025-11-11T05:12:44.118Z /aws/lambda/bot/s ERROR POST /api/chat 503  request_id=3f9a "
        'path=/api/chat status=503 latency_ms=15031.8 error={"type":"OperationalError",'
        '"attempts":[1,2,3]}'
    )
    later = event._replace(timestamp_ms=at + 60_000)
    assert "/aws/lambda/bot/s 2025-11-11T05:12:44.118Z ERROR" in compact_event_line(later)
    plain = event._replace(message=PLAIN)
    assert compact_event_line(plain) == plain.line()
