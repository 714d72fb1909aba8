"""Presenter mode: nothing that identifies the account, a host or a secret reaches a shared screen.

The rule itself (``tui.context.presenter.mask``) is checked on the shapes it must and
must not touch; the console is checked as a person sees it, as screen text:
every pane, a detail, a form and a plan preview, the header and a notification.
The world is only read (a plan is made and cancelled), so the shared one does.
"""

from __future__ import annotations

import pytest
from rich.text import Text
from textual.pilot import Pilot

from tests.tui.conftest import AppFactory, settle
from tests.tui.helpers import console, modal, screen_text, select_row, wait_for
from tui.app import ShipdeckApp
from tui.context.presenter import mask, mask_text
from widgets.action_form import ActionForm
from widgets.header_bar import HeaderBar
from widgets.plan_preview import PlanPreview

ACCOUNT = "123456789012"
HIDDEN = "••••••••••••"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (
            f"{ACCOUNT}.dkr.ecr.ap-northeast-1.amazonaws.com/nova/cdn-service:latest",
            f"{HIDDEN}.dkr.ecr.ap-northeast-1.amazonaws.com/nova/cdn-service:latest",
        ),
        (f"arn:aws:iam::{ACCOUNT}:role/nova-build", f"arn:aws:iam::{HIDDEN}:role/nova-build"),
        (f"account {ACCOUNT}", f"account {HIDDEN}"),
        ("dial tcp 10.0.1.23:443: i/o timeout", "dial tcp ••.•.•.••:443: i/o timeout"),
        ("node ip-10-0-12-34.ec2.internal", "node ip-••-•-••-••.ec2.internal"),
        ("on-call: ops@example.com", "on-call: •••@•••••••.•••"),
        ("JWT_PRIVATE_KEY_PEM=abc123def456", "JWT_PRIVATE_KEY_PEM=••••••••••••"),
        ("key AKIAIOSFODNN7EXAMPLE", "key ••••••••••••••••••••"),
        ("postgres://nova:demo@nova-db.nova-backend.svc:5432/nova", "postgres://••••••@"),
        # free text in log lines: glued account ids, any IPv4 notation, JWTs, key ids
        (f"user acct{ACCOUNT}:", f"user acct{HIDDEN}:"),
        (f"/aws/ecs/acct{ACCOUNT}-10.0.1.23", f"/aws/ecs/acct{HIDDEN}-••.•.•.••"),
        ("peer 010.000.001.023 refused", "peer •••.•••.•••.••• refused"),
        ("via 0x0a.0x00.0x01.0x17:80", "via ••••.••••.••••.••••:80"),
        ("node ip-010-000-012-034", "node ip-•••-•••-•••-•••"),
        (
            "auth eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl ok",
            "auth ••••••••••••••••••••.•••••••••••••••.•••••••••••• ok",
        ),
        ("creds ASIAIOSFODNN7EXAMPLE", "creds ••••••••••••••••••••"),
        ("login password=abc user=x", "login password=••• user=x"),
        ("url ?token=t0k&x", "url ?token=•••••"),
        ("secret: s", "secret: •"),
    ],
)
def test_mask_hides_identifying_and_secret_values(text: str, shown: str) -> None:
    assert mask(text).startswith(shown)


@pytest.mark.parametrize(
    "text",
    [
        "sha256:ad82d6c35dcc97af79055ac7f3ce00094d52f292",  # a digest is not an account
        "2025-11-11T05:12:44.118Z build 1234567890123 took 12:34:56",
        "nova/cdn-service:v1.2.3 on port 5432",
        "CLICKHOUSE_URL must be set: NotPresent",
        # 12 digits inside a hex digest are not an account id
        "sha256:9f86d081884c7d659a2feaa0c55ad015123456789012a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "version 1.2.3 on 300.1.2.3 (not an address)",
    ],
)
def test_mask_leaves_everything_else(text: str) -> None:
    assert mask(text) == text


