"""The log view reads like the logs (issue 14, item 4): what a person sees, on screen.

Transport notes on the status line, one time per line, save what is shown,
the search position, ``e`` on causes, wrapped lines under the message, and
highlights readable in the dark and the light theme.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from rich.segment import Segment
from textual.color import Color
from textual.pilot import Pilot

from tests.logview.harness import ViewApp, numbered, rows, screen_lines, screen_text, toasts
from widgets.log_buffer import ERROR_PATTERN, error_matcher, iso_time
from widgets.log_lines import contrast_ratio
from widgets.log_status import LogStatusLine
from widgets.log_view import LogView, StatusNote

SIZE = (120, 30)
BASE = 1_714_564_800_000  # 2024-05-01T12:00:00Z
BUILD = "build mangoo-build-deploy:35"


async def until(pilot: Pilot[None], condition: Callable[[], bool], what: str) -> None:
    """Let the app run until ``condition()`` holds (each step waits for the app's messages)."""
    for _ in range(1500):  # 30 s: a machine with both cores busy is slow, never this slow
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError(f"timed out waiting for {what}")


async def type_prompt(pilot: Pilot[None], key: str, text: str) -> None:
    """Open the ``/`` or ``&`` prompt, type ``text`` and press enter."""
    await pilot.press(key)
    await pilot.pause()
    await pilot.press(*text)
    await pilot.press("enter")
    await pilot.pause()


def log_area(app: ViewApp) -> list[str]:
    """The screen rows between the view's status line and its bottom border."""
    lines = screen_lines(app)
    bottom = next(i for i, line in enumerate(lines) if line.startswith("╰"))
    return lines[2:bottom]


def status_row(app: ViewApp) -> str:
    """The view's status line as drawn (the row under the top border)."""
    return screen_lines(app)[1]


def bottom_border(app: ViewApp) -> str:
    """The row with the count, search, filter and state."""
    return next(line for line in screen_lines(app) if line.startswith("╰"))


def told(app: ViewApp, notice: str) -> bool:
    """Whether a notice on screen says ``notice``."""
    return "".join(notice.split()) in toasts(app)


def build_35() -> list[tuple[int, str, str]]:
    """The end of mangoo-build-deploy #35 as CodeBuild logs it: a push denied, then FAILED."""
    stamp = "2024/05/01 12:00:0{}.000000"
    texts = [
        f"[Container] {stamp.format(0)} Entering phase POST_BUILD",
        f"[Container] {stamp.format(1)} Running command docker push mangoo-backend:abc1234",
        "The push refers to repository [123456789012.dkr.ecr.us-east-1.amazonaws.com/mangoo]",
        "denied: Your authorization token has expired. Reauthenticate and try again.",
        'error parsing HTTP 403 response body: unexpected end of JSON input: ""',
        f"[Container] {stamp.format(5)} Command did not exit successfully docker push "
        "mangoo-backend:abc1234 exit status 1",
        f"[Container] {stamp.format(6)} Phase complete: POST_BUILD State: FAILED",
    ]
    return [(BASE + i * 1000, "", text) for i, text in enumerate(texts)]


async def test_transport_notes_are_on_the_status_line_never_among_the_lines() -> None:
    app = ViewApp(source=BUILD)
    async with app.run_test(size=SIZE) as pilot:
        view = app.view
        polling = "polling: live tail sessions of this endpoint end at once (mode 2 · phase 10)"
        view.write_batch(
            [
                StatusNote("mode", polling),
                *numbered(5),
                StatusNote("phase", f"{BUILD}: entering phase BUILD", at_ms=BASE + 2000),
                StatusNote("reconnected", "session ended; reopened and bridged the gap"),
            ]
        )
        await pilot.pause()
        assert "reconnected: session ended; reopened and bridged the gap" in status_row(app)
        # What went wrong is tallied in words; a mode or a phase says itself and is kept.
        assert "(so far: reconnected once)" in status_row(app)
        status = view.query_one(LogStatusLine)
        assert [note.kind for note in status.history] == ["mode", "phase", "reconnected"]
        shown = "\n".join(log_area(app))
        assert "line 4" in shown
        for note in ("polling", "reopened", "entering phase", "──"):
            assert note not in shown, f"{note!r} drawn among the lines"

        await type_prompt(pilot, "ampersand", "bridged|polling|phase")
        await until(pilot, lambda: "0/5 lines" in bottom_border(app), "the filtered count")
        assert not "".join(line.strip("│ ") for line in log_area(app)), "no note gets through"
        assert "reopened and bridged" in status_row(app), "and never hides one"


async def test_a_codebuild_line_shows_its_time_once() -> None:
    app = ViewApp(source=BUILD)
    async with app.run_test(size=SIZE) as pilot:
        own = BASE + 1123
        later = BASE + 5 * 60_000  # written five minutes after its own time: both say something
        app.view.write_batch(
            [
                (own, "", "[Container] 2024/05/01 12:00:01.123456 Phase complete: BUILD State: OK"),
                StatusNote("phase", f"{BUILD}: phase BUILD complete: SUCCEEDED", at_ms=own),
                (later, "", "2024-05-01T12:00:02.000Z late line"),
            ]
        )
        await pilot.pause()
        area = [line.strip("│ ") for line in log_area(app) if line.strip("│ ")]
        assert area == [
            f"{iso_time(own)} │ [Container] Phase complete: BUILD State: OK",
            f"{iso_time(later)} │ 2024-05-01T12:00:02.000Z late line",
        ]
        await pilot.press("t")  # without the prefix, the line's own time is all there is
        await pilot.pause()
        assert "[Container] 2024/05/01 12:00:01.123456 Phase complete" in screen_text(app)


async def test_ctrl_s_saves_what_is_shown_and_says_so_and_S_saves_all(tmp_path: Path) -> None:
    app = ViewApp(source=BUILD, save_dir=tmp_path)
    async with app.run_test(size=(200, 30), notifications=True) as pilot:
        view = app.view
        view.write_batch(
            [(BASE + i, "", f"{'GET /health' if i % 16 < 7 else 'POST /q'} {i}") for i in range(48)]
        )
        await type_prompt(pilot, "ampersand", "health")
        assert len(rows(view)) == 21
        footer = screen_lines(app)[-1]
        assert "^s Save" in footer and "S Save all" in footer, footer

        await pilot.press("ctrl+s")
        await until(pilot, lambda: len(list(tmp_path.glob("*.log"))) == 1, "the shown lines' file")
        shown_file = next(tmp_path.glob("*.log"))
        saved = shown_file.read_text().splitlines()
        assert len(saved) == 21 and all("GET /health" in line for line in saved)
        notice = f"saved 21 shown lines to {shown_file} (S saves all 48)"
        await until(pilot, lambda: told(app, notice), "the notice")

        await pilot.press("S")
        await until(pilot, lambda: len(list(tmp_path.glob("*.log"))) == 2, "the whole buffer")
        all_file = next(path for path in tmp_path.glob("*.log") if path != shown_file)
        assert len(all_file.read_text().splitlines()) == 48
        notice = f"saved all 48 lines to {all_file}"
        await until(pilot, lambda: told(app, notice), "its notice")


async def test_search_shows_the_position_and_n_and_N_move_it() -> None:
    app = ViewApp(timestamps=False)
    async with app.run_test(size=SIZE) as pilot:
        app.view.write_batch([f"{'needle' if i % 5 == 0 else 'hay'} {i}" for i in range(85)])
        await pilot.pause()
        await type_prompt(pilot, "slash", "needle")
        await until(pilot, lambda: "/needle 17/17" in bottom_border(app), "the newest match")
        await pilot.press("N", "N")
        await until(pilot, lambda: "/needle 15/17" in bottom_border(app), "two back")
        await pilot.press("n", "n", "n")
        await until(pilot, lambda: "/needle 1/17" in bottom_border(app), "round to the first")
        app.view.write_batch(["needle 85", "hay 86"])  # new matches count, the position stays
        await until(pilot, lambda: "/needle 1/18" in bottom_border(app), "the new match counted")


@pytest.mark.parametrize(
    "cause",
    [
        "denied: requested access to the resource is denied",
        "Your authorization token has expired. Reauthenticate and try again.",
        'error parsing HTTP 403 response body: unexpected end of JSON input: ""',
        "upstream answered with status code 500",
        "An error occurred (AccessDenied) when calling the PutImage operation",
        "java.lang.IllegalStateException: pool closed",
        "thread 'main' panicked at src/config.rs:480:45:",
        "Last State: Terminated Reason: OOMKilled",
        "Command did not exit successfully npm ci exit status 1",
        "Process exited: exit code 137",
    ],
)
def test_causes_are_error_lines(cause: str) -> None:
    assert error_matcher(ERROR_PATTERN)(cause)


@pytest.mark.parametrize(
    "calm", ["exit status 0", "exit code 0", "GET /health HTTP/1.1 200", "[INFO] token refreshed"]
)
def test_calm_lines_are_not(calm: str) -> None:
    assert not error_matcher(ERROR_PATTERN)(calm)


async def test_e_stops_at_the_cause_before_the_failed_phase() -> None:
    app = ViewApp(source=BUILD)
    async with app.run_test(size=(160, 30)) as pilot:
        view = app.view
        view.write_batch([(BASE - 1000, "", "[Container] 2024/05/01 11:59:59 Phases found: 4")])
        view.write_batch(build_35())
        await pilot.pause()
        await pilot.press("home")
        stops: list[str] = []
        for _ in range(5):
            await pilot.press("e")
            await pilot.pause()
            row = view.log_lines.current_row
            assert row is not None
            stops.append(view.log_lines.lines[row].partition(" │ ")[2])
            assert stops[-1] in screen_text(app)
        assert stops == [
            "denied: Your authorization token has expired. Reauthenticate and try again.",
            'error parsing HTTP 403 response body: unexpected end of JSON input: ""',
            "[Container] Command did not exit successfully docker push mangoo-backend:abc1234"
            " exit status 1",
            "[Container] Phase complete: POST_BUILD State: FAILED",
            "denied: Your authorization token has expired. Reauthenticate and try again.",
        ]


async def test_e_says_so_when_there_is_no_error_line() -> None:
    app = ViewApp(timestamps=False)
    async with app.run_test(size=(160, 30), notifications=True) as pilot:
        app.view.write_batch(["GET /health 200", "all good", "exit status 0"])
        # offered, not greyed out (the footer is drawn once the app gets to it)
        await until(pilot, lambda: "e Next error" in screen_lines(app)[-1], "the footer's e")
        await pilot.press("e")
        await until(pilot, lambda: told(app, "no error lines"), "the notice")
        assert app.view.log_lines.current_row is None


async def test_wrapped_lines_continue_under_the_message() -> None:
    app = ViewApp(source=BUILD)
    async with app.run_test(size=(80, 20)) as pilot:
        words = " ".join(f"word{i:02d}" for i in range(40))
        app.view.write_batch([(BASE, "", words)])
        await pilot.press("w")
        await pilot.pause()
        area = [line[1:] for line in log_area(app) if line.strip("│ ")]
        message_column = area[0].index("│ ") + 2
        assert area[0][message_column:].startswith("word00")
        assert len(area) > 2
        for row in area[1:]:
            body = row.rstrip("│").rstrip()
            assert body[:message_column].strip() == "", f"{row!r} starts under the timestamp"
            assert body[message_column] != " "
        joined = "".join(row.rstrip("│").rstrip()[message_column:] for row in area)
        assert joined.replace(" ", "") == words.replace(" ", "")
        await pilot.press("y")
        assert app.clipboard == f"{iso_time(BASE)} │ {words}", "a copy joins it up again"


def _colours(segment: Segment) -> tuple[Color, Color]:
    style = segment.style
    assert style is not None and style.color is not None and style.bgcolor is not None
    fg, bg = style.color.get_truecolor(), style.bgcolor.get_truecolor()
    return Color(fg.red, fg.green, fg.blue), Color(bg.red, bg.green, bg.blue)


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light"])
async def test_matches_and_the_error_target_are_readable(theme: str) -> None:
    app = ViewApp(timestamps=False)
    async with app.run_test(size=SIZE) as pilot:
        app.theme = theme
        view: LogView = app.view
        view.write_batch(["calm denied line", "denied: Your authorization token has expired"])
        await pilot.pause()
        await type_prompt(pilot, "slash", "denied")
        await pilot.press("home", "e")  # the error line is the current row, with a match in it
        await pilot.pause()
        lines = view.log_lines
        assert lines.current_row == 0
        plain = lines.background_colors[1]
        for row in (0, 1):
            strip = lines.render_line(row - lines.visible_range().start)
            highlighted = [s for s in strip if s.text.strip() and _colours(s)[1] != plain]
            assert any(s.text == "denied" for s in highlighted), "the match is highlighted"
            if row == 0:
                assert "".join(s.text for s in highlighted).strip() == "calm denied line"
            for segment in highlighted:
                fg, bg = _colours(segment)
                ratio = contrast_ratio(fg, bg)
                assert ratio >= 4.5, f"{segment.text!r} {fg.hex} on {bg.hex}: {ratio:.1f}:1"
