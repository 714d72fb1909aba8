"""``shipdeck fallback-build``: build a project's services here and push them to ECR, headless.

Like ``shipdeck action``: without ``--yes`` it prints the plan (images to push,
checks, equivalent docker lines) and changes nothing (exit 0). With ``--yes``
it builds N services at a time and prints one plain line per change of a
service's state (fit for CI logs), then a summary. Exit 0 only when every
service was pushed, 1 otherwise (130 after Ctrl-C, which cancels the builds
and undoes partial pushes). No Docker engine, bad input or read-only mode:
one line, exit 2.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from cli.inputs import BadInput, checked_settings, cloud_session

if TYPE_CHECKING:
    from actions.fallback import FallbackBuild, Recipe, ServiceStatus
    from actions.model import Outcome

EXIT_INTERRUPTED = 130


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
    from actions.fallback import FallbackBuild
    from actions.model import ActionError
    from actions.plan_text import plan_lines

    options: dict[str, Any] = ctx.obj or {}
    recipe = _recipe(project, context_dir, services, parallel, repository)
    session = cloud_session(options)
    printer = ProgressPrinter(verbose=verbose)
    try:
        action = FallbackBuild(
            session,
            recipe,
            read_only=bool(options.get("read_only")),
            audit=default_audit_log(session.profile),
            registry=registry,
            use_buildx={"auto": None, "buildx": True, "sdk": False}[engine],
            on_status=printer.status,
            on_line=printer.line if verbose else None,
        )
        plan = action.plan()
    except ActionError as exc:
        raise BadInput(str(exc)) from exc
    if action.engine is None:
        reason = next(c.detail for c in plan.checks if c.name == "Docker engine reachable")
        raise BadInput(reason)
    click.echo("\n".join(plan_lines(plan)))
    if not yes:
        click.echo("(plan only: add --yes to build and push)")
        return
    click.echo("")
    outcome, interrupted = _apply_interruptibly(action, plan)
    click.echo("")
    for line in summary_lines(action.pool.statuses() if action.pool else ()):
        click.echo(line)
    click.echo(("done: " if outcome.ok else "failed: ") + outcome.message)
    if interrupted:
        sys.exit(EXIT_INTERRUPTED)
    sys.exit(0 if outcome.ok else 1)


def _recipe(
    project: str,
    context_dir: Path | None,
    services: str | None,
    parallel: int | None,
    repository: str | None,
) -> Recipe:
    from dataclasses import replace

    from actions.fallback import RecipeError, recipe_from_config, recipe_from_folder

    settings = checked_settings()
    raw = settings.fallback.get(project)
    try:
        if raw is not None:
            base = settings.path.parent if settings.path else Path.cwd()
            checked = dict(raw)
            if repository:
                checked["repository"] = repository
            recipe = recipe_from_config(project, checked, base)
            if context_dir is not None:
                recipe = recipe.with_context(context_dir)
        elif context_dir is not None:
            recipe = recipe_from_folder(
                context_dir, name=project, repository=repository or "{service}"
            )
        else:
            known = ", ".join(sorted(settings.fallback)) or "none"
            where = settings.path or "the config file"
            raise BadInput(
                f"no recipe [fallback.{project}] in {where} (known: {known}); "
                "give --context DIR to build the Dockerfiles found there"
            )
        if services:
            recipe = recipe.only(s.strip() for s in services.split(",") if s.strip())
        if parallel is not None:
            recipe = replace(recipe, parallel=parallel)
    except RecipeError as exc:
        raise BadInput(str(exc)) from exc
    return recipe


def _apply_interruptibly(action: FallbackBuild, plan: Any) -> tuple[Outcome, bool]:
    """Apply on a worker thread; Ctrl-C cancels every build and waits for the undo."""
    from actions.model import ActionError, Outcome, ReadOnlyRefused

    result: list[Outcome | BaseException] = []

    def run() -> None:
        try:
            result.append(action.apply(plan))
        except ActionError as exc:  # handed to the main thread, which reports it
            result.append(exc)

    worker = threading.Thread(target=run, name="fallback-apply", daemon=True)
    worker.start()
    interrupted = False
    while worker.is_alive():
        try:
            worker.join(0.2)
        except KeyboardInterrupt:
            if interrupted:
                raise  # a second Ctrl-C: leave now
            interrupted = True
            click.echo("cancelling every build (Ctrl-C again to leave at once)...", err=True)
            action.cancel_all()
    found = result[0] if result else ActionError("the build stopped without an outcome")
    if isinstance(found, ReadOnlyRefused):
        raise BadInput(str(found))
    if isinstance(found, BaseException):
        return Outcome(False, str(found)), interrupted
    return found, interrupted


class ProgressPrinter:
    """One plain line per state change of a service (and with ``verbose``, every output line)."""

    def __init__(self, *, verbose: bool = False) -> None:
        self.verbose = verbose
        self._lock = threading.Lock()
        self._last: dict[str, tuple[str, int]] = {}
        self._width = 18

    def status(self, status: ServiceStatus) -> None:
        """Print the row if its state or build step changed (called on worker threads)."""
        key = (status.state.value, status.step)
        with self._lock:
            if self._last.get(status.service) == key:
                return
            self._last[status.service] = key
            self._width = max(self._width, len(status.service))
            click.echo(
                f"{status.elapsed:7.1f}s  {status.service:{self._width}}  {status.describe()}"
            )

    def line(self, service: str, text: str) -> None:
        """Print one output line, prefixed with its service."""
        with self._lock:
            click.echo(f"{'':9}{service:{self._width}} | {text}")


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
