"""The console through the fault proxy: ✗ lines in the panes, a log view whose reader dies.

A malformed answer is a ✗ line of one readable sentence in its pane, never
"repositories (0)" without a word; Kubernetes down is a ✗ line of the
services pane. A log view's reader process that is killed is started again
from its last line: every line shows once, and the border says what the
reader does instead of FOLLOW while nothing reads.
"""

from __future__ import annotations

import os
import signal
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from textual.widgets import Static

from cloud.logs import LogBatch
from cloud.logs.subjects import GroupsSource, LogSubject
from cloud.session import CloudSession
from cloud.settings import Settings
from tests.faults.conftest import Proxied
from tests.faults.proxy import Fault, FaultKind
from tests.faults.test_tail_faults import REGION, Group
from tests.logview.conftest import HostApp, wait_until
from tests.tui.conftest import AppFactory, settle
from tests.tui.helpers import pane
from tui.app import ShipdeckApp
from tui.context.state import ConsoleContext
from tui.screens.logs import LogsScreen
from widgets.log_buffer import LogEntry
from widgets.log_status import LogStatusLine
from widgets.log_view import LogView

DESCRIBE_REPOSITORIES = "AmazonEC2ContainerRegistry_V20150921.DescribeRepositories"


@pytest.fixture
def through_proxy(proxied: Proxied, monkeypatch: pytest.MonkeyPatch) -> Iterator[Proxied]:
    """This process's new clients, and the reader processes it starts, use the proxies."""
    proxied.apply(monkeypatch)
    yield proxied


def pane_errors(app: ShipdeckApp, name: str) -> str:
    """The ✗ lines a pane shows."""
    shown = pane(app, name).query_one(".pane-errors", Static)
    return str(shown.render()) if shown.display else ""


async def repository_errors(through_proxy: Proxied, make_app: AppFactory, fault: FaultKind) -> str:
    """The repositories pane's ✗ lines in a fresh console, ``fault`` on DescribeRepositories."""
    through_proxy.aws.add(Fault(fault, DESCRIBE_REPOSITORIES))
    app = make_app(fresh=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        return pane_errors(app, "repositories")


async def test_a_garbled_answer_is_a_readable_x_line_in_its_pane(
    through_proxy: Proxied, make_app: AppFactory
) -> None:
    text = await repository_errors(through_proxy, make_app, "non-utf8")
    assert "✗ ecr " in text
    assert ": malformed response: " in text
    assert "not UTF-8" in text
    assert "\ufffd" not in text


async def test_an_html_page_is_one_sentence_not_markup(
    through_proxy: Proxied, make_app: AppFactory
) -> None:
    text = await repository_errors(through_proxy, make_app, "html")
    assert "an HTML page instead of an answer (500 Internal Server Error)" in text
    assert "<" not in text


async def test_kubernetes_down_is_an_x_line_and_aws_panes_still_fill(
    through_proxy: Proxied, make_app: AppFactory
) -> None:
    through_proxy.kube.refuse()
    app = make_app(fresh=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        assert "kubernetes" in pane_errors(app, "services")
        assert "unreachable" in pane_errors(app, "services")
        await pilot.press("1")
        assert pane(app, "repositories").table.all_rows


def lines_of(view: LogView) -> list[str]:
    """The text of the view's log lines."""
    return [e.text for e in view.buffer.entries if isinstance(e, LogEntry) and e.timestamp_ms]


async def test_a_killed_log_reader_is_restarted_and_no_line_is_lost_or_repeated(
    through_proxy: Proxied, shared_session: CloudSession
) -> None:
    group = Group(shared_session, f"/shipdeck/faults/{uuid.uuid4().hex[:8]}")
    group.write(300)
    session = CloudSession(regions=(REGION,))
    context = ConsoleContext(session=session, settings=Settings(), badge="FAULTS")
    source = GroupsSource(((REGION, group.name),))
    app = HostApp(lambda: LogsScreen(context, source))
    try:
        async with app.run_test(size=(160, 45)) as pilot:
            screen = app.screen
            assert isinstance(screen, LogsScreen)
            view = screen.query_one(LogView)
            await wait_until(pilot, lambda: len(lines_of(view)) >= 300, 60, "the first lines")
            first = screen.feed.reader_pid
            assert first is not None
            os.kill(first, signal.SIGKILL)  # the reader this test's screen started
            await wait_until(
                pilot, lambda: screen.feed.reader_pid != first, 60, "a new reader process"
            )
            group.write(300)
            await wait_until(pilot, lambda: len(lines_of(view)) >= 600, 60, "the later lines")
            await wait_until(pilot, lambda: "FOLLOW" in str(view.border_subtitle), 30, "FOLLOW")
            assert Counter(lines_of(view)) == Counter(group.written)
            notes = [note.line() for note in view.query_one(LogStatusLine).history]
            assert any("restarted from" in n for n in notes), notes
    finally:
        group.logs.delete_log_group(logGroupName=group.name)


@dataclass(frozen=True)
class CrashingSource(LogSubject):
    """A log whose reader dies at once, every time (a bug, not a bad answer)."""

    def title(self) -> str:
        """A name for the border."""
        return "a reader that always dies"

    def scope(self) -> tuple[str, str]:
        """Nothing to classify."""
        return "logs", REGION

    def open(self, session: CloudSession, stop: threading.Event) -> Iterator[LogBatch]:
        """Kill the reader process (this runs in it), as a crash in native code would."""
        os._exit(1)


async def test_a_reader_that_keeps_dying_is_not_shown_as_follow() -> None:
    session = CloudSession(regions=(REGION,))
    context = ConsoleContext(session=session, settings=Settings(), badge="FAULTS")
    app = HostApp(lambda: LogsScreen(context, CrashingSource()))
    async with app.run_test(size=(160, 45)) as pilot:
        view = app.screen.query_one(LogView)
        await wait_until(pilot, lambda: "not reading" in str(view.border_subtitle), 60, "stop")
        assert "FOLLOW" not in str(view.border_subtitle)
        notes = [note.line() for note in view.query_one(LogStatusLine).history]
        assert sum("restarted from" in n for n in notes) == 5, notes
        assert any("5" in n and "not reading" in n for n in notes) or any(
            "times in a row" in n for n in notes
        ), notes
