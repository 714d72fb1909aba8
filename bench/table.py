"""How long a resource table takes to show a change, at 1,000 and 10,000 rows.

Mounts ``widgets.resource_table.ResourceTable`` in a headless app (120x36) and,
for each row count, measures the time from the change until the screen has
been repainted (``call_after_refresh``): the first fill, a refresh of every row
(one cell changed in each), each keystroke of a filter, clearing the filter, a
cursor move, a sort. The same operations on Textual's ``DataTable`` (the table
the console used before) are the comparison, in the same run.

Then what a refresh sends to the terminal, with the cursor on a row mid-screen:
the frames (screen updates) and the lines they rewrite when nothing, one
visible row, or every row changed; the cursor must stay on its row.

    .venv/bin/python bench/table.py [--rows 1000 10000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from textual._compositor import ChopsUpdate, LayoutUpdate
from textual.app import App, ComposeResult
from textual.widgets import DataTable

from widgets.resource_table import ResourceTable, TableColumn, TableRow

COLUMNS = ("KIND", "REGION", "CLUSTER/NS", "NAME", "READY", "FLAGS")
FILTER = "svc-12"


def cells(i: int, generation: int) -> tuple[str, ...]:
    kind = ("ecs", "k8s", "lambda")[i % 3]
    region = ("us-east-1", "eu-west-1", "ap-southeast-1")[i % 3]
    ready = f"{(i + generation) % 4}/3"
    flags = "1 pod CrashLoopBackOff: missing DATABASE_URL" if i % 97 == 0 else ""
    return (kind, region, f"cluster-{i % 40}", f"svc-{i:05d}", ready, flags)


class Bench(App[None]):
    def __init__(self, widget: Any) -> None:
        super().__init__()
        self.widget = widget

    def compose(self) -> ComposeResult:
        yield self.widget


class Frames:
    """The screen updates the app sends to the terminal: how many, and the lines each
    rewrites (a full-screen update counts every line)."""

    def __init__(self, app: App[Any]) -> None:
        self.lines: list[int] = []
        display = app._display

        def counted(screen: Any, renderable: Any) -> None:
            if isinstance(renderable, ChopsUpdate):
                self.lines.append(len({y for y, _, _ in renderable.spans}))
            elif isinstance(renderable, LayoutUpdate):
                self.lines.append(renderable.region.height)
            display(screen, renderable)

        app._display = counted  # type: ignore[method-assign]

    async def during(self, app: App[Any], change: Callable[[], object]) -> tuple[int, int]:
        """Frames sent and lines rewritten from ``change()`` until the screen was repainted."""
        self.lines.clear()
        change()
        done = asyncio.Event()
        app.call_after_refresh(done.set)
        await done.wait()
        return len(self.lines), sum(self.lines)


async def painted(app: App[Any], change: Callable[[], object]) -> float:
    """Milliseconds from ``change()`` until the screen has been repainted after it."""
    started = time.perf_counter()
    result = change()
    if isinstance(result, Awaitable):
        await result
    done = asyncio.Event()
    app.call_after_refresh(done.set)
    await done.wait()
    return (time.perf_counter() - started) * 1000


class Ours:
    name = "ResourceTable"

    def __init__(self) -> None:
        self.table = ResourceTable()

    def setup(self) -> None:
        self.table.set_columns([TableColumn(c.lower(), c) for c in COLUMNS])

    def fill(self, n: int, generation: int) -> None:
        self.table.set_rows([TableRow(key=str(i), cells=cells(i, generation)) for i in range(n)])

    def fill_rows(self, rows: list[TableRow]) -> None:
        self.table.set_rows(rows)

    def select(self, key: str) -> None:
        self.table.select_key(key)

    def selected(self) -> str | None:
        return self.table.selected_key()

    def filter(self, text: str) -> None:
        self.table.filter_text = text

    def down(self) -> None:
        self.table.action_cursor_down()

    def sort(self) -> None:
        self.table.action_sort_next()


class Theirs:
    """DataTable as the console drove it: every row re-added on a fill or a filter."""

    name = "DataTable"

    def __init__(self) -> None:
        self.table: DataTable[str] = DataTable(cursor_type="row")
        self.rows: list[tuple[str, tuple[str, ...]]] = []
        self.needle = ""

    def _show(self) -> None:
        self.table.clear()
        for key, row in self.rows:
            if not self.needle or any(self.needle in c.lower() for c in row):
                self.table.add_row(*row, key=key)

    def setup(self) -> None:
        self.table.add_columns(*COLUMNS)

    def fill(self, n: int, generation: int) -> None:
        self.rows = [(str(i), cells(i, generation)) for i in range(n)]
        self._show()

    def fill_rows(self, rows: list[TableRow]) -> None:
        """As the console did: the row under the cursor found again after the refill."""
        keep = self.selected()
        self.rows = [(row.key, tuple(str(c) for c in row.cells)) for row in rows]
        self._show()
        if keep is not None:
            self.select(keep)

    def select(self, key: str) -> None:
        self.table.move_cursor(row=self.table.get_row_index(key))

    def selected(self) -> str | None:
        if not self.table.row_count:
            return None
        return str(self.table.coordinate_to_cell_key(self.table.cursor_coordinate).row_key.value)

    def filter(self, text: str) -> None:
        self.needle = text.lower()
        self._show()

    def down(self) -> None:
        self.table.action_cursor_down()

    def sort(self) -> None:
        self.table.sort(self.table.ordered_columns[3].key, reverse=True)


async def run(kind: type[Ours] | type[Theirs], n: int, repeat: int) -> dict[str, list[float]]:
    subject = kind()
    app = Bench(subject.table)
    figures: dict[str, list[float]] = {}

    def note(name: str, ms: float) -> None:
        figures.setdefault(name, []).append(ms)

    async with app.run_test(size=(120, 36)):
        subject.setup()
        note("first fill", await painted(app, lambda: subject.fill(n, 0)))
        for generation in range(1, repeat + 1):
            note("refresh all rows", await painted(app, partial(subject.fill, n, generation)))
        for _ in range(repeat):
            for end in range(1, len(FILTER) + 1):
                typed = FILTER[:end]
                note("filter keystroke", await painted(app, partial(subject.filter, typed)))
            note("clear filter", await painted(app, lambda: subject.filter("")))
        for _ in range(repeat * 4):
            note("cursor move", await painted(app, subject.down))
        note("sort", await painted(app, subject.sort))
        # What a refresh sends to the terminal, the cursor on a row mid-screen.
        subject.fill(n, 0)
        subject.select("17")
        await painted(app, lambda: None)
        frames = Frames(app)
        for name, generation, changed in (
            ("refresh: nothing changed", 0, None),
            ("refresh: one row changed", 0, 17),  # the cursor's, so on screen
            ("refresh: every row changed", 1, None),
        ):
            made = [TableRow(key=str(i), cells=cells(i, generation)) for i in range(n)]
            if changed is not None:
                made[changed] = TableRow(str(changed), cells(changed, generation + 1))
            sent, lines = await frames.during(app, partial(subject.fill_rows, made))
            figures[f"{name} (frames/lines)"] = [float(sent), float(lines)]
            assert subject.selected() == "17", f"{subject.name}: the cursor left its row"
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-datatable", action="store_true", help="skip the comparison")
    args = parser.parse_args()
    kinds: list[type[Ours] | type[Theirs]] = [Ours] if args.no_datatable else [Ours, Theirs]
    for n in args.rows:
        print(f"{n:,} rows (ms until repainted: median / max)")
        results = {kind.name: asyncio.run(run(kind, n, args.repeat)) for kind in kinds}
        names = list(next(iter(results.values())))
        header = "  " + "operation".ljust(36) + "".join(k.name.rjust(22) for k in kinds)
        print(header)
        for name in names:
            line = "  " + name.ljust(36)
            for kind in kinds:
                values = results[kind.name][name]
                if name.endswith("(frames/lines)"):
                    line += f"{values[0]:10.0f} / {values[1]:8.0f}"
                else:
                    line += f"{statistics.median(values):10.1f} / {max(values):8.1f}"
            print(line)


if __name__ == "__main__":
    main()
