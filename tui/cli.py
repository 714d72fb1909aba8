"""The ``shipdeck`` command: opens the console, or runs the demo world alone.

Bad input never ends in a traceback: a wrong profile, region, kube context,
config or scenario file prints one line naming what is wrong and exits 2.
Heavy imports (textual, boto3, the demo world) happen only once a command
knows it needs them, so ``--help`` and errors are instant.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

if TYPE_CHECKING:
    from cloud.session import CloudSession
    from cloud.settings import Settings
    from demo.launcher import WorldProcess

EXIT_BAD_INPUT = 2


class BadInput(Exception):
    """Input the person must fix; ``str()`` is the one line to show."""


def _fail(message: str) -> NoReturn:
    click.echo(f"shipdeck: error: {message}", err=True)
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
        click.echo(f"shipdeck, version {_version()}")
        ctx.exit()


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--profile", metavar="P", help="AWS profile (default: the config file, then env).")
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
    profile: str | None,
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
    ctx.obj.update(profile=profile, regions=regions, context=context, read_only=read_only)
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
        regions=regions,
        context=context,
        read_only=read_only,
        demo=demo,
        scenario=scenario,
        presenter=presenter,
    )


def _settings() -> Settings:
    from cloud.settings import ConfigError, load_settings

    try:
        return load_settings()
    except ConfigError as exc:
        raise BadInput(str(exc)) from exc


def _check_scenario(scenario: Path | None) -> None:
    if scenario is None:
        return
    from demo.scenario import ScenarioError, load_scenario

    try:
        load_scenario(scenario)
    except ScenarioError as exc:
        raise BadInput(str(exc)) from exc


@contextmanager
def _world(scenario: Path | None, port: int = 0) -> Iterator[WorldProcess]:
    """Start the demo world in a child process and stop it however we leave."""
    _check_scenario(scenario)
    try:
        from demo.launcher import start_world
        from demo.scenario import ScenarioError
    except ImportError as exc:  # the demo extra is not installed
        hint = "pip install 'shipdeck[demo]'"
        raise BadInput(f"the demo world needs the 'demo' extra ({hint}): {exc}") from exc
    try:
        world = start_world(scenario, port=port)
    except ScenarioError as exc:
        raise BadInput(str(exc)) from exc
    except (OSError, TimeoutError, RuntimeError) as exc:
        raise BadInput(f"the demo world did not start: {exc}") from exc
    try:
        yield world
    finally:
        world.stop()


def world_environment(world: WorldProcess) -> dict[str, str]:
    """The environment that points aws, kubectl and shipdeck at the world."""
    return world.env()


def _point_at_world(world: WorldProcess) -> None:
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_CONFIG_FILE"):
        os.environ.pop(name, None)
    # A config file that does not exist keeps a person's real profiles out of the demo.
    os.environ["AWS_CONFIG_FILE"] = os.devnull
    os.environ.update(world_environment(world))


def open_console(
    *,
    profile: str | None,
    regions: Sequence[str],
    context: str | None,
    read_only: bool,
    demo: bool,
    scenario: Path | None,
    presenter: bool = False,
) -> None:
    """Check every input, then run the console (on the demo world with ``demo``)."""
    settings = _settings()
    if demo:
        with _world(scenario) as world:
            _point_at_world(world)
            # The world writes a config with its fallback recipe (the sample backend);
            # the person's own keys, theme and recipes still win.
            world_settings = _settings()
            settings = replace(settings, fallback={**world_settings.fallback, **settings.fallback})
            _run_console(
                settings,
                profile=None,
                regions=regions or tuple(world.regions),
                context=context or world.kube_context,
                read_only=read_only or settings.read_only,
                badge="DEMO WORLD",
                presenter=presenter,
            )
        return
    _run_console(
        settings,
        profile=profile or settings.profile,
        regions=regions or settings.regions,
        context=context or settings.context,
        read_only=read_only or settings.read_only,
        badge=None,
        presenter=presenter,
    )


def _validate(session: CloudSession) -> None:
    from cloud.session import CloudConfigError

    try:
        session.validate()
    except CloudConfigError as exc:
        raise BadInput(str(exc)) from exc


def _session(profile: str | None, regions: Sequence[str], context: str | None) -> CloudSession:
    from cloud.session import CloudSession

    session = CloudSession(profile=profile, regions=regions, kube_context=context)
    _validate(session)
    return session


def cloud_session(options: Mapping[str, Any]) -> CloudSession:
    """The checked session for a subcommand: its global options over the config file."""
    settings = _settings()
    return _session(
        options.get("profile") or settings.profile,
        options.get("regions") or settings.regions,
        options.get("context") or settings.context,
    )


def _run_console(
    settings: Settings,
    *,
    profile: str | None,
    regions: Sequence[str],
    context: str | None,
    read_only: bool,
    badge: str | None,
    presenter: bool = False,
) -> None:
    from cloud.session import CloudConfigError
    from cloud.settings import ConfigError
    from tui.launch import run_console

    try:
        run_console(
            settings,
            profile=profile,
            regions=regions,
            context=context,
            read_only=read_only,
            badge=badge,
            presenter=presenter,
        )
    except (ConfigError, CloudConfigError) as exc:
        raise BadInput(str(exc)) from exc


@cli.command("world")
@click.option(
    "--scenario",
    metavar="FILE",
    type=click.Path(path_type=Path, dir_okay=False),
    help="The scenario file (default: the seeded incidents).",
)
@click.option("--port", type=click.IntRange(0, 65535), default=0, help="AWS endpoint port.")
def world_command(scenario: Path | None, port: int) -> None:
    """Run the demo world alone on loopback; print the shell lines to use it."""
    import shlex

    with _world(scenario, port=port) as world:
        env = world_environment(world)
        click.echo("# the shipdeck demo world is up; paste these lines into another shell:")
        for name, value in env.items():
            click.echo(f"export {name}={shlex.quote(value)}")
        if world.registry:
            click.echo(f"# registry (ECR's proxyEndpoint): {world.registry}")
        else:
            click.echo("# no local registry (docker-registry not found): pushes need --registry")
        click.echo("# then: aws ecr describe-repositories, kubectl get pods -A, shipdeck")
        config = Path(world.config_path) if world.config_path else None
        if world.registry and config and "[fallback." in config.read_text(encoding="utf-8"):
            click.echo("#       shipdeck fallback-build nova-ecr-build --yes")
        click.echo("# serving until Ctrl-C", err=True)
        _wait_for_interrupt(world)


def _wait_for_interrupt(world: WorldProcess) -> None:
    stop = False

    def _on_signal(_signum: int, _frame: Any) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, _on_signal)
    try:
        while not stop and world.running:
            time.sleep(0.5)
    except KeyboardInterrupt:
        click.echo("# stopping the world", err=True)
    if not world.running and not stop:
        raise BadInput("the demo world stopped unexpectedly")


def _register_subcommands() -> None:
    from tui.action_command import action_command, audit_command
    from tui.doctor_command import doctor_command
    from tui.fallback_command import fallback_command
    from tui.tail_command import tail
    from tui.timeline_command import timeline_command

    cli.add_command(action_command)
    cli.add_command(audit_command)
    cli.add_command(tail)
    cli.add_command(fallback_command)
    cli.add_command(doctor_command)
    cli.add_command(timeline_command)


_register_subcommands()


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the ``shipdeck`` console script."""
    try:
        cli.main(args=list(argv) if argv is not None else None, standalone_mode=False)
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
