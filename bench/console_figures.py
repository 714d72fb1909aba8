"""What a person sees of the console on a running world: first rows, latencies, idling.

``measure(world, idle_seconds)`` starts the console headless in a child process
(as ``shipdeck`` builds it, with its reader process) against ``world`` and
returns, in seconds since the child was started (both processes read the same
monotonic clock):

- ``first <pane>``: when each pane's table first had rows;
- ``all panes``: when every kind was read whole and every pane drew it;
- ``pane switch``, ``filter keystroke``, ``cursor move``: milliseconds from the
  key to the repaint that shows it (median and worst), at the size the data has;
- the CPU of the child's process tree, its AWS and Kubernetes calls per minute
  and its RSS while it idles on the repositories pane for ``idle_seconds``.

Used by ``bench/scale.py``; ``bench/idle.py`` is the same idling on the seeds.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from idle import count_calls, tree_cpu_seconds  # bench/ is on the path: these are scripts beside it

SWITCH_KEYS = ("1", "2", "3", "4", "0")
FILTER = "svc-00"


def _child(idle_seconds: float) -> None:
    """The console, headless: prints one JSON line per event on stdout."""
    import asyncio

    def say(event: str, **data: Any) -> None:
        sys.stdout.write(json.dumps({"event": event, "at": time.monotonic(), **data}) + "\n")
        sys.stdout.flush()

    calls = count_calls()

    from textual import events
    from textual.pilot import Pilot

    from cloud.settings import Settings
    from tui.console.screen import PANE_NAMES, ConsoleScreen
    from tui.launch import build_console

    app = build_console(
        Settings(),
        profile=None,
        regions=tuple(os.environ["BENCH_REGIONS"].split(",")),
        context=os.environ.get("BENCH_CONTEXT") or None,
        read_only=False,
        badge=None,
    )

    def console() -> ConsoleScreen:
        screen = app.screen_stack[0]
        assert isinstance(screen, ConsoleScreen)
        return screen

    async def repainted() -> None:
        done = asyncio.Event()
        app.call_after_refresh(done.set)
        await done.wait()

    async def key_until(key: str, changed: Any) -> float:
        """Milliseconds from a key to the repaint that shows its effect."""
        started = time.perf_counter()
        app.post_message(events.Key(key, key if len(key) == 1 else None))
        while not changed():
            if time.perf_counter() - started > 30:
                raise SystemExit(f"key {key!r} changed nothing within 30 s")
            await asyncio.sleep(0.0005)
        await repainted()
        return (time.perf_counter() - started) * 1000

    async def drive(pilot: Pilot[Any]) -> None:
        first: set[str] = set()
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            if app.screen_stack and isinstance(app.screen_stack[0], ConsoleScreen):
                screen = console()
                if all(screen.query(f"#pane-{name}") for name in PANE_NAMES):
                    for name in PANE_NAMES:
                        pane = screen.pane(name)
                        if name not in first and pane.table.row_count > 0:
                            first.add(name)
                            say("first", pane=name)
                    state = app.context.state
                    if state.complete and all(
                        screen.pane(n).loaded and not screen.pane(n).arriving for n in PANE_NAMES
                    ):
                        break
            await asyncio.sleep(0.02)
        say("all")
        screen = console()
        figures: dict[str, list[float]] = {"pane switch": [], "filter keystroke": []}
        figures["cursor move"] = []
        for _ in range(3):
            for key in SWITCH_KEYS:
                target = PANE_NAMES[int(key)]
                ms = await key_until(key, lambda t=target: screen.visible_pane.pane == t)
                figures["pane switch"].append(ms)
        await pilot.press("1")
        repos = screen.pane("repositories")
        for _ in range(2):
            await pilot.press("slash")
            for end in range(1, len(FILTER) + 1):
                typed = FILTER[:end]
                ms = await key_until(FILTER[end - 1], lambda t=typed: repos.table.filter_text == t)
                figures["filter keystroke"].append(ms)
            await pilot.press("escape")
            await pilot.press("escape")
            await pilot.pause()
        repos.table.focus()
        for _ in range(20):
            before = repos.table.cursor_row
            figures["cursor move"].append(
                await key_until("down", lambda b=before: repos.table.cursor_row != b)
            )
        say("latency", figures=figures, rows=repos.table.row_count)
        # Idle on the repositories pane once every kind was read here once (warm).
        ended = dict(app.feed.ended_at)
        warm = time.monotonic() + 180
        while time.monotonic() < warm and any(
            app.feed.ended_at.get(n) == e for n, e in ended.items() if n in ("ecr",)
        ):
            await asyncio.sleep(0.5)
        await asyncio.sleep(1)
        calls.reset()
        say("idle")
        await asyncio.sleep(idle_seconds)
        aws, kube = calls.taken()
        say("done", aws=aws, kubernetes=kube, rss_kb=_rss_kb())
        app.exit()

    app.run(headless=True, size=(120, 36), auto_pilot=drive)


def _rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def measure(world: Any, idle_seconds: float = 60.0) -> dict[str, Any]:
    """Run the console against ``world`` (a running ``WorldProcess``); its figures."""
    env = dict(os.environ)
    env.update(world.env())
    env.update(
        AWS_CONFIG_FILE=os.devnull,
        BENCH_REGIONS=",".join(world.regions),
        BENCH_CONTEXT=world.kube_context or "",
    )
    env.pop("AWS_PROFILE", None)
    errors = tempfile.TemporaryFile()  # noqa: SIM115 - read after the child ends
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, __file__, "--child", str(idle_seconds)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=errors,
        text=True,
    )
    assert proc.stdout is not None
    result: dict[str, Any] = {"first": {}}
    cpu_before = idle_at = 0.0
    for line in proc.stdout:
        event = json.loads(line)
        at = event["at"] - started
        if event["event"] == "first":
            result["first"][event["pane"]] = at
        elif event["event"] == "all":
            result["all panes"] = at
        elif event["event"] == "latency":
            result["rows"] = event["rows"]
            result["latency"] = {
                name: (statistics.median(values), max(values))
                for name, values in event["figures"].items()
            }
        elif event["event"] == "idle":
            cpu_before, idle_at = tree_cpu_seconds(proc.pid), time.monotonic()
        elif event["event"] == "done":
            elapsed = time.monotonic() - idle_at
            cpu = tree_cpu_seconds(proc.pid) - cpu_before
            result["idle cpu %"] = 100 * cpu / elapsed
            result["aws calls/min"] = event["aws"] * 60 / elapsed
            result["kubernetes calls/min"] = event["kubernetes"] * 60 / elapsed
            result["rss MiB"] = event["rss_kb"] / 1024
    proc.wait(60)
    if proc.returncode:
        errors.seek(0)
        tail = errors.read().decode(errors="replace").strip().splitlines()[-5:]
        print("console: the child failed: " + " | ".join(tail))
    return result


def report(figures: dict[str, Any], floor: float | None = None) -> None:
    """Print the figures (and ratios to the floor's full read, when given)."""

    def ratio(seconds: float) -> str:
        return f" ({seconds / floor:.2f}x the floor)" if floor else ""

    firsts = ", ".join(f"{p} {s:.1f} s" for p, s in sorted(figures["first"].items()))
    print(f"console: first rows: {firsts}")
    if "all panes" in figures:
        seconds = figures["all panes"]
        print(f"console: all panes populated {seconds:.1f} s{ratio(seconds)}")
    for name, (median, worst) in figures.get("latency", {}).items():
        print(f"console: {name}: median {median:.0f} ms, worst {worst:.0f} ms")
    if "idle cpu %" in figures:
        print(
            f"console idle on repositories ({figures.get('rows', 0):,} rows): "
            f"{figures['idle cpu %']:.1f} % of one core (process tree), "
            f"{figures['aws calls/min']:.0f} AWS + {figures['kubernetes calls/min']:.0f} "
            f"Kubernetes calls a minute, RSS {figures['rss MiB']:.0f} MiB"
        )


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "--child":
        _child(float(sys.argv[2]))
