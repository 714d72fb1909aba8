"""``shipdeck timeline``: findings seen and resolved, actions planned and applied, in order."""

from __future__ import annotations

from pathlib import Path

import click

from cli.inputs import BadInput, cloud_session
from cli.output import echo


@click.command("timeline")
@click.option(
    "--export",
    "export",
    metavar="FILE",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the timeline as Markdown (for the post-mortem) instead of printing it.",
)
@click.option("--since", metavar="WHEN", help="Only events since then: 2h, 1d, or an ISO time.")
@click.pass_context
def timeline_command(ctx: click.Context, export: Path | None, since: str | None) -> None:
    """Print the incident timeline (or write it as Markdown with --export FILE)."""
    from datetime import UTC, datetime

    from actions.audit import default_audit_log
    from actions.timeline import timeline, timeline_line, timeline_markdown
    from cloud.logs import SinceError, parse_since

    start = None
    if since:
        try:
            start = datetime.fromtimestamp(parse_since(since) / 1000, UTC)
        except SinceError as exc:
            raise BadInput(str(exc)) from exc
    account = cloud_session(ctx.obj or {}).account_id()  # one account's incident, never two
    events = timeline(
        default_audit_log((ctx.obj or {}).get("profile")), since=start, account=account
    )
    if export is not None:
        from actions.paths import open_private, private_dir

        try:
            private_dir(export.parent, narrow=False)  # a folder the person named: left as it is
            with open_private(export) as out:
                out.write(timeline_markdown(events))
        except OSError as exc:
            raise BadInput(f"cannot write {export}: {exc.strerror or exc}") from exc
        echo(f"wrote {len(events)} events to {export}")
        return
    if not events:
        echo("nothing recorded yet: run shipdeck doctor, or use the console", err=True)
    for event in events:
        echo(timeline_line(event))
