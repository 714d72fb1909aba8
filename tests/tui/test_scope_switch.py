"""``:profile``, ``:region`` and ``:ctx``: the console points elsewhere without a restart.

Against the demo world, whose AWS config names three profiles on its account
(``default``, ``nova-ops``, ``nova-viewer``) and whose kubeconfig has two
contexts on its cluster (``nova``, ``nova-viewer``). Each test checks what a
person sees: the header, the badge, the rows (never the old scope's once the
switch is made), the keys, a refusal's message.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot

from actions.catalogue import make_action
from actions.model import ReadOnlyRefused
from cloud.model.ref import ResourceRef
from cloud.settings import Settings
from tests.tui.conftest import AppFactory, WorldAccess
from tests.tui.helpers import console, modal, model_read, on_console, pane, screen_text, wait_for
from tui.app import ShipdeckApp
from tui.console.command_suggester import CommandSuggester
from tui.console.commands import command_names
from tui.console.screen import PANE_NAMES
from tui.panes.findings import FindingsPane
from tui.screens.repository_detail import RepositoryDetail
from tui.screens.scope_picker import ScopePicker
from widgets.header_bar import HeaderBar

CDN_LATEST = "missing-tag:ap-northeast-1:nova/cdn-service:latest"
CONFIG = Path("config.toml")


@pytest.fixture(autouse=True)
def world_profiles(world: WorldAccess, tmp_path: Path) -> Iterator[Path]:
    """The world's AWS config, plus a profile with no credentials; no credentials file."""
    world_config = Path(os.environ["AWS_CONFIG_FILE"])
    config = tmp_path / "aws-config"
    config.write_text(
        world_config.read_text(encoding="utf-8")
        + f"\n[profile nocreds]\nregion = {world.default_region}\n",
        encoding="utf-8",
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_CONFIG_FILE", str(config))
        patch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
        yield config


def _header(app: ShipdeckApp) -> HeaderBar:
    return app.screen.query_one(HeaderBar)


def _row_names(app: ShipdeckApp, name: str) -> set[str]:
    return {str(getattr(record, "name", "")) for record in pane(app, name).records.values()}


async def _command(pilot: Pilot[None], text: str) -> None:
    await pilot.press("colon", *text, "enter")


async def _drawn(pilot: Pilot[None]) -> None:
    """Every kind read, and every pane has drawn the newest state (no refresh comes: the
    console's clock stands still)."""
    app = pilot.app
    assert isinstance(app, ShipdeckApp)
    await model_read(pilot)
    await wait_for(
        pilot, lambda: all(pane(app, n).version == app.context.state.version for n in PANE_NAMES)
    )


async def _switched(pilot: Pilot[None], scope: int) -> None:
    app = pilot.app
    assert isinstance(app, ShipdeckApp)
    await wait_for(pilot, lambda: app.feed.scope == scope, timeout=30)


async def test_profile_switch_reads_again_under_the_new_profile(make_app: AppFactory) -> None:
    app = make_app(settings=Settings(path=CONFIG), fresh=True)
    async with app.run_test(size=(160, 40), notifications=True) as pilot:
        await model_read(pilot)
        old_model, old_version = app.context.model, app.context.state.version
        assert _header(app).profile == "default"
        assert app.context.audit_log().profile is None

        await _command(pilot, "profile nova-ops")
        await _switched(pilot, 1)
        # Nothing of the old profile stays on screen as if it were current: a pane has
        # either drawn nothing yet (it says it is loading) or drawn the new model.
        for name in PANE_NAMES:
            drawn = pane(app, name)
            assert drawn.version == -1 or drawn.version > old_version
            if drawn.version == -1:
                assert "loading" in str(drawn.border_title) or "reading" in str(drawn.border_title)
        assert app.context.model is not old_model
        header = _header(app)
        assert header.profile == "nova-ops" and not header.read_only
        assert app.context.session.profile == "nova-ops"
        assert app.context.audit_log().profile == "nova-ops"  # the audit log follows

        await _drawn(pilot)  # every kind read again, through the new session
        assert "nova/cdn-service" in _row_names(app, "repositories")
        assert pane(app, "findings").table.select_key(CDN_LATEST)
        assert "aws nova-ops/" in screen_text(app)
        assert "switched" in screen_text(app)


async def test_read_only_profile_greys_keys_and_apply_refuses(make_app: AppFactory) -> None:
    settings = Settings(read_only_profiles=frozenset({"nova-viewer"}), path=CONFIG)
    app = make_app(settings=settings, fresh=True)
    async with app.run_test(size=(160, 40), notifications=True) as pilot:
        await _drawn(pilot)
        assert not app.context.read_only
        assert pane(app, "findings").table.select_key(CDN_LATEST)
        await pilot.pause()
        assert app.screen.active_bindings["f"].enabled

        await _command(pilot, "profile nova-viewer")
        await _switched(pilot, 1)
        await _drawn(pilot)
        assert app.context.read_only_reason == "profile 'nova-viewer' is read-only in config.toml"
        header = _header(app)
        assert header.read_only and header.tooltip == f"read-only: {app.context.read_only_reason}"
        assert "READ-ONLY" in screen_text(app)

        assert pane(app, "findings").table.select_key(CDN_LATEST)
        await pilot.pause()
        assert not app.screen.active_bindings["f"].enabled
        await pilot.press("f")
        await pilot.pause()
        assert on_console(app) and app.context.action_running is None

        # what the console's flow would make on this session is refused at apply
        ref = ResourceRef("ecr", "nova/cdn-service", "ap-northeast-1")
        action = make_action(
            "retag-latest",
            ref,
            {},
            app.context.session,
            read_only=app.context.read_only_flag,
            settings=app.context.settings,
        )
        with pytest.raises(ReadOnlyRefused, match="read-only mode"):
            action.apply(action.plan())

        # and back: read-only is decided again, the badge goes
        await _command(pilot, "profile default")
        await _switched(pilot, 2)
        await _drawn(pilot)
        assert not app.context.read_only and not _header(app).read_only
        assert pane(app, "findings").table.select_key(CDN_LATEST)
        await pilot.pause()
        assert app.screen.active_bindings["f"].enabled


@pytest.mark.parametrize(
    ("command", "said"),
    [
        ("profile nope", "unknown AWS profile 'nope'"),
        ("profile nocreds", "profile 'nocreds': no credentials"),
        ("region mars-1", "unknown AWS region 'mars-1'"),
        ("ctx nope", "kube context 'nope' not found"),
    ],
)
async def test_a_bad_choice_is_said_and_changes_nothing(
    make_app: AppFactory, command: str, said: str
) -> None:
    app = make_app(settings=Settings(path=CONFIG), fresh=True)
    async with app.run_test(size=(200, 40), notifications=True) as pilot:
        await _drawn(pilot)
        session, state = app.context.session, app.context.state
        rows = _row_names(app, "repositories")
        await _command(pilot, command)
        await wait_for(pilot, lambda: said in screen_text(app), timeout=30)
        assert "not switched" in screen_text(app)
        await pilot.pause()
        assert app.feed.scope == 0 and app.context.session is session
        assert app.context.state is state  # the model and every row as they were
        assert _row_names(app, "repositories") == rows and "nova/cdn-service" in rows
        assert _header(app).profile == "default"
        assert not app.context.read_only


async def test_region_switch_reads_only_the_new_region(make_app: AppFactory) -> None:
    app = make_app(settings=Settings(path=CONFIG), fresh=True)
    async with app.run_test(size=(160, 40), notifications=True) as pilot:
        await _drawn(pilot)
        await pilot.press("1")
        assert {"nova/cdn-service", "mangoo-frontend"} <= _row_names(app, "repositories")
        assert "region" in [c.key for c in pane(app, "repositories").table.table_columns]

        await _command(pilot, "region us-east-1")
        await _switched(pilot, 1)
        repositories = pane(app, "repositories")

        def only_us_east() -> bool:
            # checked at every step: never a row of ap-northeast-1 after the switch
            names = _row_names(app, "repositories")
            assert not any(name.startswith("nova/") for name in names), names
            return repositories.loaded and app.context.state.complete

        await wait_for(pilot, only_us_east, timeout=60)
        await _drawn(pilot)  # every pane has drawn the new scope (the findings too)
        assert only_us_east()
        assert _row_names(app, "repositories") == {"mangoo-frontend", "mangoo-backend"}
        assert _header(app).regions == ("us-east-1",)
        assert "region" not in [c.key for c in repositories.table.table_columns]
        findings = console(app).query_one(FindingsPane).found.values()
        assert findings and all(f.ref.scope != "ap-northeast-1" for f in findings)


async def test_ctx_picker_lists_contexts_and_switches(make_app: AppFactory) -> None:
    settings = Settings(read_only_contexts=frozenset({"nova-viewer"}), path=CONFIG)
    app = make_app(settings=settings, fresh=True)
    async with app.run_test(size=(160, 40), notifications=True) as pilot:
        await _drawn(pilot)
        await _command(pilot, "ctx")
        picker = await modal(pilot, ScopePicker)
        await wait_for(pilot, lambda: picker.listed)
        assert picker.names == ["nova", "nova-viewer"]
        assert picker.highlighted_name() == "nova"  # the current one
        assert "nova current" in screen_text(app)
        assert "nova-viewer read-only" in screen_text(app)

        await pilot.press("j")  # as k9s: j and k move too
        assert picker.highlighted_name() == "nova-viewer"
        await pilot.press("k")
        assert picker.highlighted_name() == "nova"
        await pilot.press("down", "enter")
        await _switched(pilot, 1)
        assert on_console(app)  # the picker closed with the switch
        assert app.context.session.kube_context == "nova-viewer"
        assert _header(app).kube_context == "nova-viewer" and _header(app).read_only
        await _drawn(pilot)
        deployments = [ref for ref in pane(app, "services").refs.values() if ref.kind == "k8s"]
        assert deployments and all(ref.scope == "nova-viewer" for ref in deployments)


async def test_switching_pops_back_to_the_console(make_app: AppFactory) -> None:
    app = make_app(settings=Settings(path=CONFIG), fresh=True)
    async with app.run_test(size=(160, 40), notifications=True) as pilot:
        await _drawn(pilot)
        await pilot.press("1")
        assert pane(app, "repositories").table.select_key(
            next(
                k
                for k, r in pane(app, "repositories").records.items()
                if r.name == "nova/cdn-service"
            )
        )
        await pilot.press("enter")
        await modal(pilot, RepositoryDetail)
        assert app.switch_scope(profile="nova-ops")  # the one entry point
        await _switched(pilot, 1)
        await wait_for(pilot, lambda: on_console(app))
        assert console(app).current == "repositories"
        assert _header(app).profile == "nova-ops"


async def test_region_picker_switches_to_the_regions_chosen(make_app: AppFactory) -> None:
    app = make_app(settings=Settings(path=CONFIG), regions=("ap-southeast-1",))
    async with app.run_test(size=(160, 40), notifications=True) as pilot:
        await _drawn(pilot)
        await _command(pilot, "region")
        picker = await modal(pilot, ScopePicker)
        await wait_for(pilot, lambda: picker.listed)
        assert {"ap-northeast-1", "us-east-1", "eu-west-1"} <= set(picker.names)
        assert picker.highlighted_name() == "ap-southeast-1"  # the current one
        for region in ("us-east-1", "ap-northeast-1"):
            await pilot.press("slash", *region, "enter")  # narrow, back to the list
            assert picker.shown_names()[0] == region
            await pilot.press("space")  # chosen
            await pilot.press("slash", *["backspace"] * len(region), "enter")
        assert picker.chosen == {"us-east-1", "ap-northeast-1"}
        await pilot.press("enter")
        await _switched(pilot, 1)
        assert on_console(app)
        assert app.context.session.regions == ("ap-northeast-1", "us-east-1")
        await _drawn(pilot)
        names = _row_names(app, "repositories")
        assert {"nova/cdn-service", "mangoo-frontend"} <= names
        assert "query-service" not in names  # ap-southeast-1's repository is not read now


async def test_the_prompt_completes_names_after_a_scope_command(make_app: AppFactory) -> None:
    app = make_app(settings=Settings(path=CONFIG), fresh=True)
    async with app.run_test(size=(160, 40), notifications=True) as pilot:
        await _drawn(pilot)
        suggest = CommandSuggester(command_names()).get_suggestion
        assert await suggest("prof") == "profile"
        assert await suggest("profile nova-v") == "profile nova-viewer"
        assert await suggest("region us-east-1,ap-northeast-") == "region us-east-1,ap-northeast-1"
        assert await suggest("ctx nope") is None

        await pilot.press("colon", *"ctx nova-v")
        await wait_for(pilot, lambda: "ctx nova-viewer" in screen_text(app))  # offered
        await pilot.press("right", "enter")  # taken, and run
        await _switched(pilot, 1)
        assert app.context.session.kube_context == "nova-viewer"
