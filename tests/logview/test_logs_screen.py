"""The logs screen against the demo world: a build's phases, a Lambda's errors, a pod's panic."""

from __future__ import annotations

import os
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from cloud.kube import fetch_deployment_detail
from cloud.logs.limits import DEFAULT_CALLS_PER_SECOND, SHARED_LIMITERS
from cloud.logs.subjects import BuildSource, GroupsSource, LambdaSource, PodSource
from cloud.model.kinds import log_of
from cloud.records import DeploymentRecord
from cloud.session import CloudSession
from tests.logview.conftest import HostApp, wait_until
from tests.logview.harness import rows, screen_text
from tui.context.state import ConsoleContext
from tui.screens.log_group_picker import GroupList, LogGroupPicker
from tui.screens.logs import LogsScreen
from widgets.log_buffer import ERROR
from widgets.log_status import LogStatusLine
from widgets.log_view import LogView

SIZE = (160, 45)


def logs_screen(app: HostApp) -> LogsScreen:
    """The logs screen on top."""
    screen = app.screen
    assert isinstance(screen, LogsScreen), f"on {screen!r}"
    return screen


def shown(app: HostApp) -> str:
    """Every row of the log view on top, as one text."""
    return "\n".join(rows(app.screen.query_one(LogView)))


def newest_build(session: CloudSession, project: str, region: str = "us-east-1") -> str:
    """The id of ``project``'s newest build."""
    client: Any = session.client("codebuild", region)
    ids = client.list_builds_for_project(projectName=project, sortOrder="DESCENDING")["ids"]
    assert ids, f"{project} has builds in the seeds"
    return str(ids[0])


def build_number(session: CloudSession, project: str, number: int) -> str:
    """The id of ``project``'s build ``number`` (the "#35" the console shows)."""
    client: Any = session.client("codebuild", "us-east-1")
    ids = client.list_builds_for_project(projectName=project)["ids"]
    builds = client.batch_get_builds(ids=ids)["builds"]
    return str(next(b["id"] for b in builds if b["buildNumber"] == number))


