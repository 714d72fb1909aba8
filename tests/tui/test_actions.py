"""Remediations from the console: key -> (form) -> plan preview -> confirm -> the row changes.

These tests change the world, so they run against a world of their own (ticking
fast, so pods recover within a few tenths of a second), never the shared one the
snapshot and pane tests read. The audit log goes to a temporary state directory.
After an apply nothing is read by the test: the console re-reads what the
action touched by itself, and the test only moves the console's injected clock
so that its follow-up reads come (``settled_until``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any, cast

import boto3
import pytest
from textual.widgets import Button, Input, OptionList

from cloud.session import CloudSession
from cloud.settings import Settings
from demo.launcher import WorldProcess
from tests.support import running_world
from tests.tui.conftest import ManualClock
from tests.tui.helpers import (
    modal,
    model_read,
    on_console,
    pane,
    row_by_name,
    screen_text,
    select_row,
    settled_until,
    wait_for,
)
from tui.app import ShipdeckApp
from tui.keys import all_binding_ids
from tui.palette import ConsoleCommands
from widgets.action_form import ActionForm
from widgets.plan_preview import PlanPreview

SECRET = "clickhouse://writer:Sup3r-s3cret-Pa55@clickhouse.nova.internal:9000/nova"
REGION = "ap-northeast-1"
ActionApp = Callable[..., ShipdeckApp]


@pytest.fixture(scope="module")
def action_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WorldProcess]:
    """A world only these tests change; every client of this module points at it."""
    with running_world() as running, pytest.MonkeyPatch.context() as patch:
        # Its own state, not the world's: the tests read what the console wrote.
        patch.setenv("SHIPDECK_STATE_DIR", str(tmp_path_factory.mktemp("state")))
        yield running


@pytest.fixture(scope="module")
def action_session(action_world: WorldProcess) -> CloudSession:
    """One session on this module's world."""
    return CloudSession(regions=tuple(action_world.regions), kube_context=action_world.kube_context)


@pytest.fixture
def action_app(action_session: CloudSession) -> ActionApp:
    """A console on this module's world: ``action_app(read_only=True)``."""

    def make(read_only: bool = False) -> ShipdeckApp:
        return ShipdeckApp(
            action_session,
            Settings(),
            read_only=read_only,
            badge="DEMO WORLD",
            monotonic=ManualClock(),
        )

    return make


def advance(app: ShipdeckApp) -> Callable[[float], None]:
    """Moves the console's injected clock on."""
    return cast(ManualClock, app.context.monotonic).advance


@pytest.fixture
def ecr(action_world: WorldProcess) -> Any:
    """A plain boto3 ECR client, to change the world behind the console's back."""
    make_client: Callable[..., Any] = boto3.client
    return make_client("ecr", region_name=REGION, endpoint_url=action_world.aws_endpoint)


async def test_retag_latest_key_preview_confirm_and_the_row_changes(action_app: ActionApp) -> None:
    app = action_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await model_read(pilot)
        await pilot.press("1")
        assert "latest missing" in row_by_name(app, "repositories", "nova/cdn-service")["flags"]
        select_row(app, "repositories", "nova/cdn-service")
        await pilot.press("t")
        preview = await modal(pilot, PlanPreview)
        text = screen_text(app)
        assert re.search(r"\(absent\) -> [0-9a-f]{12}", text)
        assert "aws ecr put-image --region ap-northeast-1 --repository-name nova/cdn" in text
        assert not preview.query_one("#plan-apply", Button).disabled
        assert preview.query_one("#plan-apply", Button).has_focus  # a safe plan
        await pilot.press("enter")
        await wait_for(pilot, lambda: on_console(app))

        def fixed() -> bool:
            row = row_by_name(app, "repositories", "nova/cdn-service")
            return "latest missing" not in row["flags"] and row["latest"] == "yes"

        # The first read after the outcome already shows the tag: no follow-up needed.
        assert await settled_until(pilot, advance(app), fixed) == 0

        def pods_calm() -> bool:
            row = row_by_name(app, "services", "cdn-service")
            return row["flags"] == "" and row["ready"] == "4/4" and row["severity"] == ""

        # The pods that pulled it recover in the world; the console follows them by itself.
        await settled_until(pilot, advance(app), pods_calm)
        audit = app.context.audit_log()
        events = [(e["event"], e["action"]) for e in audit.entries()]
        assert ("outcome", "retag-latest") in events


