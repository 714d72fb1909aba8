"""Nova green from the keyboard: a fixed list of keys, counted, from the first findings screen.

A person who has just opened the console turns every Nova finding (critical
and warning) green with what the screen shows: the findings pane, ``f`` for a
finding's fix, ``F`` for every finding like it, ``j`` to move. The walk counts
every key pressed except the characters of secret values, and must stay within
40. Between keys the test only waits for what a person waits for: a form or
preview to open, the console to follow a change until the finding is gone.
The module runs against a world of its own, which the walk changes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot

from cloud.findings import Finding
from cloud.records import Severity
from cloud.session import CloudSession
from cloud.settings import Settings, load_settings
from demo.launcher import WorldProcess
from tests.support import running_world, until
from tests.tui.conftest import ManualClock
from tests.tui.helpers import modal, model_read, on_console, pane, settled_until, wait_for
from tui.app import ShipdeckApp
from tui.panes.findings import FindingsPane
from widgets.action_form import ActionForm
from widgets.plan_preview import PlanPreview

KEY_BUDGET = 40
BLOCKED = "builds-blocked:ap-northeast-1:nova-ecr-build"
MISSING_ENV = [
    "missing-env:nova:nova-backend/events-service:KAFKA_BROKERS",
    "missing-env:nova:nova-backend/user-service:CLICKHOUSE_URL",
    "missing-env:nova:nova-gateway/graphql-gateway:JWT_PRIVATE_KEY_PEM",
]
LATEST = [
    f"missing-tag:ap-northeast-1:nova/{s}:latest"
    for s in ("cdn-service", "events-service", "notification-service")
]
BUILDCACHE = [
    f"buildcache-bloat:ap-northeast-1:nova/{s}:buildcache"
    for s in (
        "feed-service",
        "graphql-gateway",
        "media-service",
        "messaging-service",
        "search-service",
        "streaming-service",
    )
]
NOT_READY = "not-ready:nova:nova-backend/messaging-service"


@pytest.fixture(scope="module")
def walk_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WorldProcess]:
    """A world only this walk changes, ticking fast; its own state folder."""
    with running_world() as running, pytest.MonkeyPatch.context() as patch:
        patch.setenv("SHIPDECK_STATE_DIR", str(tmp_path_factory.mktemp("walk-state")))
        yield running


def quota_approved(session: CloudSession) -> bool:
    """Whether the world has approved the request for CodeBuild's blocking quota."""
    quotas = session.client("service-quotas", "ap-northeast-1")
    history = quotas.list_requested_service_quota_change_history_by_quota(
        ServiceCode="codebuild", QuotaCode="L-4DDC4A99"
    )["RequestedQuotas"]
    return any(r["Status"] == "APPROVED" for r in history)


def nova_open(found: dict[str, Finding]) -> list[str]:
    """The critical and warning findings of Nova still open."""
    return sorted(
        key
        for key, f in found.items()
        if "nova" in key and f.severity in (Severity.CRITICAL, Severity.WARNING)
    )


class Walk:
    """Presses keys as a person would and counts them."""

    def __init__(self, pilot: Pilot[None]) -> None:
        self.pilot = pilot
        app = pilot.app
        assert isinstance(app, ShipdeckApp)
        self.app = app
        found = pane(app, "findings")
        assert isinstance(found, FindingsPane)
        self.findings = found
        clock = app.context.monotonic
        assert isinstance(clock, ManualClock)
        self.clock = clock
        self.keys: list[str] = []
        self.remaining = set(nova_open(found.found))

    async def press(self, *keys: str) -> None:
        """Keys that count."""
        self.keys.extend(keys)
        await self.pilot.press(*keys)

    async def secret(self, value: str) -> None:
        """A secret value typed into a form: its characters do not count."""
        await self.pilot.press(*value)

    def on(self, finding_id: str) -> None:
        """The cursor is on ``finding_id`` (what the person sees before the next key)."""
        assert self.findings.table.selected_key() == finding_id, self.findings.table.selected_key()

    async def gone(self, *finding_ids: str) -> None:
        """Back on the console, which follows the change until Nova's open findings are the
        ones before less ``finding_ids``: a passing one (pods backing off a pull that is
        possible now) must clear by itself too, as the world's pods start."""
        await wait_for(self.pilot, lambda: on_console(self.app))
        self.remaining -= set(finding_ids)

        def settled() -> bool:
            return nova_open(self.findings.found) == sorted(self.remaining)

        await settled_until(self.pilot, self.clock.advance, settled)
        assert nova_open(self.findings.found) == sorted(self.remaining)