def test_masking_styled_text_keeps_its_styles() -> None:
    text = Text.assemble(("image ", "dim"), (f"{ACCOUNT}.dkr.ecr.us-east-1", "bold red"))
    masked = mask_text(text)
    assert masked.plain == f"image {HIDDEN}.dkr.ecr.us-east-1"
    assert [(s.start, s.end, s.style) for s in masked.spans] == [
        (s.start, s.end, s.style) for s in text.spans
    ]


async def capture(pilot: Pilot[None]) -> str:
    """The screen as text once the app has handled what is pending."""
    await pilot.pause()
    app = pilot.app
    assert isinstance(app, ShipdeckApp)
    return screen_text(app)


def assert_masked(text: str, where: str) -> None:
    assert ACCOUNT not in text, where
    assert "10.0.1.23" not in text, where
    assert "PRESENTER" in text, where


async def test_presenter_mode_masks_every_screen_and_toggles_back(make_app: AppFactory) -> None:
    app = make_app(presenter=True)
    async with app.run_test(size=(200, 50), notifications=True) as pilot:
        await settle(pilot)
        await wait_for(pilot, lambda: app.context.account is not None)
        header = console(app).query_one(HeaderBar)
        assert header.presenter and HIDDEN in str(header.render())
        seen: dict[str, str] = {}
        for key, name in (("0", "findings"), ("1", "repos"), ("2", "builds"), ("3", "services")):
            await pilot.press(key)
            seen[name] = await capture(pilot)
        await pilot.press("4")
        seen["quotas"] = await capture(pilot)
        # an ECS service whose tasks fail to reach ECR at a private address
        await pilot.press("3")
        select_row(app, "services", "query-service")
        await pilot.press("enter")
        await settle(pilot)
        seen["ecs detail"] = await capture(pilot)
        assert "ResourceInitializationError" in seen["ecs detail"]
        assert "dial tcp ••.•.•.••:443" in seen["ecs detail"]
        # a notification and a copy go through the same rule
        app.notify(f"pulled {ACCOUNT}.dkr.ecr.ap-northeast-1.amazonaws.com/x from 10.0.1.23")
        app.copy_to_clipboard(f"arn:aws:iam::{ACCOUNT}:role/x")
        seen["notification"] = await capture(pilot)
        assert f"{HIDDEN}.dkr.ecr.ap-northeast-1.amazonaws.com/x" in seen["notification"]
        assert app.clipboard == f"arn:aws:iam::{HIDDEN}:role/x"
        # toggling off shows the detail unmasked again, on the screen that is up
        await pilot.press("ctrl+r")
        shown = await capture(pilot)
        assert "10.0.1.23" in shown and ACCOUNT in shown and "PRESENTER" not in shown
        await pilot.press("ctrl+r")
        seen["detail again"] = await capture(pilot)
        await pilot.press("escape")

        # the form and the plan of set-image carry the image's registry host
        select_row(app, "services", "cdn-service")
        await pilot.press("I")
        await modal(pilot, ActionForm)
        seen["form"] = await capture(pilot)
        assert f"{HIDDEN}.dkr.ecr" in seen["form"]
        await pilot.press("enter")  # the value left as shown means the real image
        preview = await modal(pilot, PlanPreview)
        seen["preview"] = await capture(pilot)
        assert "kubectl" in seen["preview"]
        assert ACCOUNT in " ".join(preview.plain_data.commands)  # the plan had the real one
        await pilot.press("ctrl+r")  # the open preview is drawn again, unmasked
        await wait_for(pilot, lambda: ACCOUNT in screen_text(app))
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: ACCOUNT not in screen_text(app))
        seen["preview again"] = await capture(pilot)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is console(app))

        # a live log: the Lambda's database errors name a private address
        select_row(app, "services", "hr-chatbot-backend")
        await pilot.press("l")
        await wait_for(pilot, lambda: "database connection failed" in screen_text(app))
        seen["log view"] = await capture(pilot)
        assert "10.0.12.34" not in seen["log view"]
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is console(app))

        for where, text in seen.items():
            assert_masked(text, where)
        await pilot.press("ctrl+r")
        await pilot.press("1")
        assert ACCOUNT in await capture(pilot)  # the header (and the rows) unmasked again
