"""The cursor never moves under the person: across refreshes it stays on the same row, and
when that row goes away it stays at the same position (no jump to the top)."""

from __future__ import annotations

from textual.app import App, ComposeResult

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
