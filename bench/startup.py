"""Start-up figure: process start to all four panes populated, and the console's RSS.

Starts the demo world once (its own process, as a person's world would be),
then starts the console N times as a fresh process, headless, against it. The
time runs from just before the process is spawned to the moment its four
tables all have rows, as the child reports it. Target: median <= 1.0 s.

    .venv/bin/python bench/startup.py [--runs 7] [--scenario FILE]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

TABLES = {f"table-{pane}" for pane in ("repositories", "builds", "services", "quotas")}


def _child() -> None:
    """Run the console headless and report when every pane has rows."""
    from cloud.settings import Settings
    from tui.launch import build_console

    # The command line's own path: check the session, start the reads, build the app.
    app = build_console(
        Settings(),
        profile=None,
        regions=tuple(os.environ["BENCH_REGIONS"].split(",")),
        context=os.environ.get("BENCH_CONTEXT"),
        read_only=False,
        badge=None,
    )
    # Only now: ``shipdeck`` imports Textual after starting its reader process, too.
    import asyncio

    from textual.pilot import Pilot

    from widgets.resource_table import ResourceTable

    async def wait_for_panes(pilot: Pilot[object]) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            filled = [t for t in app.query(ResourceTable) if t.id in TABLES and t.row_count > 0]
            if len(filled) == len(TABLES):
                rss_kb = _rss_kb()
                sys.stdout.write(f"READY {rss_kb}\n")
                sys.stdout.flush()
                break
            await asyncio.sleep(0.02)
        else:
            sys.stdout.write("TIMEOUT\n")
        app.exit()

    app.run(headless=True, size=(120, 36), auto_pilot=wait_for_panes)


def _rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def main() -> None:
    """Measure start-up against a world that is already running."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--scenario", type=Path, default=None)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child()
        return

    # The measuring side imports what the child (``shipdeck`` itself) would not.
    import compileall
    import statistics
    import subprocess

    # A pip install compiles bytecode at install time, and any first run writes it;
    # this machine sets PYTHONDONTWRITEBYTECODE, so without this step every run would
    # compile shipdeck's own sources again (a quarter of a second).
    root = Path(__file__).resolve().parent.parent
    for package in ("cloud", "actions", "widgets", "tui", "demo"):
        compileall.compile_dir(root / package, quiet=1)

    from demo.launcher import start_world

    with start_world(args.scenario) as world:
        env = dict(os.environ)
        env.update(
            AWS_ENDPOINT_URL=world.aws_endpoint,
            AWS_ACCESS_KEY_ID=world.access_key_id,
            AWS_SECRET_ACCESS_KEY=world.secret_access_key,
            AWS_DEFAULT_REGION=world.default_region,
            AWS_CONFIG_FILE=os.devnull,
            KUBECONFIG=str(world.kubeconfig),
            BENCH_REGIONS=",".join(world.regions),
            BENCH_CONTEXT=world.kube_context or "",
        )
        env.pop("AWS_PROFILE", None)
        times: list[float] = []
        rss: list[int] = []
        # One unmeasured run: the world seeds in the background after its ready line,
        # and holds each service's first calls until that service is seeded.
        for run in range(-1, args.runs):
            started = time.perf_counter()
            proc = subprocess.Popen(
                [sys.executable, __file__, "--child"],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
            )
            assert proc.stdout is not None
            line = proc.stdout.readline()
            elapsed = time.perf_counter() - started
            proc.wait(30)
            if not line.startswith("READY"):
                print(f"run {run + 1}: the panes did not fill ({line.strip() or 'no output'})")
                continue
            if run < 0:
                continue
            times.append(elapsed)
            rss.append(int(line.split()[1]))
            print(f"run {run + 1}: {elapsed:.3f} s, RSS {int(line.split()[1]) / 1024:.0f} MiB")
        if not times:
            raise SystemExit("no run filled the four panes")
        print(
            f"start-up to four panes populated: median {statistics.median(times):.3f} s "
            f"(min {min(times):.3f}, max {max(times):.3f}, {len(times)} runs; target <= 1.0 s)"
        )
        print(f"RSS at that moment: median {statistics.median(rss) / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
