"""CloudWatch numbers on the world's clock: metric series, alarms that follow them, their history.

Each ``metrics`` series of the scenario is written to moto with PutMetricData:
its ``history`` when the world starts, then one point every ``every`` seconds.
A series is ``healthy`` until its incident's ``since``; from then on it is the
``incident`` shape for as long as its ``while`` condition holds (the same
conditions as live log streams: what the function or the service's tasks run),
and healthy again once a fix ends it.

Alarms follow their series as CloudWatch evaluates them: the statistic of each of
the last ``evaluation_periods`` periods (ending now), compared with the threshold;
all breaching gives ALARM, none at all INSUFFICIENT_DATA, otherwise OK. A change is
set with SetAlarmState, with a reason in CloudWatch's words ("Threshold Crossed: 2
datapoints [85.3 (11/11/25 05:10:00), ...] were greater than the threshold (70.0).")
and kept in the alarm's history, which the gateway serves as DescribeAlarmHistory
(moto does not). An alarm with no series keeps the state its scenario gives it.

Values are a pure function of the series and the time (a hash gives the swing), so
a world written twice gives the same numbers.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from moto.backends import get_backend

from demo.aws_clients import ClientPool
from demo.gateway import Call, Reply
from demo.model import Alarm, MetricSeries, MetricShape, StreamCondition

log = logging.getLogger(__name__)

HISTORY_TARGET = "GraniteServiceVersion20100801.DescribeAlarmHistory"
PUT_BATCH = 1000  # PutMetricData takes up to 1,000 values a call
HISTORY_KEPT = 100  # items of history kept per alarm

Holds = Callable[[StreamCondition], bool]

_BREACH: dict[str, tuple[Callable[[float, float], bool], str]] = {
    "GreaterThanThreshold": (lambda v, t: v > t, "greater than"),
    "GreaterThanOrEqualToThreshold": (lambda v, t: v >= t, "greater than or equal to"),
    "LessThanThreshold": (lambda v, t: v < t, "less than"),
    "LessThanOrEqualToThreshold": (lambda v, t: v <= t, "less than or equal to"),
}


def _wobble(key: str, at: float) -> float:
    """A steady pseudo-random number in [-1, 1] for one series at one time."""
    digest = hashlib.blake2b(f"{key}@{int(at)}".encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big") / 0xFFFFFFFF * 2 - 1


def shape_value(shape: MetricShape, key: str, at: float, since: float) -> float:
    """The value of ``shape`` at ``at`` (epoch seconds), its saw starting at ``since``."""
    value = shape.level
    if shape.climb_to is not None:
        phase = ((at - since) % shape.cycle) / shape.cycle
        value += (shape.climb_to - shape.level) * phase
    value += shape.swing * _wobble(key, at)
    return float(round(value)) if shape.whole else round(value, 1)


@dataclass
class _Series:
    spec: MetricSeries
    key: str
    points: list[tuple[float, float]] = field(default_factory=list)  # (epoch s, value)
    next_at: float = 0.0

    def value(self, at: float, broken: bool) -> float:
        spec = self.spec
        if broken and spec.incident is not None:
            since = spec.since.timestamp() if spec.since is not None else at
            return shape_value(spec.incident, self.key, at, since)
        return shape_value(spec.healthy, self.key, at, at)

    def matches(self, alarm: Alarm) -> bool:
        return (self.spec.region, self.spec.namespace, self.spec.metric, self.spec.dimensions) == (
            alarm.region,
            alarm.namespace,
            alarm.metric,
            alarm.dimensions,
        )


@dataclass
class _AlarmState:
    alarm: Alarm
    series: _Series | None
    state: str
    reason: str
    history: list[tuple[float, dict[str, object]]] = field(default_factory=list)  # newest first


def _statistic(name: str, values: list[float]) -> float:
    if name == "Maximum":
        return max(values)
    if name == "Minimum":
        return min(values)
    if name == "Sum":
        return sum(values)
    if name == "SampleCount":
        return float(len(values))
    return sum(values) / len(values)


def _stamp(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).strftime("%d/%m/%y %H:%M:%S")


def evaluate(alarm: Alarm, points: list[tuple[float, float]], at: float) -> tuple[str, str]:
    """The state of ``alarm`` at ``at`` over ``points``, and CloudWatch's reason for it."""
    test, words = _BREACH.get(alarm.comparison, _BREACH["GreaterThanThreshold"])
    datapoints: list[tuple[float, float]] = []  # (period end, statistic), newest first
    for k in range(alarm.evaluation_periods):
        end = at - k * alarm.period
        inside = [v for t, v in points if end - alarm.period < t <= end]
        if inside:
            datapoints.append((end - alarm.period, round(_statistic(alarm.statistic, inside), 1)))
    threshold = f"{alarm.threshold:.1f}"
    if not datapoints:
        return "INSUFFICIENT_DATA", (
            f"Insufficient Data: {alarm.evaluation_periods} datapoints were unknown."
        )
    listed = ", ".join(f"{v} ({_stamp(t)})" for t, v in datapoints)
    breaching = [v for _, v in datapoints if test(v, alarm.threshold)]
    if len(breaching) == alarm.evaluation_periods:
        count = len(datapoints)
        return "ALARM", (
            f"Threshold Crossed: {count} datapoint{'s' * (count > 1)} [{listed}] "
            f"{'were' if count > 1 else 'was'} {words} the threshold ({threshold})."
        )
    calm = len(datapoints) - len(breaching)
    return "OK", (
        f"Threshold Crossed: {calm} out of the last {len(datapoints)} datapoints [{listed}] "
        f"{'were' if calm > 1 else 'was'} not {words} the threshold ({threshold}) "
        "(minimum 1 datapoint for ALARM -> OK transition)."
    )


