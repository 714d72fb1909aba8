"""A plan previewed with several profiles shown says whose account it acts on.

Its equivalent ``aws`` commands carry ``--profile NAME`` (pasted into a shell,
they act on the same account as the console), its title names the profile and
its border the profile and account. With one profile, nothing of this shows.
"""

from __future__ import annotations

import os

from textual.pilot import Pilot

from cloud.sessions import Sessions
from tests.tui.conftest import AppFactory, WorldAccess
from tests.tui.helpers import modal, model_read, pane, screen_text, wait_for
from tui.app import ShipdeckApp
from tui.flows.preview import SharedPlanPreview
from widgets.action_form import ActionForm

REGION = "ap-northeast-1"
PAYMENTS_ACCOUNT = "345678901234"
CHECKOUT_MISSING = f"payments/missing-tag:{REGION}:payments/checkout:v2.4.0"
CDN_LATEST = f"missing-tag:{REGION}:nova/cdn-service:latest"


def _two_profiles(world: WorldAccess) -> Sessions:
    assert os.environ.get("AWS_CONFIG_FILE"), "the world names its profiles in an AWS config"
    return Sessions.of(["world", "payments"], world.regions, world.kube_context)


async def _fix_preview(pilot: Pilot[None], app: ShipdeckApp, finding: str) -> SharedPlanPreview:
    """The preview of ``finding``'s fix, from the findings pane's ``f``."""
    await pilot.press("0")
    await wait_for(pilot, lambda: pane(app, "findings").table.select_key(finding))
    await pilot.press("f")
    await wait_for(pilot, lambda: isinstance(app.screen, (ActionForm, SharedPlanPreview)))
    if isinstance(app.screen, ActionForm):  # rollback-service: the revision comes first
        await modal(pilot, ActionForm)
        await pilot.click("#form-plan")
    preview: SharedPlanPreview = await modal(pilot, SharedPlanPreview)
    return preview


async def test_a_fix_of_each_account_names_its_profile(
    make_app: AppFactory, world: WorldAccess
) -> None:
    app = make_app(sessions=_two_profiles(world))
    async with app.run_test(size=(200, 45)) as pilot:
        await model_read(pilot)
        await wait_for(pilot, lambda: app.context.accounts.get("payments") == PAYMENTS_ACCOUNT)

        preview = await _fix_preview(pilot, app, CHECKOUT_MISSING)
        data = preview.plain_data
        assert data.title == "rollback-service  payments/ecs:payments-cluster/checkout-service"
        assert data.where == f"payments account {PAYMENTS_ACCOUNT} {REGION}"
        aws = [c for c in data.commands if c.startswith("aws ")]
        assert aws and all(c.startswith("aws --profile payments ecs ") for c in aws), aws
        text = screen_text(app)
        assert "aws --profile payments ecs update-service" in text
        assert f"payments account {PAYMENTS_ACCOUNT}" in text
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, SharedPlanPreview))
        await wait_for(pilot, lambda: app.context.action_running is None)

        # A row of the world's account: its profile, in every aws command (``$(aws ...)`` too).
        preview = await _fix_preview(pilot, app, f"world/{CDN_LATEST}")
        data = preview.plain_data
        assert data.title == "retag-latest  world/ecr:nova/cdn-service"
        assert data.where.startswith("world account ")
        assert data.commands and all("aws --profile world ecr " in c for c in data.commands)
        assert not any("payments" in c for c in data.commands)


async def test_one_profile_previews_as_before(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(200, 45)) as pilot:
        await model_read(pilot)
        preview = await _fix_preview(pilot, app, CDN_LATEST)
        data = preview.plain_data
        assert data.title == "retag-latest  ecr:nova/cdn-service"
        assert data.where == REGION
        assert data.commands[-1].startswith("aws ecr put-image --region ")
        assert not any("--profile" in c for c in data.commands)
