"""The HR backend's JSON lines on the logs screen of the demo world: compact rows, filters, J."""

from __future__ import annotations

from cloud.logs.subjects import LambdaSource
from tests.logview.conftest import HostApp, wait_until
from tests.logview.harness import rows, screen_text
from tests.logview.test_log_view import type_prompt
from tui.context.state import ConsoleContext
from tui.screens.logs import LogsScreen
from widgets.log_buffer import ERROR
from widgets.log_record import LogRecordPanel
from widgets.log_view import LogView

SIZE = (200, 45)


async def test_the_lambdas_json_lines_read_as_rows_and_filter_on_fields(
    context: ConsoleContext,
) -> None:
    source = LambdaSource("ap-northeast-1", "hr-chatbot-backend")
    app = HostApp(lambda: LogsScreen(context, source))
    async with app.run_test(size=SIZE) as pilot:
        view = app.screen.query_one(LogView)

        def access_rows() -> list[str]:
            return [row for row in rows(view) if "POST /api/chat 503" in row]

        await wait_until(pilot, lambda: bool(access_rows()), what="the 503 access line")
        row = access_rows()[0]
        assert "│ ERROR POST /api/chat 503  logger=uvicorn.access request_id=" in row
        assert "status=503 latency_ms=15031.8" in row
        assert '"timestamp"' not in row, "its own time is the event's: shown once, in front"
        assert "START RequestId" in "\n".join(rows(view)), "runtime lines stay as they are"
        flags = view.log_lines.row_flags
        assert flags[rows(view).index(row)] & ERROR, "an ERROR level is an error line"
        assert "ERROR POST /api/chat 503" in screen_text(app)

        await type_prompt(pilot, "ampersand", "status>=500")
        shown = rows(view)
        assert shown and all("status=503" in r for r in shown), shown
        await type_prompt(pilot, "ampersand", "level=warning")
        shown = rows(view)
        assert any("WARN  LLM call still running" in r for r in shown)
        # The runtime's plain [WARNING] lines are warnings too; nothing else gets through.
        assert any("[WARNING] API Gateway returned 504" in r for r in shown)
        assert all("WARN  LLM call still running" in r or "[WARNING]" in r for r in shown)
        await type_prompt(pilot, "ampersand", "msg~database")
        shown = rows(view)
        assert any("[INFO] loading secret hr-chatbot/database" in r for r in shown), "plain too"
        assert any("ERROR database connection failed  logger=app.db" in r for r in shown)

        await type_prompt(pilot, "ampersand", "level=error path=/api/chat attempts=3")
        await pilot.press("J")
        await pilot.pause()
        panel = app.screen.query_one(LogRecordPanel)
        assert panel.is_open
        assert '"type": "OperationalError"' in panel.text
        assert '"port": 5432' in panel.text
