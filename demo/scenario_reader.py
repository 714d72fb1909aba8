"""Typed access to the parsed YAML of a scenario, with the field path in every error."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

_RELATIVE = re.compile(r"^(?:now)?\s*([+-])\s*((?:\d+(?:\.\d+)?[dhms])+)$|^now$")
_UNIT = re.compile(r"(\d+(?:\.\d+)?)([dhms])")
_SECONDS = {"d": 86400.0, "h": 3600.0, "m": 60.0, "s": 1.0}


class ScenarioError(Exception):
    """A scenario file that cannot be used; ``str()`` is one line naming file, field and fault."""

    def __init__(self, source: str, path: str, problem: str) -> None:
        self.source = source
        self.path = path
        self.problem = problem
        where = f"{source}: {path}: " if path else f"{source}: "
        super().__init__(where + problem)

    @classmethod
    def from_line(cls, line: str) -> ScenarioError:
        """Rebuild an error from its one-line text (as a child process printed it)."""
        source, _, rest = line.partition(": ")
        error = cls(source, "", rest)
        error.args = (line,)
        return error


def _describe(value: object) -> str:
    if isinstance(value, str):
        return repr(value)
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"{type(value).__name__} {value!r}"


def parse_duration(text: str) -> float | None:
    """Seconds in ``1h30m``/``45s``/``2d`` (None when ``text`` is not a duration)."""
    if not text or _UNIT.sub("", text) != "":
        return None
    return sum(float(n) * _SECONDS[u] for n, u in _UNIT.findall(text))


class Node:
    """A value of the scenario tree together with its path, e.g. ``ecr[2].images[0]``."""

    def __init__(self, value: Any, path: str, source: str, anchor: datetime) -> None:
        self.value = value
        self.path = path
        self.source = source
        self.anchor = anchor

    def fail(self, problem: str) -> ScenarioError:
        """An error about this node (to be raised by the caller)."""
        return ScenarioError(self.source, self.path, problem)

    def _child(self, value: Any, suffix: str) -> Node:
        return Node(
            value,
            f"{self.path}{suffix}" if self.path else suffix.lstrip("."),
            self.source,
            self.anchor,
        )

    # -- structure ---------------------------------------------------------------------------
    def mapping(self) -> dict[str, Any]:
        """This node as a mapping (an empty one when absent)."""
        if self.value is None:
            return {}
        if not isinstance(self.value, dict):
            raise self.fail(f"expected a mapping, got {_describe(self.value)}")
        return self.value

    def get(self, key: str) -> Node:
        """The child ``key`` (its value is None when absent)."""
        return self._child(self.mapping().get(key), f".{key}")

    def require(self, key: str) -> Node:
        """The child ``key``, which must be present."""
        if self.mapping().get(key) is None:
            raise self._child(None, f".{key}").fail("required field is missing")
        return self.get(key)

    def items(self) -> Iterator[Node]:
        """Elements of this node as a list (none when absent)."""
        if self.value is None:
            return
        if not isinstance(self.value, list):
            raise self.fail(f"expected a list, got {_describe(self.value)}")
        for index, element in enumerate(self.value):
            yield self._child(element, f"[{index}]")

    def entries(self) -> Iterator[tuple[str, Node]]:
        """Key/value pairs of this node as a mapping."""
        for key, element in self.mapping().items():
            yield str(key), self._child(element, f".{key}")

    def check_keys(self, allowed: set[str]) -> None:
        """Refuse unknown keys, which are almost always typos."""
        for key in self.mapping():
            if key not in allowed:
                known = ", ".join(sorted(allowed))
                raise self._child(None, f".{key}").fail(f"unknown field (known: {known})")

    # -- scalars -----------------------------------------------------------------------------
    def string(self, default: str | None = None) -> str:
        """A string; numbers are accepted and converted (YAML reads ``30`` as int)."""
        if self.value is None:
            if default is None:
                raise self.fail("required field is missing")
            return default
        if isinstance(self.value, bool) or not isinstance(self.value, str | int | float):
            raise self.fail(f"expected a string, got {_describe(self.value)}")
        return str(self.value)

    def optional_string(self) -> str | None:
        """A string or None."""
        return None if self.value is None else self.string()

    def integer(self, default: int | None = None) -> int:
        """An integer (booleans refused)."""
        if self.value is None:
            if default is None:
                raise self.fail("required field is missing")
            return default
        if isinstance(self.value, bool) or not isinstance(self.value, int):
            raise self.fail(f"expected an integer, got {_describe(self.value)}")
        return self.value

    def optional_integer(self) -> int | None:
        """An integer or None."""
        return None if self.value is None else self.integer()

    def number(self, default: float | None = None) -> float:
        """An int or float."""
        if self.value is None:
            if default is None:
                raise self.fail("required field is missing")
            return default
        if isinstance(self.value, bool) or not isinstance(self.value, int | float):
            raise self.fail(f"expected a number, got {_describe(self.value)}")
        return float(self.value)

    def boolean(self, default: bool) -> bool:
        """true/false."""
        if self.value is None:
            return default
        if not isinstance(self.value, bool):
            raise self.fail(f"expected true or false, got {_describe(self.value)}")
        return self.value

    def choice(self, options: tuple[str, ...], default: str | None = None) -> str:
        """A string among ``options``."""
        text = self.string(default)
        if text not in options:
            raise self.fail(f"expected one of {', '.join(options)}, got {text!r}")
        return text

    def seconds(self, default: float | None = None) -> float:
        """A duration: a number of seconds or text like ``1h30m``."""
        if isinstance(self.value, str):
            parsed = parse_duration(self.value.strip())
            if parsed is None:
                raise self.fail(f"expected a duration like 90 or 1m30s, got {self.value!r}")
            return parsed
        return self.number(default)

    def time(self, default: datetime | None = None) -> datetime:
        """An instant: ISO-8601 (UTC when no offset), or relative to loading (``-2h``)."""
        value = self.value
        if value is None:
            if default is None:
                raise self.fail("required field is missing")
            return default
        if isinstance(value, datetime):
            return value if value.tzinfo else value.replace(tzinfo=UTC)
        if isinstance(value, date):
            return datetime(value.year, value.month, value.day, tzinfo=UTC)
        if not isinstance(value, str):
            raise self.fail(
                f"expected a time like 2025-11-11T04:39:26Z or -2h, got {_describe(value)}"
            )
        text = value.strip()
        match = _RELATIVE.match(text)
        if match:
            if text == "now":
                return self.anchor
            sign = -1.0 if match.group(1) == "-" else 1.0
            return self.anchor + timedelta(seconds=sign * (parse_duration(match.group(2)) or 0))
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise self.fail(
                f"expected a time like 2025-11-11T04:39:26Z or -2h, got {text!r}"
            ) from None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)

    def string_map(self) -> dict[str, str]:
        """A mapping of strings to strings (numbers converted)."""
        return {key: node.string() for key, node in self.entries()}

    def strings(self) -> tuple[str, ...]:
        """A list of strings; a block string is split into lines."""
        if isinstance(self.value, str):
            return tuple(self.value.rstrip("\n").split("\n"))
        return tuple(node.string() for node in self.items())
