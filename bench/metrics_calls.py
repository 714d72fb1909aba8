"""Charts: how soon they show, and how many GetMetricData calls they cost a minute.

Starts the seeds world, opens the console (headless, 120x50), and:

1. opens query-service's detail and measures from ``enter`` to the moment its CPU
   chart is on screen, against a plain boto3 GetMetricData of the same two series
   (the floor), alternated in the same run;
2. stays on that detail for ``--minutes`` and counts GetMetricData calls (one per
   region and refresh is the design: one region here, so about one a minute);
3. covers it with the console's own screens (back to the panes) for as long and
   counts again: nothing on screen charts, nothing is read.

    .venv/bin/python bench/metrics_calls.py [--minutes 2] [--rounds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cloud.session import CloudSession  # noqa: E402
from cloud.settings import Settings  # noqa: E402
from demo.launcher import start_world  # noqa: E402
from tests.support import environment  # noqa: E402
from tests.tui.helpers import detail_text, model_read, select_row  # noqa: E402
from tui.app import ShipdeckApp  # noqa: E402

DIMS = [
    {"Name": "ClusterName", "Value": "query-service-cluster"},
    {"Name": "ServiceName", "Value": "query-service"},
]


def _floor(session: CloudSession) -> float:
    """Seconds for plain boto3 to read the two series of the detail's charts."""
    client = session.client("cloudwatch", "ap-southeast-1")
    end = datetime.now(UTC)
    started = time.perf_counter()
    client.get_metric_data(
        MetricDataQueries=[
            {
                "Id": f"m{i}",
                "MetricStat": {
                    "Metric": {"Namespace": "AWS/ECS", "MetricName": metric, "Dimensions": DIMS},
                    "Period": 300,
                    "Stat": stat,
                },
            }
            for i, (metric, stat) in enumerate(
                (("CPUUtilization", "Average"), ("MemoryUtilization", "Maximum"))
            )
        ],
        StartTime=end - timedelta(hours=3),
        EndTime=end,
    )
    return time.perf_counter() - started


async def _run(regions: tuple[str, ...], context: str | None, args: Any) -> None:
    session = CloudSession(regions=regions, kube_context=context)
    calls: list[float] = []
    session._boto_session().register(  # the bench counts what goes out
        "before-call.cloudwatch.GetMetricData", lambda **_: calls.append(time.monotonic())
    )
    floor_session = CloudSession(regions=regions, kube_context=context)
    _floor(floor_session)  # warm the client
    app = ShipdeckApp(session, Settings(), badge="BENCH")
    shown: list[float] = []
    floors: list[float] = []
    async with app.run_test(size=(120, 50)) as pilot:
        await model_read(pilot)
        await pilot.press("3")
        for _ in range(args.rounds):
            floors.append(_floor(floor_session))
            select_row(app, "services", "query-service")
            started = time.perf_counter()
            await pilot.press("enter")
            while "CPU (average)  last" not in _text(app):
                await pilot.pause(0.005)
            shown.append(time.perf_counter() - started)
            await pilot.press("escape")
            await pilot.pause(0.2)
        print(
            f"chart on screen after enter: median {statistics.median(shown) * 1000:.0f} ms "
            f"(plain boto3 GetMetricData of the same series: "
            f"{statistics.median(floors) * 1000:.0f} ms), {args.rounds} rounds"
        )
        select_row(app, "services", "query-service")
        await pilot.press("enter")
        on_detail = await _calls_a_minute(pilot, calls, args.minutes)
        await pilot.press("escape")
        on_panes = await _calls_a_minute(pilot, calls, args.minutes)
    print(f"GetMetricData calls a minute, query-service's detail on screen: {on_detail:.1f}")
    print(f"GetMetricData calls a minute, only the panes on screen: {on_panes:.1f}")


async def _calls_a_minute(pilot: Any, calls: list[float], minutes: float) -> float:
    """GetMetricData calls a minute over ``minutes`` of what is on screen now."""
    await pilot.pause(1)  # what the key started is not counted
    calls.clear()
    began = time.monotonic()
    await asyncio.sleep(minutes * 60)
    return len(calls) / ((time.monotonic() - began) / 60)


def _text(app: ShipdeckApp) -> str:
    try:
        return detail_text(app)
    except Exception:  # noqa: BLE001 - the detail is not up yet
        return ""


def main() -> None:
    """Start the world, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    world = start_world(ROOT / "demo" / "scenarios" / "seeds.yaml")
    try:
        with environment(world.env()):
            asyncio.run(_run(tuple(world.regions), world.kube_context, args))
    finally:
        world.stop()


if __name__ == "__main__":
    main()
