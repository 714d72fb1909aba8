"""Build and push with ``docker buildx build --platform P --progress=plain --push``.

Used when ``docker buildx version`` works. The credentials go in a temporary
``DOCKER_CONFIG`` folder (readable only by us, deleted when the build ends);
the person's plugins, builders and contexts are linked into it so buildx
behaves as it does in their shell. buildx pushes only once the whole build
has succeeded; a cancel interrupts the process (SIGINT, then SIGKILL) and the
pool undoes whatever tag had landed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from actions.fallback.job import BuildCancelled, BuildFailed, JobControl, ServiceJob
from actions.fallback.registry import RegistryCredentials
from actions.fallback.status import ServiceState

# "#7 [2/4] COPY ..." or, with a stage name, "#7 [builder 2/4] RUN ...".
STEP = re.compile(r"^#\d+ \[(?:[^\]]*?\s)?(\d+)/(\d+)\] (.*)$")
PUSH_PHASE = re.compile(r"^#\d+ (?:exporting to image|pushing layers|exporting layers)")
MANIFEST = re.compile(r"pushing manifest for \S+@(sha256:[0-9a-f]{64})")
ERROR = re.compile(r"^(?:#\d+ )?(?:ERROR|error):? (.*)$")
STOP_GRACE = 10.0


@dataclass(frozen=True)
class BuildxLine:
    """What one line of ``--progress=plain`` output means for the row."""

    step: tuple[int, int, str] | None = None  # (n, m, instruction)
    pushing: bool = False
    digest: str = ""
    error: str = ""


def parse_buildx_line(line: str) -> BuildxLine:
    """Read one plain-progress line: a step ``[n/m]``, the push phase, a digest or an error."""
    step = STEP.match(line)
    if step:
        return BuildxLine(step=(int(step.group(1)), int(step.group(2)), step.group(3)))
    manifest = MANIFEST.search(line)
    if manifest:
        return BuildxLine(pushing=True, digest=manifest.group(1))
    if PUSH_PHASE.match(line):
        return BuildxLine(pushing=True)
    error = ERROR.match(line)
    if error:
        return BuildxLine(error=error.group(1).strip())
    return BuildxLine()


def buildx_command(job: ServiceJob, host: str, docker_cli: str = "docker") -> list[str]:
    """The ``docker buildx build ... --push`` argument list for ``job``."""
    command = [
        docker_cli,
        "buildx",
        "build",
        "--platform",
        job.platform,
        "--progress=plain",
        "--push",
        "-f",
        str(job.context / job.dockerfile),
    ]
    for reference in job.references(host):
        command += ["-t", reference]
    return [*command, str(job.context)]


class BuildxBuilder:
    """The buildx path: one ``docker buildx build --push`` process per job."""

    def __init__(self, environment: dict[str, str] | None = None) -> None:
        self.environment = dict(os.environ if environment is None else environment)

    def run(
        self,
        job: ServiceJob,
        control: JobControl,
        credentials: Callable[[], RegistryCredentials],
        before_push: Callable[[], None],
    ) -> str:
        """Run buildx with a throw-away DOCKER_CONFIG; parse its steps, digest and errors."""
        docker_cli = shutil.which("docker", path=self.environment.get("PATH"))
        if docker_cli is None:
            raise BuildFailed("the docker command is not on PATH (needed for buildx)")
        creds = credentials()
        control.update(state=ServiceState.BUILDING, detail="starting buildx")
        # buildx pushes as soon as its build is done: note the tags before it starts.
        before_push()
        with _docker_config(creds, self.environment) as config_dir:
            env = {**self.environment, "DOCKER_CONFIG": str(config_dir)}
            command = buildx_command(job, creds.host, docker_cli)
            control.line(" ".join(command))
            process = subprocess.Popen(
                command,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                text=True,
                errors="replace",
                start_new_session=True,  # a Ctrl-C in the console is ours to pass on
            )
            return self._follow(process, control)

    @staticmethod
    def _follow(process: subprocess.Popen[str], control: JobControl) -> str:
        digest = ""
        last_error = ""
        last_line = ""
        assert process.stdout is not None
        with control.streaming(lambda: _interrupt(process)):
            for raw in process.stdout:
                line = raw.rstrip()
                if not line:
                    continue
                last_line = line
                control.line(line)
                seen = parse_buildx_line(line)
                if seen.step is not None:
                    n, m, instruction = seen.step
                    control.update(step=n, steps=m, detail=instruction[:120])
                elif seen.pushing:
                    if control.status.state is not ServiceState.PUSHING:
                        control.update(state=ServiceState.PUSHING, detail="")
                    digest = seen.digest or digest
                elif seen.error:
                    last_error = seen.error
            code = _wait(process)
        if control.cancelled:
            raise BuildCancelled(control.service)
        if code != 0:
            raise BuildFailed(last_error or last_line or f"docker buildx exited with {code}")
        return digest


def _interrupt(process: subprocess.Popen[str]) -> None:
    """Ask buildx to stop as Ctrl-C would, and kill its process group if it lingers.

    The kill matters even after the leader exits: a child still holding the
    output pipe would keep the reader blocked.
    """
    if not _signal_group(process, signal.SIGINT):
        return
    timer = threading.Timer(STOP_GRACE, _signal_group, (process, signal.SIGKILL))
    timer.daemon = True
    timer.start()


def _signal_group(process: subprocess.Popen[str], signum: int) -> bool:
    try:
        os.killpg(process.pid, signum)
    except ProcessLookupError:
        return False  # the whole group has ended already
    return True


def _wait(process: subprocess.Popen[str]) -> int:
    try:
        return process.wait(timeout=STOP_GRACE)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.wait()


@contextmanager
def _docker_config(creds: RegistryCredentials, environment: dict[str, str]) -> Iterator[Path]:
    """A private DOCKER_CONFIG holding only the push credentials; removed on exit."""
    original = Path(environment.get("DOCKER_CONFIG") or Path.home() / ".docker")
    folder = Path(tempfile.mkdtemp(prefix="shipdeck-buildx-"))
    try:
        config: dict[str, object] = {"auths": {creds.host: {"auth": creds.basic_auth}}}
        current = _current_context(original)
        if current:
            config["currentContext"] = current
        path = folder / "config.json"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(config, handle)
        for shared in ("cli-plugins", "buildx", "contexts"):
            if (original / shared).exists():
                (folder / shared).symlink_to(original / shared)
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=False)


def _current_context(config_dir: Path) -> str | None:
    try:
        data = json.loads((config_dir / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None  # no config of the person's: the default context is right
    value = data.get("currentContext") if isinstance(data, dict) else None
    return str(value) if value else None
