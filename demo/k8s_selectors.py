"""Label and field selectors, which kmock 0.8 ignores (it lists everything)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

_SET = re.compile(r"^\s*([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)\s*$")


def _split(selector: str) -> list[str]:
    """Split on commas that are not inside ``in (a,b)`` parentheses."""
    parts, depth, current = [], 0, ""
    for char in selector:
        depth += char == "("
        depth -= char == ")"
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return [p.strip() for p in parts if p.strip()]


def _field(obj: dict[str, Any], path: str) -> str | None:
    value: Any = obj
    for key in path.split("."):
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return None if value is None else str(value)


def _term(term: str, lookup: Callable[[str], Any]) -> bool:
    found = _SET.match(term)
    if found:
        key, op, raw = found.groups()
        values = {v.strip() for v in raw.split(",")}
        return bool((lookup(key) in values) == (op == "in"))
    for op in ("!=", "==", "="):
        if op in term:
            key, value = (s.strip() for s in term.split(op, 1))
            return bool((lookup(key) == value) == (op != "!="))
    if term.startswith("!"):
        return lookup(term[1:].strip()) is None
    return lookup(term) is not None


def matches(obj: dict[str, Any], labels: str | None, fields: str | None) -> bool:
    """True when ``obj`` satisfies both selectors (each may be empty)."""
    obj_labels = obj.get("metadata", {}).get("labels") or {}
    for term in _split(labels or ""):
        if not _term(term, obj_labels.get):
            return False
    return all(_term(term, lambda path: _field(obj, path)) for term in _split(fields or ""))
