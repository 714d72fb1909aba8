"""The log view on its own: what a person sees and what each key does (no AWS)."""

from __future__ import annotations

import stat
import time
from itertools import pairwise
from pathlib import Path

from rich.style import Style
from textual.pilot import Pilot

from tests.logview.conftest import wait_until
from tests.logview.harness import ViewApp, numbered, rows, visible
from widgets.log_buffer import iso_time
from widgets.log_view import BORDER_INTERVAL, LogView, StatusNote

SIZE = (100, 30)


async def type_prompt(pilot: Pilot[None], key: str, text: str) -> None:
    """Open the ``/`` or ``&`` prompt, type ``text`` and press enter."""
    await pilot.press(key)
    await pilot.pause()
    for char in text:
        await pilot.press(char)
    await pilot.press("enter")
    await pilot.pause()


async def test_batches_are_appended_in_order() -> None:
    app = ViewApp(source="build app:41", timestamps=False)
    async with app.run_test(size=SIZE) as pilot:
        app.view.write_batch(["first", "second"])
        app.view.write_batch([(1_714_564_800_000, "app", "third")])
        app.view.write_batch([])
        await pilot.pause()
        assert rows(app.view) == ["first", "second", "third"]
        assert app.view.buffer.line_count == 3


async def test_bounded_buffer_drops_the_oldest_lines() -> None:
    app = ViewApp(max_lines=100, timestamps=False)
    async with app.run_test(size=SIZE) as pilot:
        for start in range(0, 250, 50):
            app.view.write_batch(numbered(50, start))
        await pilot.pause()
        shown = rows(app.view)
        assert len(shown) == 100
        assert shown[0] == "line 150"
        assert shown[-1] == "line 249"
        assert len(app.view.buffer.entries) == 100
        assert app.view.buffer.entries[0].text == "line 150"
        await pilot.pause(BORDER_INTERVAL)  # a flood moves the border's count twice a second
        assert "150 oldest dropped" in str(app.view.border_subtitle)


async def test_follow_turns_off_on_scroll_up_and_back_on_with_end_or_f() -> None:
    app = ViewApp(timestamps=False)
    async with app.run_test(size=SIZE) as pilot:
        view = app.view
        view.write_batch(numbered(200))
        await pilot.pause()
        assert view.follow
        assert visible(view)[-1] == "line 199"

        await pilot.press("pageup")
        await pilot.pause()
        assert not view.follow
        assert "follow off" in str(view.border_subtitle)
        before = visible(view)
        view.write_batch(numbered(20, 200))
        await pilot.pause()
        assert visible(view) == before, "new lines must not move the screen while reading"

        await pilot.press("end")
        await pilot.pause()
        assert view.follow
        assert visible(view)[-1] == "line 219"

        await pilot.press("up", "up")
        await pilot.pause()
        assert not view.follow
        await pilot.press("f")
        await pilot.pause()
        assert view.follow
        view.write_batch(numbered(5, 220))
        await pilot.pause()
        assert visible(view)[-1] == "line 224"


async def test_scrolling_down_to_the_end_turns_follow_back_on() -> None:
    app = ViewApp(timestamps=False)
    async with app.run_test(size=SIZE) as pilot:
        app.view.write_batch(numbered(100))
        await pilot.pause()
        await pilot.press("up")
        await pilot.pause()
        assert not app.view.follow
        await pilot.press("down")
        await pilot.pause()
        assert app.view.follow


async def test_pause_holds_lines_with_a_count_and_releases_them() -> None:
    app = ViewApp(timestamps=False)
    async with app.run_test(size=SIZE) as pilot:
        view = app.view
        view.write_batch(numbered(5))
        await pilot.press("p")
        await pilot.pause()
        assert view.paused
        view.write_batch(numbered(7, 5))
        view.write_batch([StatusNote("reconnected", "session ended; reopened")])
        await pilot.pause()
        assert rows(view) == [f"line {i}" for i in range(5)]
        await pilot.pause(BORDER_INTERVAL)
        assert "PAUSED +7" in str(view.border_subtitle), "a note is not a held line"
        status = str(view.query_one("#log-status").render())
        assert "reconnected: session ended; reopened" in status, "statuses are shown at once"

        await pilot.press("p")
        await pilot.pause()
        assert not view.paused
        assert rows(view)[-7:] == [f"line {i}" for i in range(5, 12)]
        assert "PAUSED" not in str(view.border_subtitle)


