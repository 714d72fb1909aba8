"""CloudWatch Logs' JSON filter patterns for FilterLogEvents, which moto does not judge.

moto reads a pattern that starts with ``{`` as one it does not support and
returns every event. AWS keeps only the JSON events the pattern matches, so
the gateway does: it asks moto without the pattern and judges each event of
the page itself. The subset here is what AWS documents for JSON terms:
``$.a.b`` selectors (and ``$.a[0]``), ``= != > >= < <=``, strings in double
quotes with ``*`` as a wildcard, numbers, ``&&``, ``||`` and parentheses. A
pattern outside it is refused with InvalidParameterException, as AWS refuses
one it cannot read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from demo.gateway import ApiError, Call, Forward, Reply, Route

Test = Callable[[Any], bool]

_TOKEN = re.compile(
    r"\s*(?:(?P<sel>\$(?:\.[A-Za-z_@][\w@-]*|\[\d+\])*)|(?P<op>&&|\|\||!=|>=|<=|=|>|<)"
    r'|(?P<paren>[()])|(?P<str>"(?:[^"\\]|\\.)*")|(?P<num>-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?))'
)
_MISSING = object()


def _tokens(text: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    at, end = 0, len(text.rstrip())
    while at < end:
        match = _TOKEN.match(text, at)
        if match is None or match.lastgroup is None:
            raise ApiError(
                "InvalidParameterException", f"Invalid filter pattern near {text[at:]!r}"
            )
        found.append((match.lastgroup, match.group(match.lastgroup)))
        at = match.end()
    return found


def _select(document: Any, selector: str) -> Any:
    here = document
    for part in re.findall(r"\.([^.\[]+)|\[(\d+)\]", selector[1:]):
        key, index = part
        if key and isinstance(here, dict) and key in here:
            here = here[key]
        elif index and isinstance(here, list) and int(index) < len(here):
            here = here[int(index)]
        else:
            return _MISSING
    return here


def _wildcard(value: str) -> re.Pattern[str]:
    return re.compile(".*".join(re.escape(piece) for piece in value.split("*")), re.DOTALL)


def _comparison(selector: str, op: str, kind: str, literal: str) -> Test:
    if kind == "str":
        wanted = _wildcard(json.loads(literal))
        if op not in ("=", "!="):
            raise ApiError("InvalidParameterException", f"{op} does not compare strings")

        def string_test(document: Any) -> bool:
            value = _select(document, selector)
            if not isinstance(value, str):
                return False
            return (wanted.fullmatch(value) is not None) == (op == "=")

        return string_test
    number = float(literal)

    def number_test(document: Any) -> bool:
        value = _select(document, selector)
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False
        return {
            "=": value == number,
            "!=": value != number,
            ">": value > number,
            ">=": value >= number,
            "<": value < number,
            "<=": value <= number,
        }[op]

    return number_test


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.at = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise ApiError("InvalidParameterException", "Invalid filter pattern: cut short")
        self.at += 1
        return token

    def either(self) -> Test:
        tests = [self.both()]
        while self.peek() == ("op", "||"):
            self.take()
            tests.append(self.both())
        return tests[0] if len(tests) == 1 else lambda d: any(t(d) for t in tests)

    def both(self) -> Test:
        tests = [self.term()]
        while self.peek() == ("op", "&&"):
            self.take()
            tests.append(self.term())
        return tests[0] if len(tests) == 1 else lambda d: all(t(d) for t in tests)

    def term(self) -> Test:
        kind, text = self.take()
        if (kind, text) == ("paren", "("):
            inner = self.either()
            if self.take() != ("paren", ")"):
                raise ApiError("InvalidParameterException", "Invalid filter pattern: no )")
            return inner
        op_kind, op = self.take()
        value_kind, value = self.take()
        if kind != "sel" or op_kind != "op" or value_kind not in ("str", "num"):
            raise ApiError("InvalidParameterException", f"Invalid filter pattern at {text!r}")
        return _comparison(text, op, value_kind, value)


def json_pattern(pattern: str) -> Test:
    """A test of a parsed JSON event for ``{ ... }`` (raises ApiError when it is not one)."""
    body = pattern.strip()
    if not (body.startswith("{") and body.endswith("}")):
        raise ApiError("InvalidParameterException", "Invalid filter pattern")
    parser = _Parser(_tokens(body[1:-1]))
    test = parser.either()
    if parser.peek() is not None:
        raise ApiError("InvalidParameterException", "Invalid filter pattern: trailing text")
    return test


def _matches(test: Test, message: str) -> bool:
    try:
        document = json.loads(message)
    except ValueError:
        return False  # a JSON pattern matches JSON events only
    return isinstance(document, dict) and test(document)


def filter_log_events(call: Call, forward: Forward) -> Reply:
    """FilterLogEvents with a JSON pattern judged here; any other pattern is moto's."""
    body = call.json()
    pattern = body.get("filterPattern")
    if not isinstance(pattern, str) or not pattern.strip().startswith("{"):
        return forward(call)
    test = json_pattern(pattern)
    del body["filterPattern"]
    reply = forward(replace(call, body=json.dumps(body).encode()))
    if reply.status != 200:
        return reply
    data = reply.data()
    data["events"] = [e for e in data.get("events") or [] if _matches(test, e.get("message", ""))]
    return Reply(200, json.dumps(data).encode(), dict(reply.headers))


ROUTES: dict[str, Route] = {"Logs_20140328.FilterLogEvents": filter_log_events}
"""The gateway route that judges JSON filter patterns."""
