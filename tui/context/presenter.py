"""Presenter mode: what must not be seen on a shared screen is masked wherever text is shown.

``mask(text)`` is the one rule: AWS account ids (alone, in ARNs, in ECR
registry hosts), IPv4 and IPv6 addresses (also as EC2 host names,
``ip-10-0-12-34``), e-mail addresses and secret-looking values. The first ones
are masked character for character (``123456789012.dkr.ecr...`` becomes
``••••••••••••.dkr.ecr...``), so a styled cell keeps its colours and a table
its widths; the secret shapes come from ``actions.secrets.mask_secrets``.

The console applies it at its choke points (rows, detail sections, plan
previews, notifications, the header, the clipboard, exports) through
``ConsoleContext.shown``, and only while presenter mode is on.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Sequence
from dataclasses import replace

from rich.text import Text

from actions.secrets import mask_secrets
from widgets.action_form import FormField
from widgets.detail_view import DetailSection
from widgets.plan_preview import PlanPreviewData
from widgets.resource_table import TableRow

DOT = "•"
BADGE = "PRESENTER"

Cell = str | Text

_ACCOUNT = re.compile(r"(?<![A-Za-z0-9])\d{12}(?![A-Za-z0-9])")
_IPV4 = re.compile(r"(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?![\w]|\.\d)")
_EC2_HOST = re.compile(r"(?<![A-Za-z0-9])ip-\d{1,3}(?:-\d{1,3}){3}(?![0-9])")
_IPV6 = re.compile(r"(?<![\w:])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![\w:])")
_EMAIL = re.compile(r"(?<![\w.+:/-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
_ACCESS_KEY_ID = re.compile(r"(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])")
# NAME=value or "name": "value" where the name says secret (PASSWORD, TOKEN, ..._KEY_PEM).
_SECRET_ASSIGNMENT = re.compile(
    r"(?i)\b[\w.-]*(?:secret|token|passw(?:or)?d|private|api_?key|access_?key|credential)[\w.-]*"
    r"[\"']?\s*[=:]\s*[\"']?(?P<value>[^\s\"',;]{4,})"
)
_SECRET_KEEP = frozenset("@.:-")


def _dots(text: str, keep: frozenset[str] = frozenset()) -> str:
    return "".join(ch if ch in keep else DOT for ch in text)


def _sub_ip(found: re.Match[str], version: int, keep: str) -> str:
    text = found.group(0)
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return text
    if address.version != version or (version == 6 and len(text.replace(":", "")) < 2):
        return text
    return _dots(text, frozenset(keep))


def _ec2_host(found: re.Match[str]) -> str:
    text = found.group(0)
    return "ip-" + _dots(text[3:], frozenset("-"))


def _assignment(found: re.Match[str]) -> str:
    start, end = found.span("value")
    offset = found.start()
    text = found.group(0)
    return text[: start - offset] + _dots(found.group("value")) + text[end - offset :]


_SAME_LENGTH: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    (_SECRET_ASSIGNMENT, _assignment),
    (_ACCESS_KEY_ID, lambda m: _dots(m.group(0))),
    (_EMAIL, lambda m: _dots(m.group(0), frozenset("@."))),
    (_EC2_HOST, _ec2_host),
    (_IPV4, lambda m: _sub_ip(m, 4, ".")),
    (_IPV6, lambda m: _sub_ip(m, 6, ":")),
    (_ACCOUNT, lambda m: _dots(m.group(0))),
)


def mask_same_length(text: str) -> str:
    """Account ids, addresses, e-mail and assigned secrets as dots, one per character."""
    for pattern, replacement in _SAME_LENGTH:
        text = pattern.sub(replacement, text)
    return text


def mask(text: str) -> str:
    """``text`` as it may be shown on a shared screen."""
    return mask_secrets(mask_same_length(text))


def mask_text(text: Text) -> Text:
    """A Rich ``Text`` masked; its styles are kept (they are lost only around a masked secret)."""
    plain = text.plain
    same = mask_same_length(plain)
    masked = mask_secrets(same)
    if masked == plain:
        return text
    if masked == same:  # same length: the spans still point at the right characters
        copy = text.copy()
        copy.plain = same
        return copy
    return Text(masked, style=text.style, justify=text.justify, no_wrap=text.no_wrap)


def mask_cell(cell: Cell) -> Cell:
    """A table cell or field value masked."""
    return mask_text(cell) if isinstance(cell, Text) else mask(cell)


def mask_rows(rows: Sequence[TableRow]) -> list[TableRow]:
    """Table rows with every cell masked (keys stay: they are never shown)."""
    return [replace(row, cells=tuple(mask_cell(c) for c in row.cells)) for row in rows]


def mask_section(section: DetailSection) -> DetailSection:
    """A detail section with every field, cell and text masked."""
    return replace(
        section,
        fields=tuple((label, mask_cell(value)) for label, value in section.fields),
        rows=tuple(tuple(mask_cell(c) for c in row) for row in section.rows),
        text=None if section.text is None else mask_cell(section.text),
    )


def mask_preview(data: PlanPreviewData) -> PlanPreviewData:
    """A plan preview masked; the text a destructive plan asks to type stays as it is (a name)."""
    return replace(
        data,
        title=mask(data.title),
        summary=mask(data.summary),
        checks=tuple((mask(n), ok, mask(d)) for n, ok, d in data.checks),
        changes=tuple((mask(r), mask(f), mask(b), mask(a)) for r, f, b, a in data.changes),
        commands=tuple(mask(c) for c in data.commands),
        notes=tuple(mask(n) for n in data.notes),
        where=mask(data.where),
        changed=None if data.changed is None else mask(data.changed),
    )


def mask_fields(fields: Sequence[FormField]) -> list[FormField]:
    """An action form's fields as shown: prefilled values, help and choice labels masked."""
    return [
        replace(
            f,
            help=mask(f.help),
            value=f.value if f.secret else mask(f.value),
            placeholder=mask(f.placeholder),
            choices=tuple((mask(label), value) for label, value in f.choices),
        )
        for f in fields
    ]


def unmask_answer(
    fields: Sequence[FormField], shown: Sequence[FormField], answer: dict[str, str]
) -> dict[str, str]:
    """What the person meant: a prefilled value left as shown (masked) is the real one."""
    values = dict(answer)
    for real, masked in zip(fields, shown, strict=True):
        if real.value != masked.value and values.get(real.name) == masked.value:
            values[real.name] = real.value
    return values
