"""Rows as they arrive: a first read shows each listed row at once and fills in its details."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from tests.cloud.region_gate import RegionGate
from tests.tui.conftest import AppFactory, WorldAccess, settle
from tests.tui.helpers import pane, row_by_name, row_cells, screen_text, select_row, wait_for
from tui.panes.kind_pane import KindPane

DESCRIBE_IMAGES = "AmazonEC2ContainerRegistry_V20150921.DescribeImages"
LIST_BUILDS = "CodeBuild_20161006.ListBuildsForProject"


@pytest.fixture
def held_images(world: WorldAccess, monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """The world behind a front that holds every DescribeImages answer until released."""
    yield from _held(world, monkeypatch, DESCRIBE_IMAGES)


@pytest.fixture
def held_builds(world: WorldAccess, monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """The world behind a front that holds every ListBuildsForProject answer until released."""
    yield from _held(world, monkeypatch, LIST_BUILDS)


def _held(
    world: WorldAccess, monkeypatch: pytest.MonkeyPatch, held: str
) -> Iterator[threading.Event]:
    release = threading.Event()

    def hold(operation: str, answer: bytes) -> bytes:
        if operation == held:
            release.wait(60)
        return answer

    front = RegionGate(world.aws_endpoint)
    for region in world.regions:
        front.rewrites[region] = hold
    front.start()
    monkeypatch.setenv("AWS_ENDPOINT_URL", front.url)
    try:
        yield release
    finally:
        release.set()
        front.stop()


def names(shown: KindPane) -> set[str]:
    """The names the pane shows."""
    return {row_cells(shown.table, row)["name"] for row in shown.table.shown_rows}


async def test_repositories_show_before_their_images_and_fill_in(
    held_images: threading.Event, make_app: AppFactory
) -> None:
    app = make_app(fresh=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("1")
        repos = pane(app, "repositories")
        assert isinstance(repos, KindPane)
        # Each region lists on its own: wait for Tokyo's rows (the held images are not).
        await wait_for(pilot, lambda: "nova/cdn-service" in names(repos))
        await pilot.pause()
        row = row_by_name(app, "repositories", "nova/cdn-service")
        # Listed, not yet described: what is known shows, the rest says it is coming.
        assert row["region"] == "ap-northeast-1"
        assert (row["latest"], row["images"], row["flags"]) == ("…", "…", "…")
        assert "more coming…" in screen_text(app)
        # No action on half a record: the fix key of a missing latest is not offered yet.
        select_row(app, "repositories", "nova/cdn-service")
        assert repos.remediation_record() is None

        held_images.set()
        await wait_for(pilot, lambda: app.context.state.read(("ecr",)), timeout=60)
        await settle(pilot)
        row = row_by_name(app, "repositories", "nova/cdn-service")
        assert row["latest"] == "NO"
        assert row["images"] != "…"
        assert "more coming…" not in screen_text(app)
        assert repos.remediation_record() is not None


async def test_projects_show_before_their_builds_and_fill_in(
    held_builds: threading.Event, make_app: AppFactory
) -> None:
    app = make_app(fresh=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("2")
        builds = pane(app, "builds")
        assert isinstance(builds, KindPane)
        await wait_for(pilot, lambda: "mangoo-build-deploy" in names(builds))
        await pilot.pause()
        row = row_by_name(app, "builds", "mangoo-build-deploy")
        # Described, its builds not read yet: the project shows, its history is coming.
        assert row["region"] == "us-east-1"
        assert (row["status"], row["flags"]) == ("…", "…")
        assert "more coming…" in screen_text(app)
        select_row(app, "builds", "mangoo-build-deploy")
        assert builds.remediation_record() is None

        held_builds.set()
        await wait_for(pilot, lambda: app.context.state.read(("codebuild",)), timeout=60)
        await settle(pilot)
        row = row_by_name(app, "builds", "mangoo-build-deploy")
        assert row["status"].startswith("#")
        assert builds.remediation_record() is not None


async def test_quotas_show_before_the_running_builds_are_counted(
    held_builds: threading.Event, make_app: AppFactory
) -> None:
    app = make_app(fresh=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("4")
        quotas = pane(app, "quotas")
        assert isinstance(quotas, KindPane)
        large = "L-4DDC4A99"

        def row() -> dict[str, str] | None:
            for shown in quotas.table.shown_rows:
                cells = row_cells(quotas.table, shown)
                if cells["code"] == large and cells["region"] == "ap-northeast-1":
                    return cells
            return None

        await wait_for(pilot, lambda: row() is not None)
        # The values are read: they show; the running builds are still being counted.
        early = row()
        assert early is not None
        assert (early["applied"], early["effective"]) == ("none", "0")
        assert early["running"] == "…"
        held_builds.set()
        await wait_for(pilot, lambda: app.context.state.read(("quota",)), timeout=60)
        await settle(pilot)
        late = row()
        assert late is not None and late["running"] == "0"
