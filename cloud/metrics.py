"""CloudWatch metrics for small charts: what to chart for a resource, and GetMetricData batched.

``charts_for`` says which series tell a resource's story, each with the line it
should stay under (its alarm's threshold when one watches it, else the target the
runbooks give: CPU < 70 %, memory < 80 %, a Lambda's Duration under its timeout).
``fetch_metric_data`` reads many series of one region in one GetMetricData call
(up to its 500 queries a call, following NextToken), so a screen of charts costs
one call per region and refresh.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from cloud.alarms import above_is_bad, cloudwatch_client
from cloud.fanout import Job, gather
from cloud.records import (
    AlarmRecord,
    EcsServiceRecord,
    Fetched,
    LambdaFunctionRecord,
    QuotaRecord,
)
from cloud.session import CloudSession

if TYPE_CHECKING:
    from types_boto3_cloudwatch.type_defs import MetricDataQueryTypeDef

QUERY_LIMIT = 500  # GetMetricData's queries per call
WINDOW = timedelta(hours=3)
PERIOD = 300  # seconds: 3 h in 36 points


@dataclass(frozen=True)
class MetricQuery:
    """One series: a metric of a namespace, with its dimensions, a statistic and a period."""

    region: str
    namespace: str
    metric: str
    dimensions: tuple[tuple[str, str], ...]
    stat: str = "Average"
    period: int = PERIOD


@dataclass(frozen=True)
class MetricSeries:
    """What GetMetricData gave for one query: points oldest first, and whether it is whole."""

    query: MetricQuery
    points: tuple[tuple[datetime, float], ...]
    complete: bool = True  # False: CloudWatch said PartialData (more than it sent)

    @property
    def values(self) -> tuple[float, ...]:
        """The values, oldest first."""
        return tuple(value for _, value in self.points)


@dataclass(frozen=True)
class ChartSpec:
    """A chart of one series: its title, unit and the line it should stay on the right side of."""

    title: str  # "CPU", "Duration"
    query: MetricQuery
    unit: str = ""  # "%", "ms", "" (a count)
    threshold: float | None = None
    above_is_bad: bool = True  # a value over the threshold is the problem
    threshold_from: str = ""  # "alarm ECS-HighCPU", "target", "timeout"
    top: float | None = None  # the scale's top when fixed (100 for a percentage)


def alarm_chart(alarm: AlarmRecord) -> ChartSpec | None:
    """The chart of an alarm's own metric, with its threshold and period."""
    if not alarm.namespace or not alarm.metric:
        return None
    stat = alarm.statistic if alarm.statistic else "Average"
    query = MetricQuery(
        alarm.region,
        alarm.namespace,
        alarm.metric,
        alarm.dimensions,
        stat,
        alarm.period if alarm.period and alarm.period >= 60 else PERIOD,
    )
    return ChartSpec(
        alarm.metric,
        query,
        "%" if "Utilization" in alarm.metric else "",
        alarm.threshold,
        above_is_bad(alarm.comparison),
        f"alarm {alarm.name}",
        100.0 if "Utilization" in alarm.metric else None,
    )


def _watched(
    query: MetricQuery, alarms: Iterable[AlarmRecord]
) -> tuple[float | None, bool, str] | None:
    """The threshold of an alarm on the same metric and dimensions, if one watches it."""
    for alarm in alarms:
        if (
            alarm.region == query.region
            and (alarm.namespace, alarm.metric) == (query.namespace, query.metric)
            and sorted(alarm.dimensions) == sorted(query.dimensions)
            and alarm.threshold is not None
        ):
            return alarm.threshold, above_is_bad(alarm.comparison), alarm.name
    return None


def _spec(
    title: str,
    query: MetricQuery,
    alarms: Iterable[AlarmRecord],
    unit: str = "",
    target: float | None = None,
    target_from: str = "target",
    top: float | None = None,
) -> ChartSpec:
    watched = _watched(query, alarms)
    if watched is not None:
        threshold, bad_above, name = watched
        return ChartSpec(title, query, unit, threshold, bad_above, f"alarm {name}", top)
    return ChartSpec(title, query, unit, target, True, target_from if target else "", top)


