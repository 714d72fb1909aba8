"""The buildx path's process handling: credentials file, progress parsing, cancel.

This machine has no buildx plugin, so a stand-in ``docker`` script on PATH
plays ``docker buildx build --progress=plain --push``: it prints what buildx
prints and records what it was given. What is tested is our side: the private
DOCKER_CONFIG (0600, only the push host, removed afterwards), the rows, and
that a cancel interrupts the process at once.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from actions.fallback.buildx_builder import BuildxBuilder
from actions.fallback.job import BuildCancelled, BuildFailed, JobControl, ServiceJob
from actions.fallback.registry import RegistryCredentials
from actions.fallback.status import ServiceState, ServiceStatus
from tests.support import until

DIGEST = "sha256:" + "ab" * 32
STAND_IN = f"""#!/bin/sh
if [ "$1" = buildx ] && [ "$2" = version ]; then echo "buildx stand-in"; exit 0; fi
stat -c %a "$DOCKER_CONFIG/config.json" > "$RECORD/mode"
cat "$DOCKER_CONFIG/config.json" > "$RECORD/config"
echo "$DOCKER_CONFIG" > "$RECORD/dir"
echo "$@" > "$RECORD/args"
echo "#1 [internal] load build definition from Dockerfile"
echo "#5 [1/2] FROM scratch"
echo "#6 [2/2] COPY app /app"
# "sleep & wait": a trapped INT interrupts wait at once (a foreground sleep would run to its
# end first when the signal came just before it started); kill 0 ends the sleep with us.
if [ -n "$SLOW" ]; then trap 'echo "ERROR: canceled"; kill 0' INT; sleep 30 & wait; fi
if [ -n "$BROKEN" ]; then echo "ERROR: failed to solve: app: not found"; exit 1; fi
echo "#7 exporting to image"
echo "#7 pushing manifest for reg.example/nova/auth-service:latest@{DIGEST}"
echo "#7 DONE 0.1s"
"""


@pytest.fixture
def record(tmp_path: Path) -> Path:
    folder = tmp_path / "record"
    folder.mkdir()
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "docker"
    script.write_text(STAND_IN)
    script.chmod(0o755)
    return folder


def _env(record: Path, **extra: str) -> dict[str, str]:
    bin_dir = record.parent / "bin"
    return {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "RECORD": str(record), **extra}


def _job(tmp_path: Path) -> ServiceJob:
    return ServiceJob(
        "auth-service", tmp_path, "auth-service/Dockerfile", "linux/amd64",
        "nova/auth-service", ("latest",),
    )  # fmt: skip


CREDS = RegistryCredentials("https://reg.example", "AWS", "s3cret-token")


def _control(seen: list[ServiceStatus], lines: list[str]) -> JobControl:
    return JobControl("auth-service", seen.append, lambda _s, text: lines.append(text))


def test_buildx_pushes_with_a_private_config_that_is_removed(record: Path, tmp_path: Path) -> None:
    seen: list[ServiceStatus] = []
    lines: list[str] = []
    noted: list[bool] = []
    digest = BuildxBuilder(_env(record)).run(
        _job(tmp_path), _control(seen, lines), lambda: CREDS, lambda: noted.append(True)
    )
    assert digest == DIGEST
    assert noted == [True]  # tags noted before buildx could push
    assert (record / "mode").read_text().strip() == "600"
    assert '"reg.example"' in (record / "config").read_text()
    assert not Path((record / "dir").read_text().strip()).exists()
    args = (record / "args").read_text()
    assert "--platform linux/amd64 --progress=plain --push" in args
    assert "-t reg.example/nova/auth-service:latest" in args
    assert (2, 2) in [(s.step, s.steps) for s in seen]
    assert seen[-1].state is ServiceState.PUSHING
    assert not any("s3cret-token" in line for line in lines)


def test_buildx_failure_is_its_error_line(record: Path, tmp_path: Path) -> None:
    with pytest.raises(BuildFailed, match=r"^failed to solve: app: not found$"):
        BuildxBuilder(_env(record, BROKEN="1")).run(
            _job(tmp_path), _control([], []), lambda: CREDS, lambda: None
        )


def test_cancel_interrupts_buildx_at_once(record: Path, tmp_path: Path) -> None:
    seen: list[ServiceStatus] = []
    stepped = threading.Event()

    def step(status: ServiceStatus) -> None:
        seen.append(status)
        stepped.set()

    control = JobControl("auth-service", step, lambda _s, _t: None)
    outcome: list[BaseException] = []

    def run() -> None:
        try:
            BuildxBuilder(_env(record, SLOW="1")).run(
                _job(tmp_path), control, lambda: CREDS, lambda: None
            )
        except (BuildCancelled, BuildFailed) as exc:
            outcome.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    assert until(lambda: any(s.step == 2 for s in seen), 10, wake=stepped)
    started = time.monotonic()
    control.cancel()
    worker.join(10)
    assert time.monotonic() - started < 5
    assert isinstance(outcome[0], BuildCancelled)
    assert not Path((record / "dir").read_text().strip()).exists()
