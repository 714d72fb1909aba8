"""Safe text: what comes from outside is shown, never obeyed, by the terminal.

Anyone who can write a log line, tag an image or make a Kubernetes event can
put terminal control sequences in it: ``ESC ] 0 ; title BEL`` retitles the
window, ``ESC ] 52 ; c ; … ESC \\`` writes the clipboard, ``ESC [ 2 J`` clears
the screen, 8-bit ``0x9B`` is the same CSI in one byte, and a right-to-left
override turns ``exe.txt`` around. ``safe_text`` is the one rule that makes
such text harmless, and every string that enters shipdeck from AWS,
Kubernetes, Docker, log events, scenario files or the config goes through it
before a terminal sees it:

- every C0 control (``ESC``, ``BEL``, ``CR``…) and ``DEL`` is shown as its
  control picture (``␛``, ``␇``, ``␍``, ``␡``), so a sequence reads as what it
  is: ``␛]0;title␇``, ``␛[2J``;
- every C1 control (``0x80``-``0x9F``) is shown as the 7-bit form it stands
  for, ``0x9B`` as ``␛[``, ``0x9D`` as ``␛]``;
- bidirectional overrides and isolates (U+202A-202E, U+2066-2069) and the
  line separators U+2028/2029 are shown as ``<U+202E>``; lone surrogates
  (undecodable bytes) as ``�``;
- text longer than ``limit`` is cut and ends with ``…``.

Replacing the introducer and terminator of each sequence is enough: what is
left between them is printable. In a single line (a table cell, a title) a
newline is shown as ``↵`` and a tab as a space; with ``multiline=True`` (log
lines, crash logs, build output) newlines and tabs stay, and ``CR LF`` is a
newline. The check for the common case, text with nothing to replace, is one
regular-expression search, so log streams pay almost nothing for it.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime
from typing import Any, TypeVar

CELL_LIMIT = 4096  # a single-line value: a name, a tag, an ARN, a reason
TEXT_LIMIT = 65536  # a multi-line value: a crash log, an event message, a log line
ELLIPSIS = "…"

T = TypeVar("T")

_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028\u2029"
# Everything a terminal might act on; tab and newline are handled per mode.
_UNSAFE_LINE = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}\ud800-\udfff]")
UNSAFE_LINE = _UNSAFE_LINE
"""What a one-line text may not show as it is (``safe_text`` replaces it)."""
_UNSAFE_MULTI = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}\ud800-\udfff]")


def _picture(code: int) -> str:
    if code < 0x20:
        return chr(0x2400 + code)  # ␀ … ␟
    if code == 0x7F:
        return "\u2421"  # ␡
    if 0x80 <= code <= 0x9F:
        return "\u241b" + chr(code - 0x40)  # the 7-bit form: ESC and a printable
    if 0xD800 <= code <= 0xDFFF:
        return "\ufffd"
    return f"<U+{code:04X}>"


_PICTURES: dict[int, str] = {
    code: _picture(code)
    for code in (*range(0x00, 0x20), *range(0x7F, 0xA0), *(ord(ch) for ch in _BIDI))
}
_LINE_TABLE = {**_PICTURES, ord("\n"): "\u21b5", ord("\t"): " "}
_MULTI_TABLE = {
    code: shown for code, shown in _PICTURES.items() if code not in (ord("\n"), ord("\t"))
}
_SURROGATES = re.compile("[\ud800-\udfff]")


def cut(text: str, limit: int) -> str:
    """``text`` in at most ``limit`` characters; a cut one ends with ``…`` (never mid-word
    without saying so, as "hr-chatbot-fro" did)."""
    return text if len(text) <= limit else text[: limit - 1] + ELLIPSIS


def safe_text(text: str, limit: int | None = CELL_LIMIT, *, multiline: bool = False) -> str:
    """``text`` as a terminal may show it: controls and overrides visible, at most ``limit`` long.

    ``limit=None`` keeps the whole text (a final guard over output that was
    bounded where it was made).
    """
    pattern = _UNSAFE_MULTI if multiline else _UNSAFE_LINE
    if pattern.search(text) is not None:
        if multiline:
            text = text.replace("\r\n", "\n")
        text = _SURROGATES.sub("\ufffd", text)
        text = text.translate(_MULTI_TABLE if multiline else _LINE_TABLE)
    if limit is not None and len(text) > limit:
        text = text[: max(limit - 1, 0)] + ELLIPSIS
    return text


def safe_lines(text: str, limit: int | None = TEXT_LIMIT) -> str:
    """Multi-line text (logs, build output) made safe; newlines and tabs kept."""
    return safe_text(text, limit, multiline=True)


def is_safe(text: str) -> bool:
    """Whether ``text`` holds nothing a terminal would act on (newlines and tabs allowed)."""
    return _UNSAFE_MULTI.search(text) is None


def safe_value(value: T, limit: int = TEXT_LIMIT) -> T:
    """Every string inside ``value`` made safe (multi-line), the rest as it is.

    Walks frozen dataclasses, named tuples, tuples, lists and dicts, and
    returns ``value`` itself when nothing in it had to change, so records of a
    calm account are not copied. Newlines are kept (crash logs, event
    messages); single-line places show them as ``↵`` when they draw.
    """
    return _safe(value, limit)  # type: ignore[no-any-return]


def _safe(value: Any, limit: int) -> Any:
    if isinstance(value, str):
        return safe_text(value, limit, multiline=True)
    if value is None or isinstance(value, (int, float, bool)):
        return value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for field in dataclasses.fields(value):
            if not field.init:
                continue
            old = getattr(value, field.name)
            new = _safe(old, limit)
            if new is not old:
                changes[field.name] = new
        return dataclasses.replace(value, **changes) if changes else value
    if isinstance(value, tuple):
        items = [_safe(item, limit) for item in value]
        if all(new is old for new, old in zip(items, value, strict=True)):
            return value
        if hasattr(value, "_fields"):  # a named tuple
            return type(value)(*items)
        return tuple(items)
    if isinstance(value, list):
        items = [_safe(item, limit) for item in value]
        if all(new is old for new, old in zip(items, value, strict=True)):
            return value
        return items
    if isinstance(value, dict):
        pairs = [(_safe(k, limit), _safe(v, limit)) for k, v in value.items()]
        if all(nk is k and nv is v for (nk, nv), (k, v) in zip(pairs, value.items(), strict=True)):
            return value
        return type(value)(pairs) if type(value) is not dict else dict(pairs)
    return value


def human(value: object, missing: str = "none") -> str:
    """A value as a person reads it: ``missing`` for None, ``15`` for 15.0, ``0.5`` for 0.5,
    a date and time for a datetime, anything else as its text (made safe)."""
    if value is None or value == "":
        return missing
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    return safe_text(str(value))
