"""Memory and ingest time of the logs screen over 1,000,000 lines (headless).

The lines take the console's own path: a thread worker reads transport
batches (``LogBatch`` of 5,000 events, as a FilterLogEvents merge yields
them), ``LogFeed`` coalesces them, and the screen feeds the ``LogView`` at
most every 100 ms. Prints the ingest time, the rate, and the process RSS
after (target: <= 300 MB with the default 100,000-line buffer).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import resource
import time
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

from textual import work
from textual.app import App

from cloud.logs import LogBatch, LogEvent, LogStatus, StatusKind
from cloud.logs.subjects import GroupsSource
from cloud.session import CloudSession
from cloud.settings import Settings
from tui.context.state import ConsoleContext
from tui.screens.logs import LogsScreen
from widgets.log_view import LogView

BASE_MS = 1_714_564_800_000
GROUPS = (("us-east-1", "/ecs/query-service"), ("us-east-1", "/aws/lambda/hr-chatbot-backend"))


def rss_mb() -> float:
    """Resident memory of this process now, in MB (Linux /proc; else the peak)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def synthetic(total: int, batch: int) -> Iterator[LogBatch]:
    """``total`` events in batches of ``batch``, from two groups, an error every 97 lines."""
    for start in range(0, total, batch):
        events = []
        for i in range(start, min(start + batch, total)):
            group = GROUPS[i % 2][1]
            kind = "ERROR db timeout after 30000 ms" if i % 97 == 0 else "INFO request served"
            text = f"{kind} id={i:08d} path=/api/v1/items?page={i % 50} status=200 bytes={i % 9000}"
            events.append(LogEvent(BASE_MS + i, BASE_MS + i, group, f"s/{i % 7}", text, ""))
        statuses: tuple[LogStatus, ...] = ()
        if start and start % 200_000 == 0:
            statuses = (LogStatus(StatusKind.RECONNECTED, GROUPS[0][1], "session reopened"),)
        yield LogBatch(tuple(events), statuses)


class BenchLogsScreen(LogsScreen):
    """The logs screen, reading synthetic batches instead of CloudWatch."""

    total_lines = 1_000_000
    batch_events = 5000
    stalls: ClassVar[list[float]] = []  # seconds the UI spent in each take

    def _take(self) -> None:
        started = time.perf_counter()
        super()._take()
        self.stalls.append(time.perf_counter() - started)

    @work(thread=True, exclusive=True, group="logs", exit_on_error=False, description="bench")
    def follow_logs(self) -> None:
        """Worker thread: the same feed, a synthetic transport."""
        total, batch = self.total_lines, self.batch_events
        self.feed.read(lambda: synthetic(total, batch), self.ring, self._label)


class BenchApp(App[None]):
    """Opens the bench screen."""

    def __init__(self, screen: LogsScreen) -> None:
        super().__init__()
        self.bench_screen = screen

    def on_mount(self) -> None:
        """Show the logs screen."""
        self.push_screen(self.bench_screen)


async def run(total: int, batch: int, max_lines: int) -> None:
    """Stream ``total`` lines through the screen; print time, rate and RSS."""
    before = rss_mb()
    session = CloudSession(regions=("us-east-1",))
    context = ConsoleContext(session=session, settings=Settings())
    BenchLogsScreen.total_lines, BenchLogsScreen.batch_events = total, batch
    screen = BenchLogsScreen(
        context, GroupsSource(GROUPS), max_lines=max_lines, save_dir=Path(os.devnull)
    )
    app = BenchApp(screen)
    started = time.perf_counter()  # the worker starts as the screen mounts
    async with app.run_test(headless=True, size=(160, 50)) as pilot:
        view = screen.query_one(LogView)
        while view.buffer.received < total:
            await pilot.pause(0.05)
            if time.perf_counter() - started > 600:
                raise SystemExit("gave up after 600 s")
        elapsed = time.perf_counter() - started
        await pilot.pause()
        gc.collect()
        after = rss_mb()
        rows = len(view.log_lines.lines)
        print(f"lines streamed      {total:>12,}")
        print(f"transport batch     {batch:>12,} events")
        print(f"buffer (max_lines)  {max_lines:>12,}  (holding {view.buffer.line_count:,})")
        print(f"rows in the Log     {rows:>12,}")
        print(f"ingest time         {elapsed:>12.2f} s")
        print(f"ingest rate         {total / elapsed:>12,.0f} lines/s")
        print(f"RSS before          {before:>12.1f} MB")
        print(f"RSS after           {after:>12.1f} MB   (target <= 300 MB)")
        stalls = sorted(screen.stalls)
        p95 = stalls[int(len(stalls) * 0.95)] if stalls else 0.0
        print(f"UI feeds            {len(stalls):>12,}  (<= 5,000 lines each)")
        print(f"UI stall per feed   {p95 * 1000:>12.0f} ms p95, {stalls[-1] * 1000:.0f} ms max")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"RSS peak            {peak:>12.1f} MB")


def main() -> None:
    """Command line: --lines, --batch, --max-lines."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument("--max-lines", type=int, default=100_000)
    args = parser.parse_args()
    os.environ.setdefault("AWS_CONFIG_FILE", os.devnull)
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    asyncio.run(run(args.lines, args.batch, args.max_lines))


if __name__ == "__main__":
    main()
