"""A CloudWatch alarm: its condition, reason, metric against its threshold, and history."""

from __future__ import annotations

from rich.text import Text
from textual import work

from cloud.findings.alarms import alarm_subject, condition_text
from cloud.model.ref import ResourceRef
from cloud.records import AlarmHistoryItem, AlarmRecord
from tui.context.formatting import alarm_state_text, timestamp
from tui.context.messages import DetailFetched
from tui.context.state import ConsoleContext
from tui.screens.charts import ChartsHost
from tui.screens.detail import DetailScreen, error_section
from widgets.detail_view import DetailSection


class AlarmDetail(ChartsHost, DetailScreen):
    """What ``aws cloudwatch describe-alarms`` and ``describe-alarm-history`` tell, and a chart."""

    def __init__(self, context: ConsoleContext, ref: ResourceRef) -> None:
        self.title_text = f"alarm {ref.name}  ({ref.scope})"
        super().__init__(context, ref)

    @work(
        thread=True,
        exclusive=True,
        group="detail",
        exit_on_error=False,
        description="read the alarm's history",
    )
    def load(self) -> None:
        """Read the alarm's history (in a thread)."""
        from cloud.alarms import fetch_alarm_history

        assert self.ref is not None
        fetched = fetch_alarm_history(
            self.context.session_for(self.ref), self.ref.scope, self.ref.name
        )
        self.post_message(DetailFetched("history", fetched))

    def sections(self) -> list[DetailSection]:
        """The alarm, flags, chart, history."""
        alarm = self.record_as(AlarmRecord)
        if alarm is None:
            return [DetailSection("alarm", empty="reading…")]
        subject = alarm_subject(alarm)
        history = self.parts.get("history")
        items: tuple[AlarmHistoryItem, ...] = history.records if history else ()
        return [
            DetailSection(
                "alarm",
                fields=(
                    ("state", alarm_state_text(alarm.state, spelled=True)),
                    ("since", timestamp(alarm.updated_at)),
                    ("reason", Text(alarm.reason or "none given")),
                    ("condition", condition_text(alarm)),
                    ("metric", f"{alarm.namespace} {alarm.metric}"),
                    (
                        "dimensions",
                        ", ".join(f"{k}={v}" for k, v in alarm.dimensions) or "none",
                    ),
                    ("resource", subject.target if subject is not None else "none shown here"),
                    ("actions", "enabled" if alarm.actions_enabled else "disabled"),
                    ("description", alarm.description or "none"),
                    ("arn", alarm.arn or "unknown"),
                ),
            ),
            self.flags_section(),
            *self.chart_sections(),
            *(error_section(history.errors) if history else []),
            DetailSection(
                "history",
                columns=("TIME", "TYPE", "SUMMARY"),
                rows=tuple((timestamp(i.at), i.kind, i.summary) for i in items),
                empty="no history" if history else "loading…",
            ),
        ]
