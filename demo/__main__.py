"""``python -m demo serve``: run the incident world until SIGTERM/SIGINT.

When ready, prints exactly one JSON line on stdout (endpoint, kubeconfig, credentials).
A scenario that cannot be used prints its one-line error on stderr and exits with 2.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

from demo.scenario import SCENARIO_DIR, ScenarioError, load_scenario

EXIT_BAD_SCENARIO = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m demo", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the incident world")
    serve.add_argument("--scenario", type=Path, default=SCENARIO_DIR / "seeds.yaml")
    serve.add_argument("--port", type=int, default=0, help="AWS endpoint port (0 = pick one)")
    serve.add_argument("--state-dir", type=Path, default=None, help="where the kubeconfig goes")
    serve.add_argument(
        "--watch-stdin", action="store_true", help="stop when stdin closes (used by demo.launcher)"
    )
    serve.add_argument(
        "--parent-pid", type=int, default=None, help="stop when this process is gone"
    )
    return parser


def _watch_stdin(stop: threading.Event) -> None:
    # The launcher keeps our stdin open; EOF means the parent is gone or wants us to stop.
    while sys.stdin.buffer.read(4096):
        continue
    stop.set()


def _watch_parent(pid: int, stop: threading.Event) -> None:
    while not stop.wait(1.0):
        if os.getppid() != pid:
            stop.set()


def progress(text: str) -> None:
    """One progress line on stdout (``{"progress": ...}``): the launcher waits while they come."""
    sys.stdout.write(json.dumps({"progress": text}) + "\n")
    sys.stdout.flush()


def serve(args: argparse.Namespace) -> int:
    """Run the world until asked to stop."""
    progress(f"reading the scenario {args.scenario.name if args.scenario else 'seeds.yaml'}")
    try:
        scenario = load_scenario(args.scenario)
    except ScenarioError as err:
        print(err, file=sys.stderr, flush=True)
        return EXIT_BAD_SCENARIO
    progress("starting moto, the gateway and the Kubernetes API")
    from demo.world import World  # imported late: moto is slow to import, errors come first

    logging.basicConfig(
        level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s %(message)s"
    )

    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    if args.watch_stdin:
        threading.Thread(target=_watch_stdin, args=(stop,), daemon=True).start()
    if args.parent_pid:
        threading.Thread(target=_watch_parent, args=(args.parent_pid, stop), daemon=True).start()
    world = World(scenario, port=args.port, state_dir=args.state_dir)
    try:
        # The ready line comes once the world is seeded: what it prints is then usable at
        # once, and the launcher waits on these progress lines, not on a fixed limit.
        ready = world.start(on_progress=progress)
        while not world.seeded(0.5):
            if stop.is_set():
                return 0
        if world.seed_error is not None:
            return 1  # the log holds the traceback
        ready["startup_seconds"] = round(world.startup_seconds, 3)
        ready["seeded_seconds"] = round(world.seeded_seconds, 3)
        sys.stdout.write(json.dumps(ready) + "\n")
        sys.stdout.flush()
        while not stop.wait(0.5):
            if world.seed_error is not None:
                return 1  # the log holds the traceback
    finally:
        world.stop(leaving=True)  # main() ends the process at once after this
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m demo``."""
    args = _parser().parse_args(argv)
    return serve(args)


if __name__ == "__main__":
    code = main()
    # Everything is stopped and cleaned up by now: leave at once. The interpreter's own
    # shutdown waited a second or more for server threads that have nothing left to do,
    # and the person quitting the demo waited with it.
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
