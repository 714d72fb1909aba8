"""CloudWatch in the seeds world: the series tell the incidents, the alarms follow them.

Read with plain boto3 through the gateway, as ``aws cloudwatch`` would.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.world.helpers import Clients, StartWindow

QUERY = "ap-southeast-1"
HR = "ap-northeast-1"
QUERY_SERVICE = [
    {"Name": "ClusterName", "Value": "query-service-cluster"},
    {"Name": "ServiceName", "Value": "query-service"},
]


def _alarm(aws: Clients, region: str, name: str) -> dict[str, Any]:
    alarms = aws("cloudwatch", region).describe_alarms(AlarmNames=[name])["MetricAlarms"]
    assert len(alarms) == 1, alarms
    return dict(alarms[0])


def _series(
    aws: Clients,
    region: str,
    namespace: str,
    metric: str,
    dims: Any,
    start: datetime | None = None,
    end: datetime | None = None,
) -> list[float]:
    end = end or datetime.now(UTC)
    answer = aws("cloudwatch", region).get_metric_data(
        MetricDataQueries=[
            {
                "Id": "m",
                "MetricStat": {
                    "Metric": {"Namespace": namespace, "MetricName": metric, "Dimensions": dims},
                    "Period": 300,
                    "Stat": "Average",
                },
            }
        ],
        StartTime=start or end - timedelta(hours=3),
        EndTime=end,
        ScanBy="TimestampAscending",
    )
    return list(answer["MetricDataResults"][0]["Values"])


def test_query_service_cpu_has_been_over_70_for_15_minutes(
    aws: Clients, start_window: StartWindow
) -> None:
    # However long the world has run: calm until a quarter hour before it started...
    before = start_window.before - timedelta(minutes=16)
    calm = _series(aws, QUERY, "AWS/ECS", "CPUUtilization", QUERY_SERVICE, end=before)
    assert len(calm) >= 30  # the history: 5-minute averages back to 3 h before
    assert all(value < 30 for value in calm), calm
    # ...and over 70 from then on (nothing fixes it in this world).
    since = start_window.ready - timedelta(minutes=14)
    hot = _series(aws, QUERY, "AWS/ECS", "CPUUtilization", QUERY_SERVICE, start=since)
    assert hot and all(value > 70 for value in hot), hot


def test_query_service_memory_climbs_to_the_kill(aws: Clients) -> None:
    now = datetime.now(UTC)
    answer = aws("cloudwatch", QUERY).get_metric_statistics(
        Namespace="AWS/ECS",
        MetricName="MemoryUtilization",
        Dimensions=QUERY_SERVICE,
        StartTime=now - timedelta(minutes=30),
        EndTime=now,
        Period=600,
        Statistics=["Maximum", "Minimum"],
    )
    points = answer["Datapoints"]
    assert points
    assert all(p["Maximum"] >= 90 for p in points if p["Maximum"] - p["Minimum"] > 30), points
    assert max(p["Maximum"] for p in points) >= 95


def test_ecs_high_cpu_is_in_alarm_since_the_cpu_rose(
    aws: Clients, start_window: StartWindow
) -> None:
    alarm = _alarm(aws, QUERY, "ECS-HighCPU")
    assert alarm["StateValue"] == "ALARM"
    reason = alarm["StateReason"]
    assert reason.startswith("Threshold Crossed: 2 datapoints [")
    assert reason.endswith("were greater than the threshold (70.0).")
    # Two 5-minute periods over 70 after the rise at -15m: the alarm went off in between.
    changed = alarm["StateUpdatedTimestamp"]
    assert start_window.before - timedelta(minutes=15) < changed
    assert changed < start_window.ready - timedelta(minutes=4)
    history = aws("cloudwatch", QUERY).describe_alarm_history(AlarmName="ECS-HighCPU")
    items = history["AlarmHistoryItems"]
    assert items[0]["HistorySummary"] == "Alarm updated from OK to ALARM"
    assert abs((items[0]["Timestamp"] - changed).total_seconds()) < 1
    assert all(item["AlarmName"] == "ECS-HighCPU" for item in items)


def test_an_alarm_nobody_feeds_has_insufficient_data(aws: Clients) -> None:
    alarm = _alarm(aws, HR, "frontend-service-RunningTasks")
    assert alarm["StateValue"] == "INSUFFICIENT_DATA"
    assert alarm["StateReason"] == "Insufficient Data: 1 datapoint was unknown."


def test_lambda_duration_sits_at_its_timeout_with_errors(aws: Clients) -> None:
    dims = [{"Name": "FunctionName", "Value": "hr-chatbot-backend"}]
    duration = _series(aws, HR, "AWS/Lambda", "Duration", dims)
    assert duration[-1] > 29_000 and duration[0] < 2_000
    assert _alarm(aws, HR, "hr-chatbot-backend-Errors")["StateValue"] == "ALARM"


def test_a_region_without_alarms_answers_none(aws: Clients) -> None:
    assert aws("cloudwatch", "us-east-1").describe_alarms()["MetricAlarms"] == []
    history = aws("cloudwatch", "us-east-1").describe_alarm_history()
    assert history["AlarmHistoryItems"] == []