class MetricWorld:
    """Writes the series, moves the alarms, and answers DescribeAlarmHistory."""

    def __init__(
        self,
        series: tuple[MetricSeries, ...],
        alarms: tuple[Alarm, ...],
        clients: ClientPool,
        account: str,
        holds: Holds,
    ) -> None:
        self._clients = clients
        self._account = account
        self._holds = holds
        self._lock = threading.Lock()
        self._series = [
            _Series(s, f"{s.region}/{s.namespace}/{s.metric}/{sorted(s.dimensions.items())}")
            for s in series
        ]
        self._alarms = {
            (a.region, a.name): _AlarmState(
                a, next((s for s in self._series if s.matches(a)), None), a.state, a.state_reason
            )
            for a in alarms
        }

    # --- start ----------------------------------------------------------------

    def seed(self, now: float) -> None:
        """Write every series' history, then judge each alarm over it as CloudWatch would have."""
        for series in self._series:
            spec = series.spec
            at = now - spec.history
            since = spec.since.timestamp() if spec.since is not None else None
            while at <= now:
                broken = since is not None and at >= since
                series.points.append((at, series.value(at, broken)))
                at += spec.every
            series.next_at = now + spec.live_every
            self._put(spec, series.points)
        for state in self._alarms.values():
            if state.series is None:
                self._record(state, state.state, state.reason, now, "Alarm created")
                continue
            changed_at = now
            first = state.series.points[0][0] if state.series.points else now
            at = first + state.alarm.period * state.alarm.evaluation_periods
            current, reason = "INSUFFICIENT_DATA", "Unchecked: Initial alarm creation"
            while at <= now:
                new, why = evaluate(state.alarm, state.series.points, at)
                if new != current:
                    self._record(state, new, why, at, f"Alarm updated from {current} to {new}")
                    current, changed_at = new, at
                reason = why
                at += state.series.spec.every
            state.state, state.reason = current, reason
            self._set_state(state, changed_at)

    # --- the clock ------------------------------------------------------------

    def step(self, now: float) -> None:
        """A point for every series that is due, then the alarms judged again."""
        wrote = False
        for series in self._series:
            if series.next_at > now:
                continue
            spec = series.spec
            broken = spec.incident is not None and (
                self._holds(spec.live_while)
                if spec.live_while is not None
                else spec.since is None or now >= spec.since.timestamp()
            )
            point = (now, series.value(now, broken))
            series.points.append(point)
            del series.points[: max(0, len(series.points) - 2000)]
            series.next_at = max(series.next_at + spec.live_every, now + spec.live_every / 2)
            self._put(spec, [point])
            wrote = True
        if not wrote:
            return
        for state in self._alarms.values():
            if state.series is None:
                continue
            new, why = evaluate(state.alarm, state.series.points, now)
            if new != state.state:
                self._record(state, new, why, now, f"Alarm updated from {state.state} to {new}")
                state.state, state.reason = new, why
                self._set_state(state, None)

    # --- moto and the gateway -------------------------------------------------

    def _put(self, spec: MetricSeries, points: list[tuple[float, float]]) -> None:
        client = self._clients.get("cloudwatch", spec.region)
        dimensions = [{"Name": k, "Value": v} for k, v in spec.dimensions.items()]
        for start in range(0, len(points), PUT_BATCH):
            client.put_metric_data(
                Namespace=spec.namespace,
                MetricData=[
                    {
                        "MetricName": spec.metric,
                        "Dimensions": dimensions,
                        "Timestamp": datetime.fromtimestamp(at, UTC),
                        "Value": value,
                        "Unit": spec.unit,
                    }
                    for at, value in points[start : start + PUT_BATCH]
                ],
            )

    def _set_state(self, state: _AlarmState, at: float | None) -> None:
        """SetAlarmState over HTTP; at start, the time it changed is put back in moto's alarm."""
        alarm = state.alarm
        self._clients.get("cloudwatch", alarm.region).set_alarm_state(
            AlarmName=alarm.name, StateValue=state.state, StateReason=state.reason[:1023]
        )
        if at is not None:
            backend = get_backend("cloudwatch")[self._account][alarm.region]
            found = backend.alarms.get(alarm.name)
            if found is not None:
                found.state_updated_timestamp = datetime.fromtimestamp(at, UTC)

    def _record(self, state: _AlarmState, new: str, reason: str, at: float, summary: str) -> None:
        alarm = state.alarm
        item: dict[str, object] = {
            "AlarmName": alarm.name,
            "AlarmType": "MetricAlarm",
            "Timestamp": at,
            "HistoryItemType": "StateUpdate",
            "HistorySummary": summary,
            "HistoryData": json.dumps(
                {
                    "version": "1.0",
                    "oldState": {"stateValue": state.state},
                    "newState": {"stateValue": new, "stateReason": reason},
                }
            ),
        }
        with self._lock:
            state.history.insert(0, (at, item))
            del state.history[HISTORY_KEPT:]

    def routes(self) -> dict[str, Callable[[Call, Callable[[Call], Reply]], Reply]]:
        """DescribeAlarmHistory, which moto does not serve."""
        return {HISTORY_TARGET: self._history}

    def _history(self, call: Call, forward: Callable[[Call], Reply]) -> Reply:
        ask = call.json()
        name = ask.get("AlarmName")
        limit = int(ask.get("MaxRecords") or 100)
        kinds = ask.get("HistoryItemType")
        with self._lock:
            items = [
                (at, item)
                for (region, alarm), state in self._alarms.items()
                if region == call.region and (name is None or alarm == name)
                for at, item in state.history
                if kinds is None or item["HistoryItemType"] == kinds
            ]
        items.sort(key=lambda pair: pair[0], reverse=True)
        return Reply.json({"AlarmHistoryItems": [item for _, item in items[:limit]]})
