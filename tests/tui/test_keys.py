"""Keys: panes, the : command line, the / filter, help, refresh, the keymap, the palette."""

from __future__ import annotations

from pathlib import Path

from textual import events
from textual.command import CommandList, CommandPalette

from cloud.settings import Settings
from tests.tui.conftest import AppFactory, settle
from tests.tui.helpers import console, on_console, pane, rows, select_row, wait_for
from tui.app import ShipdeckApp
from widgets.command_line import CommandLine
from widgets.footer import KeyFooter
from widgets.key_help import KeyHelp
from widgets.status_bar import StatusBar

EXPECTED_IDS = {
    "pane.findings",
    "pane.repositories",
    "pane.builds",
    "pane.services",
    "pane.quotas",
    "command-line",
    "filter",
    "refresh",
    "help",
    "quit",
    "open",
    "sort",
    "back",
    "palette",
    "finding.fix",
    "finding.fix-2",
    "presenter",
    "timeline.export",
}


def test_binding_ids_cover_every_key() -> None:
    assert not EXPECTED_IDS - ShipdeckApp.binding_ids()


async def test_number_keys_switch_panes(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        for key, name in (
            ("2", "builds"),
            ("3", "services"),
            ("4", "quotas"),
            ("1", "repositories"),
        ):
            await pilot.press(key)
            assert console(app).current == name
            assert pane(app, name).table.has_focus


async def test_command_line_switches_and_rejects_unknown(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("colon", *"builds", "enter")
        await pilot.pause()
        assert console(app).current == "builds"
        await pilot.press("colon", *"repos", "enter")
        await pilot.pause()
        assert console(app).current == "repositories"
        await pilot.press("colon", *"svc", "enter")
        await pilot.pause()
        assert console(app).current == "services"
        await pilot.press("colon", *"nonsense", "enter")
        await pilot.pause()
        assert console(app).current == "services"
        message = app.screen.query_one(StatusBar).message
        assert "unknown command 'nonsense'" in message
        assert pane(app, "services").table.has_focus


async def test_filter_is_incremental_and_escape_clears(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("1")
        total = len(rows(app, "repositories"))
        await pilot.press("slash", *"cdn")
        await pilot.pause()
        shown = rows(app, "repositories")
        assert [r.key for r in shown] == ["ecr:nova/cdn-service@ap-northeast-1"]
        assert "cdn" in str(pane(app, "repositories").border_subtitle)
        await pilot.press("escape")
        await pilot.pause()
        assert len(rows(app, "repositories")) == total
        # enter keeps the filter; escape on the table clears it
        await pilot.press("slash", *"nova/", "enter")
        await pilot.pause()
        assert 0 < len(rows(app, "repositories")) < total
        assert pane(app, "repositories").table.has_focus
        await pilot.press("escape")
        await pilot.pause()
        assert len(rows(app, "repositories")) == total


def burst(app: ShipdeckApp, text: str) -> None:
    """Keys as a terminal delivers a burst (a paste, a fast typist over SSH): all queued
    at once, before the first has been handled."""
    names = {"/": "slash", ":": "colon", "\n": "enter"}
    for char in text:
        app.post_message(events.Key(names.get(char, char), None if char == "\n" else char))


async def test_keys_typed_in_one_burst_all_land_in_the_prompt(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("2")  # builds: "s" would start a build, "u" unlimit a project
        burst(app, "/nova-ecr-build\n")
        table = pane(app, "builds").table
        prompt = console(app).query_one(CommandLine)
        # Until the burst has been handled (the prompt opened, took every key, closed and
        # gave the focus back), or long enough to be sure it was not.
        await wait_for(
            pilot,
            lambda: (
                table.filter_text == "nova-ecr-build" and not prompt.is_open and table.has_focus
            ),
            timeout=30,
        )
        assert table.filter_text == "nova-ecr-build"
        assert [r.key for r in table.shown_rows] == ["codebuild:nova-ecr-build@ap-northeast-1"]
        assert on_console(app) and table.has_focus  # no preview opened by a stray key
        burst(app, ":repos\n")
        await wait_for(pilot, lambda: console(app).current != "builds", timeout=30)
        assert console(app).current == "repositories"


async def test_help_lists_every_binding_id(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, KeyHelp)
        from textual.widgets import DataTable

        table: DataTable[str] = app.screen.query_one(DataTable)
        ids = {str(table.get_row_at(i)[3]) for i in range(table.row_count)}
        assert not EXPECTED_IDS - ids
        await pilot.press("escape")
        assert on_console(app)


async def test_refresh_keeps_the_cursor_row(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("1")
        select_row(app, "repositories", "nova/search-service")
        table = pane(app, "repositories").table
        before = pane(app, "repositories").read_at
        key = table.selected_key()
        assert key == "ecr:nova/search-service@ap-northeast-1"
        await pilot.press("r")
        await settle(pilot)
        assert pane(app, "repositories").read_at != before  # read again
        assert table.selected_key() == key


async def test_keymap_remaps_bindings(make_app: AppFactory) -> None:
    settings = Settings(keys={"pane.builds": "b", "pane.quotas": "f4"})
    app = make_app(settings=settings)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        assert console(app).current == "findings"
        await pilot.press("b")
        assert console(app).current == "builds"
        await pilot.press("f4")
        assert console(app).current == "quotas"
        assert app.is_running


async def test_palette_offers_the_keys(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"Quotas")
        hits = app.screen.query_one(CommandList)
        # The palette searches in a worker: wait for its best hit to be the pane.
        await wait_for(
            pilot,
            lambda: (
                hits.highlighted is not None
                and "quotas" in str(hits.get_option_at_index(hits.highlighted).prompt).lower()
            ),
        )
        await pilot.press("enter")
        await wait_for(pilot, lambda: console(app).current == "quotas")


async def test_palette_lists_the_rows_actions_before_cursor_moves(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        select_row(app, "services", "user-service")
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
        listed = app.screen.query_one(CommandList)
        await wait_for(pilot, lambda: listed.option_count > 10)
        titles = [str(listed.get_option_at_index(i).prompt) for i in range(listed.option_count)]
        first = next(i for i, t in enumerate(titles) if "secret" in t.lower())  # W, a row action
        moves = [i for i, t in enumerate(titles) if t.split("\n")[0] in ("Up", "Down")]
        assert moves and first < min(moves), titles


async def test_help_and_quit_stay_in_the_footer_at_80x24(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for name in ("1", "3", "4", "0"):  # every pane: its own keys crowd the line
            await pilot.press(name)
            await pilot.pause()
            footer = app.screen.query_one(KeyFooter).render().plain
            assert "? Keys" in footer and "q Quit" in footer and "^p Palette" in footer, footer
            assert len(footer) <= 80


async def test_q_quits(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


def test_every_node_that_runs_workers_reports_their_failures() -> None:
    """A worker's failure reaches the app's one handler only from a node with ReportsWorkers.

    Textual posts ``Worker.StateChanged`` to the node that started the worker and does not
    bubble it, so every class that starts workers on itself must report them.
    """
    import ast
    import importlib
    import inspect

    from tui.context.workers import ReportsWorkers

    root = Path(__file__).resolve().parents[2]
    runners: list[str] = []
    for path in sorted((root / "tui").rglob("*.py")):
        module = ".".join(path.relative_to(root).with_suffix("").parts)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ClassDef):
                continue
            source = ast.unparse(node)
            if "self.run_worker(" not in source and "@work" not in source:
                continue
            cls = getattr(importlib.import_module(module), node.name)
            if inspect.isclass(cls) and not issubclass(cls, ReportsWorkers):
                runners.append(f"{module}.{node.name}")
    assert not runners, f"these run workers but do not report their failures: {runners}"
