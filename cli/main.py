"""The ``shipdeck`` command: opens the console, or runs a headless command.

Bad input never ends in a traceback: a wrong profile, region, kube context,
config or scenario file prints one line naming what is wrong and exits 2.
Heavy imports (textual, boto3, the demo world) happen only once a command
knows it needs them, so ``--help`` and errors are instant.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

import click

from cli.action import action_command, audit_command
from cli.console import open_console
from cli.doctor import doctor_command
from cli.fallback import fallback_command
from cli.inputs import EXIT_BAD_INPUT, BadInput
from cli.output import echo
from cli.tail import tail
from cli.timeline import timeline_command
from cli.world import world_command


def _fail(message: str) -> NoReturn:
    echo(f"shipdeck: error: {message}", err=True)
    sys.exit(EXIT_BAD_INPUT)


def _version() -> str:
    # Read only for --version: importlib.metadata costs 40 ms of every start-up.
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("shipdeck")
    except PackageNotFoundError:
        return "0+unknown"


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        echo(f"shipdeck, version {_version()}")
        ctx.exit()


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--profile",
    "profiles",
    metavar="P",
    multiple=True,
    help="AWS profile (default: the config file, then env); repeat to show several at once.",
)
@click.option(
    "--region",
    "regions",
    metavar="R",
    multiple=True,
    help="AWS region; repeat to show several regions at once.",
)
@click.option("--context", metavar="C", help="Kubernetes context from your kubeconfig.")
@click.option("--read-only", is_flag=True, help="Make every remediation impossible.")
@click.option("--demo", is_flag=True, help="Open the console on the embedded incident world.")
@click.option(
    "--presenter",
    is_flag=True,
    help="Screen sharing: mask account ids, addresses, e-mail and secrets (ctrl+r toggles).",
)
@click.option(
    "--scenario",
    metavar="FILE",
    type=click.Path(path_type=Path, dir_okay=False),
    help="With --demo: the scenario file of the world (default: the seeded incidents).",
)
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show the version and exit.",
)
@click.pass_context
def cli(
    ctx: click.Context,
    profiles: tuple[str, ...],
    regions: tuple[str, ...],
    context: str | None,
    read_only: bool,
    demo: bool,
    presenter: bool,
    scenario: Path | None,
) -> None:
    """shipdeck: a keyboard-first console for incidents in AWS container delivery.

    Without a subcommand it opens the console on your AWS account and
    Kubernetes context (or, with --demo, on the embedded incident world).
    """
    ctx.ensure_object(dict)
    profile = profiles[0] if profiles else None
    ctx.obj.update(
        profile=profile, profiles=profiles, regions=regions, context=context, read_only=read_only
    )
    if ctx.invoked_subcommand is not None:
        if demo or scenario is not None or presenter:
            raise BadInput(
                "--demo, --scenario and --presenter open the console; use them without a subcommand"
            )
        return
    if scenario is not None and not demo:
        raise BadInput("--scenario goes with --demo")
    open_console(
        profile=profile,
        profiles=profiles,
        regions=regions,
        context=context,
        read_only=read_only,
        demo=demo,
        scenario=scenario,
        presenter=presenter,
    )


cli.add_command(action_command)
cli.add_command(audit_command)
cli.add_command(tail)
cli.add_command(fallback_command)
cli.add_command(doctor_command)
cli.add_command(timeline_command)
cli.add_command(world_command)


def _check_text(args: Sequence[str]) -> None:
    """Refuse an argument that is not UTF-8 text (Python hands its bytes over as surrogates).

    Such a value would fail later, far from here (the audit writer did, with a
    traceback); shown back with its bad bytes escaped, e.g. ``'ab\\xff'``.
    """
    for number, arg in enumerate(args, 1):
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            raw = arg.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
            raise BadInput(f"argument {number} is not UTF-8 text: '{raw}'") from None


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the ``shipdeck`` console script."""
    args = list(argv) if argv is not None else sys.argv[1:]
    try:
        _check_text(args)
        cli.main(args=args, standalone_mode=False)
    except BadInput as exc:
        _fail(str(exc))
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        sys.exit(130)
    except click.UsageError as exc:
        _fail(exc.format_message().splitlines()[0])
    except click.ClickException as exc:
        _fail(exc.format_message())


if __name__ == "__main__":
    main()
