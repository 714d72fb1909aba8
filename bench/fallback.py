"""Fallback builds: 4 services built and pushed serially, then 2 and 4 at a time.

Runs on this machine's Docker engine (the SDK path, or buildx with
``--buildx``), pushing to Debian's ``docker-registry`` on loopback, logged in
through a moto ECR endpoint. Every round builds fresh contexts (new random
content) so no round profits from the previous one's build cache.

    .venv/bin/python -m bench.fallback [--services 4] [--steps 8] [--blob-mb 4] [--rounds 3]
"""

from __future__ import annotations

import argparse
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

import boto3
from moto.server import ThreadedMotoServer

from actions.fallback import FallbackBuild, recipe_from_folder
from cloud.session import CloudSession

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
    args = parser.parse_args()
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
    recipe = recipe_from_folder(context, name="bench", repository="bench/{service}")
    action = FallbackBuild(
        session, recipe.with_parallel(parallel), registry=registry, use_buildx=args.buildx
    )
    plan = action.plan()
    started = time.monotonic()
    outcome = action.apply(plan)
    wall = time.monotonic() - started
    if not outcome.ok:
        raise SystemExit(f"bench build failed: {outcome.message}")
    shutil.rmtree(context)
    return wall


if __name__ == "__main__":
    main()
