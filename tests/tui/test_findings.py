"""The findings pane: the console opens on what is wrong; enter shows why; the fix key fixes it.

The last test applies a fix, so the module runs against a world of its own
(ticking fast) with a temporary state directory for the audit log and the
findings the timeline is built from. The tests that only read come first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot

from cloud.session import CloudSession
from cloud.settings import Settings, load_settings
from demo.launcher import WorldProcess
from tests.support import running_world
from tests.tui.conftest import ManualClock
from tests.tui.helpers import (
    console,
    detail_text,
    modal,
    model_read,
    on_console,
    pane,
    row_cells,
    screen_text,
    settled_until,
    wait_for,
)
from tui.app import ShipdeckApp
from tui.panes.findings import FindingsPane
from tui.screens.finding_detail import FindingDetail
from tui.screens.timeline import TimelineScreen
from widgets.plan_preview import PlanPreview
from widgets.resource_table import ResourceTable

CDN_LATEST = "missing-tag:ap-northeast-1:nova/cdn-service:latest"
CLICKHOUSE = "missing-env:nova:nova-backend/user-service:CLICKHOUSE_URL"
BLOCKED = "builds-blocked:ap-northeast-1:nova-ecr-build"
FindingsApp = Callable[..., ShipdeckApp]


@pytest.fixture(scope="module")
def state_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where this module's audit log, findings state and exports go."""
    return tmp_path_factory.mktemp("findings-state")


@pytest.fixture(scope="module")
def findings_world(state_dir: Path) -> Iterator[WorldProcess]:
    """A world only these tests change; every client of this module points at it."""
    with running_world() as running, pytest.MonkeyPatch.context() as patch:
        # Its own state, not the world's: the tests read what the console wrote.
        patch.setenv("SHIPDECK_STATE_DIR", str(state_dir))
        yield running


@pytest.fixture(scope="module")
def findings_session(findings_world: WorldProcess) -> CloudSession:
    """One session on this module's world."""
    return CloudSession(
        regions=tuple(findings_world.regions), kube_context=findings_world.kube_context
    )


@pytest.fixture
def findings_app(findings_session: CloudSession) -> FindingsApp:
    """A console on this module's world."""

    def make(read_only: bool = False) -> ShipdeckApp:
        # As `make demo`: the world's config file brings its fallback recipe.
        world_settings = load_settings()
        return ShipdeckApp(
            findings_session,
            Settings(fallback=world_settings.fallback, path=world_settings.path),
            read_only=read_only,
            badge="DEMO WORLD",
            monotonic=ManualClock(),
        )

    return make


def findings(app: ShipdeckApp) -> FindingsPane:
    """The findings pane."""
    found = pane(app, "findings")
    assert isinstance(found, FindingsPane)
    return found


async def found(pilot: Pilot[None]) -> None:
    """Wait until the findings pane has shown the diagnosis of the whole account."""
    await model_read(pilot)
    await pilot.pause()


async def open_finding(pilot: Pilot[None], finding_id: str) -> FindingDetail:
    """Select the finding's row, press enter, and return its detail screen."""
    app = pilot.app
    assert isinstance(app, ShipdeckApp)
    assert findings(app).table.select_key(finding_id)
    await pilot.press("enter")
    detail = await modal(pilot, FindingDetail)
    assert isinstance(detail, FindingDetail)
    return detail


async def test_the_console_opens_on_the_seeded_findings(findings_app: FindingsApp) -> None:
    app = findings_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await found(pilot)
        assert console(app).current == "findings"
        assert findings(app).table.has_focus
        # every pane drew the same model version the findings come from
        version = app.context.state.version
        for name in ("findings", "repositories", "builds", "services", "quotas"):
            assert pane(app, name).version == version, name
        ids = set(findings(app).records)
        assert {CDN_LATEST, CLICKHOUSE, BLOCKED} <= ids
        assert any(i.startswith("buildcache-bloat:ap-northeast-1:nova/feed-service") for i in ids)
        table = findings(app).table
        order = [
            {"critical": 0, "warning": 1, "info": 2}[r.severity or "info"] for r in table.shown_rows
        ]
        assert order == sorted(order) and order[0] == 0
        cdn = next(row_cells(table, r) for r in table.shown_rows if r.key == CDN_LATEST)
        assert cdn["severity"] == "critical"
        assert cdn["name"] == "nova/cdn-service:latest is missing from ECR"
        assert cdn["fix"] == "f retag-latest +1 F:3"  # F: the three missing latest at once
        assert cdn["where"].startswith("ecr:nova/cdn-service")
        text = screen_text(app)
        assert "nova/cdn-service:latest is missing from ECR" in text
        assert "findings (" in text and "critical)" in text


