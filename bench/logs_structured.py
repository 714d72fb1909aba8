"""The structured log view's ingest against the plain view's, over the same 200,000 JSON events.

Two figures, each for the plain view (every line as it came) and the structured
view (compact rows with a coloured level), and their ratio (target: <= 1.5 x):

(e) the console's log screen reading 200,000 FastAPI-style JSON events from a
    moto server (as ``bench/logs_throughput.py``'s (d)), timed from the start
    of a subprocess to the newest line drawn on screen;
(f) the log view alone, fed the same lines in batches of 2,000 (what the
    feeder hands it ~10 times a second in a flood), timed until the newest
    line is drawn, so the view's own cost is not hidden behind the API's.

Each runs ``--rounds`` times (default 3); the medians are compared.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path
from statistics import median
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from logs_throughput import (
    RATE,
    REGION,
    environment,
    logs_client,
    moto_endpoint,
    run_lines,
)

GROUP = "/bench/structured"
STREAMS = ("api-1", "api-2", "api-3")
LEVELS = ("INFO",) * 17 + ("WARNING", "ERROR", "DEBUG")
PATHS = ("/api/chat", "/health", "/api/history", "/api/feedback")


def event_line(i: int, at_ms: int) -> str:
    """A FastAPI/uvicorn access line as python-json-logger writes it."""
    level = LEVELS[i % len(LEVELS)]
    status = 503 if level == "ERROR" else 200
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(at_ms / 1000))
    return json.dumps(
        {
            "timestamp": f"{stamp}.{at_ms % 1000:03d}Z",
            "level": level,
            "logger": "uvicorn.access",
            "message": f"POST {PATHS[i % 4]} {status}",
            "request_id": f"{i:08x}-6b7d-4e8f-9a0b-1c2d3e4f5a6b",
            "method": "POST",
            "path": PATHS[i % 4],
            "status": status,
            "latency_ms": round(3 + (i % 997) * 1.7, 1),
        }
    )


def fill(client: Any, events: int) -> int:
    """Put ``events`` JSON lines over a few streams; return the first timestamp."""
    client.create_log_group(logGroupName=GROUP)
    for stream in STREAMS:
        client.create_log_stream(logGroupName=GROUP, logStreamName=stream)
    start = int(time.time() * 1000) - 3_000_000
    per_stream = events // len(STREAMS)
    for n, stream in enumerate(STREAMS):
        count = per_stream + (events % len(STREAMS) if n == 0 else 0)
        for first in range(0, count, 10_000):
            chunk = range(first, min(count, first + 10_000))
            client.put_log_events(
                logGroupName=GROUP,
                logStreamName=stream,
                logEvents=[
                    {"timestamp": start + i * 10 + n, "message": event_line(i, start + i * 10 + n)}
                    for i in chunk
                ],
            )
    return start


def screen_child(count: int, since_ms: int, structured: bool) -> None:
    """The console's LogsScreen over GROUP; exit once the newest of ``count`` lines is drawn."""
    from tui.context.startup import hold_collector, release_collector
    from tui.flows.log_process import warm_up

    hold_collector()
    warm_up()
    from textual.app import App
    from textual.pilot import Pilot

    from cloud.logs.subjects import GroupsSource
    from cloud.session import CloudSession
    from cloud.settings import Settings
    from tui.context.state import ConsoleContext
    from tui.screens import logs
    from tui.screens.logs import LogsScreen

    if not structured:  # the plain view: the screen's log view is given no line structure
        setattr(logs, "LineReading", lambda: None)  # noqa: B010  (the name LogsScreen reads)

    settings = Settings(log_calls_per_second=RATE)
    context = ConsoleContext(session=CloudSession(regions=(REGION,)), settings=settings)
    source = GroupsSource(((REGION, GROUP),), since_ms=since_ms)
    screen = LogsScreen(context, source, max_lines=count + 1_000)

    class Viewer(App[None]):
        def on_mount(self) -> None:
            self.push_screen(screen)
            release_collector()

    app = Viewer()

    async def wait(pilot: Pilot[object]) -> None:
        lines = screen.view.log_lines
        while screen.view.buffer.line_count < count or len(lines.lines) - 1 not in (
            lines.visible_range()
        ):
            await asyncio.sleep(0.01)
        await pilot.pause()  # the frame that draws it
        newest = lines.lines[-1]
        assert structured != newest.endswith("}"), f"the newest row as drawn: {newest!r}"
        screen.feed.stop.set()
        app.exit()

    app.run(headless=True, size=(160, 40), auto_pilot=wait)