async def test_delete_tag_needs_the_name_typed(action_app: ActionApp) -> None:
    app = action_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await model_read(pilot)
        await pilot.press("1")
        assert "buildcache" in row_by_name(app, "repositories", "nova/feed-service")["flags"]
        select_row(app, "repositories", "nova/feed-service")
        await pilot.press("D")
        preview = await modal(pilot, PlanPreview)
        apply = preview.query_one("#plan-apply", Button)
        assert "DESTRUCTIVE" in screen_text(app)
        assert apply.disabled
        await pilot.press("enter")  # nothing typed: refused, still on the preview
        await pilot.pause()
        assert app.screen is preview
        await pilot.press(*"nova/feed-service:buildcach")
        assert apply.disabled
        await pilot.press("e")
        assert preview.query_one("#plan-confirm", Input).value == "nova/feed-service:buildcache"
        assert not apply.disabled
        await pilot.press("enter")
        await wait_for(pilot, lambda: on_console(app))

        def freed() -> bool:
            return (
                "buildcache" not in row_by_name(app, "repositories", "nova/feed-service")["flags"]
            )

        await settled_until(pilot, advance(app), freed)


async def test_wire_secret_env_never_shows_the_value_and_the_pods_recover(
    action_app: ActionApp,
) -> None:
    app = action_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await model_read(pilot)
        await pilot.press("3")
        assert "CrashLoopBackOff" in row_by_name(app, "services", "user-service")["flags"]
        select_row(app, "services", "user-service")
        await pilot.press("W")
        form = await modal(pilot, ActionForm)
        assert form.query_one("#field-name", Input).value == "CLICKHOUSE_URL"  # from the flag
        value = form.query_one("#field-value", Input)
        assert value.password and value.has_focus
        await pilot.press(*SECRET)
        seen = [screen_text(app)]
        await pilot.press("enter")
        preview = await modal(pilot, PlanPreview)
        seen.append(screen_text(app))
        # A risky plan opens with Cancel focused: an enter meant for the form cancels.
        assert preview.query_one("#plan-cancel", Button).has_focus
        await pilot.press("a")
        await wait_for(pilot, lambda: on_console(app))
        await wait_for(pilot, lambda: app.context.action_running is None)  # applied, told
        await pilot.pause()
        seen.append(screen_text(app))  # the outcome notification is up
        await settled_until(
            pilot,
            advance(app),
            lambda: row_by_name(app, "services", "user-service")["flags"] == "",
        )
        seen.append(screen_text(app))
        for text in seen:
            assert "s3cret" not in text and "Sup3r" not in text
        assert "s3cret" not in app.context.audit_log().path.read_text()


async def test_delete_pod_offers_the_unready_pod_first_and_asks_for_a_not_its_name(
    action_app: ActionApp,
) -> None:
    app = action_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await model_read(pilot)
        await pilot.press("3")
        assert row_by_name(app, "services", "messaging-service")["ready"] == "1/2"
        select_row(app, "services", "messaging-service")
        await pilot.press("P")
        form = await modal(pilot, ActionForm)
        pods = form.query_one("#field-pod", OptionList)
        labels = [str(pods.get_option_at_index(i).prompt) for i in range(pods.option_count)]
        # The unready pod first, chosen already, with its readiness and why; then the other.
        assert re.search(r"messaging-service-\S+ +0/1 ready +not ready", labels[0]), labels
        assert re.search(r"1/1 ready +Running", labels[1]), labels
        unready = form.values()["pod"]
        assert unready in labels[0]
        await pilot.press("enter")
        preview = await modal(pilot, PlanPreview)
        # The deployment makes the pod again: risky, Cancel focused, nothing to type.
        assert "RISKY" in screen_text(app)
        assert not preview.query("#plan-confirm")
        assert preview.query_one("#plan-cancel", Button).has_focus
        await pilot.press("a")
        await wait_for(pilot, lambda: on_console(app))

        def replaced() -> bool:
            """The console read the deployment again: the deleted pod is gone."""
            deployments = app.context.state.snapshot.records("k8s")
            record = next(d for d in deployments if d.name == "messaging-service")
            return unready not in {pod.name for pod in record.pods}

        await settled_until(pilot, advance(app), replaced)


async def test_a_plan_that_changes_nothing_has_no_apply(action_app: ActionApp) -> None:
    app = action_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await model_read(pilot)
        await pilot.press("3")
        select_row(app, "services", "auth-service")
        await pilot.press("plus")  # scale, to the replicas it has
        await modal(pilot, ActionForm)
        await pilot.press("enter")
        preview = await modal(pilot, PlanPreview)
        assert "nothing to change: this is already in place" in screen_text(app)
        assert not preview.query("#plan-apply")
        assert preview.query_one("#plan-cancel", Button).has_focus
        await pilot.press("a")  # no apply: refused in place
        await pilot.pause()
        assert app.screen is preview
        await pilot.press("escape")
        await wait_for(pilot, lambda: on_console(app))


