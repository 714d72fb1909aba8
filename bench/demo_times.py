"""The demo as a person meets it: from ``shipdeck --demo`` to the first findings, and quitting.

Runs ``shipdeck --demo`` in a real terminal (a tmux session, 120x36), as a person
would, and reads the screen: the time from the command to the moment the
findings pane shows its count (``findings (N: …``), then the time from ``q`` to
the moment the command has exited (the world stopped, the terminal back). Each
round is a fresh process and a fresh world. Targets: first findings <= 5 s,
quit <= 1 s.

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


def one_round(number: int) -> tuple[float, float]:
    """(seconds to the first findings, seconds from q to the command's end)."""
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
        subprocess.run(["tmux", "send-keys", "-t", session, "q"], check=True)
        pressed = time.monotonic()
        _until(session, DONE, 60)
        return first, time.monotonic() - pressed
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], check=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    firsts, quits = [], []
    for number in range(args.rounds):
        first, quit_seconds = one_round(number)
        firsts.append(first)
        quits.append(quit_seconds)
        print(f"round {number + 1}: first findings {first:.2f} s, quit {quit_seconds:.2f} s")
    print(
        f"median: first findings {statistics.median(firsts):.2f} s (target <= 5), "
        f"quit {statistics.median(quits):.2f} s (target <= 1)"
    )


if __name__ == "__main__":
    main()