async def test_search_highlights_and_n_and_shift_n_move_between_matches() -> None:
    app = ViewApp(timestamps=False)
    async with app.run_test(size=SIZE) as pilot:
        view = app.view
        lines = [f"{'needle' if i % 10 == 3 else 'hay'} {i}" for i in range(100)]
        view.write_batch(lines)
        await pilot.pause()
        await type_prompt(pilot, "slash", "needle")
        assert view.search_text == "needle"
        assert view.match_count == 10
        assert "/needle 10/10" in str(view.border_subtitle)
        assert view.log_lines.current_row == 93, "starts at the newest match on screen"
        assert not view.follow

        await pilot.press("N")
        await pilot.pause()
        assert view.log_lines.current_row == 83
        assert "/needle 9/10" in str(view.border_subtitle)
        await pilot.press("N")
        await pilot.pause()
        assert view.log_lines.current_row == 73
        assert "hay 73" not in visible(view) and "needle 73" in visible(view)
        await pilot.press("n")
        await pilot.pause()
        assert view.log_lines.current_row == 83
        await pilot.press("n", "n")
        await pilot.pause()
        assert view.log_lines.current_row == 3, "wraps around to the oldest match"

        log_lines = view.log_lines
        strip = log_lines.render_line(3 - log_lines.visible_range().start)
        matched = [seg for seg in strip if seg.text == "needle"]
        assert matched and matched[0].style is not None and matched[0].style.bgcolor is not None


async def test_n_is_greyed_without_a_search() -> None:
    app = ViewApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.view.check_action("next", ()) is None
        assert app.view.check_action("prev", ()) is None
        assert app.view.check_action("follow", ()) is None, "already following"
        assert app.view.check_action("next_error", ()) is True, "e says when there is none"


async def test_filter_keeps_matching_lines_inverts_with_bang_and_clears_when_empty() -> None:
    app = ViewApp(timestamps=False)
    async with app.run_test(size=SIZE) as pilot:
        view = app.view
        view.write_batch(["GET /health 200", "POST /query 500", "GET /health 200", "ERROR db down"])
        view.write_batch([StatusNote("throttled", "slowing down", "warning")])
        await pilot.pause()

        await type_prompt(pilot, "ampersand", "health")
        assert rows(view) == ["GET /health 200", "GET /health 200"]
        assert "&health" in str(view.border_subtitle)
        assert "2/4 lines" in str(view.border_subtitle)
        view.write_batch(["GET /health 200", "POST /query 200"])
        await pilot.pause()
        assert rows(view)[-1] == "GET /health 200", "new lines are filtered too"

        await pilot.press("ampersand")
        await pilot.pause()
        await pilot.press("ctrl+a")  # the prompt starts with the current filter
        await pilot.press("exclamation_mark")
        await pilot.press("enter")
        await pilot.pause()
        assert view.filter_text == "!health"
        assert rows(view) == ["POST /query 500", "ERROR db down", "POST /query 200"]

        await pilot.press("ampersand")
        await pilot.pause()
        await pilot.press("ctrl+u", "ctrl+k")
        await pilot.press("enter")
        await pilot.pause()
        assert view.filter_text == ""
        assert len(rows(view)) == 6


async def test_wrap_and_timestamps_toggle() -> None:
    app = ViewApp(timestamps=True)
    async with app.run_test(size=(60, 20)) as pilot:
        view = app.view
        stamp = 1_714_564_800_123
        view.write_batch([(stamp, "app", "x" * 150)])
        await pilot.pause()
        assert rows(view) == [f"{iso_time(stamp)} │ {'x' * 150}"]

        await pilot.press("t")
        await pilot.pause()
        assert not view.timestamps
        assert rows(view) == ["x" * 150]

        await pilot.press("w")
        await pilot.pause()
        assert view.wrap
        wrapped = rows(view)
        assert len(wrapped) > 1
        assert "".join(wrapped) == "x" * 150
        width = view.log_lines.scrollable_content_region.width
        assert all(len(row) <= width for row in wrapped)
        assert "wrap" in str(view.border_subtitle)

        await pilot.press("w")
        await pilot.pause()
        assert rows(view) == ["x" * 150]


