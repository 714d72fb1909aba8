"""History on demand in the logs screen, against the demo world's mangoo-backend group.

Its stream has 9 h of older lines before the world's last three hours: scrolling
to the top pages them in with the line at the top staying put, until "beginning
of log"; ``:since``/``:at`` read again from a time; ``ctrl+s`` saves a range read
again from CloudWatch, compared here with a plain boto3 FilterLogEvents read.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.notifications import SeverityLevel
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Button, Input

from cloud.logs.records import iso_ms
from cloud.logs.subjects import BuildSource, GroupsSource
from tests.logview.conftest import HostApp, wait_until
from tests.logview.harness import rows, screen_lines, screen_text, visible
from tests.logview.test_logs_screen import SIZE, newest_build
from tui.context.state import ConsoleContext
from tui.screens.log_history import DETACHED
from tui.screens.logs import LogsScreen
from widgets.log_status import LogStatusLine
from widgets.log_view import LogView

REGION = "us-east-1"
GROUP = "/ecs/mangoo-backend"
HOUR = 3_600_000


class NotedApp(HostApp):
    """The host app, keeping what the person is told (notices)."""

    def __init__(self, make_screen: Callable[[], Screen[None]]) -> None:
        super().__init__(make_screen)
        self.notes: list[str] = []

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Record the notice, then show it."""
        self.notes.append(message)
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def told(self, text: str) -> bool:
        """Whether a notice said ``text``."""
        return any(text in note for note in self.notes)


def _source() -> GroupsSource:
    return GroupsSource(((REGION, GROUP),))


def _events(context: ConsoleContext, start_ms: int, end_ms: int) -> list[dict[str, Any]]:
    """Every event of the group in ``[start_ms, end_ms]``, as boto3 reads them."""
    logs: Any = context.session.client("logs", REGION)
    found: list[dict[str, Any]] = []
    pages = logs.get_paginator("filter_log_events")
    for page in pages.paginate(logGroupName=GROUP, startTime=start_ms, endTime=end_ms):
        found.extend(page["events"])
    return found


def _status(app: HostApp) -> LogStatusLine:
    return app.screen.query_one(LogView).query_one(LogStatusLine)


def _last_note(app: HostApp) -> str:
    last = _status(app).last
    return last.text if last is not None else ""


async def _older_page(pilot: Any, app: HostApp, key: str = "up") -> None:
    """Push against the top and wait for the page (or the end) to be told."""
    status = _status(app)
    before = status.counts["history"] + status.counts["error"]
    await pilot.press(key)
    await wait_until(
        pilot,
        lambda: status.counts["history"] + status.counts["error"] >= before + 2,
        what="the older page's outcome",
    )
    assert status.counts["error"] == 0, _last_note(app)


async def test_scrolling_to_the_top_pages_older_lines_in_place_until_the_beginning(
    context: ConsoleContext,
) -> None:
    # From 5 h ago: a screenful and more of the older history, then the world's lines.
    since = int(time.time() * 1000) - 5 * HOUR
    source = GroupsSource(((REGION, GROUP),), since_ms=since)
    app = HostApp(lambda: LogsScreen(context, source))
    async with app.run_test(size=SIZE) as pilot:
        view = app.screen.query_one(LogView)
        await wait_until(pilot, lambda: view.buffer.line_count > 100, what="the lines since")
        first_line = rows(view)[0]

        await _older_page(pilot, app, "home")
        assert "older lines" in _last_note(app)
        held = rows(view)
        assert held.index(first_line) >= 499, "a page came in above the first line"
        assert held.count(first_line) == 1, "the line they share is not repeated"
        top = visible(view)[0]
        assert top == first_line, "the line at the top stays at the top of the screen"
        assert not view.follow and "follow off" in str(view.border_subtitle)

        # Page after page from the top: each time the old first line stays on the top row.
        for _ in range(8):
            first = rows(view)[0]
            await _older_page(pilot, app, "home")  # scrolls up to the top, which asks
            if "beginning of log" in _last_note(app):
                break
            assert visible(view)[0] == first, "the line read before stays on the top row"
            terminal = screen_lines(app)
            assert any(first in line for line in terminal[:4]), "and a person sees it there"
        assert "beginning of log" in _last_note(app)
        held_stamps = [e.timestamp_ms for e in view.buffer.entries]
        newest = max(s for s in held_stamps if s is not None)
        stamps = [int(e["timestamp"]) for e in _events(context, 0, newest)]
        assert rows(view)[0].startswith(iso_ms(min(stamps))), "the group's very first line"
        assert held_stamps == stamps, "every line of the group once, in order: no gap, no repeat"

        status = _status(app)
        told = status.counts["history"]
        await pilot.press("home")
        await wait_until(pilot, lambda: status.counts["history"] > told, what="the answer")
        assert _last_note(app) == "beginning of log: nothing is older", "said again, no call"


