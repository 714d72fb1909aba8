"""The console on the hostile world: every screen shows the corpus, none obeys it.

What a screen draws is read as the segments of its widgets' rendered lines
(and the screenshot): the text Textual writes to the terminal between its own
drawing codes. No ESC, C1, BEL or bidi override from the data may be among
them, and what the attacker wrote is still there to read, as control pictures;
Rich markup in the data is drawn as typed. Presenter mode masks the log group
picker and the log view of a group whose name holds an account id and an address.
"""

from __future__ import annotations

from textual.geometry import Region
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Input

from tests.hostile.conftest import (
    ACCOUNT_ID,
    DEPLOYMENT,
    HOSTILE_GROUP,
    HOSTILE_TAG,
    REGION,
    REPOSITORY,
    SAFE_TAG,
    AppFactory,
)
from tests.hostile.corpus import HOSTILE, MARKUP, leaks
from tests.tui.helpers import (
    console,
    detail_text,
    model_read,
    on_console,
    screen_text,
    select_row,
    wait_for,
)
from tui.app import ShipdeckApp
from tui.screens.log_group_picker import LogGroupPicker
from tui.screens.logs import LogsScreen
from tui.screens.timeline import TimelineScreen
from widgets.action_form import ActionForm
from widgets.plan_preview import PlanPreview

SIZE = (200, 60)
SHOWN_TITLE = "␛]0;pwned-title␇"
MASKED_GROUP = "/aws/ecs/acct••••••••••••-••.•.•.••"


def drawn(app: ShipdeckApp) -> str:
    """Every segment the widgets of the screen on top draw now, and the screenshot's text."""
    parts = [app.export_screenshot()]
    for widget in app.screen.walk_children(Widget, with_self=True):
        size = widget.size
        if not widget.display or not size.area:
            continue
        for strip in widget.render_lines(Region(0, 0, size.width, size.height)):
            parts.append("".join(segment.text for segment in strip))
    return "\n".join(parts)


def assert_drawn_safely(app: ShipdeckApp, where: str) -> None:
    found = leaks(drawn(app))
    assert found == [], f"{where}: {found[:3]}"


async def open_detail(pilot: Pilot[None], key: str, pane: str, row: str) -> None:
    app = pilot.app
    assert isinstance(app, ShipdeckApp)
    await pilot.press(key)
    select_row(app, pane, row)
    await pilot.press("enter")
    await wait_for(pilot, lambda: not on_console(app))


async def open_hostile_group(pilot: Pilot[None]) -> str:
    """Pick the hostile group in the open picker and wait for its lines; the screen's text."""
    app = pilot.app
    assert isinstance(app, ShipdeckApp)
    for char in "/acct":
        await pilot.press(char if char != "/" else "slash")
    await pilot.press("enter", "enter")
    await wait_for(pilot, lambda: isinstance(app.screen, LogsScreen))
    await wait_for(pilot, lambda: "calm line after the hostile one" in screen_text(app))
    return screen_text(app)


async def test_details_show_the_corpus_as_text(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await model_read(pilot)
        assert_drawn_safely(app, "repositories pane")

        await open_detail(pilot, "1", "repositories", REPOSITORY)
        await wait_for(pilot, lambda: SAFE_TAG in detail_text(app))
        assert_drawn_safely(app, "repository detail")
        assert SHOWN_TITLE in screen_text(app)
        await pilot.press("escape")
        await wait_for(pilot, lambda: on_console(app))

        await open_detail(pilot, "3", "services", DEPLOYMENT)
        await wait_for(pilot, lambda: "Hostile" in detail_text(app), timeout=30)
        assert_drawn_safely(app, "deployment detail")
        text = detail_text(app)
        assert "␛]52;c;" in text and "␛[2J" in text and "<U+202E>exe.txt" in text
        assert MARKUP in text  # drawn as typed, not as a red x and a link


async def test_delete_tag_form_and_plan_preview(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await model_read(pilot)
        await pilot.press("1")
        select_row(app, "repositories", REPOSITORY)
        await pilot.press("D")
        await wait_for(pilot, lambda: isinstance(app.screen, ActionForm))
        form = app.screen
        form.query_one(Input).value = HOSTILE_TAG  # the tag pasted, as a person copies it
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, PlanPreview))
        await pilot.pause()
        text = screen_text(app)
        assert f"delete {REPOSITORY}:{SAFE_TAG}" in text
        assert f"imageTag='{SAFE_TAG}'" in text  # the equivalent command, shell-quoted
        assert_drawn_safely(app, "delete-tag plan preview")
        await pilot.press("escape")  # cancelled: nothing changes, the plan is on the timeline
        await wait_for(pilot, lambda: on_console(app))

        app.action_timeline()
        await wait_for(pilot, lambda: isinstance(app.screen, TimelineScreen))
        timeline = app.screen
        assert isinstance(timeline, TimelineScreen)
        planned = f"delete {REPOSITORY}:{SAFE_TAG}"
        await wait_for(pilot, lambda: any(planned in str(e) for e in timeline.events))
        await pilot.press("end")  # the newest event, last; its column cuts the tag short
        row = f"action plan delete {REPOSITORY}:v1[/]{SHOWN_TITLE}"
        await wait_for(pilot, lambda: row in screen_text(app))
        assert_drawn_safely(app, "timeline")


async def test_log_picker_and_view_show_the_corpus_as_text(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await console(app).run_action("open_logs")
        await wait_for(pilot, lambda: isinstance(app.screen, LogGroupPicker))
        picker = app.screen
        assert isinstance(picker, LogGroupPicker)
        await wait_for(pilot, lambda: ("", REGION, HOSTILE_GROUP) in picker.groups)
        text = await open_hostile_group(pilot)
        assert HOSTILE_GROUP in text
        assert SHOWN_TITLE in text and "␛]52;c;" in text and "␛[31m" in text
        assert MARKUP in text
        assert_drawn_safely(app, "log view")


async def test_notifications_show_the_corpus_as_text(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        # Up long enough for a busy machine to draw and read it (the default is a few seconds).
        app.notify(HOSTILE, title=f"read failed{HOSTILE[:30]}", severity="error", timeout=120)
        await wait_for(pilot, lambda: SHOWN_TITLE in screen_text(app))
        assert "hostile [red]x[/red]" in screen_text(app)  # markup drawn as typed
        assert_drawn_safely(app, "notification")


async def test_presenter_mode_masks_the_picker_and_the_log_view(make_app: AppFactory) -> None:
    app = make_app(presenter=True)
    async with app.run_test(size=SIZE) as pilot:
        await console(app).run_action("open_logs")
        await wait_for(pilot, lambda: isinstance(app.screen, LogGroupPicker))
        picker = app.screen
        assert isinstance(picker, LogGroupPicker)
        await wait_for(pilot, lambda: picker.answered == len(app.context.session.regions))
        await wait_for(pilot, lambda: MASKED_GROUP in screen_text(app))
        assert ACCOUNT_ID not in screen_text(app) and "10.0.1.23" not in screen_text(app)

        await pilot.press("ctrl+r")  # presenter off: the picker shows the names again
        await wait_for(pilot, lambda: HOSTILE_GROUP in screen_text(app))
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: MASKED_GROUP in screen_text(app))

        text = await open_hostile_group(pilot)
        assert MASKED_GROUP in text  # in the title and in each line's source
        assert ACCOUNT_ID not in text and "10.0.1.23" not in text
        assert_drawn_safely(app, "log view, presenting")
