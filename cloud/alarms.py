"""CloudWatch alarms: DescribeAlarms in every region, and one alarm's history.

An alarm is matched to the resource it watches by its dimensions (``cloud.findings
.alarms``); its state reason is kept as CloudWatch words it. Composite alarms are
not read: they watch other alarms, not resources.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any, cast

from cloud.arrivals import Early
from cloud.fanout import Job, gather
from cloud.records import AlarmHistoryItem, AlarmRecord, Fetched
from cloud.session import CloudSession

if TYPE_CHECKING:
    from types_boto3_cloudwatch import CloudWatchClient

HISTORY_ITEMS = 20

COMPARISON_SYMBOL = {
    "GreaterThanThreshold": ">",
    "GreaterThanOrEqualToThreshold": ">=",
    "LessThanThreshold": "<",
    "LessThanOrEqualToThreshold": "<=",
}


def above_is_bad(comparison: str) -> bool:
    """Whether a value over the threshold is what the alarm goes off on (else under it)."""
    return not COMPARISON_SYMBOL.get(comparison, ">").startswith("<")


def cloudwatch_client(session: CloudSession, region: str) -> CloudWatchClient:
    """The session's CloudWatch client for ``region``, typed."""
    return cast("CloudWatchClient", session.client("cloudwatch", region))


def fetch_alarms(session: CloudSession, early: Early | None = None) -> Fetched[AlarmRecord]:
    """Every metric alarm of every region."""
    return gather(
        [
            Job("cloudwatch", region, partial(region_alarms, session, region))
            for region in session.regions
        ]
    )


def region_alarms(session: CloudSession, region: str) -> list[AlarmRecord]:
    """Every metric alarm of ``region`` (all pages)."""
    pages = cloudwatch_client(session, region).get_paginator("describe_alarms")
    found: list[AlarmRecord] = []
    for page in pages.paginate(AlarmTypes=["MetricAlarm"]):
        found.extend(alarm_record(region, answer) for answer in page.get("MetricAlarms", []))
    return found


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) else None


def _count(value: Any) -> int | None:
    return int(value) if isinstance(value, int) else None


def alarm_record(region: str, answer: Any) -> AlarmRecord:
    """An AlarmRecord from one of DescribeAlarms' MetricAlarms."""
    name = answer["AlarmName"]  # an alarm without a name is a malformed answer
    updated = answer.get("StateUpdatedTimestamp")
    return AlarmRecord(
        name=str(name),
        region=region,
        arn=str(answer.get("AlarmArn", "")),
        state=str(answer.get("StateValue", "INSUFFICIENT_DATA")),
        reason=str(answer.get("StateReason", "")),
        updated_at=updated if isinstance(updated, datetime) else None,
        namespace=str(answer.get("Namespace", "")),
        metric=str(answer.get("MetricName", "")),
        statistic=str(answer.get("Statistic") or answer.get("ExtendedStatistic") or ""),
        dimensions=tuple(
            (str(d.get("Name", "")), str(d.get("Value", ""))) for d in answer.get("Dimensions", [])
        ),
        threshold=_number(answer.get("Threshold")),
        comparison=str(answer.get("ComparisonOperator", "")),
        period=_count(answer.get("Period")),
        evaluation_periods=_count(answer.get("EvaluationPeriods")),
        datapoints_to_alarm=_count(answer.get("DatapointsToAlarm")),
        description=str(answer.get("AlarmDescription") or ""),
        actions_enabled=bool(answer.get("ActionsEnabled", True)),
    )


def fetch_alarm_history(
    session: CloudSession, region: str, name: str, limit: int = HISTORY_ITEMS
) -> Fetched[AlarmHistoryItem]:
    """The newest ``limit`` changes of alarm ``name`` (DescribeAlarmHistory), newest first."""

    def read() -> list[AlarmHistoryItem]:
        answer = cloudwatch_client(session, region).describe_alarm_history(
            AlarmName=name, MaxRecords=limit, ScanBy="TimestampDescending"
        )
        return [
            AlarmHistoryItem(
                item.get("Timestamp"),
                str(item.get("HistoryItemType", "")),
                str(item.get("HistorySummary", "")),
            )
            for item in answer.get("AlarmHistoryItems", [])
        ]

    return gather([Job("cloudwatch", region, read)])  # Fetched makes its text safe
