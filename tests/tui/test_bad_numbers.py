"""A number out of the service's bounds typed in the console's form: said, and no plan.

The form comes back with what was typed, a notification says what the bound
is, and no plan is read. The shared world is used: nothing here changes it.
"""

from __future__ import annotations

import pytest
from textual.widgets import Input

from tests.tui.conftest import AppFactory
from tests.tui.helpers import modal, model_read, screen_text, select_row, wait_for
from widgets.action_form import ActionForm
from widgets.plan_preview import PlanPreview


@pytest.mark.parametrize("count", ["99999999999999999999", "inf", "-1"])
async def test_a_count_out_of_bounds_is_refused_before_any_plan(
    make_app: AppFactory, count: str
) -> None:
    app = make_app()
    async with app.run_test(size=(160, 40), notifications=True) as pilot:
        await model_read(pilot)
        await pilot.press("3")
        select_row(app, "services", "frontend-service")  # ECS
        await pilot.press("plus")
        form = await modal(pilot, ActionForm)
        form.query_one("#field-count", Input).value = count
        await pilot.press("enter")
        # The notification quotes the value (the form does not); words may wrap in it.
        await wait_for(pilot, lambda: f"count='{count}':" in screen_text(app))
        assert "5000" in screen_text(app)
        again = await modal(pilot, ActionForm)  # the form again, with what was typed
        assert again.query_one("#field-count", Input).value == count
        assert not any(isinstance(s, PlanPreview) for s in app.screen_stack)
        assert "planning" not in screen_text(app)
        await pilot.press("escape")
