"""Kinds are declared once: every kind of the registry has a row, a detail and (where it has
logs) a log source in the console, read from the seeded world."""

from __future__ import annotations

import pytest

from cloud.model.kinds import KINDS, PANES, kind, log_of
from tests.tui.conftest import AppFactory
from tests.tui.helpers import console, model_read
from tui.kinds.registry import PANE_VIEWS, VIEWS, view
from tui.screens.detail import DetailScreen

# What the seeded world has of each kind, and whether that kind has a log to follow.
SAMPLE = {
    "ecr": ("nova/cdn-service", False),
    "codebuild": ("mangoo-build-deploy", True),
    "ecs": ("query-service-cluster/query-service", True),
    "lambda": ("hr-chatbot-backend", True),
    "k8s": ("nova-backend/user-service", True),
    "quota": ("codebuild/L-4DDC4A99", False),
    "alarm": ("ECS-HighCPU", False),
}


def test_every_kind_has_a_view_and_a_pane() -> None:
    assert set(VIEWS) == {k.name for k in KINDS} == set(SAMPLE)
    shown = {name for p in PANES for name in p.kinds}
    assert shown == set(SAMPLE), "every kind appears in a pane"
    assert set(PANE_VIEWS) == {p.name for p in PANES}
    for each in KINDS:
        assert view(each.name).detail is not None, each.name


@pytest.mark.parametrize("name", sorted(SAMPLE))
async def test_a_kind_has_a_row_a_detail_and_its_log(make_app: AppFactory, name: str) -> None:
    resource, has_log = SAMPLE[name]
    app = make_app()
    async with app.run_test(size=(160, 50)) as pilot:
        await model_read(pilot)
        pane_name = next(p.name for p in PANES if name in p.kinds)
        pane = console(app).pane(pane_name)
        keys = {key: ref for key, ref in pane.refs.items() if ref.kind == name}
        matching = [key for key, ref in keys.items() if ref.name == resource]
        assert matching, f"no {name} row named {resource} in {pane_name}"
        assert pane.table.select_key(matching[0])
        record = pane.selected()
        assert kind(name).ref(record) == keys[matching[0]]
        assert (log_of(record) is not None) == has_log
        screen = pane.detail()
        assert isinstance(screen, DetailScreen)
        await app.push_screen(screen)
        await pilot.pause()
        assert screen.record == record  # the detail shows what the row shows
        assert screen.ref == keys[matching[0]]
