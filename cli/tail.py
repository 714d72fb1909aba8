"""``shipdeck tail``: print log lines of CloudWatch groups, a CodeBuild build or a pod.

One line per event, ``ISO-time group/stream message``, written a batch at a
time (one ``write`` per batch) so it keeps up with the API; the same engine
(``cloud.logs``) feeds the console's log view. Groups and builds are looked for in
each region of the session (``--region``, else the config file's, else the
profile's); ``--build PROJECT:NUMBER`` takes the number the console shows (``#35``)
and ``--pod NS/NAME`` a unique start of the pod's name. ``--until`` (with ``--since``)
prints the range of a group or build read again from CloudWatch and exits; a range
longer than the cap stops there and says so on stderr (exit 1). Bad input (an unknown or
ambiguous name among them) prints one line and exits 2; a failed call prints one
line on stderr; ``| head`` ends quietly.
Control sequences in a line are shown, not obeyed (``cloud.text``); ``--raw``
writes the lines byte for byte.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

import click

from cli.output import echo, write

if TYPE_CHECKING:
    from cloud.logs import LogBatch, LogStatus, LogTarget
    from cloud.logs.fields import FieldFilter
    from cloud.session import CloudSession

EXIT_FAILED = 1
EXIT_BAD_INPUT = 2
DEFAULT_SINCE = "10m"


def _bad_input(message: str) -> NoReturn:
    echo(f"shipdeck: error: {message}", err=True)
    sys.exit(EXIT_BAD_INPUT)


@click.command("tail", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("groups", nargs=-1, metavar="[GROUP]...")
@click.option("-f", "--follow", is_flag=True, help="Keep printing new lines until Ctrl-C.")
@click.option(
    "--since",
    metavar="WHEN",
    help="Start at 30s, 10m, 2h, 1d ago or an ISO time (default: 10m; a build or pod: all).",
)
@click.option(
    "--until",
    metavar="WHEN",
    help="End of a range (with --since; not with -f): an ISO time or 30s, 10m, 2h, 1d ago.",
)
@click.option(
    "--filter",
    "pattern",
    metavar="FILTER",
    help=(
        "Fields of JSON/logfmt lines, ANDed: level=error status>=500 msg~timeout "
        "(sent to CloudWatch as a filter pattern where it can judge them, the rest applied "
        "here); or a CloudWatch filter pattern as it is."
    ),
)
@click.option(
    "--local",
    is_flag=True,
    help="Apply a field --filter here only (for logfmt lines, which CloudWatch's JSON "
    "patterns do not read).",
)
@click.option(
    "--build",
    "build_id",
    metavar="ID",
    help="A CodeBuild build: PROJECT:NUMBER (the #35 the console shows) or its id PROJECT:UUID.",
)
@click.option(
    "--pod",
    metavar="NS/NAME",
    help="A Kubernetes pod, as namespace/name; the start of a name is enough when one pod has it.",
)
@click.option("--container", metavar="C", help="With --pod: the container.")
@click.option("--previous", is_flag=True, help="With --pod: the previous (crashed) container.")
@click.option(
    "--rate",
    type=click.FloatRange(min=0.1),
    default=5.0,
    show_default=True,
    help="FilterLogEvents calls per second per region, shared by all groups.",
)
@click.option(
    "--mode",
    type=click.Choice(["auto", "live", "poll"]),
    default="auto",
    show_default=True,
    help="auto: StartLiveTail when following and offered, else polling.",
)
@click.option(
    "--compact/--no-compact",
    default=None,
    help="JSON/logfmt lines as one readable row: time, LEVEL, message, key=value fields "
    "(default: on a terminal).",
)
@click.option("-v", "--verbose", is_flag=True, help="Also report transport changes on stderr.")
@click.option(
    "--raw",
    is_flag=True,
    help="Print lines byte for byte, control sequences included (for pipes that want them).",
)
@click.pass_context
def tail(
    ctx: click.Context,
    groups: tuple[str, ...],
    follow: bool,
    since: str | None,
    until: str | None,
    pattern: str | None,
    local: bool,
    build_id: str | None,
    pod: str | None,
    container: str | None,
    previous: bool,
    rate: float,
    mode: str,
    compact: bool | None,
    verbose: bool,
    raw: bool,
) -> None:
    """Print the lines of log GROUPs (merged by time), of a --build or of a --pod."""
    from cloud.logs import SinceError, parse_since

    sources = sum(1 for given in (groups, build_id, pod) if given)
    if sources != 1:
        _bad_input("name log groups, or --build ID, or --pod NS/NAME (exactly one of them)")
    if (container or previous) and not pod:
        _bad_input("--container and --previous go with --pod")
    if until and (follow or pod):
        _bad_input("--until reads a range of log groups or a --build: not with -f or --pod")
    try:
        since_ms = parse_since(since) if since else None
        until_ms = parse_since(until) if until else None
    except SinceError as exc:
        _bad_input(str(exc).replace("--since", "--until" if until and since else "--since"))
    if until_ms is not None and since_ms is None:
        _bad_input("--until needs --since: the range's start")
    if until_ms is not None and since_ms is not None and until_ms < since_ms:
        _bad_input("--until is before --since")
    # A range is read whole and judged here: a field --filter goes with it, a raw pattern not.
    ranged = until_ms is not None
    fields, pattern = _field_filter(pattern, local=local or bool(pod) or ranged, verbose=verbose)
    if ranged and pattern is not None:
        _bad_input(
            "--until with --filter takes field expressions (level=error status>=500), "
            "applied to the range here; not a CloudWatch pattern"
        )
    obj: dict[str, Any] = ctx.obj if isinstance(ctx.obj, dict) else {}
    from cli.inputs import BadInput, cloud_session

    try:
        session = cloud_session(obj)
    except BadInput as exc:
        _bad_input(str(exc))
    stop = threading.Event()
    if pod:
        batches = _pod_batches(session, pod, container, previous, follow, since_ms, stop, pattern)
    elif until_ms is not None and since_ms is not None:
        batches = _range_batches(session, groups, build_id, since_ms, until_ms, rate, stop)
    else:
        batches = _cloud_batches(
            session, groups, build_id, follow, since_ms, pattern, rate, mode, stop
        )
    if fields is not None:
        from cloud.logs.fields import filter_batches

        batches = filter_batches(batches, fields.keeps)
    if compact is None:
        compact = sys.stdout.isatty()
    sys.exit(
        _print(batches, sys.stdout, stop, verbose=verbose, raw=raw, compact=compact and not raw)
    )


def _field_filter(
    pattern: str | None, *, local: bool, verbose: bool
) -> tuple[FieldFilter | None, str | None]:
    """(the field filter to apply here, the pattern to send) for ``--filter``.

    A field expression (``level=error status>=500``) is applied here, and what of it
    CloudWatch can judge is sent as its JSON filter pattern too (unless ``local``);
    anything else is a CloudWatch filter pattern, sent as it is.
    """
    from cloud.logs.fields import FieldFilter, FilterError, looks_like_fields

    if pattern is None or not looks_like_fields(pattern):
        return None, pattern
    try:
        fields = FieldFilter.parse(pattern)
    except FilterError as exc:
        _bad_input(f"--filter: {exc}")
    sent = None if local else fields.cloudwatch_pattern()
    if verbose:
        where = f"CloudWatch filter pattern {sent}" if sent else "nothing to CloudWatch"
        echo(f"shipdeck: filter {fields.text}: {where}; every condition applied here", err=True)
    return fields, sent


def _cloud_batches(
    session: CloudSession,
    groups: tuple[str, ...],
    build_id: str | None,
    follow: bool,
    since_ms: int | None,
    pattern: str | None,
    rate: float,
    mode: str,
    stop: threading.Event,
) -> Iterator[LogBatch]:
    from cloud.errors import classify, recoverable_errors
    from cloud.logs import (
        SHARED_LIMITERS,
        LogTarget,
        TailMode,
        find_build,
        group_exists,
        parse_since,
        tail_build,
        tail_logs,
    )

    SHARED_LIMITERS.set_rate(rate)
    regions = session.regions
    chosen: TailMode = "live" if mode == "live" else "poll" if mode == "poll" else "auto"
    targets: list[LogTarget] = []
    service, asked = ("codebuild", ", ".join(regions)) if build_id else ("logs", regions[0])
    try:
        if build_id:
            if not build_id.partition(":")[2]:
                _bad_input(f"--build takes PROJECT:NUMBER or PROJECT:UUID, not {build_id!r}")
            # A wrong project, number or id is bad input, now (not a stream that fails).
            region, build_id = find_build(session.client, regions, build_id)
            return tail_build(
                session.client,
                region,
                build_id,
                since_ms=since_ms or 0,
                follow=follow,
                pattern=pattern,
                mode=chosen,
                stop=stop,
            )
        for group in dict.fromkeys(groups):
            found = []
            for asked in regions:
                if group_exists(session.client, asked, group):
                    found.append(asked)
            if not found:
                _bad_input(f"log group {group} not found in {', '.join(regions)}")
            targets.extend(LogTarget(r, group) for r in found)
    except LookupError as exc:
        _bad_input(str(exc.args[0]) if exc.args else str(exc))
    except recoverable_errors() as exc:
        echo(f"shipdeck: error: {classify(exc, service, asked).line()}", err=True)
        sys.exit(EXIT_FAILED)
    start = since_ms if since_ms is not None else parse_since(DEFAULT_SINCE)
    return tail_logs(
        session.client,
        targets,
        since_ms=start,
        follow=follow,
        pattern=pattern,
        mode=chosen,
        stop=stop,
    )


def _range_batches(
    session: CloudSession,
    groups: tuple[str, ...],
    build_id: str | None,
    since_ms: int,
    until_ms: int,
    rate: float,
    stop: threading.Event,
) -> Iterator[LogBatch]:
    """The range ``[since, until]`` of the groups or the build, read whole (up to the cap)."""
    from cloud.errors import classify, recoverable_errors
    from cloud.logs import SHARED_LIMITERS, LogBatch, LogStatus, StatusKind, iso_ms
    from cloud.logs.history import RANGE_CAP, read_range

    SHARED_LIMITERS.set_rate(rate)
    targets = _range_targets(session, groups, build_id)
    if build_id and not targets:
        _bad_input(f"build {build_id} has no CloudWatch log")
    try:
        read = read_range(session.client, targets, start_ms=since_ms, end_ms=until_ms, stop=stop)
    except recoverable_errors() as exc:
        echo(f"shipdeck: error: {classify(exc, 'logs', targets[0].region).line()}", err=True)
        sys.exit(EXIT_FAILED)
    statuses: tuple[LogStatus, ...] = ()
    if read.capped:
        ends = iso_ms(read.events[-1].timestamp_ms) if read.events else iso_ms(since_ms)
        text = (
            f"stopped at the cap of {RANGE_CAP:,} lines: the output ends at {ends}; "
            "ask again with --since from there for the rest"
        )
        statuses = (LogStatus(StatusKind.ERROR, targets[0].shown, text),)
    return iter([LogBatch(read.events, statuses)])


def _range_targets(
    session: CloudSession, groups: tuple[str, ...], build_id: str | None
) -> list[LogTarget]:
    """The targets a range reads: the build's stream, or each group where it exists."""
    from cloud.errors import classify, recoverable_errors
    from cloud.logs import LogTarget, build_logs, find_build, group_exists

    regions = session.regions
    targets: list[LogTarget] = []
    try:
        if build_id:
            if not build_id.partition(":")[2]:
                _bad_input(f"--build takes PROJECT:NUMBER or PROJECT:UUID, not {build_id!r}")
            region, found = find_build(session.client, regions, build_id)
            target = build_logs(session.client, region, found).target
            return [target] if target is not None else []
        for group in dict.fromkeys(groups):
            where = [r for r in regions if group_exists(session.client, r, group)]
            if not where:
                _bad_input(f"log group {group} not found in {', '.join(regions)}")
            targets.extend(LogTarget(r, group) for r in where)
    except LookupError as exc:
        _bad_input(str(exc.args[0]) if exc.args else str(exc))
    except recoverable_errors() as exc:
        service = "codebuild" if build_id else "logs"
        echo(f"shipdeck: error: {classify(exc, service, regions[0]).line()}", err=True)
        sys.exit(EXIT_FAILED)
    return targets


