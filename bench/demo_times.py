"""The demo as a person meets it: from ``shipdeck --demo`` to the first findings, and quitting.

Runs ``shipdeck --demo`` in a real terminal (a tmux session, 120x36), as a person
would, and reads the screen: the time from the command to the moment the
findings pane shows its count (``findings (N: …``), then the time from ``q`` to
the moment the command has exited (the world stopped, the terminal back). Each
round is a fresh process and a fresh world. Targets: first findings <= 5 s,
quit <= 1 s.

Between the two, the latencies a person feels during the incident, each from
the key to the moment the screen shows the answer (tmux is read every 20 ms,
so a figure is good to about that): the palette (ctrl+p), a pane switch, a
plan preview (``f`` on the first finding: when something answers, "planning…"
or the plan, and when the plan shows; nothing is applied), ``:logs`` (the log-group picker with its
groups), and the first lines of a crash-looping pod's log (``l`` on
nova-backend/user-service). Targets: palette <= 200 ms, pane switch <= 100 ms,
preview <= 500 ms or "planning…" at once, ``:logs`` <= 500 ms, pod log <= 1 s.

    .venv/bin/python bench/demo_times.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FOUND = re.compile(r"findings \(\d+")
DONE = "shipdeck-bench-exited"


def _screen(session: str) -> str:
    return subprocess.run(
        ["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True, check=False
    ).stdout


def _until(session: str, pattern: re.Pattern[str] | str, limit: float) -> float:
    """Seconds until the screen shows ``pattern`` (polling every 20 ms)."""
    started = time.monotonic()
    while time.monotonic() - started < limit:
        text = _screen(session)
        if pattern.search(text) if isinstance(pattern, re.Pattern) else pattern in text:
            return time.monotonic() - started
        time.sleep(0.02)
    raise TimeoutError(f"not on screen after {limit:.0f}s: {pattern}")


def _gone(session: str, text: str, limit: float = 30) -> None:
    """Wait until ``text`` has left the screen."""
    started = time.monotonic()
    while text in _screen(session):
        if time.monotonic() - started > limit:
            raise TimeoutError(f"still on screen after {limit:.0f}s: {text}")
        time.sleep(0.02)


def _keys(session: str, *keys: str, literal: bool = False) -> float:
    """Send ``keys``; the moment they were sent."""
    flag = ["-l"] if literal else []
    subprocess.run(["tmux", "send-keys", "-t", session, *flag, *keys], check=True)
    return time.monotonic()


def _after(
    session: str, pattern: re.Pattern[str] | str, *keys: str, literal: bool = False
) -> float:
    """Seconds from sending ``keys`` until ``pattern`` is on screen."""
    sent = _keys(session, *keys, literal=literal)
    _until(session, pattern, 30)
    return time.monotonic() - sent


def latencies(session: str) -> dict[str, float]:
    """The latencies of the module's docstring, in seconds, on the findings screen."""
    got: dict[str, float] = {}
    got["palette"] = _after(session, "Search for commands", "C-p")
    _keys(session, "Escape")
    _gone(session, "Search for commands")
    got["pane switch"] = _after(session, re.compile(r"services \(\d+"), "3")
    _after(session, FOUND, "0")
    sent = _keys(session, "f")
    _until(session, re.compile("planning|equivalent commands"), 30)  # whichever shows first
    got["preview: first answer"] = time.monotonic() - sent
    _until(session, "equivalent commands", 30)
    got["preview: plan shown"] = time.monotonic() - sent
    _keys(session, "Escape")
    _gone(session, "equivalent commands")
    _keys(session, ":logs", literal=True)
    got[":logs"] = _after(session, re.compile(r"log groups \(\d+"), "Enter")
    _keys(session, "Escape")
    _gone(session, "log groups (")
    _after(session, re.compile(r"services \(\d+"), "3")
    _keys(session, "/user-service", literal=True)
    _after(session, re.compile(r"services \(1/"), "Enter")
    got["pod log"] = _after(session, "CLICKHOUSE_URL must be set", "l")
    _keys(session, "Escape")
    return got


def one_round(number: int) -> tuple[float, float, dict[str, float]]:
    """(seconds to the first findings, seconds from q to the command's end, latencies)."""
    session = f"shipdeck-demo-bench-{os.getpid()}-{number}"
    shipdeck = shlex.quote(str(Path(sys.executable).with_name("shipdeck")))
    command = f"cd {shlex.quote(str(ROOT))} && {shipdeck} --demo; echo {DONE}; sleep 60"
    started = time.monotonic()
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", session, "-x", "120", "-y", "36", command], check=True
    )
    try:
        _until(session, FOUND, 120)
        first = time.monotonic() - started
        felt = latencies(session)
        _until(session, re.compile(r"services \(1/"), 30)  # back on the pane: q quits
        pressed = _keys(session, "q")
        _until(session, DONE, 60)
        return first, time.monotonic() - pressed, felt
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], check=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    firsts, quits = [], []
    felt: dict[str, list[float]] = {}
    for number in range(args.rounds):
        first, quit_seconds, latency = one_round(number)
        firsts.append(first)
        quits.append(quit_seconds)
        for name, seconds in latency.items():
            felt.setdefault(name, []).append(seconds)
        shown = ", ".join(f"{name} {seconds * 1000:.0f} ms" for name, seconds in latency.items())
        print(
            f"round {number + 1}: first findings {first:.2f} s, quit {quit_seconds:.2f} s; {shown}"
        )
    print(
        f"median: first findings {statistics.median(firsts):.2f} s (target <= 5), "
        f"quit {statistics.median(quits):.2f} s (target <= 1)"
    )
    targets = {
        "palette": 200,
        "pane switch": 100,
        "preview: first answer": 500,
        "preview: plan shown": 500,
        ":logs": 500,
        "pod log": 1000,
    }
    for name, values in felt.items():
        print(
            f"median {name}: {statistics.median(values) * 1000:.0f} ms "
            f"(worst {max(values) * 1000:.0f}, target <= {targets[name]})"
        )


if __name__ == "__main__":
    main()
