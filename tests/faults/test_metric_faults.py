"""GetMetricData throttled: the charts say so, and the rest of the console keeps working."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.faults.conftest import Proxied
from tests.faults.proxy import Fault
from tests.tui.conftest import AppFactory, settle
from tests.tui.helpers import detail_text, model_read, open_detail
from tui.screens.ecs_service_detail import EcsServiceDetail

GET_METRIC_DATA = "GraniteServiceVersion20100801.GetMetricData"


@pytest.fixture
def through_proxy(proxied: Proxied, monkeypatch: pytest.MonkeyPatch) -> Iterator[Proxied]:
    """This process's new clients use the proxies."""
    proxied.apply(monkeypatch)
    yield proxied


async def test_throttled_metrics_are_said_and_the_detail_stays_whole(
    through_proxy: Proxied, make_app: AppFactory
) -> None:
    through_proxy.aws.add(Fault("throttle", GET_METRIC_DATA))
    app = make_app(fresh=True)
    async with app.run_test(size=(160, 80)) as pilot:
        await model_read(pilot)
        await open_detail(app, pilot, "3", "services", "query-service")
        assert isinstance(app.screen, EcsServiceDetail)
        text = detail_text(app)
        assert "cloudwatch ap-southeast-1: throttled: GetMetricData" in text
        assert "CPU (average)" not in text  # no chart drawn from nothing
        # Everything else of the detail is there: the service, its flags, its tasks.
        assert "task definition  query-service:1" in text
        assert "stopped out of memory" in text
        assert "alarm ECS-HighCPU" in text  # the alarms were read: only the metrics failed
        assert through_proxy.aws.injected["throttle"] >= 1

        # CloudWatch answers again: `r` reads the charts and the error line goes.
        through_proxy.aws.clear()
        await pilot.press("r")
        await settle(pilot)
        text = detail_text(app)
        assert "CPU (average)  last 7" in text
        assert "throttled" not in text
