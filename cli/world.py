"""``shipdeck world`` and the demo world's life around ``shipdeck --demo``.

The world runs in a child process; it is imported only here, and only once a
command starts it, so every other command (and ``--help``) runs without it.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import click

from cli.inputs import BadInput
from cli.output import echo, shown

if TYPE_CHECKING:
    from demo.launcher import WorldProcess


class ProgressLine:
    """What the world is doing while it starts: one line on a terminal, rewritten in place.

    The world says where it is (reading, starting, ``seeding 412 of 1,350 resources``);
    the wait lasts as long as those lines keep coming. Piped, it stays quiet (the
    exports on stdout are what a script reads).
    """

    def __init__(self, stream: TextIO | None = None, prefix: str = "# world: ") -> None:
        self._stream = stream if stream is not None else sys.stderr
        self._prefix = prefix
        self._shown = False

    def __call__(self, step: str) -> None:
        """Show ``step`` in place of the previous one."""
        if not self._stream.isatty():
            return
        # \r ESC[K is shipdeck's own drawing; the step may quote the scenario: made safe
        self._stream.write(f"\r\x1b[K{self._prefix}{shown(step)}…")
        self._stream.flush()
        self._shown = True

    def done(self, text: str = "") -> None:
        """End the line with ``text``, or wipe it without one (nothing when nothing was shown)."""
        if self._shown:
            self._stream.write("\r\x1b[K" + (f"{self._prefix}{shown(text)}\n" if text else ""))
            self._stream.flush()
            self._shown = False


@contextmanager
def demo_world(scenario: Path | None, port: int = 0) -> Iterator[WorldProcess]:
    """Start the demo world in a child process and stop it however we leave.

    The world checks its scenario itself (one line, exit 2, before it starts anything).
    """
    try:
        from demo.launcher import start_world
        from demo.scenario import ScenarioError
    except ImportError as exc:  # the demo extra is not installed
        hint = "pip install 'shipdeck[demo]'"
        raise BadInput(f"the demo world needs the 'demo' extra ({hint}): {exc}") from exc
    line = ProgressLine()
    try:
        world = start_world(scenario, port=port, on_progress=line)
    except ScenarioError as exc:
        line.done("the scenario cannot be used")
        raise BadInput(str(exc)) from exc
    except (OSError, TimeoutError, RuntimeError) as exc:
        line.done("did not start")
        raise BadInput(f"the demo world did not start: {exc}") from exc
    line.done(f"ready, seeded in {world.seeded_seconds:.1f}s")
    try:
        yield world
    finally:
        world.stop()


def world_environment(world: WorldProcess) -> dict[str, str]:
    """The environment that points aws, kubectl and shipdeck at the world."""
    return world.env()


def point_at_world(world: WorldProcess) -> None:
    """Point this process's clients at the world, and away from the person's profiles."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_CONFIG_FILE"):
        os.environ.pop(name, None)
    # Files that do not exist keep a person's real profiles out of the demo; the world's
    # own AWS config (in its environment) names the profiles on its account.
    os.environ["AWS_CONFIG_FILE"] = os.devnull
    os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
    os.environ.update(world_environment(world))


@click.command("world")
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

    # Started as a background job of a script, SIGINT comes ignored: "until Ctrl-C" holds
    # anyway, and from the moment the world is up a Ctrl-C stops it cleanly (exit 0).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    with demo_world(scenario, port=port) as world:
        try:
            env = world_environment(world)
            echo("# the shipdeck demo world is up; paste these lines into another shell:")
            for name, value in env.items():
                echo(f"export {name}={shlex.quote(value)}")
            for line in region_hints(world):
                echo(line)
            if world.registry:
                echo(f"# registry (ECR's proxyEndpoint): {world.registry}")
            else:
                echo("# no local registry (docker-registry not found): pushes need --registry")
            echo("# then: aws ecr describe-repositories, kubectl get pods -A, shipdeck")
            config = Path(world.config_path) if world.config_path else None
            if world.registry and config and "[fallback." in config.read_text(encoding="utf-8"):
                echo("#       shipdeck fallback-build nova-ecr-build --yes")
            echo("# serving until Ctrl-C", err=True)
            _wait_for_interrupt(world)
        except KeyboardInterrupt:  # while the lines were being printed
            echo("# stopping the world", err=True)


HINT_GROUPS = 4  # log groups named on a region's hint line


def region_hints(world: WorldProcess) -> list[str]:
    """One comment line per region the world serves: its log groups and how to reach them.

    The exports set one region; ``aws`` and awslogs see the others only when told
    (``--region``, awslogs ``--aws-region``). shipdeck reads them all (SHIPDECK_CONFIG).
    """
    from cloud.logs import list_log_groups
    from cloud.session import CloudSession

    point_at_world(world)  # this process only serves the world from here on
    session = CloudSession(regions=world.regions)
    lines = ["# regions (shipdeck reads them all; aws takes --region R, awslogs --aws-region R):"]
    for region in world.regions:
        fetched = list_log_groups(session.client, region)
        names = [group.name for group in fetched.records]
        shown_names = ", ".join(names[:HINT_GROUPS])
        if len(names) > HINT_GROUPS:
            shown_names += f" and {len(names) - HINT_GROUPS} more"
        if fetched.errors:
            what = f"log groups not read ({fetched.errors[0].line()})"
        else:
            what = f"log groups {shown_names}" if names else "no log groups"
        if region == world.default_region:
            lines.append(f"#   {region} (the default): {what}")
            continue
        example = f"aws --region {region} logs tail {names[0]}" if names else ""
        lines.append(f"#   {region}: {what}" + (f"; e.g. {example}" if example else ""))
    return lines


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
        echo("# stopping the world", err=True)
    if not world.running and not stop:
        raise BadInput("the demo world stopped unexpectedly")
