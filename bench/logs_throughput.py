"""Throughput of ``shipdeck tail`` over 200,000 events against the API floor and awslogs.

Prints: (a) a plain boto3 FilterLogEvents paging loop, (b) ``shipdeck tail``
as a subprocess, (c) ``awslogs get`` (installed into a temporary venv when
PyPI is reachable), (d) the console's log screen ingesting them headless (a
subprocess running the real LogsScreen, timed from its start to the last line
in the view). Targets: (b) and (d) <= 1.3 x (a), and (b) >= 2 x faster than (c).

(b) and (d) run with the same configured call rate (``--rate`` for the command,
``[logs] calls_per_second`` for the console): RATE calls per second, so what is
measured is the engine and the view, not the default quota pacing of 5 calls/s.

(a), (b) and (d) run in rounds (``--rounds``, default 3) and the targets are
judged on the medians: on a shared two-core machine one run of (a) alone
varies by a third between runs.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from statistics import median
from typing import Any

REGION = "us-east-1"
ROOT = Path(__file__).resolve().parents[1]


# --- the endpoint (shared with logs_latency.py) ------------------------------
# moto_server runs in a child process so its work does not share an interpreter
# (and a GIL) with the client being timed.


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def moto_endpoint() -> Iterator[str]:
    """Start ``moto_server`` on a free loopback port; yield its URL; stop it."""
    port = _free_port()
    server = Path(sys.executable).with_name("moto_server")
    child = subprocess.Popen(
        [str(server), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.1)
        yield url
    finally:
        child.terminate()
        child.wait(10)


def environment(url: str) -> dict[str, str]:
    """The environment pointing boto3 (and any AWS tool) at ``url``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_ENDPOINT_URL=url,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION=REGION,
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        PYTHONPATH=str(ROOT),
    )
    return env


def logs_client(url: str) -> Any:
    """A plain boto3 CloudWatch Logs client for the endpoint."""
    # Imported here: the console's log readers import this script as their main module
    # (multiprocessing does), and shipdeck's own main module does not import boto3.
    import boto3

    return boto3.client(
        "logs",
        region_name=REGION,
        endpoint_url=url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def tail_command() -> list[str]:
    """``shipdeck tail`` when the group has it registered, else the module directly."""
    shipdeck = Path(sys.executable).with_name("shipdeck")
    probe = subprocess.run(
        [str(shipdeck), "tail", "--help"], capture_output=True, check=False, timeout=60
    )
    if probe.returncode == 0:
        return [str(shipdeck), "tail"]
    return [sys.executable, "-m", "cli.tail"]


RATE = 100  # FilterLogEvents calls per second for (b) and (d)
GROUP = "/bench/throughput"
STREAMS = ("web-1", "web-2", "worker")


def fill(client: Any, events: int) -> int:
    """Put ``events`` lines spread over a few streams; return the first timestamp."""
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
                    {
                        "timestamp": start + i * 10 + n,
                        "message": f"GET /api/v1/items/{i} 200 {i % 97}ms",
                    }
                    for i in chunk
                ],
            )
    return start


def api_floor(client: Any, start: int) -> tuple[float, int]:
    """(a) The plain boto3 paging loop: seconds and events."""
    began = time.perf_counter()
    count = 0
    request: dict[str, Any] = {"logGroupName": GROUP, "startTime": start, "interleaved": True}
    while True:
        page = client.filter_log_events(**request)
        count += len(page["events"])
        token = page.get("nextToken")
        if not token:
            break
        request["nextToken"] = token
    return time.perf_counter() - began, count


def run_lines(command: list[str], env: dict[str, str]) -> tuple[float, int, str]:
    """Run a command, count its stdout lines; (seconds, lines, last stderr line)."""
    with tempfile.TemporaryFile() as out:
        began = time.perf_counter()
        done = subprocess.run(command, env=env, stdout=out, stderr=subprocess.PIPE, check=False)
        elapsed = time.perf_counter() - began
        out.seek(0)
        lines = sum(1 for _ in out)
    errors = done.stderr.decode(errors="replace").strip().splitlines()
    return elapsed, lines, errors[-1] if errors else ""


