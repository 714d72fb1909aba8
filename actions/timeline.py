"""The incident timeline: findings first seen and resolved, and actions planned and applied.

Findings leave no trace in AWS, so each refresh (``shipdeck doctor``, the
console's findings pane) records them in a small JSON state file: per finding
id, its title and the episodes in which it was present (seen, resolved).
Actions come from the audit log. ``timeline()`` merges both in time order;
``timeline_markdown()`` writes it for the post-mortem, and ``export_timeline()``
into a file of its own under the state directory (the console's ``ctrl+e``).
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from actions.audit import AuditLog
from actions.paths import open_private, private_dir, state_dir
from cloud.findings import Finding
from cloud.text import safe_value

STATE_FILE = "findings.json"
EXPORT_DIR = "timelines"
_LOCK = threading.Lock()


def findings_state_path(account: str | None = None) -> Path:
    """Where the finding state of ``account`` lives: ``<state dir>/findings-ACCOUNT.json``.

    One file per AWS account, so a timeline never mixes two accounts' incidents
    (the finding ids name regions and resources, not accounts). Without an
    account (it could not be read): ``<state dir>/findings.json``.
    """
    if account is None:
        return state_dir() / STATE_FILE
    safe = "".join(c for c in account if c.isalnum() or c in "-_")[:64] or "unknown"
    return state_dir() / f"findings-{safe}.json"


def entry_account(entry: dict[str, Any]) -> str | None:
    """The account of an audit entry, from its caller's ARN (``arn:aws:sts::ACCOUNT:…``)."""
    parts = str(entry.get("caller") or "").split(":")
    return parts[4] if len(parts) > 5 and parts[0] == "arn" and parts[4] else None


@dataclass(frozen=True)
class TimelineEvent:
    """One line of the timeline."""

    at: datetime
    kind: str  # "finding seen", "finding resolved", "action plan", "action apply", ...
    subject: str  # the finding id, or "ACTION KIND:TARGET"
    text: str  # the finding's title, or the plan summary / outcome message
    severity: str | None = None  # of a finding


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _parse(text: object) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _load(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        return {}  # a damaged state file starts a new timeline rather than stopping doctor
    findings = data.get("findings") if isinstance(data, dict) else None
    return findings if isinstance(findings, dict) else {}


def _save(path: Path, findings: dict[str, Any]) -> None:
    private_dir(path.parent)
    # Write then rename, so the console and doctor never read half a file (mkstemp: 0600).
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".findings-", suffix=".json")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        json.dump({"version": 1, "findings": findings}, out, indent=1, sort_keys=True)
    Path(temporary).replace(path)


def record_findings(
    findings: Sequence[Finding],
    *,
    complete: bool = True,
    regions: Iterable[str] | None = None,
    path: Path | None = None,
    now: datetime | None = None,
    account: str | None = None,
) -> list[TimelineEvent]:
    """Note which findings are new and which are gone; the events this refresh adds.

    They are noted for ``account`` (its own state file), unless ``path`` says where.

    ``complete`` is False when a fetch failed: then nothing is marked resolved
    (a finding that could not be looked at is not gone). With ``regions``,
    only findings of those regions (and Kubernetes ones) can be resolved, so a
    doctor run on one region leaves the others' findings open.
    """
    path = path or findings_state_path(account)
    moment = now or _now()
    scope = set(regions) if regions is not None else None
    events: list[TimelineEvent] = []
    with _LOCK:
        state = _load(path)
        present = {f.id: f for f in findings}
        for finding in findings:
            entry = state.setdefault(finding.id, {"episodes": []})
            entry.update(
                title=finding.title,
                severity=finding.severity.value,
                where=finding.where,
                region=finding.region,
            )
            episodes = entry["episodes"]
            if not episodes or episodes[-1].get("resolved"):
                episodes.append({"seen": _iso(moment), "resolved": None})
                events.append(
                    TimelineEvent(
                        moment, "finding seen", finding.id, finding.title, finding.severity.value
                    )
                )
        if complete:
            for finding_id, entry in state.items():
                episodes = entry.get("episodes") or []
                if finding_id in present or not episodes or episodes[-1].get("resolved"):
                    continue
                region = entry.get("region")
                if scope is not None and region is not None and region not in scope:
                    continue
                episodes[-1]["resolved"] = _iso(moment)
                events.append(
                    TimelineEvent(
                        moment,
                        "finding resolved",
                        finding_id,
                        str(entry.get("title", "")),
                        entry.get("severity"),
                    )
                )
        _save(path, state)
    return events


def open_finding_ids(path: Path | None = None) -> set[str]:
    """Ids of the findings that were present at the last refresh."""
    state = _load(path or findings_state_path())
    return {
        finding_id
        for finding_id, entry in state.items()
        if entry.get("episodes") and not entry["episodes"][-1].get("resolved")
    }


