"""The log view's side of history: asking at the top, older lines put above in place."""

from __future__ import annotations

from tests.logview.conftest import wait_until
from tests.logview.harness import ViewApp, numbered, rows, visible
from widgets.log_history import ReachedTop


class _TopApp(ViewApp):
    """Counts the view's requests for older lines."""

    asked = 0

    def on_log_view_reached_top(self, message: ReachedTop) -> None:
        """The view asked for what is before its first line."""
        self.asked += 1


async def test_the_person_at_the_top_asks_a_cleared_view_does_not() -> None:
    app = _TopApp(max_lines=1000)
    async with app.run_test(size=(100, 30)) as pilot:
        view = app.view
        view.pages_history = True
        view.write_batch(numbered(300))
        await pilot.pause()
        await pilot.press("pageup")
        await pilot.pause()
        assert app.asked == 0, "not at the top yet"
        await pilot.press("home")  # scrolls (animated) up to the top
        await wait_until(pilot, lambda: app.asked > 0, what="the request at the top")
        assert app.asked == 1, "reaching the top asks, once"
        await pilot.press("up")
        await pilot.pause()
        assert app.asked == 2, "pushing against it asks again"

        view.action_follow()
        await pilot.pause()
        view.clear_lines()
        await pilot.pause()
        assert app.asked == 2, "a cleared view (a jump) does not ask"


async def test_older_lines_go_above_and_the_top_row_stays() -> None:
    app = ViewApp(max_lines=400)
    async with app.run_test(size=(100, 30)) as pilot:
        view = app.view
        view.write_batch(numbered(300, start=200))
        await pilot.pause()
        view.log_lines.move_to(50)
        await pilot.pause()
        top = visible(view)[0]
        set_aside = view.prepend_older(numbered(150, start=50))
        await pilot.pause()
        assert visible(view)[0] == top, "the row that was on top still is"
        assert set_aside == 50 and view.tail_set_aside == 50, "a full buffer gives up its newest"
        assert rows(view)[0].endswith("line 50") and rows(view)[-1].endswith("line 449")
        assert not view.follow
        assert "follow" in str(view.border_subtitle)
