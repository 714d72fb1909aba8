"""Fallback builds: 4 services built and pushed serially, then 2 and 4 at a time.

Runs on this machine's Docker engine (the SDK path, or buildx with
``--buildx``), pushing to Debian's ``docker-registry`` on loopback, logged in
through a moto ECR endpoint. Every round builds fresh contexts (new random
content) so no round profits from the previous one's build cache.

    .venv/bin/python -m bench.fallback [--services 4] [--steps 8] [--blob-mb 4] [--rounds 3]

``--console`` measures the console instead: the demo world (with its
registry) and ``FallbackScreen`` under Textual's Pilot build and push 8 fresh
services 2 at a time, each streaming ~3 lines per COPY step into the output
view, while a key (``down``/``up`` on the services table) is pressed every
50 ms: the time from the press to the screen having processed it and
refreshed, median and p95 (the budget is 100 ms).

    .venv/bin/python -m bench.fallback --console [--steps 60] [--presses 150]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3
from moto.server import ThreadedMotoServer

from actions.catalogue import make_action
from cloud.model.ref import ResourceRef
from cloud.session import CloudSession
from cloud.settings import Settings

REGION = "ap-northeast-1"


@contextmanager
def _registry(folder: Path) -> Iterator[str]:
    binary = shutil.which("docker-registry") or "/usr/bin/docker-registry"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    (folder / "config.yml").write_text(
        "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n"
        f"    rootdirectory: {folder / 'data'}\nhttp:\n  addr: 127.0.0.1:{port}\n"
    )
    process = subprocess.Popen(
        [binary, "serve", str(folder / "config.yml")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"{url}/v2/", timeout=1).close()
                break
            except (urllib.error.URLError, OSError):
                time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(10)


@contextmanager
def _ecr() -> Iterator[None]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    saved = dict(os.environ)
    os.environ.update(
        AWS_ENDPOINT_URL=f"http://{host}:{port}",
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
        AWS_DEFAULT_REGION=REGION,
        AWS_CONFIG_FILE=os.devnull,
    )
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)
        server.stop()


def _context(root: Path, services: int, steps: int, blob_mb: int) -> Path:
    context = Path(tempfile.mkdtemp(dir=root, prefix="context-"))
    for n in range(services):
        folder = context / f"service-{n}"
        folder.mkdir()
        (folder / "app").write_bytes(os.urandom(4096))
        (folder / "blob").write_bytes(os.urandom(blob_mb << 20))
        lines = ["FROM scratch", f"COPY service-{n}/blob /blob"]
        lines += [f"COPY service-{n}/app /app/{i}" for i in range(steps)]
        (folder / "Dockerfile").write_text("\n".join(lines) + "\n")
    return context


def main() -> None:
    """Print the wall time of each pool size and its speed-up over serial."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=4)
    parser.add_argument("--steps", type=int, default=8, help="COPY steps per Dockerfile")
    parser.add_argument("--blob-mb", type=int, default=4, help="random layer per image (MB)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per pool size")
    parser.add_argument("--buildx", action="store_true", help="use buildx (needs the plugin)")
    parser.add_argument("--console", action="store_true", help="key response while builds stream")
    parser.add_argument("--presses", type=int, default=150, help="with --console: keys pressed")
    args = parser.parse_args()
    if args.console:
        asyncio.run(_console(args))
        return
    with tempfile.TemporaryDirectory(prefix="shipdeck-bench-") as tmp, _ecr():
        root = Path(tmp)
        (root / "registry" / "data").mkdir(parents=True)
        ecr = boto3.client("ecr", region_name=REGION)
        for n in range(args.services):
            ecr.create_repository(repositoryName=f"bench/service-{n}")
        session = CloudSession(regions=(REGION,))
        with _registry(root / "registry") as registry:
            print(
                f"{args.services} services, {args.steps} COPY steps + {args.blob_mb} MB layer "
                f"each, {os.cpu_count()} cores, {'buildx' if args.buildx else 'docker SDK'}"
            )
            walls: dict[int, list[float]] = {1: [], 2: [], 4: []}
            for _ in range(args.rounds):
                for parallel, times in walls.items():
                    times.append(_round(session, registry, root, args, parallel))
            serial = statistics.median(walls[1])
            for parallel, times in walls.items():
                wall = statistics.median(times)
                spread = f"{min(times):.2f}-{max(times):.2f}"
                print(
                    f"parallel {parallel}: median {wall:6.2f} s wall ({spread} s over "
                    f"{args.rounds} rounds), speed-up x{serial / wall:.2f} over serial"
                )


def _round(
    session: CloudSession, registry: str, root: Path, args: argparse.Namespace, parallel: int
) -> float:
    """Build and push fresh contexts once with ``parallel`` workers; the wall time."""
    context = _context(root, args.services, args.steps, args.blob_mb)
    values = {
        "context": str(context),  # no recipe: every service folder of the context
        "repository": "bench/{service}",
        "parallel": str(parallel),
        "registry": registry,
        "engine": "buildx" if args.buildx else "sdk",
    }
    ref = ResourceRef("codebuild", "bench", REGION)
    action = make_action("fallback-build", ref, values, session, settings=Settings())
    plan = action.plan()
    started = time.monotonic()
    outcome = action.apply(plan)
    wall = time.monotonic() - started
    if not outcome.ok:
        raise SystemExit(f"bench build failed: {outcome.message}")
    shutil.rmtree(context)
    return wall


