"""80x24 first: the problem text, names and READY never leave a narrow terminal."""

from __future__ import annotations

from textual.app import App, ComposeResult

from tests.tui.conftest import AppFactory, settle
from tests.tui.helpers import pane
from widgets.action_form import ActionForm, FormField
from widgets.header_bar import HeaderBar
from widgets.resource_table import KEEP, ResourceTable, TableColumn, TableRow

KEYS = {"findings": "0", "repositories": "1", "builds": "2", "services": "3", "quotas": "4"}
KEPT = {
    "findings": ("SEV", "FINDING"),
    "repositories": ("REPOSITORY", "FLAGS", "LATEST"),
    "builds": ("PROJECT", "FLAGS", "LAST BUILD"),
    "services": ("KIND", "NAME", "READY", "FLAGS"),
    "quotas": ("NAME", "EFFECTIVE", "FLAGS"),
}


async def test_every_pane_keeps_its_problem_columns_at_80x24(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for name, labels in KEPT.items():
            await pilot.press(KEYS[name])
            await pilot.pause()
            table = pane(app, name).table
            header = table.render_line(0).text
            assert len(header.rstrip()) <= table.scrollable_content_region.width
            for label in labels:
                assert label in header, f"{name}: {label} missing from {header!r}"


class Narrow(App[None]):
    """One table with a kept problem column between columns that may go."""

    def compose(self) -> ComposeResult:
        yield ResourceTable(
            [
                TableColumn("region", "REGION"),
                TableColumn("name", "NAME", keep=KEEP),
                TableColumn("flags", "FLAGS", keep=KEEP),
                TableColumn("image", "IMAGE", keep=0),
                TableColumn("age", "AGE"),
            ]
        )


async def test_columns_go_least_wanted_first_and_cut_text_ends_in_an_ellipsis() -> None:
    app = Narrow()
    row = TableRow(
        "a",
        ("ap-northeast-1", "frontend-service", "2 tasks could not pull the image", "x" * 30, "4d"),
    )
    async with app.run_test(size=(60, 5)) as pilot:
        table = app.query_one(ResourceTable)
        table.set_rows([row])
        await pilot.pause()
        header, line = table.render_line(0).text, table.render_line(1).text
        # IMAGE (the least wanted) went first, then AGE (the rightmost of the rest).
        assert "IMAGE" not in header and "AGE" not in header
        assert "NAME" in header and "FLAGS" in header
        assert "frontend-service" in line and "2 tasks could not pull" in line
        await pilot.resize_terminal(30, 5)
        await pilot.pause()
        line = table.render_line(1).text
        # Only what is kept, narrowed; the cut text says it was cut.
        assert "REGION" not in table.render_line(0).text
        assert "…" in line and line.startswith("  frontend")


class FormApp(App[None]):
    """The wire-secret-env form, the longest the console asks."""

    def on_mount(self) -> None:
        fields = [
            FormField("name", "the environment variable", value="CLICKHOUSE_URL", help="h"),
            FormField("secret", "the secret's name (default: DEPLOYMENT-secrets)", help="h"),
            FormField("key", "the key in the secret", help="h"),
            FormField("container", "the container (default: the first)", help="h"),
            FormField("value", "the secret value (typed, never shown)", secret=True, help="h"),
        ]
        self.push_screen(ActionForm("Put a secret into a deployment's environment", fields))


async def test_a_long_form_keeps_its_buttons_on_an_80x24_screen() -> None:
    app = FormApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        form = app.screen
        inside = form.query_one("#form-box").content_region
        for part in ("#form-plan", "#form-cancel", "#form-hint"):
            region = form.query_one(part).region
            assert inside.contains_region(region), f"{part} {region} is cut off by {inside}"
        # The fields scroll instead: the last one is reached with tab.
        await pilot.press("tab", "tab", "tab", "tab")
        value = form.query_one("#field-value")
        assert value.has_focus and inside.contains_region(value.region)


async def test_the_header_never_ends_in_a_bare_label(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        line = app.screen.query_one(HeaderBar).render().plain
        assert not line.rstrip(" …").endswith("regions"), line
        assert line.rstrip().endswith(("regions 3", "+2")), line
    app = make_app()
    async with app.run_test(size=(160, 24)) as pilot:
        await settle(pilot)
        assert "regions ap-northeast-1, ap-southeast-1, us-east-1" in (
            app.screen.query_one(HeaderBar).render().plain
        )


async def test_o_sorts_only_by_columns_on_screen() -> None:
    app = Narrow()
    async with app.run_test(size=(30, 5)) as pilot:
        table = app.query_one(ResourceTable)
        cells = ("ap-northeast-1", "frontend-service", "2 tasks could not pull", "x" * 30, "4d")
        table.set_rows([TableRow("a", cells)])
        table.focus()
        await pilot.pause()
        assert "REGION" not in table.render_line(0).text  # no room for it at 30 columns
        await pilot.press("o")
        assert table.sorted_by == ("name", False)
        assert "↑" in table.render_line(0).text  # the arrow shows where the person looks
