"""The first reads come from a reader process; the console reads itself when it is gone."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap

import pytest

from cloud.model.kinds import pane
from cloud.session import CloudSession
from cloud.settings import Settings
from tests.tui.conftest import WorldAccess
from tests.tui.helpers import rows, wait_for
from tui.app import ShipdeckApp
from tui.flows.prefetch import Prefetch, ReaderLost
from widgets.resource_table import ResourceTable

SOURCES = ("repositories", "builds", "services", "quotas")
KINDS = tuple(kind for name in SOURCES for kind in pane(name).kinds)

# A fresh interpreter, as `shipdeck` is: single-threaded when it starts its reader.
CONSOLE = textwrap.dedent(
    """
    import json, sys
    from tui.launch import build_console
    from cloud.settings import Settings

    regions, context = sys.argv[1].split(","), sys.argv[2]
    app = build_console(
        Settings(), profile=None, regions=regions, context=context, read_only=False, badge=None
    )

    async def report(pilot):
        from textual.css.query import NoMatches
        from widgets.resource_table import ResourceTable
        sources = ("repositories", "builds", "services", "quotas")
        names = [f"table-{p}" for p in sources]

        def drawn():
            # Every pane drew its kinds read whole (not only the rows listed so far).
            try:
                panes = [app.screen_stack[0].pane(p) for p in sources]
            except (AttributeError, NoMatches):  # not composed yet
                return False
            return all(p.loaded and not p.arriving and p.table.row_count for p in panes)

        for _ in range(1500):
            if drawn():
                break
            await pilot.pause(0.02)
        tables = {t.id: t for t in app.query(ResourceTable) if t.id in names}
        seen = {
            name: [row.key for row in table.all_rows]
            for name, table in tables.items()
        }
        print(json.dumps({
            "rows": seen,
            "botocore_here": "botocore" in sys.modules,
            "account": app.context.account,
        }))
        app.exit()

    app.run(headless=True, size=(120, 36), auto_pilot=report)
    """
)


def test_the_console_shows_what_its_reader_process_read(world: WorldAccess) -> None:
    result = subprocess.run(
        [sys.executable, "-c", CONSOLE, ",".join(world.regions), world.kube_context or ""],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert any("nova/cdn-service" in name for name in report["rows"]["table-repositories"])
    assert any("nova-ecr-build" in name for name in report["rows"]["table-builds"])
    assert any("user-service" in name for name in report["rows"]["table-services"])
    assert report["rows"]["table-quotas"]
    # The reads ran in the reader: the console drew its panes without loading botocore.
    assert report["botocore_here"] is False
    assert report["account"] and report["account"].isdigit()


@pytest.mark.asyncio
async def test_a_reader_that_dies_early_is_replaced_by_reads_here(world: WorldAccess) -> None:
    prefetch = Prefetch.start(None, world.regions, world.kube_context)
    assert prefetch.reader_pid is not None
    os.kill(prefetch.reader_pid, signal.SIGKILL)  # before it can have sent anything
    session = CloudSession(regions=world.regions, kube_context=world.kube_context)
    prefetch.check(session)  # no verdict came: the session is checked here instead
    with pytest.raises(ReaderLost):
        prefetch.account().result(timeout=30)

    # A fresh reader for the console, killed before it sends anything.
    prefetch = Prefetch.start(None, world.regions, world.kube_context)
    assert prefetch.reader_pid is not None
    os.kill(prefetch.reader_pid, signal.SIGKILL)
    prefetch.check(session)

    app = ShipdeckApp(session, Settings(), prefetch=prefetch)
    async with app.run_test(size=(120, 36)) as pilot:
        # Every pane's kinds read whole here (rows that are only listed so far do not count).
        await wait_for(pilot, lambda: app.context.state.read(KINDS), timeout=60)
        await wait_for(pilot, lambda: all(rows(app, name) for name in SOURCES))
        tables = {t.id: t.row_count for t in app.query(ResourceTable)}
        assert any("nova-ecr-build" in row.key for row in rows(app, "builds"))
        assert any("nova/cdn-service" in row.key for row in rows(app, "repositories"))
        assert all(tables.get(f"table-{name}") for name in SOURCES)
