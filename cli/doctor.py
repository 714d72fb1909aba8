"""``shipdeck doctor``: the findings of the account, headless, for a terminal or CI.

Reads the incident model exactly as the console does (``read_snapshot``: every
kind and the extras the rules read) and diagnoses it with the same rules, so
the console's findings pane and ``doctor`` list the same ids. With
``--profile a --profile b`` every profile is read at once and judged alone;
each finding says its profile (its id starts ``PROFILE/``, its fix line has
``--profile``). Prints every
finding with its evidence, cause and the ``shipdeck ...`` lines
that fix it, and records the findings for ``shipdeck timeline``. Exit 1 when a
critical finding exists; 3 when nothing is critical but some part could not be
read (its errors are listed: the account was not fully checked); 0 only when
everything was read and nothing is critical. Bad input exits 2 with one line.
"""

from __future__ import annotations

import json
import sys
import threading
from collections import Counter
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import click

from cli.inputs import cloud_sessions
from cli.output import echo
from cli.world import ProgressLine

if TYPE_CHECKING:
    from cloud.findings import Finding
    from cloud.records import FetchError
    from cloud.sessions import Sessions

EXIT_CRITICAL = 1
EXIT_INCOMPLETE = 3  # nothing critical found, but not everything could be read
SCHEMA_VERSION = 1


def finding_lines(finding: Finding) -> list[str]:
    """A finding as plain lines: severity and title, where, cause, evidence, fixes."""
    where = finding.where + (f" ({finding.region})" if finding.region else "")
    lines = [f"{finding.severity.value.upper():8} {finding.title}", f"         id:    {finding.id}"]
    if finding.profile:
        lines.append(f"         profile: {finding.profile}")
    lines.append(f"         where: {where}")
    lines.append(f"         cause: {finding.cause}")
    lines.extend(f"         | {line}" for line in finding.evidence)
    for fix in finding.fixes:
        note = f"   # {fix.note}" if fix.note else ""
        lines.append(f"         fix:   {fix.command()}{note}")
    return lines


def _summary(findings: list[Finding]) -> dict[str, int]:
    counts = Counter(f.severity.value for f in findings)
    return {level: counts.get(level, 0) for level in ("critical", "warning", "info")}


def _error_dict(error: FetchError) -> dict[str, str]:
    found = {
        "service": error.service,
        "region": error.region,
        "kind": error.kind.value,
        "message": error.message,
    }
    if error.profile:
        found["profile"] = error.profile
    return found


def doctor_report(
    findings: list[Finding], errors: tuple[FetchError, ...], checked_at: datetime
) -> dict[str, Any]:
    """The ``--json`` document (see the README's "shipdeck doctor --json")."""
    return {
        "version": SCHEMA_VERSION,
        "checked_at": checked_at.isoformat(timespec="seconds"),
        "summary": _summary(findings),
        "findings": [f.as_dict() for f in findings],
        "errors": [_error_dict(e) for e in errors],
    }


def _progress(line: ProgressLine, sessions: Sessions) -> Callable[[str, Mapping[str, Any]], None]:
    """What the profiles have read so far, on one line of a terminal (quiet when piped)."""
    from cloud.model.kinds import KIND_NAMES

    wanted = [(tag, name) for tag in sessions.tags for name in sessions.kinds_of(tag, KIND_NAMES)]
    done: list[tuple[str, str]] = []
    lock = threading.Lock()

    def heard(tag: str, parts: Mapping[str, Any]) -> None:
        with lock:
            done.extend((tag, name) for name in parts if name in KIND_NAMES)
            left = list(dict.fromkeys(key[1] for key in wanted if key not in done))
            line(
                f"read {len(done)} of {len(wanted)} kinds"
                + (f", reading {', '.join(left)}" if left else ", judging")
            )

    return heard


@click.command("doctor")
@click.option("--json", "as_json", is_flag=True, help="Print the findings as one JSON document.")
@click.pass_context
def doctor_command(ctx: click.Context, as_json: bool) -> None:
    """Find what is wrong, why, and the action that fixes it.

    Exit 1 on a critical finding, 3 when some part could not be read, else 0.
    """
    from actions.timeline import record_findings
    from cloud.incident import IncidentModel
    from cloud.sessions import read_profiles

    sessions = cloud_sessions(ctx.obj or {})
    line = ProgressLine(prefix="doctor: ")
    snapshots = read_profiles(sessions, on_parts=_progress(line, sessions))
    line.done()
    # The console's model: each profile judged alone, joined and tagged by profile.
    model = IncidentModel(sessions.tags)
    for tag in sessions.tags:
        model.merge(dict(snapshots[tag].parts), tag)
    findings = list(model.state.diagnosis.findings)
    errors = model.state.snapshot.errors
    checked_at = datetime.now(UTC)
    try:
        for tag, session in zip(sessions.tags, sessions.all, strict=True):
            record_findings(  # each account's findings in its own timeline
                [f for f in findings if f.profile == tag],
                complete=not any(e.profile == tag for e in errors),
                regions=session.regions,
                now=checked_at,
                account=session.account_id(),
            )
    except OSError as exc:
        # The timeline is a convenience; the findings still count.
        echo(f"shipdeck: could not record the findings for the timeline: {exc}", err=True)
    if as_json:
        echo(json.dumps(doctor_report(findings, errors, checked_at), indent=2))
    else:
        for finding in findings:
            echo("\n".join(finding_lines(finding)))
            echo("")
        for error in errors:
            echo(f"could not check: {error.line()}", err=True)
        counts = _summary(findings)
        if findings:
            echo(
                f"{len(findings)} findings: {counts['critical']} critical, "
                f"{counts['warning']} warning, {counts['info']} info"
            )
        elif errors:
            echo("no findings in what could be read")
        else:
            echo("no findings: nothing wrong was found")
        if errors:
            echo(f"could not read everything: {len(errors)} errors", err=True)
    sys.exit(doctor_exit_status(findings, errors))


def doctor_exit_status(findings: list[Finding], errors: tuple[FetchError, ...]) -> int:
    """1 with a critical finding, else 3 when a part could not be read, else 0."""
    if any(f.severity.value == "critical" for f in findings):
        return EXIT_CRITICAL
    if errors:
        return EXIT_INCOMPLETE
    return 0
