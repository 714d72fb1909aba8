"""Alarms as findings, on hand-built records: matched by dimensions, explained, or blind."""

from __future__ import annotations

from dataclasses import replace

from cloud.findings import diagnose, find
from cloud.model.ref import ResourceRef
from cloud.model.snapshot import Snapshot
from cloud.records import AlarmRecord, Fetched, Severity
from tests.findings.records import T0, ecs_service, function, snapshot, task

REASON = (
    "Threshold Crossed: 2 datapoints [85.3 (11/11/25 05:10:00), 91.0 (11/11/25 05:05:00)] "
    "were greater than the threshold (70.0)."
)


def alarm(name: str, state: str = "ALARM", **changes: object) -> AlarmRecord:
    record = AlarmRecord(
        name=name,
        region="ap-northeast-1",
        arn=f"arn:aws:cloudwatch:ap-northeast-1:123456789012:alarm:{name}",
        state=state,
        reason=REASON,
        updated_at=T0,
        namespace="AWS/ECS",
        metric="CPUUtilization",
        statistic="Average",
        dimensions=(("ClusterName", "c"), ("ServiceName", "query")),
        threshold=70.0,
        comparison="GreaterThanThreshold",
        period=300,
        evaluation_periods=2,
    )
    return replace(record, **changes)  # type: ignore[arg-type]


def with_alarms(base: Snapshot, *alarms: AlarmRecord) -> Snapshot:
    return base.with_parts({"alarm": Fetched(tuple(alarms), (), T0)})


def test_an_alarm_in_alarm_is_a_warning_on_its_service_with_cloudwatchs_reason() -> None:
    service = ecs_service("query")
    state = diagnose(with_alarms(snapshot(services=[service]), alarm("HighCPU")))
    (finding,) = state.findings
    assert finding.id == "alarm:ap-northeast-1:HighCPU"
    assert finding.severity is Severity.WARNING
    assert finding.ref == ResourceRef("ecs", "c/query", "ap-northeast-1")
    assert finding.evidence == (
        "alarm HighCPU: CPUUtilization Average > 70 for 2 x 300 s",
        "in ALARM since 2025-11-11 04:00:00 UTC",
        REASON,
    )
    service_flags = [f.text for f in state.flags(finding.ref)]
    assert service_flags == ["alarm HighCPU: CPUUtilization 85.3 > 70"]
    own = ResourceRef("alarm", "HighCPU", "ap-northeast-1")
    assert [f.text for f in state.flags(own)] == ["CPUUtilization 85.3 > 70"]


def test_an_alarm_that_is_ok_says_nothing() -> None:
    quiet = alarm("HighCPU", "OK", reason="Threshold Crossed: 1 datapoint [20.0 (...)] was not")
    assert find(with_alarms(snapshot(services=[ecs_service("query")]), quiet)) == []


def test_a_memory_alarm_is_evidence_of_the_out_of_memory_kills_it_explains() -> None:
    oom = task("query:1", container_exit_codes=(("app", 137, "OutOfMemoryError: Container"),))
    service = ecs_service("query", [oom], running=1)
    memory = alarm("HighMemory", metric="MemoryUtilization", reason="... [100.0 (...)] ...")
    state = diagnose(with_alarms(snapshot(services=[service]), memory))
    (finding,) = state.findings
    assert finding.kind == "ecs-oom"
    assert finding.evidence[-1].startswith("alarm HighMemory in ALARM since 2025-11-11")
    own = ResourceRef("alarm", "HighMemory", "ap-northeast-1")
    assert [f.text for f in state.flags(own)] == ["explains ecs-oom"]


def test_insufficient_data_is_never_ok_and_never_alarm() -> None:
    blind = alarm(
        "Tasks",
        "INSUFFICIENT_DATA",
        reason="Insufficient Data: 1 datapoint was unknown.",
        dimensions=(("FunctionName", "chat"),),
    )
    (finding,) = find(with_alarms(snapshot(services=[function("chat")]), blind))
    assert finding.id == "alarm-no-data:ap-northeast-1:Tasks"
    assert finding.severity is Severity.INFO
    assert finding.ref == ResourceRef("lambda", "chat", "ap-northeast-1")
    assert finding.evidence[1] == "INSUFFICIENT_DATA since 2025-11-11 04:00:00 UTC"


def test_an_alarm_on_nothing_shown_is_about_the_alarm_itself() -> None:
    elb = alarm("5xx", namespace="AWS/ApplicationELB", dimensions=(("LoadBalancer", "app/x"),))
    (finding,) = find(with_alarms(Snapshot(), elb))
    assert finding.ref == ResourceRef("alarm", "5xx", "ap-northeast-1")
    assert "no resource shipdeck shows" in finding.title


def test_causes_come_before_what_an_alarm_says_of_the_same_severity() -> None:
    oom = task("query:1", container_exit_codes=(("app", 137, "OutOfMemoryError: Container"),))
    failed = ecs_service("query", [oom], running=1)
    calm = ecs_service("other")
    found = find(
        with_alarms(
            snapshot(services=[failed, calm]),
            alarm("AAA", dimensions=(("ClusterName", "c"), ("ServiceName", "other"))),
        )
    )
    kinds = [f.kind for f in found if f.severity is Severity.WARNING]
    assert kinds[-1] == "alarm"
