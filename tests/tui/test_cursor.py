"""The cursor never moves under the person: across refreshes it stays on the same row, and
when that row goes away it stays at the same position (no jump to the top)."""

from __future__ import annotations

from textual.app import App, ComposeResult

from tests.tui.helpers import screen_text
from widgets.resource_table import ResourceTable, TableColumn, TableRow


class TableApp(App[None]):
    """One resource table."""

    def compose(self) -> ComposeResult:
        """The table."""
        yield ResourceTable([TableColumn("name", "NAME")])


def rows(*names: str) -> list[TableRow]:
    return [TableRow(name, (name,)) for name in names]


async def test_the_cursor_follows_its_row_and_keeps_its_place_when_the_row_goes() -> None:
    app = TableApp()
    async with app.run_test() as pilot:
        table = app.query_one(ResourceTable)
        table.focus()
        table.set_rows(rows("a", "b", "c", "d", "e"))
        await pilot.pause()
        assert table.selected_key() == "a"
        await pilot.press("down", "down")
        assert table.selected_key() == "c"
        table.set_rows(rows("e", "d", "c", "b", "a"))  # a refresh reorders the rows
        await pilot.pause()
        assert table.selected_key() == "c" and table.cursor_row == 2
        table.set_rows(rows("e", "d", "b", "a"))  # its finding was resolved: the row goes
        await pilot.pause()
        assert table.cursor_row == 2 and table.selected_key() == "b"
        table.set_rows(rows("e"))  # fewer rows than the position: the last one
        await pilot.pause()
        assert table.selected_key() == "e"


async def test_before_the_person_moves_the_cursor_stays_on_the_first_row() -> None:
    app = TableApp()
    async with app.run_test() as pilot:
        table = app.query_one(ResourceTable)
        table.focus()
        table.set_rows(rows("b", "c", "a"))
        await pilot.pause()
        table.set_rows(rows("a", "b", "c"))  # the first full read sorts problems first
        await pilot.pause()
        assert table.cursor_row == 0 and table.selected_key() == "a"


async def test_home_and_end_go_to_the_first_and_last_row() -> None:
    app = TableApp()
    async with app.run_test() as pilot:
        table = app.query_one(ResourceTable)
        table.focus()
        table.set_rows(rows(*"abcdefgh"))
        await pilot.press("end")
        assert table.selected_key() == "h"
        await pilot.press("home")
        assert table.selected_key() == "a"


class TwoColumnApp(App[None]):
    """A table of names and sizes, small enough to see every line."""

    def compose(self) -> ComposeResult:
        """The table."""
        yield ResourceTable([TableColumn("name", "NAME"), TableColumn("size", "SIZE")])


def sized(*pairs: tuple[str, str]) -> list[TableRow]:
    return [TableRow(name, (name, size)) for name, size in pairs]


def screen_lines(table: ResourceTable) -> list[str]:
    """The table's lines as a terminal would show them, trailing spaces cut."""
    return [table.render_line(y).text.rstrip() for y in range(table.size.height)]


async def test_o_sorts_by_each_column_in_turn_and_shift_o_reverses() -> None:
    app = TwoColumnApp()
    async with app.run_test(size=(40, 8)) as pilot:
        table = app.query_one(ResourceTable)
        table.focus()
        table.set_rows(
            sized(("web-10", "10 MiB"), ("web-2", "9 MiB"), ("api", "…"), ("Zed", "100 MiB"))
        )
        await pilot.press("down")  # the cursor on web-2
        await pilot.press("o")
        await pilot.pause()
        assert screen_lines(table)[:5] == [
            "  NAME↑   SIZE",
            "  api     …",
            "  web-2   9 MiB",
            "  web-10  10 MiB",
            "  Zed     100 MiB",
        ]
        assert table.selected_key() == "web-2", "sorting keeps the cursor on its row"
        await pilot.press("o")  # by size, numbers by value, the one still loading last
        assert [r.key for r in table.shown_rows] == ["web-2", "web-10", "Zed", "api"]
        await pilot.press("O")
        assert [r.key for r in table.shown_rows] == ["Zed", "web-10", "web-2", "api"]
        await pilot.pause()
        assert screen_lines(table)[0] == "  NAME    SIZE↓"
        table.set_rows(sized(("a", "1 MiB"), ("b", "300 MiB")))  # a refresh stays sorted
        assert [r.key for r in table.shown_rows] == ["b", "a"]
        await pilot.press("o")  # past the last column: back to the order the screen gave
        assert [r.key for r in table.shown_rows] == ["a", "b"]
        assert table.sorted_by is None


async def test_a_narrow_column_keeps_its_sort_arrow() -> None:
    app = TwoColumnApp()
    async with app.run_test(size=(40, 8)) as pilot:
        table = app.query_one(ResourceTable)
        table.set_columns([TableColumn("name", "NAME"), TableColumn("latest", "LATEST", width=4)])
        table.set_rows([TableRow("a", ("a", "yes")), TableRow("b", ("b", "NO"))])
        table.sort_by("latest")
        await pilot.pause()
        assert screen_lines(table)[:3] == ["  NAME  LA…↑", "  b     NO", "  a     yes"]


async def test_the_filter_narrows_what_is_drawn_and_clearing_it_brings_all_back() -> None:
    app = TwoColumnApp()
    async with app.run_test(size=(40, 8)) as pilot:
        table = app.query_one(ResourceTable)
        table.set_rows(sized(*((f"svc-{n}", f"{n} MiB") for n in range(10_000))))
        table.filter_text = "svc-99"
        await pilot.pause()
        assert table.row_count == 111  # svc-99 and svc-990…svc-9999
        assert screen_lines(table)[1:3] == ["  svc-99    99 MiB", "  svc-990   990 MiB"]
        table.filter_text = "svc-999"  # typing on narrows
        await pilot.pause()
        assert table.row_count == 11
        table.filter_text = "nothing"
        await pilot.pause()
        assert table.row_count == 0 and screen_lines(table)[1] == ""
        table.filter_text = ""
        await pilot.pause()
        assert table.row_count == 10_000 and screen_lines(table)[1] == "  svc-0     0 MiB"


async def test_a_refresh_shows_the_rows_that_changed_and_keeps_the_cursor() -> None:
    app = TwoColumnApp()
    async with app.run_test(size=(40, 8)) as pilot:
        table = app.query_one(ResourceTable)
        table.focus()
        before = [(f"svc-{n}", f"{n} MiB") for n in range(1000)]
        table.set_rows(sized(*before))
        await pilot.press("down", "down")
        # Only two rows on screen change (one under the cursor), the rest are as they were:
        # the terminal is sent those two lines, and shows them.
        after = list(before)
        after[2] = ("svc-2", "GROWING")
        after[4] = ("svc-4", "GONE")
        table.set_rows(sized(*after))
        await pilot.pause()
        shown = screen_text(app)
        assert "svc-2 GROWING" in shown and "svc-4 GONE" in shown
        assert "svc-3 3 MiB" in shown and table.selected_key() == "svc-2"
        table.set_rows(sized(*before))  # and back
        await pilot.pause()
        shown = screen_text(app)
        assert "svc-2 2 MiB" in shown and "svc-4 4 MiB" in shown