async def test_a_mangoo_build_shows_its_phases(context: ConsoleContext, tmp_path: Path) -> None:
    build_id = newest_build(context.session, "mangoo-build-deploy")
    source = BuildSource("us-east-1", build_id)
    app = HostApp(lambda: LogsScreen(context, source, save_dir=tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        view = app.screen.query_one(LogView)
        status = view.query_one(LogStatusLine)
        await wait_until(pilot, lambda: status.counts["ended"] > 0, what="the build's end")
        text = shown(app)
        assert "Entering phase BUILD" in text
        assert "── phase" not in text and "entering phase POST_BUILD" not in text, "once, as logged"
        assert view.border_title == f"logs · build {build_id} (us-east-1)"
        assert status.counts["phase"] >= 6, "the transport's phase notes are on the status line"
        assert "build finished" in screen_text(app)

        await pilot.press("ctrl+s")  # a CloudWatch log asks: the buffer (enter) or a range
        await wait_until(pilot, lambda: bool(app.screen.query("#save-buffer")), what="the choice")
        await pilot.press("enter")
        await wait_until(pilot, lambda: any(tmp_path.glob("*.log")), what="the saved file")
        saved = next(tmp_path.glob("*.log")).read_text()
        assert "Entering phase BUILD" in saved


async def test_build_35_reads_like_its_log_and_e_finds_the_cause(context: ConsoleContext) -> None:
    build_id = build_number(context.session, "mangoo-build-deploy", 35)
    app = HostApp(lambda: LogsScreen(context, BuildSource("us-east-1", build_id)))
    async with app.run_test(size=SIZE) as pilot:
        view = app.screen.query_one(LogView)
        status = view.query_one(LogStatusLine)
        await wait_until(pilot, lambda: status.counts["ended"] > 0, what="the build's end")
        screen = screen_text(app)
        assert "build finished: FAILED" in screen, "the end is told on the status line"
        assert "│ [Container] Phase complete: POST_BUILD State: FAILED" in screen
        assert not re.search(r"\[Container\] \d{4}/\d\d/\d\d", screen), "one time per line"
        assert not any(row.startswith("── ") for row in rows(view)), "no note among the lines"

        await pilot.press("e")
        await pilot.pause()
        current = view.log_lines.current_row
        assert current is not None
        cause = "denied: Your authorization token has expired. Reauthenticate and try again."
        assert view.log_lines.lines[current].endswith(cause), "the cause, not the FAILED phase"
        assert cause in screen_text(app)
        await pilot.press("e")
        await pilot.pause()
        current = view.log_lines.current_row
        assert current is not None and "error parsing HTTP 403" in view.log_lines.lines[current]


async def test_lambda_lines_with_errors_highlighted(context: ConsoleContext) -> None:
    source = LambdaSource("ap-northeast-1", "hr-chatbot-backend")
    app = HostApp(lambda: LogsScreen(context, source))
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: "OperationalError" in shown(app), what="lambda lines")
        view = app.screen.query_one(LogView)
        assert "lambda hr-chatbot-backend" in str(view.border_title)
        assert "START RequestId" in shown(app)
        lines = view.log_lines
        errors = [lines.lines[i] for i, f in enumerate(lines.row_flags) if f & ERROR]
        assert any("[ERROR] OperationalError" in row for row in errors)
        assert not any(row.endswith("[INFO] loading secret hr-chatbot/database") for row in errors)

        screen = logs_screen(app)
        await pilot.press("escape")
        await pilot.pause()
        assert screen.feed.stop.is_set(), "leaving the screen stops the transport"
        assert not isinstance(app.screen, LogsScreen)
        await wait_until(
            pilot,
            lambda: not [w for w in app.workers if w.group == "logs" and not w.is_finished],
            timeout=15,
            what="the log worker to end",
        )


async def test_user_service_previous_container_shows_the_panic(context: ConsoleContext) -> None:
    fetched = fetch_deployment_detail(context.session, "nova-backend", "user-service")
    assert fetched.records, fetched.errors
    deployment = fetched.records[0]
    assert isinstance(deployment, DeploymentRecord)
    source = log_of(deployment)  # what ``l`` on the row opens
    assert isinstance(source, PodSource)
    assert source.previous and source.container == "user-service"

    app = HostApp(lambda: LogsScreen(context, source))
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(
            pilot, lambda: "CLICKHOUSE_URL must be set: NotPresent" in shown(app), what="panic"
        )
        view = app.screen.query_one(LogView)
        panicked = [
            view.log_lines.lines[i]
            for i, f in enumerate(view.log_lines.row_flags)
            if f & ERROR and "panicked" in view.log_lines.lines[i]
        ]
        assert panicked, "the panic line is styled as an error"
        await pilot.press("e")
        await pilot.pause()
        current = view.log_lines.current_row
        assert current is not None and "panicked" in view.log_lines.lines[current]


async def test_picker_merges_chosen_groups(context: ConsoleContext) -> None:
    app = HostApp(lambda: LogGroupPicker(context))
    async with app.run_test(size=SIZE) as pilot:
        picker = app.screen
        assert isinstance(picker, LogGroupPicker)
        regions = len(context.session.regions)
        await wait_until(pilot, lambda: picker.answered == regions, what="every region")
        assert ("", "ap-northeast-1", "/aws/lambda/hr-chatbot-backend") in picker.groups

        await pilot.press("slash")
        for char in "hr-chatbot":
            await pilot.press(char)
        await pilot.press("enter")
        await pilot.pause()
        listing = picker.query_one(GroupList)
        assert listing.has_focus
        names = [listing.get_option_at_index(i).value for i in range(listing.option_count)]
        assert names == [
            ("", "ap-northeast-1", "/aws/lambda/hr-chatbot-backend"),
            ("", "ap-northeast-1", "/ecs/hr-chatbot-frontend"),
        ]
        await pilot.press("space", "j", "space")
        await pilot.pause()
        assert len(picker.chosen) == 2
        assert "2 chosen" in str(listing.border_title)
        await pilot.press("enter")
        await pilot.pause()

        screen = logs_screen(app)
        assert screen.source == GroupsSource(tuple((region, name) for _, region, name in names))
        await wait_until(
            pilot,
            lambda: "hr-chatbot-frontend │" in shown(app) and "hr-chatbot-backend │" in shown(app),
            what="lines of both groups, labelled",
        )
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is picker


async def test_config_sets_the_buffer_and_the_call_rate(context: ConsoleContext) -> None:
    settings = replace(context.settings, log_max_lines=1_000, log_calls_per_second=2.0)
    configured = replace(context, settings=settings)
    source = LambdaSource("ap-northeast-1", "hr-chatbot-backend")
    app = HostApp(lambda: LogsScreen(configured, source))
    try:
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: "START RequestId" in shown(app), what="lambda lines")
            view = app.screen.query_one(LogView)
            assert view.buffer.max_lines == 1_000
            assert view.log_lines.max_lines == 1_000
            assert SHARED_LIMITERS.for_region("ap-northeast-1").rate == 2.0
    finally:
        SHARED_LIMITERS.set_rate(DEFAULT_CALLS_PER_SECOND)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


async def test_a_reader_process_reads_and_ends_with_the_screen(context: ConsoleContext) -> None:
    source = LambdaSource("ap-northeast-1", "hr-chatbot-backend")  # followed: never ends
    app = HostApp(lambda: LogsScreen(context, source))
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: "START RequestId" in shown(app), what="lambda lines")
        pid = logs_screen(app).feed.reader_pid
        assert pid is not None and pid != os.getpid(), "the lines came from a reader process"
        assert _alive(pid)
        await pilot.press("escape")
        await wait_until(pilot, lambda: not _alive(pid), timeout=10, what="the reader to end")