CONSOLE_SERVICES = (
    "auth-service",
    "content-service",
    "feed-service",
    "media-service",
    "messaging-service",
    "search-service",
    "streaming-service",
    "user-service",
)
KEY_BUDGET_MS = 100.0


async def _console(args: argparse.Namespace) -> None:
    """Key response of the progress screen while 8 builds stream, on the demo world."""
    from textual.app import App

    from actions.catalogue import make_action
    from cloud.model.ref import ResourceRef
    from cloud.settings import Settings
    from demo.launcher import start_world
    from tui.context.state import ConsoleContext
    from tui.flows.progress import ActionProgress

    with tempfile.TemporaryDirectory(prefix="shipdeck-bench-") as tmp, start_world() as world:
        if world.registry is None:
            raise SystemExit("the console bench needs the world's registry (docker-registry)")
        saved = dict(os.environ)
        os.environ.update(world.env(), AWS_CONFIG_FILE=os.devnull, SHIPDECK_STATE_DIR=tmp)
        context_dir = Path(tmp) / "backend"
        for service in CONSOLE_SERVICES:
            folder = context_dir / service
            folder.mkdir(parents=True)
            (folder / "app").write_bytes(os.urandom(4096))  # fresh: no build cache
            lines = ["FROM scratch"] + [f"COPY {service}/app /app/{i}" for i in range(args.steps)]
            (folder / "Dockerfile").write_text("\n".join(lines) + "\n")
        raw = {
            "context": str(context_dir),
            "services": list(CONSOLE_SERVICES),
            "repository": "nova/{service}",
            "tags": ["bench"],
            "parallel": 2,
        }
        settings = Settings(regions=(world.default_region,), fallback={"nova-ecr-build": raw})
        session = CloudSession(regions=(world.default_region,))
        console = ConsoleContext(session, settings)
        ref = ResourceRef("codebuild", "nova-ecr-build", world.default_region)
        action = make_action("fallback-build", ref, {}, session, settings=settings)
        plan = action.plan()

        class BenchApp(App[None]):
            def on_mount(self) -> None:
                self.push_screen(ActionProgress(console, action, plan))

        times: list[float] = []
        pilot_times: list[float] = []
        app = BenchApp()
        try:
            async with app.run_test(size=(140, 45)) as pilot:
                screen = app.screen
                assert isinstance(screen, ActionProgress)
                idle = [await _key_to_paint(app, screen, n) for n in range(30)]
                applying = asyncio.ensure_future(asyncio.to_thread(action.apply, plan))
                for n in range(args.presses):
                    if applying.done():
                        break
                    times.append(await _key_to_paint(app, screen, n))
                    started = time.perf_counter()
                    await pilot.press(_key_for(screen.table, n))
                    pilot_times.append((time.perf_counter() - started) * 1000)
                    await asyncio.sleep(0.05)
                outcome = await applying
                screen.finished(outcome)
        finally:
            os.environ.clear()
            os.environ.update(saved)
    if not times:
        raise SystemExit("the builds ended before any key was pressed: raise --steps")
    median, p95 = _median_p95(times)
    verdict = "ok" if p95 < KEY_BUDGET_MS else f"OVER the {KEY_BUDGET_MS:.0f} ms budget"
    print(
        f"console while {len(CONSOLE_SERVICES)} builds stream ({args.steps} COPY steps each, "
        f"{outcome.message}), {len(times)} presses:"
    )
    print(
        f"  key -> cursor moved and repainted: median {median:.1f} ms, p95 {p95:.1f} ms, "
        f"max {max(times):.1f} ms: {verdict} (idle: median {_median_p95(idle)[0]:.1f} ms)"
    )
    pilot_median, pilot_p95 = _median_p95(pilot_times)
    print(
        f"  pilot.press() returning: median {pilot_median:.1f} ms, p95 {pilot_p95:.1f} ms "
        "(includes Pilot's wait until the whole process is idle, build threads included)"
    )


def _key_for(table: Any, n: int) -> str:
    """A key that moves the cursor: down from the top, up from the bottom, else alternating."""
    if table.cursor_row <= 0:
        return "down"
    if table.cursor_row >= table.row_count - 1:
        return "up"
    return "down" if n % 2 else "up"


def _median_p95(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


async def _key_to_paint(app: Any, screen: Any, n: int) -> float:
    """Post one key as the terminal would; ms until the cursor moved and the screen repainted."""
    from textual import events

    table = screen.table
    before = table.cursor_row
    started = time.perf_counter()
    app.post_message(events.Key(_key_for(table, n), None))
    while table.cursor_row == before:
        if time.perf_counter() - started > 5:
            raise SystemExit("the key did not move the cursor within 5 s")
        await asyncio.sleep(0.0005)
    painted = asyncio.Event()
    table.call_after_refresh(painted.set)
    await painted.wait()
    return (time.perf_counter() - started) * 1000


if __name__ == "__main__":
    main()