def _pod_batches(
    session: CloudSession,
    pod: str,
    container: str | None,
    previous: bool,
    follow: bool,
    since_ms: int | None,
    stop: threading.Event,
    pattern: str | None,
) -> Iterator[LogBatch]:
    from cloud.errors import recoverable_errors
    from cloud.logs import LogBatch, find_pod, follow_pod

    namespace, _, name = pod.partition("/")
    if not namespace or not name or "/" in name:
        _bad_input(f"--pod takes namespace/name, not {pod!r}")
    api = session.kube_api()
    if api is None:
        _bad_input("--pod needs a kubeconfig (none found; set KUBECONFIG or --context)")
    try:
        name = find_pod(api, namespace, name)
    except LookupError as exc:
        _bad_input(str(exc))
    except recoverable_errors():
        # Listing pods may be refused (RBAC) where reading a log is allowed: read the
        # name as given; a failure of that read is reported by the log stream itself.
        pass
    batches = follow_pod(
        api,
        namespace,
        name,
        container,
        previous=previous,
        follow=follow,
        since_ms=since_ms,
        stop=stop,
    )
    if not pattern:
        return batches
    return (
        LogBatch(tuple(e for e in b.events if pattern in e.message), b.statuses) for b in batches
    )


def _print(
    batches: Iterator[LogBatch],
    out: TextIO,
    stop: threading.Event,
    *,
    verbose: bool,
    raw: bool = False,
    compact: bool = False,
) -> int:
    """Write every batch with one write and one flush; the exit code for what happened.

    Lines are made safe for the terminal (control sequences shown, not
    obeyed) unless ``raw``.
    """
    from cloud.logs import LogEvent, StatusKind
    from cloud.logs.fields import compact_event_line

    line: Callable[[LogEvent], str] = compact_event_line if compact else LogEvent.line

    quiet = {StatusKind.MODE, StatusKind.RECONNECTED, StatusKind.THROTTLED, StatusKind.PHASE}
    failed = False
    try:
        for batch in batches:
            if batch.events:
                write(out, "".join([f"{line(event)}\n" for event in batch.events]), raw=raw)
                out.flush()
            for status in batch.statuses:
                failed = failed or status.kind is StatusKind.ERROR
                if verbose or status.kind not in quiet:
                    _report(status)
    except BrokenPipeError:
        _silence_stdout(out)
        return 0
    except KeyboardInterrupt:
        return 130
    finally:
        stop.set()
        close = getattr(batches, "close", None)
        if close is not None:
            close()
    return EXIT_FAILED if failed else 0


def _report(status: LogStatus) -> None:
    echo(f"shipdeck: {status.line()}", err=True)


def _silence_stdout(out: TextIO) -> None:
    # The reader left (``| head``): point stdout at /dev/null so the final
    # flush at exit does not raise a second BrokenPipeError.
    try:
        fd = out.fileno()
    except (OSError, ValueError):
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)


if __name__ == "__main__":  # ``python -m cli.tail``: the command without the group
    tail()