def charts_for(record: object, alarms: Sequence[AlarmRecord] = ()) -> tuple[ChartSpec, ...]:
    """The charts that tell ``record``'s story (none for a kind without metrics here)."""
    if isinstance(record, EcsServiceRecord):
        dims: tuple[tuple[str, str], ...] = (
            ("ClusterName", record.cluster),
            ("ServiceName", record.name),
        )
        return (
            _spec(
                "CPU",
                MetricQuery(record.region, "AWS/ECS", "CPUUtilization", dims),
                alarms,
                "%",
                70.0,
                top=100.0,
            ),
            _spec(  # the most used in each period: what the out-of-memory killer sees
                "memory",
                MetricQuery(record.region, "AWS/ECS", "MemoryUtilization", dims, "Maximum"),
                alarms,
                "%",
                80.0,
                top=100.0,
            ),
        )
    if isinstance(record, LambdaFunctionRecord):
        dims = (("FunctionName", record.name),)
        timeout = record.timeout_seconds * 1000.0 if record.timeout_seconds else None

        def query(metric: str, stat: str) -> MetricQuery:
            return MetricQuery(record.region, "AWS/Lambda", metric, dims, stat)

        return (
            _spec("Duration", query("Duration", "Average"), alarms, "ms", timeout, "timeout"),
            _spec("Errors", query("Errors", "Sum"), alarms),
            _spec("Throttles", query("Throttles", "Sum"), alarms),
            _spec("Invocations", query("Invocations", "Sum"), alarms),
        )
    if isinstance(record, AlarmRecord):
        found = alarm_chart(record)
        return (found,) if found is not None else ()
    if isinstance(record, QuotaRecord) and record.usage_metric is not None:
        usage = record.usage_metric
        counted = MetricQuery(
            record.region, usage.namespace, usage.metric, usage.dimensions, usage.statistic
        )
        return (
            ChartSpec(
                "usage",
                counted,
                threshold=record.effective_value,
                threshold_from="the quota's value in force",
            ),
        )
    return ()


def window_end(now: datetime) -> datetime:
    """Where a chart's window ends: ``now`` rounded up to the next whole minute.

    CloudWatch rounds a window's times down to the minute (moto to the second) for
    periods of a minute or more, so a window ending at ``now`` itself leaves out what
    was written in its last seconds: the point that shows a fix.
    """
    rounded = now.replace(second=0, microsecond=0)
    return rounded if rounded == now else rounded + timedelta(minutes=1)


def fetch_metric_data(
    session: CloudSession,
    queries: Sequence[MetricQuery],
    end: datetime,
    window: timedelta = WINDOW,
) -> Fetched[MetricSeries]:
    """Every query's series over ``window`` up to ``end``: one GetMetricData per region
    (more only past 500 queries or when CloudWatch pages); a failed region is its error."""
    by_region: dict[str, list[MetricQuery]] = {}
    for query in dict.fromkeys(queries):
        by_region.setdefault(query.region, []).append(query)
    return gather(
        [
            Job("cloudwatch", region, partial(_region_series, session, region, wanted, end, window))
            for region, wanted in by_region.items()
        ]
    )


def _region_series(
    session: CloudSession,
    region: str,
    queries: list[MetricQuery],
    end: datetime,
    window: timedelta,
) -> list[MetricSeries]:
    client = cloudwatch_client(session, region)
    found: list[MetricSeries] = []
    for start in range(0, len(queries), QUERY_LIMIT):
        batch = queries[start : start + QUERY_LIMIT]
        asked: list[MetricDataQueryTypeDef] = [
            {
                "Id": f"m{index}",
                "MetricStat": {
                    "Metric": {
                        "Namespace": q.namespace,
                        "MetricName": q.metric,
                        "Dimensions": [{"Name": k, "Value": v} for k, v in q.dimensions],
                    },
                    "Period": q.period,
                    "Stat": q.stat,
                },
                "ReturnData": True,
            }
            for index, q in enumerate(batch)
        ]
        points: dict[str, dict[datetime, float]] = {f"m{i}": {} for i in range(len(batch))}
        partial_ids: set[str] = set()
        token: str | None = None
        while True:
            extra: dict[str, Any] = {"NextToken": token} if token else {}
            answer = client.get_metric_data(
                MetricDataQueries=asked,
                StartTime=end - window,
                EndTime=end,
                ScanBy="TimestampAscending",
                **extra,
            )
            for result in answer.get("MetricDataResults", []):
                ident = result.get("Id", "")
                if ident not in points:
                    continue
                stamps, values = result.get("Timestamps", []), result.get("Values", [])
                points[ident].update(zip(stamps, values, strict=False))
                if result.get("StatusCode") == "PartialData":
                    partial_ids.add(ident)  # until a later page completes it
                else:
                    partial_ids.discard(ident)
            token = answer.get("NextToken")
            if not token:
                break
        for index, query in enumerate(batch):
            ident = f"m{index}"
            series = tuple(sorted((at, float(v)) for at, v in points[ident].items()))
            found.append(MetricSeries(query, series, ident not in partial_ids))
    return found
