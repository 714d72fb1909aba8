"""Small charts in a detail: the resource's CloudWatch series over the last 3 hours.

A detail that shows charts reads them with one GetMetricData call per region
(``cloud.metrics.fetch_metric_data``), when it opens, on ``r``, and every minute
while it is the screen on top; a detail under another screen does not read. A
read that fails (throttled, denied) is said in red above the charts, which keep
the last series read: the rest of the detail is not touched.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work

from cloud.metrics import WINDOW, ChartSpec, MetricSeries, charts_for, window_end
from cloud.records import Fetched
from tui.context.messages import DetailFetched
from tui.context.workers import ReportsWorkers
from widgets.chart import chart
from widgets.detail_view import DetailSection

if TYPE_CHECKING:
    from tui.screens.detail import DetailScreen

    _Base = DetailScreen
else:  # a mixin of detail screens; its workers' failures reach the app's handler
    _Base = ReportsWorkers

METRICS_SECONDS = 60.0
METRICS_PART = "metrics"


def slotted(series: MetricSeries, end: datetime, window: timedelta) -> list[float | None]:
    """The series in one slot per period over ``window`` up to ``end`` (None: no point)."""
    period = series.query.period
    count = max(1, int(window.total_seconds() // period))
    start = end - timedelta(seconds=period * count)
    slots: list[float | None] = [None] * count
    for at, value in series.points:
        index = int((at - start).total_seconds() // period)
        if 0 <= index < count:
            slots[index] = value
    return slots


class ChartsHost(_Base):
    """A detail with charts: ``chart_specs`` says which, ``chart_sections`` draws them."""

    _charts: Fetched[Any] | None = None
    _charts_end: datetime | None = None

    def chart_specs(self) -> tuple[ChartSpec, ...]:
        """The charts of this screen's resource (the model's alarms give thresholds)."""
        profile = getattr(self.record, "profile", "")  # thresholds from its own account's alarms
        alarms = [a for a in self.context.state.snapshot.alarms if a.profile == profile]
        return charts_for(self.record, alarms)

    def on_mount(self) -> None:
        """Show, read, and read the charts again every minute."""
        super().on_mount()
        self.read_charts()
        self.set_interval(METRICS_SECONDS, self._tick_charts)

    def _tick_charts(self) -> None:
        if self.app.screen is self:  # only what is on screen is read
            self.read_charts()

    def action_refresh(self) -> None:
        """Read again, charts too."""
        super().action_refresh()
        self.read_charts()

    def read_charts(self) -> None:
        """Read every chart of this screen: one GetMetricData call per region."""
        specs = self.chart_specs()
        if specs:
            self._read(specs, window_end(self.context.clock()))

    @work(
        thread=True,
        exclusive=True,
        group="charts",
        exit_on_error=False,
        description="read the charts' CloudWatch series",
    )
    def _read(self, specs: tuple[ChartSpec, ...], end: datetime) -> None:
        from cloud.metrics import fetch_metric_data

        session = self.context.session_of(getattr(self.record, "profile", ""))  # the row's account
        fetched = fetch_metric_data(session, [s.query for s in specs], end)
        self._charts_end = end
        self.post_message(DetailFetched(METRICS_PART, fetched))

    def chart_sections(self) -> list[DetailSection]:
        """The charts, with what could not be read above them."""
        specs = self.chart_specs()
        if not specs:
            return []
        fetched = self.parts.get(METRICS_PART)
        if fetched is not None and fetched.records:
            self._charts = fetched  # a read that failed keeps the last series drawn
        title = "metrics · last 3 h at 5 min"
        if fetched is None and self._charts is None:
            return [DetailSection(title, empty="reading CloudWatch…")]
        text = Text()
        errors = fetched.errors if fetched is not None else ()
        for error in errors:
            kept = " (the charts show the last read)" if self._charts else ""
            text.append(f"{error.line()}{kept}\n", style="bold red")
        by_query = {s.query: s for s in (self._charts.records if self._charts else ())}
        end = self._charts_end or self.context.clock()
        drawn = 0
        for spec in specs:
            series = by_query.get(spec.query)
            if series is None:
                continue
            if drawn:
                text.append("\n\n")
            values = slotted(series, end, WINDOW)
            title_text = f"{spec.title} ({spec.query.stat.lower()})"
            text.append_text(
                chart(
                    values,
                    title=title_text,
                    unit=spec.unit,
                    threshold=spec.threshold,
                    above_is_bad=spec.above_is_bad,
                    threshold_from=spec.threshold_from,
                    top=spec.top,
                    span="3h ago|now",
                )
            )
            if not series.complete:
                text.append("\npartial: CloudWatch sent part of the series", style="yellow")
            drawn += 1
        text.rstrip()
        return [DetailSection(title, text=text if text.plain else Text("no series read"))]