async def test_a_failed_check_cannot_be_applied(action_app: ActionApp) -> None:
    app = action_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await model_read(pilot)
        await pilot.press("2")
        select_row(app, "builds", "nova-ecr-build")
        await pilot.press("s")
        preview = await modal(pilot, PlanPreview)
        text = screen_text(app)
        assert re.search(r"✗\s*account concurrency > 0", text)
        assert "cannot apply: account concurrency > 0" in text
        assert preview.query_one("#plan-apply", Button).disabled
        await pilot.press("a")
        await pilot.pause()
        assert app.screen is preview
        await pilot.press("escape")
        await wait_for(pilot, lambda: on_console(app))
        refused = [e for e in app.context.audit_log().entries() if e["event"] != "plan"]
        assert not [e for e in refused if e["action"] == "start-build"]


async def test_a_plan_that_went_stale_is_shown_again(action_app: ActionApp, ecr: Any) -> None:
    app = action_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await model_read(pilot)
        await pilot.press("1")
        select_row(app, "repositories", "nova/events-service")
        await pilot.press("t")
        first = await modal(pilot, PlanPreview)
        # Someone else tags another image latest while the preview is open.
        images = ecr.describe_images(repositoryName="nova/events-service")["imageDetails"]
        planned = first.data.changes[0][3]
        other = next(i for i in images if planned not in i["imageDigest"])
        manifest = ecr.batch_get_image(
            repositoryName="nova/events-service", imageIds=[{"imageDigest": other["imageDigest"]}]
        )["images"][0]["imageManifest"]
        ecr.put_image(
            repositoryName="nova/events-service", imageManifest=manifest, imageTag="latest"
        )
        await pilot.press("enter")
        await wait_for(
            pilot, lambda: app.screen is not first and isinstance(app.screen, PlanPreview)
        )
        fresh = app.screen
        assert isinstance(fresh, PlanPreview)
        assert "The state changed since the plan was shown" in screen_text(app)
        assert fresh.data.changes[0][2] == other["imageDigest"].split(":")[1][:12]
        await pilot.press("escape")
        await wait_for(pilot, lambda: on_console(app))
        outcomes = [e.get("outcome") for e in app.context.audit_log().entries()]
        assert "stale plan" in outcomes


async def test_read_only_greys_the_action_keys_and_they_do_nothing(action_app: ActionApp) -> None:
    app = action_app(read_only=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await model_read(pilot)
        await pilot.press("1")
        select_row(app, "repositories", "nova/cdn-service")
        await pilot.pause()
        active = app.screen.active_bindings
        assert active["t"].binding.id == "action.retag-latest"
        assert not active["t"].enabled
        assert not active["D"].enabled
        await pilot.press("t")
        await pilot.pause()
        # A key that ran would have started its flow by now (it is marked at once).
        assert app.context.action_running is None
        assert not [w for w in app.workers if w.group == "remediation"]
        assert on_console(app)
        # A support-case draft writes only a local file: allowed in read-only mode.
        await pilot.press("2")
        select_row(app, "builds", "nova-ecr-build")
        await pilot.pause()
        active = app.screen.active_bindings
        assert active["c"].enabled
        assert not active["s"].enabled


async def test_keys_follow_the_kind_of_the_selected_row(action_app: ActionApp) -> None:
    app = action_app()
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await model_read(pilot)
        await pilot.press("3")
        services = pane(app, "services")
        select_row(app, "services", "frontend-service")  # ECS
        await pilot.pause()
        active = app.screen.active_bindings
        assert active["F"].enabled and active["B"].binding.id == "action.rollback-service"
        assert active["plus"].binding.id == "action.scale-service"
        assert not active["R"].enabled  # restart-rollout: a Kubernetes action
        select_row(app, "services", "hr-chatbot-backend")  # Lambda
        await pilot.pause()
        active = app.screen.active_bindings
        assert active["B"].binding.id == "action.rollback-lambda" and active["B"].enabled
        assert not active["F"].enabled
        assert services.check_action("remediate", ("rollback-service",)) is False  # hidden
        await pilot.press("F")  # greyed: it says why rather than nothing
        await wait_for(pilot, lambda: "force-deploy: does not" in screen_text(app))
        assert app.context.action_running is None
        select_row(app, "services", "cdn-service")  # Kubernetes
        await pilot.pause()
        active = app.screen.active_bindings
        assert active["R"].enabled and active["W"].enabled
        assert active["plus"].binding.id == "action.scale-deployment"
        titles = [title for title, _, _ in ConsoleCommands(app.screen)._entries()]
        assert any(t.startswith("Restart: Restart a deployment's pods") for t in titles)
        assert not any(t.startswith("Redeploy") for t in titles)  # not for this row


def test_every_action_has_a_binding_id() -> None:
    from actions.catalogue import CATALOGUE

    assert {f"action.{name}" for name in CATALOGUE} <= all_binding_ids()