async def test_a_full_buffer_sets_the_newest_aside_and_f_reads_the_tail_again(
    context: ConsoleContext,
) -> None:
    app = HostApp(lambda: LogsScreen(context, _source(), max_lines=400))
    async with app.run_test(size=SIZE) as pilot:
        view = app.screen.query_one(LogView)
        await wait_until(pilot, lambda: view.buffer.line_count > 0, what="the live lines")
        for _ in range(4):
            await _older_page(pilot, app, "home")
            if view.tail_set_aside:
                break
        assert view.tail_set_aside > 0
        assert view.buffer.line_count <= 400
        assert "set aside" in _last_note(app)
        assert DETACHED in str(view.border_subtitle), "no FOLLOW while the tail is set aside"
        screen = app.screen
        assert isinstance(screen, LogsScreen) and screen.feed.stop.is_set()

        await pilot.press("f")
        await wait_until(
            pilot,
            lambda: not view.tail_set_aside and view.buffer.line_count > 0 and view.follow,
            what="the tail read again",
        )
        newest = _events(context, int(time.time() * 1000) - HOUR, int(time.time() * 1000))
        await wait_until(
            pilot,
            lambda: rows(view)[-1].endswith(newest[-1]["message"]),
            what="the newest line at the bottom",
        )
        assert "FOLLOW" in str(view.border_subtitle)


async def test_at_puts_the_cursor_on_the_first_line_at_that_time(context: ConsoleContext) -> None:
    now = int(time.time() * 1000)
    at = now - 5 * HOUR - 7 * 60_000  # inside the older history, between two lines
    expected = _events(context, at, now)[0]
    app = HostApp(lambda: LogsScreen(context, _source()))
    async with app.run_test(size=SIZE) as pilot:
        view = app.screen.query_one(LogView)
        await wait_until(pilot, lambda: view.buffer.line_count > 0, what="the live lines")
        await pilot.press("colon")
        await pilot.press(*f"at {iso_ms(at)}")
        await pilot.press("enter")
        lines = view.log_lines
        await wait_until(
            pilot,
            lambda: lines.current_row == 0 and bool(rows(view)),
            what="the cursor on the first line",
        )
        first = rows(view)[0]
        assert first.startswith(iso_ms(int(expected["timestamp"])))
        assert first.endswith(expected["message"])
        assert not view.follow, "the person reads from there"
        # Older context is a scroll up.
        await _older_page(pilot, app)
        assert rows(view).index(first) > 0
        assert visible(view)[0] == first


async def test_since_reads_again_from_then_and_a_bad_time_loses_nothing(
    context: ConsoleContext,
) -> None:
    app = NotedApp(lambda: LogsScreen(context, _source()))
    async with app.run_test(size=SIZE) as pilot:
        view = app.screen.query_one(LogView)
        await wait_until(pilot, lambda: view.buffer.line_count > 0, what="the live lines")
        await pilot.press("colon", *"at yesterday-ish", "enter")
        await wait_until(pilot, lambda: app.told("cannot read the time"), what="the error")
        assert view.buffer.line_count > 0, "nothing lost"
        assert rows(view)[0].startswith("20")
        await pilot.press("colon", *"at 2999-01-01T00:00", "enter")
        await wait_until(pilot, lambda: app.told("is in the future"), what="the refusal")
        assert view.buffer.line_count > 0, "nothing lost"

        asked = int(time.time() * 1000) - 4 * HOUR
        await pilot.press("colon", *"since 4h", "enter")
        startup = "Application startup complete."
        await wait_until(
            pilot, lambda: any(r.endswith(startup) for r in rows(view)), what="the 3 h old line"
        )
        first = rows(view)[0]
        assert first >= iso_ms(asked - 60_000), "nothing from before the time asked"
        assert view.follow