def view_alone(count: int, structured: bool) -> float:
    """(f) Seconds for the log view to take ``count`` lines in batches and draw the newest."""
    from textual.app import App, ComposeResult

    from cloud.logs.fields import LineReading
    from widgets.log_view import LogView

    start = 1_762_837_964_000
    lines = [(start + i * 10, "", event_line(i, start + i * 10)) for i in range(count)]

    class Viewer(App[None]):
        def compose(self) -> ComposeResult:
            yield LogView(max_lines=count, structure=LineReading() if structured else None)

    async def run() -> float:
        app = Viewer()
        async with app.run_test(size=(160, 40)) as pilot:
            view = app.query_one(LogView)
            await pilot.pause()
            began = time.perf_counter()
            for first in range(0, count, 2_000):
                view.write_batch(lines[first : first + 2_000])
                await asyncio.sleep(0)  # the app draws between batches, as it does live
            await pilot.pause()
            elapsed = time.perf_counter() - began
            assert len(view.log_lines.lines) == count
            return elapsed

    return asyncio.run(run())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    figures: dict[str, list[float]] = {"e plain": [], "e structured": [], "f plain": [], "f s": []}
    with moto_endpoint() as url:
        client = logs_client(url)
        began = time.perf_counter()
        start = fill(client, args.events)
        print(f"put {args.events} JSON events in {time.perf_counter() - began:.1f}s")
        env = environment(url)
        for number in range(1, max(1, args.rounds) + 1):
            for name, flag in (("e plain", "plain"), ("e structured", "structured")):
                command = [sys.executable, __file__, "--screen-child", str(args.events)]
                seconds, _, err = run_lines([*command, str(start), flag], env)
                figures[name].append(seconds)
                if err:
                    print(f"    stderr: {err}")
            for name, structured in (("f plain", False), ("f s", True)):
                figures[name].append(view_alone(args.events, structured))
            print(
                f"round {number}: (e) screen plain {figures['e plain'][-1]:.2f}s, structured "
                f"{figures['e structured'][-1]:.2f}s; (f) view alone plain "
                f"{figures['f plain'][-1]:.2f}s, structured {figures['f s'][-1]:.2f}s"
            )
    e_plain, e_structured = median(figures["e plain"]), median(figures["e structured"])
    f_plain, f_structured = median(figures["f plain"]), median(figures["f s"])
    n = args.events
    print(
        f"(e) console log screen, {n:,} events: plain {e_plain:.2f}s ({n / e_plain:,.0f}/s), "
        f"structured {e_structured:.2f}s ({n / e_structured:,.0f}/s) = "
        f"{e_structured / e_plain:.2f} x plain"
    )
    print(
        f"(f) the view alone, {n:,} lines: plain {f_plain:.2f}s ({n / f_plain:,.0f}/s), "
        f"structured {f_structured:.2f}s ({n / f_structured:,.0f}/s) = "
        f"{f_structured / f_plain:.2f} x plain"
    )
    print(
        f"target: structured <= 1.5 x plain -> (e) {e_structured / e_plain:.2f}, "
        f"(f) {f_structured / f_plain:.2f}"
    )


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--screen-child":
        screen_child(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "structured")
    else:
        main()
