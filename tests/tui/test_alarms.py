"""CloudWatch in the console: alarms as rows, flags and findings; charts in the details.

On the seeds world ECS-HighCPU is in ALARM (query-service's CPU over 70 % for 15
minutes), the HR backend's Errors alarm explains its Lambda finding, and the
frontend's RunningTaskCount alarm never had data. us-east-1 has no alarm at all.
"""

from __future__ import annotations

import re

from tests.tui.conftest import AppFactory, settle
from tests.tui.helpers import (
    console,
    detail_text,
    model_read,
    open_detail,
    row_by_name,
    rows,
    screen_text,
)
from tui.screens.alarm_detail import AlarmDetail
from tui.screens.ecs_service_detail import EcsServiceDetail
from tui.screens.lambda_detail import LambdaDetail

HIGH_CPU = "alarm:ap-southeast-1:ECS-HighCPU"


async def test_an_alarm_in_alarm_is_a_finding_that_flags_its_service(
    make_app: AppFactory,
) -> None:
    app = make_app()
    async with app.run_test(size=(200, 50)) as pilot:
        await model_read(pilot)
        finding = app.context.state.diagnosis.finding(HIGH_CPU)
        assert finding is not None
        assert finding.title.startswith("ECS-HighCPU: CPUUtilization of ecs:query-service-cluster")
        reason = finding.evidence[2]
        assert reason.startswith("Threshold Crossed: 2 datapoints [")
        assert reason.endswith("were greater than the threshold (70.0).")
        assert finding.evidence[1].startswith("in ALARM since 20")
        # Its fix is the fix of what is wrong with the service: more memory.
        assert [fix.action for fix in finding.fixes][:1] == ["resize-task"]

        await pilot.press("3")
        service = row_by_name(app, "services", "query-service")
        flags = [flag.text for flag in app.context.state.diagnosis.flags(finding.ref)]
        # The newest datapoint CloudWatch judged, against its threshold.
        assert any(
            re.fullmatch(r"alarm ECS-HighCPU: CPUUtilization 7\d(\.\d)? > 70", f) for f in flags
        )
        assert service["severity"] == "critical"  # its OOM kills stay the worst

        await pilot.press("5")
        alarms = {
            row["name"]: row
            for row in (
                row_by_name(app, "alarms", n)
                for n in (
                    "ECS-HighCPU",
                    "hr-chatbot-backend-Errors",
                    "frontend-service-RunningTasks",
                )
            )
        }
        assert alarms["ECS-HighCPU"]["state"] == "ALARM"
        assert re.fullmatch(r"CPUUtilization 7\d(\.\d)? > 70", alarms["ECS-HighCPU"]["flags"])
        assert alarms["ECS-HighCPU"]["resource"] == "ecs:query-service-cluster/query-service"
        # No data is said as such, never as OK.
        assert alarms["frontend-service-RunningTasks"]["state"] == "NO DATA"
        assert alarms["frontend-service-RunningTasks"]["severity"] == "info"
        # The Lambda's errors alarm is evidence of the finding it explains, not one more.
        assert alarms["hr-chatbot-backend-Errors"]["flags"].startswith("explains lambda-")
        explained = [
            f
            for f in app.context.state.diagnosis.findings
            if any("alarm hr-chatbot-backend-Errors in ALARM" in line for line in f.evidence)
        ]
        assert len(explained) == 1 and explained[0].kind.startswith("lambda-")
        assert (
            "alarm:ap-northeast-1:hr-chatbot-backend-Errors" not in app.context.state.diagnosis.ids
        )
        # A region without alarms adds no row and no error.
        assert len(rows(app, "alarms")) == 3
        assert app.context.state.errors_of(("alarm",)) == ()


async def test_the_alarm_detail_shows_reason_chart_and_history(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(160, 60)) as pilot:
        await model_read(pilot)
        await open_detail(app, pilot, "5", "alarms", "ECS-HighCPU")
        assert isinstance(app.screen, AlarmDetail)
        text = detail_text(app)
        assert "Threshold Crossed: 2 datapoints" in text
        assert "CPUUtilization Average > 70 for 2 x 300 s" in text
        # The chart: its scale, its last value over the threshold, the threshold's source.
        assert "CPUUtilization (average)  last 7" in text
        assert "threshold > 70 % (alarm ECS-HighCPU)" in text
        assert "100 %│" in text and "0│" in text
        assert "Alarm updated from OK to ALARM" in text
        assert "Alarm updated from INSUFFICIENT_DATA to OK" in text


async def test_service_and_function_details_chart_their_metrics(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(160, 80)) as pilot:
        await model_read(pilot)
        await open_detail(app, pilot, "3", "services", "query-service")
        assert isinstance(app.screen, EcsServiceDetail)
        text = detail_text(app)
        assert "CPU (average)  last 7" in text
        assert "threshold > 70 % (alarm ECS-HighCPU)" in text
        assert "memory (maximum)" in text and "threshold > 80 % (target)" in text
        await pilot.press("escape")
        await open_detail(app, pilot, "3", "services", "hr-chatbot-backend")
        assert isinstance(app.screen, LambdaDetail)
        text = detail_text(app)
        # Duration against the function's 30 s timeout, in seconds past one.
        assert "Duration (average)  last 29." in text or "Duration (average)  last 30." in text
        assert "threshold > 30.0 s (timeout)" in text
        assert "Errors (sum)" in text and "threshold > 5 (alarm hr-chatbot-backend-Errors)" in text
        assert "Throttles (sum)  last 0" in text
        assert re.search(r"Invocations \(sum\)  last [\d.]+  max [\d.]+", text)


async def test_presenter_mode_masks_the_alarm_arn(make_app: AppFactory) -> None:
    app = make_app(presenter=True)
    async with app.run_test(size=(160, 60)) as pilot:
        await model_read(pilot)
        await pilot.press("5")
        await pilot.pause()
        assert "123456789012" not in screen_text(app)
        await open_detail(app, pilot, "5", "alarms", "ECS-HighCPU")
        shown = screen_text(app)
        assert "arn:aws:cloudwatch:ap-southeast-1:••••••••••••:alarm:ECS-HighCPU" in shown
        assert "123456789012" not in shown
        assert "CPUUtilization (average)" in shown  # the chart is still drawn


async def test_a_quota_with_a_usage_metric_charts_usage_against_its_value(
    make_app: AppFactory,
) -> None:
    app = make_app()
    async with app.run_test(size=(160, 60)) as pilot:
        await model_read(pilot)
        await pilot.press("4")
        table = console(app).pane("quotas").table
        assert table.select_key("quota:codebuild/L-2DC20C30@us-east-1")
        await pilot.press("enter")
        await settle(pilot)
        text = detail_text(app)
        assert re.search(r"usage \(maximum\)  last [0-2]  threshold > 15 \(the quota's", text)
