"""Fallback builds in the console: when CodeBuild is blocked, build the services here and push.

``FallbackScreen(context, project, region)`` shows the project's recipe (the
config file's ``[fallback.PROJECT]``) as a plan: checks, images to push, the
equivalent commands. ``s`` asks to confirm and starts the pool; the table then
follows every service (queued, building step n of m, pushing, done with digest
and size, failed with its error line, cancelled) from ``pool.statuses()``
polled every 200 ms, and ``enter`` shows a service's output, drained from the
pool's ``OutputFeed`` every 100 ms into a bounded log view. ``c`` cancels the
selected service, ``C`` all. Without a recipe, the screen offers to write one
from a folder. Every blocking call runs in a thread worker that only posts.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Input, Static

from tui.context import ConsoleContext
from tui.screens.base import ShipdeckScreen
from widgets.build_rows import BUILD_COLUMNS, ConfirmBuild, build_row
from widgets.footer import CoalescedFooter
from widgets.log_view import LogView
from widgets.resource_table import ResourceTable, TableRow

if TYPE_CHECKING:
    from actions.fallback import FallbackBuild, Recipe, ServiceStatus
    from actions.model import Outcome, Plan

POLL_SECONDS = 0.2  # rows
DRAIN_SECONDS = 0.1  # output
OUTPUT_LINES = 5_000  # kept per service, and shown
ENGINE_CHECK = "Docker engine reachable"
KEY_CHECKS = (ENGINE_CHECK, "ECR login")


def service_row(status: ServiceStatus) -> TableRow:
    """One service as a table row: progress while it runs, digest and size or the error after."""
    from actions.fallback import ServiceState
    from actions.fallback.status import format_size

    state = status.state
    progress, result = "", ""
    if state in (ServiceState.BUILDING, ServiceState.PUSHING):
        progress = status.describe()
    elif state is ServiceState.DONE:
        result = f"{status.digest[:19]}  {format_size(status.size)}"
    elif state in (ServiceState.FAILED, ServiceState.CANCELLED):
        result = status.error or status.detail
    elapsed = status.elapsed if status.started else None
    return build_row(status.service, state.value, progress, elapsed, result)


def plan_text(plan: Plan) -> Text:
    """The plan as a person reads it before saying yes: checks, images per repository, commands."""
    text = Text()
    text.append(plan.summary + "\n", style="bold")
    shown = [c for c in plan.checks if not c.passed or c.name in KEY_CHECKS]
    for check in shown:
        mark, style = ("✓", "green") if check.passed else ("✗", "bold red")
        text.append(f" {mark} ", style=style)
        text.append(f"{check.name}: {check.detail}\n", style="" if check.passed else "red")
    others = [c for c in plan.checks if c.passed and c.name not in KEY_CHECKS]
    if others:
        text.append(" ✓ ", style="green")
        text.append(f"{len(others)} more checks passed (context, Dockerfiles, repositories)\n")
    images: dict[str, list[str]] = {}
    for change in plan.changes:
        repository, _, tag = change.resource.rpartition(":")
        was = "new" if change.before == "(absent)" else f"was {change.before}"
        images.setdefault(repository, []).append(f"{tag} ({was})")
    text.append("images pushed\n", style="bold")
    for repository, tags in images.items():
        text.append(f"  {repository}: {', '.join(tags)}\n")
    text.append("equivalent commands\n", style="bold")
    for command in plan.commands:
        text.append(f"  $ {command}\n", style="dim")
    for note in plan.notes:
        text.append(f"  · {note}\n", style="italic")
    return text


@dataclass
class PlanReady(Message):
    """The plan was read (in a thread): the action to apply it, or why there is none."""

    action: FallbackBuild | None
    plan: Plan | None
    error: str = ""


@dataclass
class BuildEnded(Message):
    """``apply`` returned: every service finished, or it refused (stale plan, read-only)."""

    outcome: Outcome
    stale: Plan | None = None


class FallbackScreen(ShipdeckScreen):
    """Build a blocked project's services with the local Docker engine and push them to ECR."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "start", "Start", id="fallback.start", tooltip="Build and push (asks first)"),
        Binding("c", "cancel", "Cancel", id="fallback.cancel", tooltip="Cancel this service"),
        Binding("C", "cancel_all", "Cancel all", id="fallback.cancel-all"),
        Binding("enter", "output", "Output", id="fallback.output", tooltip="Service's output"),
        Binding("w", "write_recipe", "Write recipe", id="fallback.write-recipe"),
        Binding("escape", "back", "Back", id="back"),
    ]
    DEFAULT_CSS = """
    FallbackScreen #fallback-title {
        height: 1; padding: 0 1; text-style: bold; background: $boost;
    }
    FallbackScreen #fallback-notice { height: auto; padding: 0 1; }
    FallbackScreen #fallback-notice.-error { color: $text-error; background: $error 15%; }
    FallbackScreen #fallback-plan { height: auto; max-height: 14; padding: 0 1; }
    FallbackScreen #fallback-plan.-running { max-height: 4; }
    FallbackScreen #recipe-setup { height: auto; display: none; padding: 0 1; }
    FallbackScreen #recipe-setup.-open { display: block; }
    FallbackScreen #recipe-setup Horizontal { height: auto; }
    FallbackScreen #recipe-setup Input { width: 1fr; }
    FallbackScreen #services { height: 1fr; border-top: solid $primary 50%; }
    FallbackScreen LogView { height: 2fr; }
    """

    def __init__(
        self,
        context: ConsoleContext,
        project: str,
        region: str | None = None,
        *,
        services: tuple[str, ...] = (),
    ) -> None:
        super().__init__(context)
        self.project = project
        self.aws_region = region
        self.only = services  # a finding's fix builds just the services it names
        self.recipe: Recipe | None = None
        self.fallback: FallbackBuild | None = None
        self.plan: Plan | None = None
        self.running = False
        self.outcome: Outcome | None = None
        self.draft: Recipe | None = None  # a recipe previewed from a folder, not yet written
        self.shown_service: str | None = None
        self._output: dict[str, deque[tuple[int, str, str]]] = {}
        self._follow_timers: list[Timer] = []
        self._rows: dict[str, TableRow] = {}

    # --- layout ---------------------------------------------------------------

    def compose(self) -> ComposeResult:
        """Title, notice line, recipe setup, plan, services, output."""
        yield self.make_header()
        where = f" ({self.aws_region})" if self.aws_region else ""
        yield Static(f"fallback build: {self.project}{where}", id="fallback-title")
        yield Static("reading the recipe…", id="fallback-notice", markup=False)
        with Vertical(id="recipe-setup"):
            yield Static(
                f"no recipe [fallback.{self.project}]: build every sub-folder with a "
                "Dockerfile of this folder (enter previews, w writes it)",
                markup=False,
            )
            with Horizontal():
                yield Input(placeholder="folder, e.g. ~/src/backend", id="recipe-path")
                yield Input(value="{service}", placeholder="repository", id="recipe-repository")
            yield Static("", id="recipe-preview", markup=False)
        with VerticalScroll(id="fallback-plan"):
            yield Static("", id="plan-text")
        yield ResourceTable(BUILD_COLUMNS, id="services")
        yield CoalescedFooter()

    @property
    def table(self) -> ResourceTable:
        """The services table."""
        return self.query_one("#services", ResourceTable)

    def on_mount(self) -> None:
        """Find the recipe, then plan."""
        self.table.focus()
        self.load_recipe()

    def say(self, text: str, error: bool = False) -> None:
        """The one-line notice under the title."""
        notice = self.query_one("#fallback-notice", Static)
        notice.update(text)
        notice.set_class(error, "-error")

    # --- recipe -----------------------------------------------------------------

    def load_recipe(self) -> None:
        """The project's recipe from the settings; without one, open the folder prompt."""
        from actions.fallback import RecipeError, recipes_from_settings

        settings = self.context.settings
        base = settings.path.parent if settings.path else None
        try:
            recipes = recipes_from_settings(settings.fallback, base)
        except RecipeError as exc:
            self.say(f"{settings.path or 'config'}: {exc}", error=True)
            return
        self.recipe = recipes.get(self.project)
        if self.recipe is not None and self.only:
            from dataclasses import replace

            chosen = tuple(s for s in self.recipe.services if s in self.only)
            if not chosen:
                self.say(f"{', '.join(self.only)}: not in the recipe of {self.project}", error=True)
                return
            self.recipe = replace(self.recipe, services=chosen)
        if self.recipe is None:
            where = settings.path or "the config file"
            self.say(f"no recipe [fallback.{self.project}] in {where}")
            self.query_one("#recipe-setup").add_class("-open")
            self.query_one("#recipe-path", Input).focus()
            self.refresh_bindings()
            return
        self.query_one("#recipe-setup").remove_class("-open")
        self.table.set_rows([self._queued_row(s) for s in self.recipe.services])
        self.say(f"planning {len(self.recipe.services)} services…")
        self.make_plan(self.recipe)

    @staticmethod
    def _queued_row(service: str) -> TableRow:
        from actions.fallback import ServiceStatus

        return service_row(ServiceStatus(service))

    @on(Input.Submitted, "#recipe-path, #recipe-repository")
    def _preview_recipe(self) -> None:
        from actions.fallback import RecipeError, recipe_from_folder, recipe_to_toml

        path = self.query_one("#recipe-path", Input).value.strip()
        repository = self.query_one("#recipe-repository", Input).value.strip() or "{service}"
        preview = self.query_one("#recipe-preview", Static)
        try:
            self.draft = recipe_from_folder(Path(path), name=self.project, repository=repository)
        except RecipeError as exc:
            self.draft = None
            preview.update(Text(str(exc), style="red"))
        else:
            target = self.context.settings.path or _config_file()
            preview.update(
                recipe_to_toml(self.draft) + f"\n(w appends this to {target}; tab edits again)"
            )
            self.table.focus()  # so that w is a key, not a letter in the path
        self.refresh_bindings()

    def action_write_recipe(self) -> None:
        """Append the previewed recipe to the config file, then plan with it."""
        from actions.fallback import recipe_to_toml
        from cloud.settings import ConfigError, load_settings

        if self.draft is None:
            return
        path = self.context.settings.path or _config_file()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            old = path.read_text(encoding="utf-8") if path.exists() else ""
            gap = (
                "" if not old or old.endswith("\n\n") else ("\n" if old.endswith("\n") else "\n\n")
            )
            path.write_text(old + gap + recipe_to_toml(self.draft), encoding="utf-8")
            self.context.settings = load_settings(path)
        except (OSError, ConfigError) as exc:
            self.say(f"could not write the recipe: {exc}", error=True)
            return
        self.draft = None
        self.notify(f"recipe [fallback.{self.project}] written to {path}", timeout=4)
        self.load_recipe()
        self.table.focus()

    # --- plan and start ----------------------------------------------------------

    @work(
        thread=True,
        exclusive=True,
        group="fallback-plan",
        exit_on_error=False,
        description="plan the fallback build",
    )
    def make_plan(self, recipe: Recipe) -> None:
        """Thread: connect to the engine, log in to ECR, read the tags; post the plan."""
        from actions.audit import default_audit_log
        from actions.fallback import FallbackBuild, OutputFeed
        from actions.model import ActionError

        session = self.context.session
        try:
            action = FallbackBuild(
                session,
                recipe,
                region=recipe.region or self.aws_region,
                read_only=self.context.read_only,
                audit=default_audit_log(session.profile),
                feed=OutputFeed(),
            )
            plan = action.plan()
        except ActionError as exc:
            self.post_message(PlanReady(None, None, str(exc)))
            return
        self.post_message(PlanReady(action, plan))

    @on(PlanReady)
    def _plan_ready(self, message: PlanReady) -> None:
        self.fallback, self.plan = message.action, message.plan
        plan = message.plan
        if plan is None:
            self.say(message.error, error=True)
            return
        self.query_one("#plan-text", Static).update(plan_text(plan))
        engine = next((c for c in plan.checks if c.name == ENGINE_CHECK), None)
        failed = next((c for c in plan.checks if not c.passed), None)
        if engine is not None and not engine.passed:
            self.say(engine.detail, error=True)  # "no Docker engine is reachable at X (where)"
        elif failed is not None:
            self.say(f"cannot start: {failed.name}: {failed.detail}", error=True)
        elif self.context.read_only:
            self.say("read-only: the plan is shown, building is off")
        else:
            self.say(f"ready: {plan.summary} — s to start")
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Grey what cannot run now (None greys the key in the footer)."""
        if action == "start":
            ready = self.plan is not None and self.plan.ready and not self.running
            return None if self.context.read_only or not ready or self.outcome else True
        if action in ("cancel", "cancel_all"):
            return True if self.running else None
        if action == "write_recipe":
            return True if self.draft is not None else None if self.recipe is None else False
        return True

    def action_start(self) -> None:
        """Ask, then build and push."""
        plan, action = self.plan, self.fallback
        if plan is None or action is None or self.running or self.context.read_only:
            return
        count = len(action.recipe.services)

        def answered(yes: bool | None) -> None:
            if yes:
                self._begin(action, plan)

        self.app.push_screen(
            ConfirmBuild(
                f"{plan.summary}?\n({count} services, {action.recipe.parallel} at a time)"
            ),
            answered,
        )

    def _begin(self, action: FallbackBuild, plan: Plan) -> None:
        self.running = True
        self.query_one("#fallback-plan").add_class("-running")  # room for rows and output
        self.say(f"building {len(action.recipe.services)} services…")
        self._follow_timers = [
            self.set_interval(POLL_SECONDS, self._poll_rows),
            self.set_interval(DRAIN_SECONDS, self._drain_output),
        ]
        self.refresh_bindings()
        self.run_build(action, plan)

    @work(
        thread=True,
        exclusive=True,
        group="fallback-apply",
        exit_on_error=False,
        description="fallback build",
    )
    def run_build(self, action: FallbackBuild, plan: Plan) -> None:
        """Thread: apply the plan (returns when every service finished); post the outcome."""
        from actions.model import ActionError, Outcome, StalePlan

        try:
            outcome = action.apply(plan)
        except StalePlan as exc:
            self.post_message(BuildEnded(Outcome(False, "the registry changed"), exc.fresh))
            return
        except ActionError as exc:
            outcome = Outcome(False, str(exc))
        self.post_message(BuildEnded(outcome))

    @on(BuildEnded)
    def _build_ended(self, message: BuildEnded) -> None:
        self.running = False
        for timer in self._follow_timers:
            timer.stop()
        self._follow_timers = []
        self._poll_rows()
        self._drain_output()
        if message.stale is not None:
            self.plan = message.stale
            self.query_one("#plan-text", Static).update(plan_text(message.stale))
            self.say("the tags changed since the plan: read the new plan, s to start", error=True)
        else:
            self.outcome = message.outcome
            self.say(
                ("done: " if message.outcome.ok else "failed: ") + message.outcome.message,
                error=not message.outcome.ok,
            )
        self.refresh_bindings()

    # --- following ---------------------------------------------------------------

    def _poll_rows(self) -> None:
        action = self.fallback
        pool = action.pool if action is not None else None
        if pool is None:
            return
        rows = [service_row(s) for s in pool.statuses()]
        if any(self._rows.get(r.key) != r for r in rows):
            self._rows = {r.key: r for r in rows}
            self.table.set_rows(rows)

    def _drain_output(self) -> None:
        feed = self.fallback.feed if self.fallback is not None else None
        if feed is None:
            return
        batch = feed.drain(limit=OUTPUT_LINES)
        if not batch:
            return
        now_wall, now_mono = time.time(), time.monotonic()
        shown: list[tuple[int | None, str, str]] = []
        for line in batch:
            at = int((now_wall - (now_mono - line.at)) * 1000)
            item = (at, line.service, line.text)
            self._output.setdefault(line.service, deque(maxlen=OUTPUT_LINES)).append(item)
            if line.service == self.shown_service:
                shown.append(item)
        if shown:
            self.query_one("#output", LogView).write_batch(shown)

    async def action_output(self) -> None:
        """Show the selected service's output under the table (replacing another's)."""
        service = self.table.selected_key()
        if service is None:
            return
        self.shown_service = None  # lines drained meanwhile wait in the service's backlog
        await self.query("#output").remove()
        view = LogView(f"{service} output", max_lines=OUTPUT_LINES, id="output")
        await self.mount(view, before=self.query_one(Footer))
        view.write_batch(list(self._output.get(service, ())))
        self.shown_service = service

    @on(DataTable.RowSelected, "#services")
    async def _row_selected(self) -> None:
        await self.action_output()

    def action_cancel(self) -> None:
        """Cancel the selected service."""
        service = self.table.selected_key()
        if self.running and service is not None:
            self._cancel(service)

    def action_cancel_all(self) -> None:
        """Cancel every service not finished."""
        if self.running:
            self._cancel(None)

    @work(thread=True, group="fallback-cancel", exit_on_error=False, description="cancel")
    def _cancel(self, service: str | None) -> None:
        """Thread: cutting a stream may block briefly (a socket, a process)."""
        action = self.fallback
        if action is None:
            return
        if service is None:
            action.cancel_all()
        else:
            action.cancel(service)

    def action_back(self) -> None:
        """Back, unless builds are running (cancel them first)."""
        if self.running:
            self.notify("builds are running: C cancels them all, then escape", timeout=4)
            return
        self.dismiss()

    def on_unmount(self) -> None:
        """Never leave builds running unseen."""
        if self.running and self.fallback is not None:
            self.fallback.cancel_all()


def _config_file() -> Path:
    from cloud.settings import config_path

    return config_path()