@pytest.fixture
def walk_app(walk_world: WorldProcess) -> ShipdeckApp:
    """A console on the walk's world, as ``make demo`` opens it."""
    world_settings = load_settings()
    return ShipdeckApp(
        CloudSession(regions=tuple(walk_world.regions), kube_context=walk_world.kube_context),
        Settings(fallback=world_settings.fallback, path=world_settings.path),
        badge="DEMO WORLD",
        monotonic=ManualClock(),
    )


async def test_nova_turns_green_in_at_most_forty_keys(
    walk_app: ShipdeckApp, tmp_path: Path
) -> None:
    async with walk_app.run_test(size=(120, 36), notifications=True) as pilot:
        await model_read(pilot)
        await pilot.pause()
        walk = Walk(pilot)
        before = nova_open(walk.findings.found)
        assert set(before) == {BLOCKED, *MISSING_ENV, *LATEST, *BUILDCACHE, NOT_READY}

        # Builds are blocked by a quota with no applied value: ask for the default.
        walk.on(BLOCKED)
        await walk.press("f")
        await modal(pilot, PlanPreview)
        await walk.press("enter")  # safe: Apply has the focus
        # The person waits for AWS to approve (8 s on the world's clock); then it is gone.
        await wait_for(pilot, lambda: on_console(walk_app))
        assert await asyncio.to_thread(until, lambda: quota_approved(walk_app.context.session))
        await walk.gone(BLOCKED)

        # Three crash loops, each on a variable nobody set: a secret each.
        await walk.press("j")
        for finding_id, value in zip(
            MISSING_ENV, ("kafka:9092", "http://ch:8123", "pem"), strict=True
        ):
            walk.on(finding_id)
            await walk.press("f")
            await modal(pilot, ActionForm)
            await walk.secret(value)
            await walk.press("enter")  # the plan
            await modal(pilot, PlanPreview)
            await walk.press("a")  # risky: a applies
            await walk.gone(finding_id)

        # latest never pushed for three repositories: one plan retags all three.
        await walk.press("j")
        walk.on(LATEST[0])
        await walk.press("F")
        preview = await modal(pilot, PlanPreview)
        assert preview.data.title == "retag-latest  3 resources"
        await walk.press("enter")
        await walk.gone(*LATEST)

        # Six bloated buildcache tags: one plan, confirmed by typing how many.
        walk.on(BUILDCACHE[0])
        await walk.press("F")
        preview = await modal(pilot, PlanPreview)
        assert preview.data.confirm_text == "6"
        await walk.press("6", "enter")
        await walk.gone(*BUILDCACHE)

        # messaging-service has one replica of two unready: roll it.
        await walk.press("j", "j", "j")  # past query-service and the HR chatbot's Lambda
        walk.on(NOT_READY)
        await walk.press("f")
        await modal(pilot, PlanPreview)
        await walk.press("a")
        await walk.gone(NOT_READY)

        assert nova_open(walk.findings.found) == []
        assert len(walk.keys) <= KEY_BUDGET, walk.keys
        # Green where the workloads are too: every Nova row of the services pane is calm.
        services = pane(walk_app, "services").table
        nova_rows = [r for r in services.all_rows if "nova" in str(r.key)]
        assert len(nova_rows) >= 10
        loud = [(r.key, r.severity) for r in nova_rows if r.severity in ("critical", "warning")]
        assert loud == []
        print(f"Nova green in {len(walk.keys)} keys: {' '.join(walk.keys)}")