def _finding_events(path: Path) -> list[TimelineEvent]:
    events: list[TimelineEvent] = []
    for finding_id, entry in _load(path).items():
        title = str(entry.get("title", ""))
        severity = entry.get("severity")
        for episode in entry.get("episodes") or []:
            seen = _parse(episode.get("seen"))
            if seen is not None:
                events.append(TimelineEvent(seen, "finding seen", finding_id, title, severity))
            resolved = _parse(episode.get("resolved"))
            if resolved is not None:
                events.append(
                    TimelineEvent(resolved, "finding resolved", finding_id, title, severity)
                )
    return events


def _action_events(audit: AuditLog, account: str | None) -> list[TimelineEvent]:
    events: list[TimelineEvent] = []
    for entry in audit.entries():
        at = _parse(entry.get("time"))
        if at is None:
            continue
        other = entry_account(entry)
        if account is not None and other is not None and other != account:
            continue  # another account's action: not this incident
        event = str(entry.get("event", "?"))
        subject = f"{entry.get('action', '?')} {entry.get('target', '?')}"
        raw_plan = entry.get("plan")
        plan: dict[str, Any] = raw_plan if isinstance(raw_plan, dict) else {}
        if event == "outcome":
            text = f"{entry.get('outcome', '?')}: {entry.get('message', '')}".rstrip(": ")
        elif event == "refused":
            text = f"refused ({entry.get('outcome', '?')})"
        else:
            text = str(plan.get("summary", ""))
        region = entry.get("region")
        if region:
            subject += f" ({region})"
        events.append(TimelineEvent(at, f"action {event}", subject, text))
    return events


def timeline(
    audit: AuditLog,
    *,
    path: Path | None = None,
    since: datetime | None = None,
    account: str | None = None,
) -> list[TimelineEvent]:
    """Findings seen/resolved and actions planned/applied/their outcome, oldest first.

    With ``account``, only that account's: its findings, and the actions whose caller
    was in it (or whose caller is unknown).
    """
    events = _finding_events(path or findings_state_path(account)) + _action_events(audit, account)
    if since is not None:
        events = [e for e in events if e.at >= since]
    order = {"finding seen": 0, "action plan": 1, "action apply": 2}
    events.sort(key=lambda e: (e.at, order.get(e.kind, 3), e.subject))
    # Titles and plan text quote names and answers from outside; the files
    # themselves may have been written by anyone: safe for the terminal here.
    return [safe_value(event) for event in events]


def timeline_line(event: TimelineEvent) -> str:
    """One plain line: time, what happened, to what, and the text."""
    severity = f" [{event.severity}]" if event.severity else ""
    return f"{_iso(event.at)}  {event.kind:16} {event.subject}{severity}  {event.text}".rstrip()


def timeline_markdown(events: Sequence[TimelineEvent], *, title: str = "Incident timeline") -> str:
    """The timeline as Markdown for a post-mortem: a table, then the open findings."""
    lines = [f"# {title}", ""]
    if events:
        lines.append(f"From {_iso(events[0].at)} to {_iso(events[-1].at)} (UTC).")
    else:
        lines.append("Nothing recorded yet.")
    lines += ["", "| time (UTC) | event | subject | details |", "|---|---|---|---|"]
    for event in events:
        severity = f" ({event.severity})" if event.severity else ""
        cells = [_iso(event.at), event.kind + severity, f"`{event.subject}`", event.text]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    still_open: dict[str, TimelineEvent] = {}
    for event in events:
        if event.kind == "finding seen":
            still_open[event.subject] = event
        elif event.kind == "finding resolved":
            still_open.pop(event.subject, None)
    lines += ["", "## Still open", ""]
    if still_open:
        lines += [f"- `{e.subject}` ({e.severity}): {e.text}" for e in still_open.values()]
    else:
        lines.append("None.")
    return "\n".join(lines) + "\n"


def export_path(now: datetime) -> Path:
    """``<state dir>/timelines/timeline-20251112T000000Z.md``."""
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return state_dir() / EXPORT_DIR / f"timeline-{stamp}.md"


def export_timeline(
    audit: AuditLog,
    shown: Callable[[str], str],
    now: datetime | None = None,
    account: str | None = None,
) -> tuple[Path, int]:
    """Write the timeline (through ``shown``: masked in presenter mode); the path and event count.

    Blocking file work: the console runs it in a worker thread. A second export
    within the same second gets a suffix rather than overwriting the first.
    """
    events = timeline(audit, account=account)
    path = export_path(_now() if now is None else now)
    private_dir(path.parent.parent)  # the state directory
    private_dir(path.parent)
    title = f"Incident timeline, account {account}" if account else "Incident timeline"
    text = shown(timeline_markdown(events, title=title))
    candidate, number = path, 1
    while True:
        try:
            out = open_private(candidate, exclusive=True)
        except FileExistsError:
            number += 1
            candidate = path.with_name(f"{path.stem}-{number}{path.suffix}")
            continue
        with out:
            out.write(text)
        return candidate, len(events)
