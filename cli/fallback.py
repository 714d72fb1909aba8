"""``shipdeck fallback-build``: build a project's services here and push them to ECR, headless.

The friendly twin of ``shipdeck action fallback-build codebuild:PROJECT
--set ...``: the same catalogue action, made by ``make_action`` with values
from the options. Without ``--yes`` it prints the plan (images to push,
checks, equivalent docker lines) and changes nothing (exit 0). With ``--yes``
it builds N services at a time and prints one plain line per change of a
service's state (fit for CI logs), then a summary. Exit 0 only when every
service was pushed, 1 otherwise (130 after Ctrl-C, which cancels the builds
and undoes partial pushes). No Docker engine, bad input or read-only mode:
one line, exit 2.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from cli.inputs import BadInput, checked_settings, cloud_session
from cli.output import echo
from cli.progress import EXIT_INTERRUPTED, StepPrinter, apply_interruptibly

if TYPE_CHECKING:
    from actions.fallback import ServiceStatus


@click.command("fallback-build")
@click.argument("project")
@click.option(
    "--context",
    "context_dir",
    metavar="DIR",
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder to build from (default: the recipe's; without a recipe: every "
    "sub-folder with a Dockerfile).",
)
@click.option("--services", metavar="A,B", help="Build only these services of the recipe.")
@click.option("--parallel", type=click.IntRange(1, 16), help="Builds at a time (default 2).")
@click.option(
    "--repository",
    metavar="TEMPLATE",
    help="ECR repository per service, e.g. 'nova/{service}' (default: the recipe's).",
)
@click.option(
    "--registry",
    metavar="HOST",
    help="Push to HOST[:PORT] instead of ECR's proxyEndpoint (a mirror, a local registry).",
)
@click.option(
    "--engine",
    type=click.Choice(["auto", "buildx", "sdk"]),
    default="auto",
    show_default=True,
    help="buildx when its plugin works, else the docker SDK's build API.",
)
@click.option("--yes", is_flag=True, help="Build and push (without it: only print the plan).")
@click.option("--verbose", "-v", is_flag=True, help="Also print every build and push line.")
@click.pass_context
def fallback_command(
    ctx: click.Context,
    project: str,
    context_dir: Path | None,
    services: str | None,
    parallel: int | None,
    repository: str | None,
    registry: str | None,
    engine: str,
    yes: bool,
    verbose: bool,
) -> None:
    """Build PROJECT's services with the local Docker engine and push them to ECR.

    The recipe is the config file's [fallback.PROJECT] table; without one,
    --context DIR builds every sub-folder of DIR that has a Dockerfile.
    """
    from actions.audit import default_audit_log
    from actions.catalogue import make_action
    from actions.fallback import ENGINE_CHECK, FallbackBuild
    from actions.model import ActionError, Outcome, ReadOnlyRefused
    from actions.plan_text import plan_lines

    options: dict[str, Any] = ctx.obj or {}
    given = {
        "services": services,
        "context": str(context_dir) if context_dir is not None else None,
        "parallel": str(parallel) if parallel is not None else None,
        "repository": repository,
        "registry": registry,
        "engine": engine,
    }
    values = {name: value for name, value in given.items() if value}  # as --set would give them
    settings = checked_settings()
    session = cloud_session(options)
    try:
        action = make_action(
            "fallback-build",
            f"codebuild:{project}",
            values,
            session,
            read_only=bool(options.get("read_only")),
            audit=default_audit_log(session.profile),
            progress=StepPrinter(verbose=verbose),
            settings=settings,
        )
        if yes:  # read-only: one line before the engine is looked for or anything read
            action.refuse_if_read_only()
        plan = action.plan()
    except ActionError as exc:
        raise BadInput(str(exc)) from exc
    assert isinstance(action, FallbackBuild)  # the catalogue's fallback-build
    engine_check = next((c for c in plan.checks if c.name == ENGINE_CHECK), None)
    if engine_check is not None and not engine_check.passed:
        raise BadInput(engine_check.detail)
    echo("\n".join(plan_lines(plan)))
    if not yes:
        echo("(plan only: add --yes to build and push)")
        return
    echo("")
    outcome, interrupted = apply_interruptibly(action, plan)
    if isinstance(outcome, ReadOnlyRefused):
        raise BadInput(str(outcome))
    if isinstance(outcome, ActionError):
        outcome = Outcome(False, str(outcome))
    echo("")
    for line in summary_lines(action.statuses() if action.pool else ()):
        echo(line)
    echo(("done: " if outcome.ok else "failed: ") + outcome.message)
    if interrupted:
        sys.exit(EXIT_INTERRUPTED)
    sys.exit(0 if outcome.ok else 1)


def summary_lines(statuses: tuple[ServiceStatus, ...]) -> list[str]:
    """The final table: one line per service with its state, time and image or error."""
    from actions.fallback import ServiceState
    from actions.fallback.status import format_size

    if not statuses:
        return []
    width = max(len(s.service) for s in statuses)
    lines = []
    for s in statuses:
        if s.state is ServiceState.DONE:
            what = f"{s.digest[:19]}  {format_size(s.size):>9}  {', '.join(s.images)}"
        elif s.state is ServiceState.FAILED:
            what = s.error
        else:
            what = s.describe()
        lines.append(f"{s.service:{width}}  {s.state.value:9}  {s.elapsed:6.1f}s  {what}")
    return lines
