"""How numbers, times and statuses read on screen: sizes, ages, durations, status colours."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text

from cloud.model.ref import ResourceRef
from cloud.records import Flag, Severity

_SEVERITY_RANK = {Severity.CRITICAL: 0, Severity.WARNING: 1, Severity.INFO: 2}
_SEVERITY_STYLE = {Severity.CRITICAL: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}

_GOOD = {"SUCCEEDED", "ACTIVE", "RUNNING", "COMPLETE", "Successful", "PRIMARY", "COMPLETED"}
_BAD = {"FAILED", "FAULT", "TIMED_OUT", "STOPPED", "Failed", "DENIED", "INACTIVE"}
_BUSY = {"IN_PROGRESS", "PENDING", "Pending", "InProgress", "PROVISIONING", "CASE_OPENED"}


def human_size(size: int | None) -> str:
    """``1225557261`` -> ``1.2 GB`` (decimal units, like the ECR console)."""
    if size is None:
        return "—"
    value = float(size)
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if value < 1000 or unit == "TB":
            return f"{value:.0f} {unit}" if unit in ("B", "kB") else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} TB"  # pragma: no cover - loop always returns


def size_with_bytes(size: int | None) -> str:
    """``1.2 GB (1,225,557,261 B)`` for details, where the exact number matters."""
    if size is None:
        return "—"
    return f"{human_size(size)} ({size:,} B)"


def age(when: datetime | None, now: datetime) -> str:
    """Compact age like k9s: ``42s``, ``7m``, ``3h``, ``12d``."""
    if when is None:
        return "—"
    if when.tzinfo is None and now.tzinfo is not None:
        when = when.replace(tzinfo=now.tzinfo)
    seconds = int((now - when).total_seconds())
    if seconds < 0:
        return "0s"
    if seconds < 120:
        return f"{seconds}s"
    if seconds < 7200:
        return f"{seconds // 60}m"
    if seconds < 172800:
        return f"{seconds // 3600}h"
    return f"{seconds // 86400}d"


def timestamp(when: datetime | None) -> str:
    """``2025-11-11 04:39:26 UTC`` (seconds precision, zone kept)."""
    if when is None:
        return "—"
    zone = when.strftime("%Z") if when.tzinfo else ""
    return when.strftime("%Y-%m-%d %H:%M:%S") + (f" {zone}" if zone else "")


def duration(seconds: int | float | None) -> str:
    """``5m 31s``; ``—`` when unknown."""
    if seconds is None:
        return "—"
    total = int(seconds)
    if total < 60:
        return f"{total}s"
    minutes, secs = divmod(total, 60)
    if minutes < 60:
        return f"{minutes}m {secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m"


def number(value: float | None, missing: str = "none") -> str:
    """``15.0`` -> ``15``; None -> ``none`` (an applied quota value that does not exist)."""
    if value is None:
        return missing
    return f"{value:g}"


_ALARM_STYLE = {"ALARM": "bold red", "OK": "green", "INSUFFICIENT_DATA": "yellow"}


def alarm_state_text(state: str, spelled: bool = False) -> Text:
    """ALARM in red, OK in green, INSUFFICIENT_DATA as ``NO DATA`` in yellow, never as OK
    (``spelled``: with CloudWatch's own word after it)."""
    word = state
    if state == "INSUFFICIENT_DATA":
        word = "NO DATA (INSUFFICIENT_DATA)" if spelled else "NO DATA"
    return Text(word, style=_ALARM_STYLE.get(state, ""))


def status_text(status: str | None) -> Text:
    """A status coloured by what it means: green done, red failed, yellow under way."""
    if not status:
        return Text("—", style="dim")
    if status in _GOOD:
        return Text(status, style="green")
    if status in _BAD:
        return Text(status, style="bold red")
    if status in _BUSY:
        return Text(status, style="yellow")
    return Text(status)


def worst_severity(flags: tuple[Flag, ...]) -> Severity | None:
    """The most urgent severity among ``flags``."""
    if not flags:
        return None
    return min((f.severity for f in flags), key=_SEVERITY_RANK.__getitem__)


def severity_rank(flags: tuple[Flag, ...]) -> int:
    """Sort key: critical rows first, then warnings, then info, then rows without flags."""
    worst = worst_severity(flags)
    return 3 if worst is None else _SEVERITY_RANK[worst]


def flags_text(flags: tuple[Flag, ...]) -> Text:
    """The flags of a row, most urgent first, each in its severity's colour."""
    line = Text(no_wrap=True, overflow="ellipsis")
    ordered = sorted(flags, key=lambda f: _SEVERITY_RANK[f.severity])
    for index, flag in enumerate(ordered):
        if index:
            line.append("; ", style="dim")
        # One row is one line: a multi-line flag text (a log excerpt) is joined up.
        line.append(" ".join(flag.text.split()), style=_SEVERITY_STYLE[flag.severity])
    return line


def flag_lines(flags: tuple[Flag, ...]) -> tuple[tuple[str, Text], ...]:
    """Flags as detail fields: (severity, text), most urgent first."""
    ordered = sorted(flags, key=lambda f: _SEVERITY_RANK[f.severity])
    return tuple(
        (flag.severity.value, Text(flag.text, style=_SEVERITY_STYLE[flag.severity]))
        for flag in ordered
    )


def short(value: str | None, width: int) -> str:
    """Cut ``value`` to ``width`` characters with an ellipsis."""
    if not value:
        return "—"
    return value if len(value) <= width else value[: width - 1] + "…"


def image_tag(image: str) -> str:
    """``123.dkr.ecr.../nova/cdn-service:latest`` -> ``nova/cdn-service:latest``."""
    return image.split("/", 1)[1] if "/" in image and "." in image.split("/", 1)[0] else image


SEVERITY_WORDS: dict[Severity, tuple[str, str]] = {
    Severity.CRITICAL: ("CRIT", "bold red"),
    Severity.WARNING: ("WARN", "yellow"),
    Severity.INFO: ("info", "cyan"),
}


def severity_text(severity: Severity) -> Text:
    """``CRIT`` in red, ``WARN`` in yellow, ``info`` in cyan (readable without colour too)."""
    word, style = SEVERITY_WORDS[severity]
    return Text(word, style=style)


def where_text(ref: ResourceRef, *, multi_region: bool) -> str:
    """``ecr:nova/cdn-service`` with its region (or kube context) when that tells something,
    after its profile when several are shown (``team-b: ecr:…``)."""
    where = f"{ref.profile}: {ref.target}" if ref.profile else ref.target
    if ref.scope and (multi_region or ref.kind == "k8s"):
        return f"{where}  {ref.scope}"
    return where
