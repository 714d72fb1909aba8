"""An idle console: how much CPU its process tree uses, and how many calls it makes.

Starts the demo world, then the console (headless, as ``shipdeck`` starts it)
against it; once the whole model has been read, the console is left alone on
its findings pane for ``--seconds`` (default 60) with the default refresh
intervals. Prints the CPU its process tree used over that window (as a share
of one core), the AWS and Kubernetes calls it made per minute, and its RSS.
The window opens once the console has read every kind once itself (the first
read is the start-up reader process's), so one-time costs (importing the
Kubernetes client, making the clients) are not counted as idling.

    .venv/bin/python bench/idle.py [--seconds 60] [--scenario FILE] [--pane findings]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


class Calls:
    """The AWS and Kubernetes calls this process made since the last ``reset``."""

    def __init__(self) -> None:
        import threading

        self._lock = threading.Lock()
        self._counts = {"aws": 0, "kubernetes": 0}

    def count(self, kind: str) -> None:
        """One more call of ``kind``."""
        with self._lock:
            self._counts[kind] += 1

    def reset(self) -> None:
        """Count from nothing again."""
        with self._lock:
            self._counts = {"aws": 0, "kubernetes": 0}

    def taken(self) -> tuple[int, int]:
        """AWS calls, Kubernetes calls."""
        with self._lock:
            return self._counts["aws"], self._counts["kubernetes"]


def count_calls() -> Calls:
    """From now on, count every AWS and Kubernetes call this process makes (instrumentation
    for the figures)."""
    import cloud.kube
    from cloud.session import CloudSession

    calls = Calls()
    make_client = CloudSession.client
    seen: set[int] = set()

    def client(self: CloudSession, service: str, region: str) -> object:
        made = make_client(self, service, region)
        if id(made) not in seen:
            seen.add(id(made))
            made.meta.events.register("after-call", lambda **_: calls.count("aws"))
        return made

    CloudSession.client = client  # type: ignore[method-assign]
    get = cloud.kube._get

    def kube_get(*args: object, **kwargs: object) -> object:
        calls.count("kubernetes")
        return get(*args, **kwargs)  # type: ignore[arg-type]

    cloud.kube._get = kube_get
    return calls


def _child(seconds: float, pane: str) -> None:
    """The console, headless; counts its calls; says READY, then DONE with the counts."""

    from cloud.settings import Settings
    from tui.launch import build_console

    calls = count_calls()

    app = build_console(
        Settings(),
        profile=None,
        regions=tuple(os.environ["BENCH_REGIONS"].split(",")),
        context=os.environ.get("BENCH_CONTEXT"),
        read_only=False,
        badge=None,
    )
    import asyncio

    from textual.pilot import Pilot

    async def idle(pilot: Pilot[object]) -> None:
        deadline = time.monotonic() + 60
        while not app.context.state.complete and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        await pilot.press({"findings": "0", "repositories": "1", "builds": "2"}.get(pane, "0"))
        first = dict(app.feed.ended_at)
        warm = time.monotonic() + 120
        while time.monotonic() < warm and any(
            app.feed.ended_at.get(name) == ended for name, ended in first.items()
        ):
            await asyncio.sleep(0.5)  # every kind read once here: clients made, modules in
        await asyncio.sleep(1)
        calls.reset()
        sys.stdout.write("READY\n")
        sys.stdout.flush()
        await asyncio.sleep(seconds)
        aws, kube = calls.taken()
        sys.stdout.write(f"DONE {aws} {kube} {_rss_kb()}\n")
        sys.stdout.flush()
        app.exit()

    app.run(headless=True, size=(120, 36), auto_pilot=idle)


def _rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def tree_cpu_seconds(root: int) -> float:
    """CPU seconds (user + system) of ``root`` and every live descendant."""
    parents: dict[int, int] = {}
    cpu: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        pid = int(entry.name)
        parents[pid] = int(fields[1])
        cpu[pid] = (int(fields[11]) + int(fields[12])) / TICKS
    total = 0.0
    for pid, seconds in cpu.items():
        walk = pid
        while walk in parents and walk != root and walk > 1:
            walk = parents[walk]
        if walk == root:
            total += seconds
    return total


def main() -> None:
    """Measure an idle console against a world that is already running."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--scenario", type=Path, default=None)
    parser.add_argument("--pane", default="findings")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.seconds, args.pane)
        return

    import subprocess

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
        proc = subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--child",
                "--seconds",
                str(args.seconds),
                "--pane",
                args.pane,
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert proc.stdout is not None
        if proc.stdout.readline().strip() != "READY":
            raise SystemExit("the console did not read the model")
        before, started = tree_cpu_seconds(proc.pid), time.monotonic()
        done = proc.stdout.readline().split()
        after, elapsed = tree_cpu_seconds(proc.pid), time.monotonic() - started
        proc.wait(30)
        if not done or done[0] != "DONE":
            raise SystemExit("the console ended before the window did")
        aws, kube, rss = int(done[1]), int(done[2]), int(done[3])
        per_minute = 60.0 / elapsed
        print(
            f"idle console on the {args.pane} pane, {elapsed:.0f} s: "
            f"{100 * (after - before) / elapsed:.1f} % of one core (its process tree), "
            f"{aws * per_minute:.0f} AWS and {kube * per_minute:.0f} Kubernetes calls a minute, "
            f"RSS {rss / 1024:.0f} MiB"
        )


if __name__ == "__main__":
    main()