def awslogs_command(workdir: Path) -> list[str] | None:
    """``awslogs`` from a temporary venv, or None when it cannot be installed."""
    venv = workdir / "awslogs-venv"
    made = subprocess.run(
        [sys.executable, "-m", "venv", str(venv)], capture_output=True, check=False
    )
    if made.returncode != 0:
        return None
    pip = venv / "bin" / "pip"
    installed = subprocess.run(
        [str(pip), "install", "-q", "awslogs"], capture_output=True, check=False, timeout=300
    )
    if installed.returncode != 0:
        print(f"(c) skipped: pip install awslogs failed: {installed.stderr.decode()[-200:]}")
        return None
    return [str(venv / "bin" / "awslogs")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--no-awslogs", action="store_true")
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="rounds of (a), (b) and (d); the targets are judged on the medians",
    )
    args = parser.parse_args()
    with moto_endpoint() as url, tempfile.TemporaryDirectory() as tmp:
        client = logs_client(url)
        began = time.perf_counter()
        start = fill(client, args.events)
        print(f"put {args.events} events in {time.perf_counter() - began:.1f}s ({url})")
        env = environment(url)
        iso = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(start / 1000 - 1))
        tail = [*tail_command(), GROUP, "--since", iso, "--mode", "poll", "--rate", str(RATE)]

        floors: list[float] = []
        tails: list[float] = []
        views: list[float] = []
        for number in range(1, max(1, args.rounds) + 1):
            floor, count = api_floor(client, start)
            ours, lines, err = run_lines(tail, env)
            view = [sys.executable, __file__, "--view-child", str(count), str(start)]
            viewed, _, view_err = run_lines(view, env)
            floors.append(floor)
            tails.append(ours)
            views.append(viewed)
            print(
                f"round {number}: (a) boto3 filter_log_events loop {floor:.2f}s, {count} events; "
                f"(b) {' '.join(tail[:3])} ... {ours:.2f}s, {lines} lines = "
                f"{ours / floor:.2f} x (a); (d) the console's log view {viewed:.2f}s = "
                f"{viewed / floor:.2f} x (a)"
            )
            for shown in (err, view_err):
                if shown:
                    print(f"    stderr: {shown}")

        floor, ours, viewed = median(floors), median(tails), median(views)
        print(f"(a) median {floor:.2f}s (min {min(floors):.2f}, max {max(floors):.2f})")
        print(f"(b) median {ours:.2f}s = {ours / floor:.2f} x (a)")
        print(f"(d) median {viewed:.2f}s = {viewed / floor:.2f} x (a)")
        awslogs = None if args.no_awslogs else awslogs_command(Path(tmp))
        if awslogs is None:
            print("(c) awslogs: skipped (--no-awslogs, or it could not be installed)")
        else:
            their, their_lines, err = run_lines(
                [*awslogs, "get", GROUP, "ALL", "--start", iso, "--no-color"], env
            )
            print(
                f"(c) awslogs get: {their:.2f}s, {their_lines} lines; "
                f"shipdeck is {their / ours:.2f} x faster"
            )
            if err:
                print(f"    stderr: {err}")
        print(
            f"targets on the medians: (b)/(a) <= 1.3 -> {ours / floor:.2f}; "
            f"(d)/(a) <= 1.3 -> {viewed / floor:.2f}; (c)/(b) >= 2"
        )


def view_child(count: int, since_ms: int) -> None:
    """Run the console's LogsScreen headless over GROUP; exit once ``count`` lines are in."""
    from tui.context.startup import hold_collector, release_collector
    from tui.flows.log_process import warm_up

    # As in the console: start-up runs without cyclic GC and what it made is frozen
    # before anyone opens a log; the log readers' fork server is started then, too.
    hold_collector()
    warm_up()
    import asyncio

    from textual.app import App
    from textual.pilot import Pilot

    from cloud.logs.subjects import GroupsSource
    from cloud.session import CloudSession
    from cloud.settings import Settings
    from tui.context.state import ConsoleContext
    from tui.screens.logs import LogsScreen

    settings = Settings(log_calls_per_second=RATE)  # as [logs] calls_per_second = RATE
    context = ConsoleContext(session=CloudSession(regions=(REGION,)), settings=settings)
    source = GroupsSource(((REGION, GROUP),), since_ms=since_ms)
    screen = LogsScreen(context, source, max_lines=count + 1_000)  # hold every event

    class Viewer(App[None]):
        def on_mount(self) -> None:
            self.push_screen(screen)
            release_collector()

    app = Viewer()

    async def wait(pilot: Pilot[object]) -> None:
        while screen.view.buffer.line_count < count:
            await asyncio.sleep(0.01)
        screen.feed.stop.set()  # the reading thread ends before the app does
        app.exit()

    app.run(headless=True, size=(120, 36), auto_pilot=wait)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--view-child":
        view_child(int(sys.argv[2]), int(sys.argv[3]))
    else:
        main()
