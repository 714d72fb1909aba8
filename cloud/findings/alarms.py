"""What CloudWatch already knows: alarms in ALARM, and alarms that cannot see.

An alarm is matched to the resource it watches by its dimensions: ECS
``ClusterName`` + ``ServiceName``, Lambda ``FunctionName``, CodeBuild
``ProjectName``. An alarm in ALARM is a finding of its own, with CloudWatch's
state reason and the time it changed, marking both its own row and the
resource's; when another finding on that resource already explains it (a memory
alarm on a service whose tasks are killed out of memory), the alarm is evidence
of that finding instead. An alarm with INSUFFICIENT_DATA is an info finding: it
watches nothing, which is never the same as OK.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

from cloud.alarms import COMPARISON_SYMBOL
from cloud.findings.model import Finding, Fix, Mark
from cloud.model.ref import ResourceRef
from cloud.model.snapshot import Snapshot
from cloud.records import AlarmRecord, Severity
from cloud.text import cut

REASON_LIMIT = 240

# A finding kind that explains an alarm of this metric on the same resource.
_EXPLAINED_BY = {
    "MemoryUtilization": ("ecs-oom",),
    "Duration": ("lambda-timeouts",),
    "Errors": ("lambda-errors-after-update", "lambda-timeouts", "lambda-database-unreachable"),
}


def alarm_subject(alarm: AlarmRecord) -> ResourceRef | None:
    """The resource ``alarm`` watches, by its dimensions; None when it is none of ours."""
    cluster, service = alarm.dimension("ClusterName"), alarm.dimension("ServiceName")
    if cluster and service:
        return ResourceRef("ecs", f"{cluster}/{service}", alarm.region)
    function = alarm.dimension("FunctionName")
    if function:
        return ResourceRef("lambda", function, alarm.region)
    project = alarm.dimension("ProjectName")
    if project:
        return ResourceRef("codebuild", project, alarm.region)
    return None


def condition_text(alarm: AlarmRecord) -> str:
    """``CPUUtilization Average > 70 for 2 x 300 s``."""
    symbol = COMPARISON_SYMBOL.get(alarm.comparison, alarm.comparison or "?")
    threshold = "unknown" if alarm.threshold is None else f"{alarm.threshold:g}"
    text = f"{alarm.metric} {alarm.statistic} {symbol} {threshold}".replace("  ", " ")
    if alarm.evaluation_periods and alarm.period:
        text += f" for {alarm.evaluation_periods} x {alarm.period} s"
    return text


_FIRST_DATAPOINT = re.compile(r"\[\s*(-?\d+(?:\.\d+)?)")


def crossing_text(alarm: AlarmRecord) -> str:
    """``CPUUtilization 75.3 > 70``: the newest datapoint CloudWatch judged, against the line.

    The value is read from the state reason; without one, the condition is given instead.
    """
    found = _FIRST_DATAPOINT.search(alarm.reason or "")
    if found is None or alarm.threshold is None:
        return condition_text(alarm)
    symbol = COMPARISON_SYMBOL.get(alarm.comparison, alarm.comparison)
    return f"{alarm.metric} {float(found.group(1)):g} {symbol} {alarm.threshold:g}"


def _since(alarm: AlarmRecord) -> str:
    if alarm.updated_at is None:
        return "since an unknown time"
    return f"since {alarm.updated_at.strftime('%Y-%m-%d %H:%M:%S UTC')}"


def alarm_findings(snapshot: Snapshot, already: Sequence[Finding]) -> list[Finding]:
    """Alarm findings, and ``already`` with alarms added as evidence where they explain it.

    Returns the whole new list: ``already`` (some findings with more evidence) and
    the alarm findings after it.
    """
    findings = list(already)
    for alarm in snapshot.alarms:
        if alarm.state not in ("ALARM", "INSUFFICIENT_DATA"):
            continue
        own = ResourceRef("alarm", alarm.name, alarm.region)
        subject = alarm_subject(alarm)
        label = subject.target if subject is not None else "no resource shipdeck shows"
        if alarm.state == "INSUFFICIENT_DATA":
            findings.append(_blind(alarm, own, subject, label))
            continue
        reason = cut(alarm.reason or "no reason given", REASON_LIMIT)
        line = f"alarm {alarm.name} in ALARM {_since(alarm)}: {reason}"
        explained = _explained(findings, alarm, subject)
        if explained is not None:
            index = findings.index(explained)
            findings[index] = dataclasses.replace(
                explained,
                evidence=(*explained.evidence, line),
                marks=(*explained.marks, Mark(own, f"explains {explained.kind}")),
            )
            continue
        findings.append(_alarming(alarm, own, subject, label, reason, findings))
    return findings


def _explained(
    findings: Sequence[Finding], alarm: AlarmRecord, subject: ResourceRef | None
) -> Finding | None:
    kinds = _EXPLAINED_BY.get(alarm.metric, ())
    return next((f for f in findings if f.ref == subject and f.kind in kinds), None)


def _marks(
    own: ResourceRef, own_text: str, subject: ResourceRef | None, subject_text: str
) -> tuple[Mark, ...]:
    """The resource's row first (when shipdeck shows it), then the alarm's own."""
    found = (Mark(own, own_text),)
    return found if subject is None else (Mark(subject, subject_text), *found)


def _alarming(
    alarm: AlarmRecord,
    own: ResourceRef,
    subject: ResourceRef | None,
    label: str,
    reason: str,
    findings: Sequence[Finding],
) -> Finding:
    """An alarm in ALARM: what crossed, as CloudWatch says, and what else is wrong there."""
    others = [f for f in findings if subject is not None and f.ref == subject]
    fixes: tuple[Fix, ...] = tuple(dict.fromkeys(fix for f in others for fix in f.fixes))
    cause = f"CloudWatch says {label} crossed its threshold: {condition_text(alarm)}."
    if others:
        cause += " Found on it too: " + "; ".join(f.title for f in others[:3]) + "."
    marks = _marks(
        own, crossing_text(alarm), subject, f"alarm {alarm.name}: {crossing_text(alarm)}"
    )
    return Finding(
        id=f"alarm:{alarm.region}:{alarm.name}",
        kind="alarm",
        severity=Severity.WARNING,
        title=f"{alarm.name}: {alarm.metric} of {label} crossed its threshold",
        ref=subject or own,
        evidence=(
            f"alarm {alarm.name}: {condition_text(alarm)}",
            f"in ALARM {_since(alarm)}",
            reason,
        ),
        cause=cause,
        fixes=fixes,
        marks=marks,
    )


def _blind(
    alarm: AlarmRecord, own: ResourceRef, subject: ResourceRef | None, label: str
) -> Finding:
    """An alarm with INSUFFICIENT_DATA: it cannot tell whether anything is wrong."""
    marks = _marks(own, "no data: watches nothing", subject, f"alarm {alarm.name}: no data")
    return Finding(
        id=f"alarm-no-data:{alarm.region}:{alarm.name}",
        kind="alarm-no-data",
        severity=Severity.INFO,
        title=f"{alarm.name}: no data for {alarm.metric} of {label}",
        ref=subject or own,
        evidence=(
            f"alarm {alarm.name}: {condition_text(alarm)}",
            f"INSUFFICIENT_DATA {_since(alarm)}",
            cut(alarm.reason or "no reason given", REASON_LIMIT),
        ),
        cause=(
            f"Nothing publishes {alarm.namespace} {alarm.metric} with these dimensions, so "
            "the alarm cannot go off: the metric is not enabled (Container Insights, a "
            "custom metric) or its dimensions do not match."
        ),
        marks=marks,
    )