async def _save_dialog(app: HostApp, pilot: Pilot[None]) -> LogView:
    """Wait for the live lines, press ctrl+s and wait for its choice; the log view."""
    view = app.screen.query_one(LogView)
    await wait_until(pilot, lambda: view.buffer.line_count > 0, what="the live lines")
    await pilot.press("ctrl+s")
    await wait_until(pilot, lambda: bool(app.screen.query("#save-range")), what="the choice")
    return view


async def test_ctrl_s_saves_a_range_read_again_exactly(
    context: ConsoleContext, tmp_path: Path
) -> None:
    now = int(time.time() * 1000)
    start, end = now - 8 * HOUR, now - 7 * HOUR
    app = NotedApp(lambda: LogsScreen(context, _source(), save_dir=tmp_path / "saved"))
    async with app.run_test(size=SIZE) as pilot:
        await _save_dialog(app, pilot)
        app.screen.query_one("#save-from", Input).value = iso_ms(start)
        app.screen.query_one("#save-to", Input).value = iso_ms(end)
        await pilot.click("#save-range")
        await wait_until(pilot, lambda: app.told("saved "), what="the saved notice")
        files = list((tmp_path / "saved").glob("*.log"))
        assert len(files) == 1
        saved = files[0].read_text().splitlines()
        expected = _events(context, start, end)
        assert len(expected) > 100
        assert [line.split(" ", 1)[0] for line in saved] == [
            iso_ms(int(e["timestamp"])) for e in expected
        ]
        assert all(line.endswith(e["message"]) for line, e in zip(saved, expected, strict=True))
        assert files[0].stat().st_mode & 0o777 == 0o600
        assert (tmp_path / "saved").stat().st_mode & 0o777 == 0o700
        assert app.told(f"saved {len(expected):,} lines of ")


async def test_a_range_over_the_cap_is_cut_and_says_so(
    context: ConsoleContext, tmp_path: Path
) -> None:
    now = int(time.time() * 1000)

    def make() -> LogsScreen:
        screen = LogsScreen(context, _source(), save_dir=tmp_path)
        screen.range_cap = 50
        return screen

    app = NotedApp(make)
    async with app.run_test(size=SIZE) as pilot:
        await _save_dialog(app, pilot)
        app.screen.query_one("#save-from", Input).value = "10h"
        app.screen.query_one("#save-to", Input).value = iso_ms(now)
        await pilot.click("#save-range")
        await wait_until(pilot, lambda: app.told("saved "), what="the saved notice")
        assert app.told("stopped at the cap of 50 lines: the file ends at ")
        saved = next(tmp_path.glob("*.log")).read_text().splitlines()
        assert 0 < len(saved) <= 50