async def test_enter_shows_evidence_cause_and_the_fix_commands(findings_app: FindingsApp) -> None:
    app = findings_app()
    async with app.run_test(size=(140, 50)) as pilot:
        await found(pilot)
        await open_finding(pilot, CLICKHOUSE)
        text = detail_text(app)
        assert "CLICKHOUSE_URL must be set" in text  # evidence: the crashed container's message
        assert "The container exits at start because CLICKHOUSE_URL is not in its environment" in (
            " ".join(text.split())
        )
        command = "shipdeck --context nova action wire-secret-env k8s:nova-backend/user-service"
        assert f"{command} --set name=CLICKHOUSE_URL" in text
        await pilot.press("escape")
        assert on_console(app)


async def test_a_fallback_fix_is_the_same_plan_preview_as_any_action(
    findings_app: FindingsApp,
) -> None:
    app = findings_app()
    async with app.run_test(size=(140, 50), notifications=True) as pilot:
        await found(pilot)
        detail = await open_finding(pilot, BLOCKED)
        fixes = [fix.action for fix in detail.finding.fixes]
        assert fixes[-1] == "fallback-build" and len(fixes) >= 3
        assert "no screen on a key yet" not in detail_text(app)
        assert app.screen.active_bindings[str(len(fixes))].enabled
        assert str(len(fixes) + 1) not in app.screen.active_bindings  # no such fix
        await pilot.press(str(len(fixes)))
        preview = await modal(pilot, PlanPreview)
        assert preview.data.title == "fallback-build  codebuild:nova-ecr-build"
        assert preview.data.where == "ap-northeast-1"
        assert any(name == "Docker engine reachable" for name, _, _ in preview.data.checks)
        # A risky plan: Cancel has the focus, enter cancels and nothing is built.
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is detail)


async def test_read_only_greys_the_fix_key(findings_app: FindingsApp) -> None:
    app = findings_app(read_only=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await found(pilot)
        assert findings(app).table.select_key(CDN_LATEST)
        await pilot.pause()
        fix = app.screen.active_bindings["f"]
        assert fix.binding.id == "finding.fix" and not fix.enabled
        await pilot.press("f")
        await pilot.pause()
        # A key that ran would have started its flow by now (it is marked at once).
        assert app.context.action_running is None
        assert not [w for w in app.workers if w.group == "remediation"]
        assert on_console(app)


async def test_fix_key_previews_applies_and_the_finding_goes(
    findings_app: FindingsApp, state_dir: Path
) -> None:
    app = findings_app()
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await found(pilot)
        assert findings(app).table.select_key(CDN_LATEST)
        await pilot.press("f")  # the same preview as t on the repositories pane
        preview = await modal(pilot, PlanPreview)
        assert preview.data.title == "retag-latest  ecr:nova/cdn-service"
        assert "aws ecr put-image --region ap-northeast-1 --repository-name nova/cdn" in (
            screen_text(app)
        )
        cursor = findings(app).table.cursor_row
        await pilot.press("enter")
        await wait_for(pilot, lambda: on_console(app))

        def gone() -> bool:
            return CDN_LATEST not in findings(app).records

        clock = app.context.monotonic
        assert isinstance(clock, ManualClock)
        await settled_until(pilot, clock.advance, gone)  # nothing read but by the console
        assert CLICKHOUSE in findings(app).records  # the others stay
        # The resolved row went; the cursor stayed where it was, and a notice said so.
        assert findings(app).table.cursor_row == cursor
        assert "nova/cdn-service:latest is missing from ECR" in screen_text(app)
        assert "resolved" in screen_text(app)

        # The timeline has the finding and the action, and ctrl+e writes both.
        await pilot.press("colon", *"timeline", "enter")
        timeline = await modal(pilot, TimelineScreen)
        assert isinstance(timeline, TimelineScreen)
        await wait_for(pilot, lambda: any(e.kind == "finding resolved" for e in timeline.events))
        kinds = {(e.kind, e.subject.split(" (")[0]) for e in timeline.events}
        assert ("finding seen", CDN_LATEST) in kinds
        assert ("finding resolved", CDN_LATEST) in kinds
        assert ("action apply", "retag-latest ecr:nova/cdn-service") in kinds
        assert ("action outcome", "retag-latest ecr:nova/cdn-service") in kinds
        table = timeline.query_one(ResourceTable)
        shown = [row_cells(table, r) for r in table.shown_rows]
        assert any(
            r["event"] == "action apply" and r["name"].startswith("retag-latest ecr:nova/cdn")
            for r in shown
        )
        resolved = next(r for r in shown if r["name"] == CDN_LATEST and "resolved" in r["event"])
        assert resolved["text"] == "nova/cdn-service:latest is missing from ECR"
        await pilot.press("ctrl+e")
        exports = state_dir / "timelines"
        await wait_for(pilot, lambda: exports.is_dir() and any(exports.iterdir()))
        [written] = list(exports.iterdir())
        markdown = written.read_text(encoding="utf-8")
        assert f"`{CDN_LATEST}`" in markdown
        assert "action apply" in markdown and "retag-latest ecr:nova/cdn-service" in markdown
        await wait_for(pilot, lambda: "timeline written" in screen_text(app))
