"""Presenter mode: what must not be seen on a shared screen is masked wherever text is shown.

``mask(text)`` is the one rule: AWS account ids (alone, in ARNs, in ECR
registry hosts, glued to a word as in ``acct123456789012``, but not a run of
digits inside a hex digest), IPv4 addresses in dotted notation (zero-padded,
octal or hex parts: ``010.000.001.023``, ``0x0a.0.1.23``) and IPv6 addresses
(also as EC2 host names, ``ip-10-0-12-34``), e-mail addresses, JWTs, AWS
access key ids (``AKIA…``, ``ASIA…``) and values assigned to a name that says
secret (``password=``, ``secret:``, ``token=``, even one character). The first ones
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
from cloud.text import is_safe, safe_lines
from widgets.action_form import FormField
from widgets.detail_view import DetailSection
from widgets.plan_preview import PlanPreviewData
from widgets.resource_table import TableRow

DOT = "•"
BADGE = "PRESENTER"

Cell = str | Text

# Exactly 12 digits, also inside a word (acct123456789012); _account() spares hex digests.
_ACCOUNT = re.compile(r"(?<!\d)\d{12}(?!\d)")
_DIGEST_LENGTH = 32  # md5 and longer: a run of hex this long is a digest, not an account
_IPV4_PART = r"(?:0[xX][0-9A-Fa-f]{1,2}|\d{1,4})"
_IPV4 = re.compile(rf"(?<![\d.]){_IPV4_PART}(?:\.{_IPV4_PART}){{3}}(?![\d]|\.\d)")
_JWT = re.compile(r"(?<![\w-])eyJ[\w-]+\.eyJ[\w-]+\.[\w-]*")
_EC2_HOST = re.compile(r"(?<![A-Za-z0-9])ip-\d{1,3}(?:-\d{1,3}){3}(?![0-9])")
_IPV6 = re.compile(r"(?<![\w:])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![\w:])")
_EMAIL = re.compile(r"(?<![\w.+:/-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
_ACCESS_KEY_ID = re.compile(r"(?<![A-Z0-9])(?:AKIA|ASIA|AIDA|AROA)[A-Z0-9]{16}(?![A-Z0-9])")
# NAME=value or "name": "value" where the name says secret (PASSWORD, TOKEN, ..._KEY_PEM).
_SECRET_ASSIGNMENT = re.compile(
    r"(?i)\b[\w.-]*(?:secret|token|passw(?:or)?d|private|api_?key|access_?key|credential)[\w.-]*"
    r"[\"']?\s*[=:]\s*[\"']?(?P<value>[^\s\"',;]+)"
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


def _ipv4_part(part: str) -> int | None:
    if part[:2] in ("0x", "0X"):
        return int(part, 16)
    if len(part) > 1 and part[0] == "0" and set(part) <= set("01234567"):
        return min(int(part, 8), int(part))  # 010 is 8 to inet_aton, 10 to a person
    return int(part)


def _ipv4(found: re.Match[str]) -> str:
    text = found.group(0)
    values = [_ipv4_part(part) for part in text.split(".")]
    if any(value is None or value > 255 for value in values):
        return text
    return _dots(text, frozenset("."))


def _account(found: re.Match[str]) -> str:
    text = found.group(0)
    source = found.string
    start, end = found.span()
    while start > 0 and source[start - 1] in _HEX_DIGITS:
        start -= 1
    while end < len(source) and source[end] in _HEX_DIGITS:
        end += 1
    if end - start >= _DIGEST_LENGTH:
        return text
    return _dots(text)


_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")


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
    (_JWT, lambda m: _dots(m.group(0), frozenset("."))),
    (_IPV4, _ipv4),
    (_IPV6, lambda m: _sub_ip(m, 6, ":")),
    (_ACCOUNT, _account),
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


def safe_cell(cell: Cell) -> Cell:
    """A cell made safe for the terminal (``cloud.text``); a styled one keeps its styles."""
    plain = cell.plain if isinstance(cell, Text) else cell
    if is_safe(plain):
        return cell
    safe = safe_lines(plain, limit=None)
    if not isinstance(cell, Text):
        return safe
    if len(safe) == len(plain):  # control pictures replace one for one: spans still fit
        copy = cell.copy()
        copy.plain = safe
        return copy
    return Text(safe, style=cell.style, justify=cell.justify, no_wrap=cell.no_wrap)


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