async def test_save_all_writes_every_buffered_and_held_line(tmp_path: Path) -> None:
    app = ViewApp(source="/aws/lambda/hr-chatbot-backend", save_dir=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        view = app.view
        view.write_batch(numbered(500, source="hr"))
        await pilot.press("p")
        view.write_batch(numbered(3, 500, source="hr"))  # held lines are part of the stream
        await pilot.press("S")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        saved = list(tmp_path.glob("*.log"))
        assert len(saved) == 1
        assert saved[0].name.startswith("aws-lambda-hr-chatbot-backend-")
        assert stat.S_IMODE(saved[0].stat().st_mode) == 0o600  # log lines are private
        lines = saved[0].read_text().splitlines()
        assert len(lines) == 503
        assert lines[0] == f"{iso_time(1_714_564_800_000)} hr line 0"
        assert lines[-1].endswith("hr line 502")
        assert f"saved all 503 lines to {saved[0]}" in app.notes


async def test_y_copies_the_rows_on_screen() -> None:
    app = ViewApp(timestamps=False)
    async with app.run_test(size=SIZE) as pilot:
        view = app.view
        view.write_batch(numbered(300))
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        copied = app.clipboard.splitlines()
        assert copied == visible(view)
        assert copied[-1] == "line 299"
        assert len(copied) == view.log_lines.scrollable_content_region.height


async def test_y_copies_the_selection_when_there_is_one() -> None:
    app = ViewApp(timestamps=False)
    async with app.run_test(size=SIZE) as pilot:
        view = app.view
        view.write_batch(["alpha line", "beta line"])
        await pilot.pause()
        lines = view.log_lines
        region = lines.content_region
        await pilot.mouse_down(lines, offset=(0, 0))
        await pilot.hover(lines, offset=(5, 0))
        await pilot.mouse_up(lines, offset=(5, 0))
        await pilot.pause()
        assert region.width > 0
        selected = app.screen.get_selected_text()
        assert selected, "dragging selects text"
        await pilot.press("y")
        await pilot.pause()
        assert app.clipboard == selected


async def test_e_jumps_to_the_next_error_line() -> None:
    app = ViewApp(timestamps=False)
    async with app.run_test(size=SIZE) as pilot:
        view = app.view
        lines = [f"ok {i}" for i in range(120)]
        lines[10] = "thread 'main' panicked at src/config.rs:480:45:"
        lines[60] = "[ERROR] OperationalError: connection failed"
        lines[100] = "Process exited: exit code 137"
        view.write_batch(lines)
        await pilot.pause()
        await pilot.press("home")
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        assert view.log_lines.current_row == 10
        await pilot.press("e")
        await pilot.pause()
        assert view.log_lines.current_row == 60
        assert lines[60] in visible(view)
        await pilot.press("e")
        await pilot.pause()
        assert view.log_lines.current_row == 100
        assert not view.follow


async def test_error_lines_are_styled() -> None:
    app = ViewApp(timestamps=False)
    async with app.run_test(size=SIZE) as pilot:
        view = app.view
        view.write_batch(["all good", "FAILED to push image"])
        await pilot.pause()
        lines = view.log_lines
        error_style = lines.get_component_rich_style("log-lines--error", partial=True)

        def style_of(row: int, word: str) -> Style:
            strip = lines.render_line(row - lines.visible_range().start)
            for segment in strip:
                if word in segment.text and segment.style is not None:
                    return segment.style
            raise AssertionError(f"{word!r} not drawn on row {row}")

        failed = style_of(1, "FAILED")
        assert failed.color == error_style.color and failed.bold
        assert style_of(0, "all good").color != error_style.color


async def test_border_shows_source_count_rate_and_state() -> None:
    app = ViewApp(source="build mangoo-build-deploy:38")
    async with app.run_test(size=SIZE) as pilot:
        view = app.view
        view.write_batch(numbered(1000))
        view.update_border()
        await pilot.pause()
        assert view.border_title == "logs · build mangoo-build-deploy:38"
        subtitle = str(view.border_subtitle)
        assert "1,000 lines" in subtitle
        assert "200/s" in subtitle  # 1,000 lines over the 5 s window
        assert "FOLLOW" in subtitle


async def test_one_line_is_counted_as_one_line() -> None:
    app = ViewApp(timestamps=False)
    async with app.run_test(size=SIZE) as pilot:
        app.view.write_batch(["only line"])
        await wait_until(pilot, lambda: "1 line ·" in str(app.view.border_subtitle), what="1 line")
        app.view.write_batch(["and another"])
        await wait_until(pilot, lambda: "2 lines ·" in str(app.view.border_subtitle), what="2")


async def test_status_notes_show_above_the_log_not_among_the_lines() -> None:
    app = ViewApp(timestamps=False)
    async with app.run_test(size=SIZE) as pilot:
        view = app.view
        view.write_batch(["a line"])
        view.write_batch([StatusNote("error", "AccessDenied: logs:FilterLogEvents", "error")])
        view.write_batch([StatusNote("sampled", "live tail is sampling", "warning")])
        for _ in range(3):
            view.write_batch([StatusNote("reconnected", "session ended; reopened", "warning")])
        view.write_batch([StatusNote("phase", "BUILD started")])
        await pilot.pause()
        status = view.query_one("#log-status")
        assert "phase: BUILD started" in str(status.render())
        # What went wrong so far, in words; a phase is no trouble and not counted.
        assert str(status.render()).endswith(
            "(so far: 1 error · reconnected 3 times · sampled once)"
        )
        assert not status.has_class("-warning")
        view.write_batch([StatusNote("sampled", "live tail is sampling", "warning")])
        await pilot.pause()
        assert status.has_class("-warning")
        assert rows(view) == ["a line"]


async def test_escape_in_the_prompt_cancels_it() -> None:
    app = ViewApp(timestamps=False)
    async with app.run_test(size=SIZE) as pilot:
        view = app.view
        view.write_batch(["one", "two"])
        await pilot.press("slash")
        await pilot.press("t", "w")
        await pilot.press("escape")
        await pilot.pause()
        assert view.search_text == ""
        assert view.log_lines.search is None
        assert view.log_lines.has_focus


def test_view_is_a_log_widget() -> None:
    from textual.widgets import Log

    assert issubclass(type(LogView().log_lines), Log)


async def test_keys_can_be_remapped_by_binding_id() -> None:
    app = ViewApp(timestamps=False)
    async with app.run_test(size=SIZE) as pilot:
        app.set_keymap({"logs.follow": "F", "logs.pause": "space"})
        app.view.write_batch(numbered(100))
        await pilot.pause()
        await pilot.press("pageup")
        await pilot.pause()
        assert not app.view.follow
        await pilot.press("f")
        await pilot.pause()
        assert not app.view.follow, "f no longer follows"
        await pilot.press("F")
        await pilot.pause()
        assert app.view.follow
        await pilot.press("space")
        await pilot.pause()
        assert app.view.paused


async def test_a_text_filter_masks_rows_copies_and_saved_lines(tmp_path: Path) -> None:
    from tui.context.presenter import mask

    arn = "arn:aws:iam::123456789012:role/CodeBuildNovaECRRole"
    app = ViewApp(source="/aws/codebuild/nova-ecr-build", save_dir=tmp_path, timestamps=False)
    async with app.run_test(size=SIZE) as pilot:
        app.view.write_batch([f"assuming {arn}", "pulling from 10.0.1.23"])
        await pilot.pause()
        assert any("123456789012" in row for row in rows(app.view))
        app.view.set_text_filter(mask)  # presenter mode switched on: drawn again
        await pilot.pause()
        shown = "\n".join(rows(app.view))
        assert "123456789012" not in shown and "10.0.1.23" not in shown
        assert "CodeBuildNovaECRRole" in shown
        await pilot.press("y")
        assert "123456789012" not in app.clipboard
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        saved = next(tmp_path.glob("*.log")).read_text(encoding="utf-8")
        assert "123456789012" not in saved and "10.0.1.23" not in saved
        app.view.set_text_filter(None)
        await pilot.pause()
        assert any("123456789012" in row for row in rows(app.view))


async def test_a_flood_moves_the_border_count_twice_a_second_and_it_ends_exact() -> None:
    app = ViewApp(timestamps=False)
    async with app.run_test(size=SIZE) as pilot:
        view = app.view
        await pilot.pause(BORDER_INTERVAL)
        seen: list[str] = []
        began = time.monotonic()
        for start in range(0, 3000, 100):  # 30 feeds in about a second
            view.write_batch(numbered(100, start))
            await pilot.pause(0.03)
            seen.append(str(view.border_subtitle))
        took = time.monotonic() - began
        changes = sum(1 for before, after in pairwise(seen) if before != after)
        # Readable, and the whole view is not redrawn per feed: the count moves on its
        # half-second beat (and the rate's one-second one), however long the feeds took.
        assert changes <= took / BORDER_INTERVAL + took + 1, (took, seen)
        # Exact once its next beat has come (a busy machine may run that timer late).
        for _ in range(50):
            await pilot.pause(BORDER_INTERVAL / 5)
            if str(view.border_subtitle).startswith("3,000 lines"):
                break
        assert str(view.border_subtitle).startswith("3,000 lines")