async def test_a_bad_range_is_said_in_the_dialog_and_keeps_what_was_typed(
    context: ConsoleContext, tmp_path: Path
) -> None:
    app = NotedApp(lambda: LogsScreen(context, _source(), save_dir=tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await _save_dialog(app, pilot)
        dialog = app.screen
        assert "FROM (ISO time, or 2h ago)" in screen_text(app)
        assert "TO (ISO time, or now)" in screen_text(app)
        dialog.query_one("#save-from", Input).value = ""
        await pilot.click("#save-from")
        await pilot.press(*"yesterday-ish", "enter")
        await wait_until(pilot, lambda: "cannot read the range" in screen_text(app), what="why")
        assert app.screen is dialog, "the dialog stays open"
        assert dialog.query_one("#save-from", Input).value == "yesterday-ish"
        assert not any(tmp_path.glob("*.log"))
        dialog.query_one("#save-from", Input).value = "30m"
        dialog.query_one("#save-to", Input).value = "2h"
        await pilot.click("#save-range")
        await wait_until(pilot, lambda: "ends before it starts" in screen_text(app), what="why")
        assert app.screen is dialog
        dialog.query_one("#save-to", Input).value = "now"
        # A button ignores clicks while it shows the last one (Textual's -active, a timer):
        # the next click waits for it to come up, as a person's eye would.
        button = dialog.query_one("#save-range", Button)
        await wait_until(pilot, lambda: not button.has_class("-active"), what="the button up")
        await pilot.click("#save-range")
        await wait_until(pilot, lambda: app.told("saved "), what="the saved notice")
        assert len(list(tmp_path.glob("*.log"))) == 1


async def test_ctrl_s_buffer_still_saves_the_buffer(
    context: ConsoleContext, tmp_path: Path
) -> None:
    app = NotedApp(lambda: LogsScreen(context, _source(), save_dir=tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        view = await _save_dialog(app, pilot)
        await pilot.press("enter")
        await wait_until(pilot, lambda: any(tmp_path.glob("*.log")), what="the saved file")
        await wait_until(pilot, lambda: app.told("shown lines to"), what="the notice")
        saved = next(tmp_path.glob("*.log")).read_text().splitlines()
        assert len(saved) == view.buffer.line_count


async def test_a_build_pages_back_what_its_buffer_dropped(context: ConsoleContext) -> None:
    build_id = newest_build(context.session, "mangoo-build-deploy")
    app = HostApp(lambda: LogsScreen(context, BuildSource(REGION, build_id), max_lines=30))
    async with app.run_test(size=SIZE) as pilot:
        view = app.screen.query_one(LogView)
        status = _status(app)
        await wait_until(pilot, lambda: status.counts["ended"] > 0, what="the build's end")
        assert view.buffer.dropped > 0, "the build is longer than the buffer"
        for _ in range(40):
            await _older_page(pilot, app, "home")
            if "beginning of log" in _last_note(app):
                break
        assert "beginning of log" in _last_note(app)
        logs: Any = context.session.client("codebuild", REGION)
        where = logs.batch_get_builds(ids=[build_id])["builds"][0]["logs"]
        cw: Any = context.session.client("logs", REGION)
        head = cw.get_log_events(
            logGroupName=where["groupName"], logStreamName=where["streamName"], startFromHead=True
        )["events"][0]
        assert rows(view)[0].startswith(iso_ms(int(head["timestamp"])))


async def test_a_failed_older_read_is_an_error_never_the_beginning(
    context: ConsoleContext,
) -> None:
    source = GroupsSource(((REGION, "/ecs/no-such-group"),))
    app = HostApp(lambda: LogsScreen(context, source))
    async with app.run_test(size=SIZE) as pilot:
        status = _status(app)
        told = status.counts["error"]
        await pilot.press("home")
        await wait_until(
            pilot,
            lambda: any(n.text.startswith("older lines not read:") for n in status.history),
            what="the failed read told",
        )
        assert status.counts["error"] > told
        assert not any("beginning of log" in n.text for n in status.history)
        note = next(n for n in status.history if n.text.startswith("older lines not read:"))
        assert note.severity == "error" and "does not exist" in note.text


async def test_a_pod_keeps_its_previous_container_and_since_reads_it_again(
    context: ConsoleContext,
) -> None:
    from cloud.kube import fetch_deployment_detail
    from cloud.logs.subjects import PodSource
    from cloud.model.kinds import log_of

    fetched = fetch_deployment_detail(context.session, "nova-backend", "user-service")
    source = log_of(fetched.records[0])
    assert isinstance(source, PodSource) and source.previous
    app = HostApp(lambda: LogsScreen(context, source))
    async with app.run_test(size=SIZE) as pilot:
        view = app.screen.query_one(LogView)
        panic = "CLICKHOUSE_URL must be set: NotPresent"
        await wait_until(pilot, lambda: any(panic in r for r in rows(view)), what="the panic")
        assert not view.pages_history, "a pod does not page; ctrl+s saves its buffer"
        await pilot.press("colon", *"since 1d", "enter")
        status = _status(app)
        await wait_until(
            pilot,
            lambda: any(n.text.startswith("reading from") for n in status.history),
            what="the jump told",
        )
        await wait_until(pilot, lambda: any(panic in r for r in rows(view)), what="read again")
        screen = app.screen
        assert isinstance(screen, LogsScreen)
        reading = screen.reading
        assert isinstance(reading, PodSource)
        assert reading.previous and reading.since_ms is not None, "the previous container, since"
