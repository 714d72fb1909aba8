"""Read-only mode in the console, from each of its sources, against every path to a change.

The sources: ``--read-only``, ``read_only = true`` in the config file, and
``read_only = true`` under the AWS profile's or the kube context's table. The
paths: a row's key (in its pane and its detail screen), the command palette, a
``:`` command, a finding's fix key, the fallback build, and the flow's own
action (what a path that forgot to check would reach). The world is the
shared one: nothing here may change it, and the test proves that nothing did.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import pytest
from textual.pilot import Pilot

from actions.catalogue import make_action
from actions.model import ReadOnlyRefused
from cloud.findings.model import Fix
from cloud.model.ref import ResourceRef
from cloud.settings import Settings
from tests.tui.conftest import AppFactory, WorldAccess
from tests.tui.helpers import (
    modal,
    model_read,
    on_console,
    pane,
    screen_text,
    select_row,
    wait_for,
)
from tui.app import ShipdeckApp
from tui.flows.remediation import launch
from tui.palette import ConsoleCommands
from tui.screens.repository_detail import RepositoryDetail
from widgets.header_bar import HeaderBar

REGION = "ap-northeast-1"
CDN_LATEST = "missing-tag:ap-northeast-1:nova/cdn-service:latest"
SOURCES = ("flag", "config file", "profile", "kube context")


def _app(make_app: AppFactory, world: WorldAccess, source: str) -> ShipdeckApp:
    config = Path("config.toml")
    if source == "flag":
        return make_app(read_only=True)
    if source == "config file":
        return make_app(settings=Settings(read_only=True, path=config))
    if source == "profile":  # no profile named, no AWS_PROFILE: the "default" profile
        return make_app(settings=Settings(read_only_profiles=frozenset({"default"}), path=config))
    assert world.kube_context is not None
    contexts = frozenset({world.kube_context})
    return make_app(settings=Settings(read_only_contexts=contexts, path=config))


def _latest_tags(world: WorldAccess) -> list[str]:
    make_client: Callable[..., Any] = boto3.client
    ecr = make_client("ecr", region_name=REGION, endpoint_url=world.aws_endpoint)
    images = ecr.describe_images(repositoryName="nova/cdn-service")["imageDetails"]
    return [t for d in images for t in d.get("imageTags", []) if t == "latest"]


def _nothing_started(app: ShipdeckApp) -> bool:
    return (
        on_console(app)
        and app.context.action_running is None
        and not [w for w in app.workers if w.group == "remediation"]
    )


async def _greyed_key_starts_nothing(pilot: Pilot[None], key: str, binding_id: str) -> None:
    app = pilot.app
    assert isinstance(app, ShipdeckApp)
    await pilot.pause()
    binding = app.screen.active_bindings[key]
    assert binding.binding.id == binding_id and not binding.enabled
    await pilot.press(key)
    await pilot.pause()
    assert _nothing_started(app)


@pytest.mark.parametrize("source", SOURCES)
async def test_every_console_path_refuses(
    make_app: AppFactory, world: WorldAccess, source: str
) -> None:
    assert not _latest_tags(world)
    app = _app(make_app, world, source)
    assert app.context.read_only
    async with app.run_test(size=(160, 40), notifications=True) as pilot:
        await model_read(pilot)
        assert "READ-ONLY" in screen_text(app)  # the badge in the header, saying why
        header = app.screen.query_one(HeaderBar)
        assert header.tooltip == f"read-only: {app.context.read_only_reason}"
        expected = {"flag": "--read-only", "config file": "read_only = true in config.toml"}
        assert app.context.read_only_reason == expected.get(
            source,
            "profile 'default' is read-only in config.toml"
            if source == "profile"
            else f"kube context {world.kube_context!r} is read-only in config.toml",
        )

        # a row's key: greyed, and pressing it starts nothing
        await pilot.press("1")
        select_row(app, "repositories", "nova/cdn-service")
        await _greyed_key_starts_nothing(pilot, "t", "action.retag-latest")

        # the same key in the resource's detail screen
        await pilot.press("enter")
        detail = await modal(pilot, RepositoryDetail)
        assert not detail.active_bindings["t"].enabled
        await pilot.press("t")
        await pilot.pause()
        assert app.screen is detail and app.context.action_running is None
        await pilot.press("escape")
        await wait_for(pilot, lambda: on_console(app))

        # the palette offers no change, and its action run anyway does nothing
        titles = [title for title, _, _ in ConsoleCommands(app.screen)._entries()]
        assert not any(t.startswith("Retag") for t in titles)
        await app.run_action("remediate('retag-latest')", pane(app, "repositories"))
        await pilot.pause()
        assert _nothing_started(app)

        # the fallback build: its key on a project, and the : command
        await pilot.press("2")
        select_row(app, "builds", "nova-ecr-build")
        await pilot.pause()
        assert not app.screen.active_bindings["b"].enabled
        await pilot.press("b")
        await pilot.press("colon", *"fallback nova-ecr-build", "enter")
        await pilot.pause()
        assert _nothing_started(app)
        assert "refused, read-only mode" in screen_text(app)

        # a finding's fix key
        await pilot.press("0")
        assert pane(app, "findings").table.select_key(CDN_LATEST)
        await _greyed_key_starts_nothing(pilot, "f", "finding.fix")
        await _greyed_key_starts_nothing(pilot, "F", "finding.fix-alike")  # all alike at once

        # a fix launched directly, and the action the flow would make
        ref = ResourceRef("ecr", "nova/cdn-service", REGION)
        launch(app, app.context, Fix("retag-latest", ref), None)
        await pilot.pause()
        assert _nothing_started(app)
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
    assert not _latest_tags(world)  # nothing changed


async def test_a_read_only_context_of_another_cluster_allows_changes(
    make_app: AppFactory,
) -> None:
    settings = Settings(read_only_contexts=frozenset({"prod"}), read_only_profiles=frozenset({"x"}))
    app = make_app(settings=settings)
    assert not app.context.read_only
