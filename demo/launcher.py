"""Start the incident world in a child process (what ``shipdeck --demo`` uses).

The world runs in its own interpreter so its work stays off the console's. The child
stops when :meth:`WorldProcess.stop` is called, when the parent closes its stdin
(which also happens when the parent dies), or when the parent pid changes.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from demo.scenario_reader import ScenarioError

__all__ = ["ScenarioError", "WorldProcess", "WorldStartError", "start_world"]

EXIT_BAD_SCENARIO = 2


class WorldStartError(RuntimeError):
    """The world process did not become ready."""


@dataclass
class WorldProcess:
    """A running world: where to reach it, and how to stop it."""

    aws_endpoint: str
    kubeconfig: str | None
    kube_context: str | None
    regions: list[str]
    default_region: str
    access_key_id: str
    secret_access_key: str
    account_id: str
    startup_seconds: float
    process: subprocess.Popen[bytes] = field(repr=False)
    log_path: Path = field(repr=False)
    owned_dir: Path | None = field(default=None, repr=False)
    registry: str | None = None  # host:port of the world's registry (ECR's proxyEndpoint)
    config_path: str | None = None  # the console config the world wrote (SHIPDECK_CONFIG)
    aws_config: str | None = None  # its AWS config file: profiles on its accounts
    shipdeck_state: str | None = None
    """Where a shipdeck on this world keeps its audit log, timeline and saved logs
    (``SHIPDECK_STATE_DIR``): the world's own folder, never the person's real state."""
    seeded_seconds: float = 0.0  # from the world's start until everything was seeded

    def env(self) -> dict[str, str]:
        """Environment variables that point AWS, Kubernetes and shipdeck at the world."""
        values = {
            "AWS_ENDPOINT_URL": self.aws_endpoint,
            "AWS_ACCESS_KEY_ID": self.access_key_id,
            "AWS_SECRET_ACCESS_KEY": self.secret_access_key,
            "AWS_DEFAULT_REGION": self.default_region,
            "AWS_REGION": self.default_region,
        }
        if self.kubeconfig:
            values["KUBECONFIG"] = self.kubeconfig
        if self.config_path:
            values["SHIPDECK_CONFIG"] = self.config_path
        if self.aws_config:
            values["AWS_CONFIG_FILE"] = self.aws_config
        if self.shipdeck_state:
            values["SHIPDECK_STATE_DIR"] = self.shipdeck_state
        return values

    @property
    def running(self) -> bool:
        """True while the child process is alive."""
        return self.process.poll() is None

    def stop(self, timeout: float = 3.0) -> None:
        """Stop the world: close its stdin, then SIGTERM, then kill if it lingers.

        A demo world keeps nothing worth a slow shutdown: the person leaving waits at
        most ``timeout`` seconds for it.
        """
        if self.process.stdin is not None and not self.process.stdin.closed:
            self.process.stdin.close()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)
        if self.process.stdout is not None:
            self.process.stdout.close()
        if self.owned_dir is not None:
            shutil.rmtree(self.owned_dir, ignore_errors=True)  # the launcher made it
            self.owned_dir = None

    def __enter__(self) -> WorldProcess:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def _read_lines(stream: object, lines: queue.Queue[bytes]) -> None:
    """Every line up to the ready line (or the end): the launcher reads them as they come."""
    readline = getattr(stream, "readline")  # noqa: B009 - stream is the child's stdout pipe
    while True:
        line = readline()
        lines.put(line)
        if not line or b'"progress"' not in line:
            return


def start_world(
    scenario: Path | None = None,
    port: int = 0,
    state_dir: Path | None = None,
    timeout: float = 30.0,
    on_progress: Callable[[str], None] | None = None,
) -> WorldProcess:
    """Spawn ``python -m demo serve`` and wait for its ready line.

    The world says what it is doing as it starts (progress lines, handed to
    ``on_progress``); it may take as long as it needs while it makes progress, and
    is given up only when ``timeout`` seconds pass without a word from it.
    Raises :class:`ScenarioError` (one line) when the scenario cannot be used, and
    :class:`WorldStartError` when the world fails or stalls.
    """
    owned_dir = None
    if state_dir is None:
        state_dir = owned_dir = Path(tempfile.mkdtemp(prefix="shipdeck-world-"))
    state_dir.mkdir(parents=True, exist_ok=True)
    log_path = state_dir / "world.log"
    command = [
        sys.executable,
        "-m",
        "demo",
        "serve",
        "--port",
        str(port),
        "--state-dir",
        str(state_dir),
        "--watch-stdin",
        "--parent-pid",
        str(os.getpid()),
    ]
    if scenario is not None:
        command += ["--scenario", str(scenario)]
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log_file, env=env
        )
    lines: queue.Queue[bytes] = queue.Queue()
    threading.Thread(target=_read_lines, args=(process.stdout, lines), daemon=True).start()
    step = "starting"
    while True:
        try:
            line = lines.get(timeout=timeout)
        except queue.Empty:
            process.kill()
            process.wait()
            raise WorldStartError(
                f"the world made no progress for {timeout:.0f}s while {step} (log: {log_path})"
            ) from None
        if not line or b'"progress"' not in line:
            break
        step = str(json.loads(line)["progress"])
        if on_progress is not None:
            on_progress(step)
    if not line:
        code = process.wait()
        errors = log_path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
        if code == EXIT_BAD_SCENARIO and errors:
            raise ScenarioError.from_line(errors[-1])
        raise WorldStartError(
            f"the world exited with {code}: {errors[-1] if errors else ''} (log: {log_path})"
        )
    ready = json.loads(line)
    return WorldProcess(
        aws_endpoint=ready["aws_endpoint"],
        kubeconfig=ready["kubeconfig"],
        kube_context=ready["kube_context"],
        regions=list(ready["regions"]),
        default_region=ready["default_region"],
        access_key_id=ready["access_key_id"],
        secret_access_key=ready["secret_access_key"],
        account_id=ready["account_id"],
        startup_seconds=float(ready.get("startup_seconds", 0.0)),
        process=process,
        log_path=log_path,
        owned_dir=owned_dir,
        registry=ready.get("registry"),
        config_path=ready.get("config"),
        aws_config=ready.get("aws_config"),
        shipdeck_state=str(state_dir / "shipdeck"),
        seeded_seconds=float(ready.get("seeded_seconds", 0.0)),
    )
