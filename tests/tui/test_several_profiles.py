"""Two AWS profiles in one console: the world's account and the payments team's, side by side.

The demo world has a second account (``accounts:`` in seeds.yaml) and writes an
AWS config with a profile per account (``world``, ``payments``). The console
reads both at once into one model; every row says its account, findings say
their profile, and read-only holds per profile: a row of a read-only profile
refuses, a row of the other one acts, with that profile's session, and the
audit log says which profile acted.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import pytest
from textual.pilot import Pilot

from actions.catalogue import make_action
from actions.model import ReadOnlyRefused
from cloud.model.ref import ResourceRef
from cloud.sessions import Sessions
from cloud.settings import Settings
from tests.tui.conftest import AppFactory, WorldAccess
from tests.tui.helpers import (
    modal,
    model_read,
    on_console,
    row_by_name,
    screen_text,
    select_row,
    wait_for,
)
from tui.app import ShipdeckApp
from tui.screens.log_group_picker import LogGroupPicker
from tui.screens.logs import LogsScreen
from tui.screens.scope_picker import ScopePicker
from widgets.header_bar import HeaderBar
from widgets.plan_preview import PlanPreview

REGION = "ap-northeast-1"
WORLD_ACCOUNT = "123456789012"
PAYMENTS_ACCOUNT = "345678901234"


def _sessions(world: WorldAccess) -> Sessions:
    assert os.environ.get("AWS_CONFIG_FILE"), "the world names its profiles in an AWS config"
    return Sessions.of(["world", "payments"], world.regions, world.kube_context)


def _accounts_read(app: ShipdeckApp) -> Callable[[], bool]:
    return lambda: app.context.accounts.get("payments") == PAYMENTS_ACCOUNT


async def _both_read(pilot: Pilot[None], app: ShipdeckApp) -> None:
    await model_read(pilot)
    await wait_for(pilot, _accounts_read(app))
    await pilot.pause()


async def test_rows_of_both_accounts_with_their_account(
    make_app: AppFactory, world: WorldAccess
) -> None:
    app = make_app(sessions=_sessions(world))
    async with app.run_test(size=(200, 45)) as pilot:
        await _both_read(pilot, app)
        await pilot.press("1")
        await pilot.pause()
        checkout = row_by_name(app, "repositories", "payments/checkout")
        cdn = row_by_name(app, "repositories", "nova/cdn-service")
        assert checkout["account"] == f"payments {PAYMENTS_ACCOUNT}"
        assert cdn["account"] == f"world {WORLD_ACCOUNT}"
        # Each account judged alone: the payments tag that was never pushed is its finding.
        assert "v2.4.0 missing" in checkout["flags"]
        assert "latest missing" in cdn["flags"]
        finding = app.context.state.diagnosis.finding(
            f"payments/missing-tag:{REGION}:payments/checkout:v2.4.0"
        )
        assert finding is not None and finding.ref.profile == "payments"
        await pilot.press("3")
        await pilot.pause()
        service = row_by_name(app, "services", "checkout-service")
        assert service["account"] == f"payments {PAYMENTS_ACCOUNT}"
        # Kubernetes is read once, with the first profile, not once per account.
        cdn_deployments = [
            r for r in app.context.state.snapshot.deployments if r.name == "cdn-service"
        ]
        assert len(cdn_deployments) == 1 and cdn_deployments[0].profile == "world"
        # Its row names where it comes from: the kube context, not an AWS account.
        assert row_by_name(app, "services", "cdn-service")["account"] == (
            f"kube {world.kube_context}"
        )
        header = str(app.screen.query_one(HeaderBar).render())
        assert "world+payments" in header and PAYMENTS_ACCOUNT in header


async def test_presenter_mode_masks_the_account_column(
    make_app: AppFactory, world: WorldAccess
) -> None:
    app = make_app(sessions=_sessions(world), presenter=True)
    async with app.run_test(size=(200, 45)) as pilot:
        await _both_read(pilot, app)
        await pilot.press("1")
        await pilot.pause()
        text = screen_text(app)
        assert "payments ••••••••••••" in text and "world ••••••••••••" in text
        assert PAYMENTS_ACCOUNT not in text and WORLD_ACCOUNT not in text


def _lifecycle_policy(world: WorldAccess, access_key: str, secret: str) -> bool:
    make_client: Callable[..., Any] = boto3.client
    ecr = make_client(
        "ecr",
        region_name=REGION,
        endpoint_url=world.aws_endpoint,
        aws_access_key_id=access_key,
        aws_secret_access_key=secret,
    )
    try:
        ecr.get_lifecycle_policy(repositoryName="payments/ledger")
    except ecr.exceptions.LifecyclePolicyNotFoundException:
        return False
    return True


async def test_a_read_only_profile_refuses_while_the_other_acts(
    make_app: AppFactory, world: WorldAccess
) -> None:
    settings = Settings(read_only_profiles=frozenset({"world"}), path=Path("config.toml"))
    app = make_app(sessions=_sessions(world), settings=settings)
    assert not app.context.read_only  # not every profile is read-only
    async with app.run_test(size=(200, 45), notifications=True) as pilot:
        await _both_read(pilot, app)
        assert "READ-ONLY: world" in screen_text(app)  # the badge names the profile

        # A row of the read-only profile: its key is greyed and starts nothing.
        await pilot.press("1")
        select_row(app, "repositories", "nova/cdn-service")
        await pilot.pause()
        binding = app.screen.active_bindings["t"]
        assert binding.binding.id == "action.retag-latest" and not binding.enabled
        await pilot.press("t")
        await wait_for(pilot, lambda: "retag-latest: refused, read-only mode" in screen_text(app))
        told = screen_text(app)  # why, at the key (the toast's two lines)
        assert "read-only mode (profile 'world' is" in told and "read-only in config.toml)" in told
        assert on_console(app) and app.context.action_running is None

        # The action layer refuses it too, with the row's profile's session.
        ref = ResourceRef("ecr", "nova/cdn-service", REGION, "world")
        action = make_action(
            "retag-latest", ref, {}, app.context.session_for(ref), settings=settings
        )
        with pytest.raises(ReadOnlyRefused, match="profile 'world' is read-only"):
            action.apply(action.plan())

        # A row of the other profile acts, in its own account.
        assert not _lifecycle_policy(world, "AKIASHIPDECKDEMO0002", "shipdeck-demo-payments-secret")
        select_row(app, "repositories", "payments/ledger")
        await pilot.pause()
        assert app.screen.active_bindings["L"].enabled
        await pilot.press("L")
        preview = await modal(pilot, PlanPreview)
        assert "payments/ledger" in screen_text(app)
        await pilot.click("#plan-apply")  # a risky plan opens with Cancel focused
        await wait_for(pilot, lambda: on_console(app) and app.context.action_running is None)
        assert preview is not app.screen
        assert _lifecycle_policy(world, "AKIASHIPDECKDEMO0002", "shipdeck-demo-payments-secret")
        applied = [
            e
            for e in app.context.audit_log().entries()
            if e["action"] == "put-lifecycle-policy" and e["event"] == "outcome"
        ]
        assert applied and applied[-1]["profile"] == "payments"
        assert applied[-1]["outcome"] == "ok"
        assert PAYMENTS_ACCOUNT in applied[-1]["caller"]  # STS of the payments account


async def test_a_profile_whose_credentials_fail_shows_errors_the_other_works(
    make_app: AppFactory, world: WorldAccess, tmp_path: Path
) -> None:
    world_config = Path(os.environ["AWS_CONFIG_FILE"]).read_text(encoding="utf-8")
    config = tmp_path / "aws-config"
    # A profile whose credential process fails: every call of it fails, none of the world's.
    config.write_text(
        world_config + "\n[profile broken]\ncredential_process = false\nregion = ap-northeast-1\n",
        encoding="utf-8",
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_CONFIG_FILE", str(config))
        sessions = Sessions.of(["world", "broken"], (REGION,), world.kube_context)
        app = make_app(sessions=sessions)
        async with app.run_test(size=(200, 45)) as pilot:
            await model_read(pilot)
            await pilot.press("1")
            await pilot.pause()
            errors = app.context.state.errors_of(("ecr",))
            assert errors and {e.profile for e in errors} == {"broken"}
            text = screen_text(app)
            assert f"✗ ecr broken {REGION}:" in text  # visible, never an empty pane
            cdn = row_by_name(app, "repositories", "nova/cdn-service")
            assert cdn["account"].startswith("world ") and "latest missing" in cdn["flags"]
            assert not any(r.profile == "broken" for r in app.context.state.snapshot.repositories)


# --- switching with several profiles: :region, :ctx and :profile keep or choose them all -----


async def _command(pilot: Pilot[None], text: str) -> None:
    await pilot.press("colon", *text, "enter")


async def _switched(pilot: Pilot[None], app: ShipdeckApp, scope: int) -> None:
    await wait_for(pilot, lambda: app.feed.scope == scope, timeout=30)
    await model_read(pilot)


def _profiles_shown(app: ShipdeckApp) -> list[str | None]:
    assert app.context.sessions is not None
    return [s.profile for s in app.context.sessions.all]


async def test_a_region_switch_keeps_every_profile(
    make_app: AppFactory, world: WorldAccess
) -> None:
    sessions = Sessions.of(["world", "payments"], ("us-east-1",), world.kube_context)
    app = make_app(sessions=sessions)
    async with app.run_test(size=(200, 45), notifications=True) as pilot:
        await model_read(pilot)
        await _command(pilot, "region ap-northeast-1")
        await _switched(pilot, app, 1)
        await wait_for(pilot, _accounts_read(app))
        assert _profiles_shown(app) == ["world", "payments"]
        assert app.context.sessions is not None
        assert all(s.regions == (REGION,) for s in app.context.sessions.all)
        header = str(app.screen.query_one(HeaderBar).render())
        assert "world+payments" in header
        await pilot.press("1")
        await pilot.pause()
        checkout = row_by_name(app, "repositories", "payments/checkout")
        cdn = row_by_name(app, "repositories", "nova/cdn-service")
        assert checkout["account"] == f"payments {PAYMENTS_ACCOUNT}"
        assert cdn["account"] == f"world {WORLD_ACCOUNT}"

        await _command(pilot, "region us-east-1")  # the acceptance repro: still both
        await _switched(pilot, app, 2)
        assert _profiles_shown(app) == ["world", "payments"]
        assert "world+payments" in str(app.screen.query_one(HeaderBar).render())
        mangoo = row_by_name(app, "repositories", "mangoo-frontend")
        assert mangoo["account"].startswith("world")  # the ACCOUNT column stays


async def test_profile_list_shows_several_side_by_side(
    make_app: AppFactory, world: WorldAccess
) -> None:
    app = make_app(sessions=Sessions.of(["world"], world.regions, world.kube_context))
    async with app.run_test(size=(200, 45), notifications=True) as pilot:
        await model_read(pilot)
        assert not app.context.several
        await _command(pilot, "profile world,payments")
        await _switched(pilot, app, 1)
        await wait_for(pilot, _accounts_read(app))
        assert _profiles_shown(app) == ["world", "payments"]
        assert "world+payments" in str(app.screen.query_one(HeaderBar).render())
        await pilot.press("1")
        await pilot.pause()
        checkout = row_by_name(app, "repositories", "payments/checkout")
        assert checkout["account"] == f"payments {PAYMENTS_ACCOUNT}"

        await _command(pilot, "profile payments")  # one name: that one alone
        await _switched(pilot, app, 2)
        assert _profiles_shown(app) == ["payments"] and not app.context.several
        assert "nova/cdn-service" not in {
            str(getattr(r, "name", "")) for r in app.context.state.snapshot.repositories
        }


async def test_a_bad_name_in_the_list_refuses_and_loses_nothing(
    make_app: AppFactory, world: WorldAccess
) -> None:
    app = make_app(sessions=_sessions(world))
    async with app.run_test(size=(200, 45), notifications=True) as pilot:
        await _both_read(pilot, app)
        model = app.context.model
        await _command(pilot, "profile world,nope")
        await wait_for(pilot, lambda: app.scopes.ticket == 1 and app.scopes.pending is None)
        text = screen_text(app)
        assert "not switched" in text and "unknown AWS profile" in text
        assert app.feed.scope == 0 and app.context.model is model
        assert _profiles_shown(app) == ["world", "payments"]
        await _command(pilot, "region us-east-1,nowhere-9")  # a bad region: every profile kept
        await wait_for(pilot, lambda: app.scopes.ticket == 2 and app.scopes.pending is None)
        assert "unknown AWS region" in screen_text(app)
        assert app.feed.scope == 0 and _profiles_shown(app) == ["world", "payments"]
        assert row_by_name(app, "repositories", "payments/checkout")


async def test_the_profile_picker_marks_and_chooses_several(
    make_app: AppFactory, world: WorldAccess
) -> None:
    app = make_app(sessions=_sessions(world))
    async with app.run_test(size=(200, 45), notifications=True) as pilot:
        await _both_read(pilot, app)
        await _command(pilot, "profile")
        picker = await modal(pilot, ScopePicker)
        await wait_for(pilot, lambda: picker.listed)
        text = screen_text(app)
        assert "world current" in text and "payments current" in text
        # Choose payments alone with space, then enter: payments only.
        await pilot.press("slash", *"payments", "enter", "space", "enter")
        await _switched(pilot, app, 1)
        assert _profiles_shown(app) == ["payments"]
        # And back to both, chosen in the picker.
        await _command(pilot, "profile")
        picker = await modal(pilot, ScopePicker)
        await wait_for(pilot, lambda: picker.listed)
        assert "world current" not in screen_text(app)
        assert "payments current" in screen_text(app)
        for name in ("world", "payments"):
            await pilot.press("slash", *name, "enter", "space")
            await pilot.press("slash", *["backspace"] * len(name), "enter")
        assert picker.chosen == {"world", "payments"}
        await pilot.press("enter")
        await _switched(pilot, app, 2)
        assert _profiles_shown(app) == ["payments", "world"]  # in the list's order
        assert "payments+world" in str(app.screen.query_one(HeaderBar).render())


async def test_the_log_group_picker_lists_every_profile_and_opens_with_its_own(
    make_app: AppFactory, world: WorldAccess
) -> None:
    app = make_app(sessions=_sessions(world))
    async with app.run_test(size=(200, 45), notifications=True) as pilot:
        await _both_read(pilot, app)
        await _command(pilot, "logs")
        await wait_for(pilot, lambda: isinstance(app.screen, LogGroupPicker))
        picker = app.screen
        assert isinstance(picker, LogGroupPicker)
        await wait_for(pilot, lambda: picker.answered == picker.regions_asked, timeout=30)
        checkout = ("payments", REGION, "/ecs/checkout")
        chatbot = ("world", REGION, "/aws/lambda/hr-chatbot-backend")
        assert checkout in picker.groups and chatbot in picker.groups
        assert ("world", REGION, "/ecs/checkout") not in picker.groups  # the other account's
        # A row names its profile; the filter matches it too.
        await pilot.press("slash", *"payments", "enter")
        await pilot.pause()
        assert picker.shown_keys() == [checkout]
        assert "/ecs/checkout" in screen_text(app) and "payments" in screen_text(app)
        await pilot.press("space")
        await pilot.press("slash", *["backspace"] * len("payments"), *"hr-chatbot-backend")
        await pilot.press("enter", "space", "enter")
        await pilot.pause()
        # Two profiles' groups do not merge: one message, the choice kept.
        assert picker.chosen == {checkout, chatbot}
        assert app.screen is picker
        assert "payments and world cannot be merged" in screen_text(app)
        await pilot.press("space", "enter")  # the chatbot's unchosen: payments alone
        await wait_for(pilot, lambda: isinstance(app.screen, LogsScreen))
        logs = app.screen
        assert isinstance(logs, LogsScreen) and logs.session.profile == "payments"
        await wait_for(pilot, lambda: "ledger slow" in screen_text(app), timeout=30)
