"""CodeBuild-style log lines (``[Container] 2025/11/10 08:50:31.123 ...``) for build phases."""

from __future__ import annotations

import zlib
from datetime import datetime, timedelta

Line = tuple[datetime, str]

# Phases that run in the build container and therefore write [Container] lines.
CONTAINER_PHASES = (
    "DOWNLOAD_SOURCE",
    "INSTALL",
    "PRE_BUILD",
    "BUILD",
    "POST_BUILD",
    "UPLOAD_ARTIFACTS",
)


def stamp(at: datetime) -> str:
    """The timestamp CodeBuild prints after ``[Container]``."""
    return at.strftime("%Y/%m/%d %H:%M:%S.") + f"{at.microsecond // 1000:03d}"


def container(at: datetime, text: str) -> Line:
    """One ``[Container]`` line."""
    return at, f"[Container] {stamp(at)} {text}"


def provisioning_lines(at: datetime, build_id: str, source: str) -> list[Line]:
    """What the agent prints before the first buildspec phase."""
    src_dir = f"/codebuild/output/src{zlib.crc32(build_id.encode()) % 10**9}/src"
    repo = source.removeprefix("https://").removesuffix(".git")
    return [
        container(at, "Running on CodeBuild On-demand"),
        container(at, "Waiting for agent ping"),
        container(at + timedelta(milliseconds=210), "Waiting for DOWNLOAD_SOURCE"),
        container(at + timedelta(milliseconds=900), "Phase is DOWNLOAD_SOURCE"),
        container(at + timedelta(milliseconds=902), f"CODEBUILD_SRC_DIR={src_dir}/{repo}"),
        container(
            at + timedelta(milliseconds=903), f"YAML location is {src_dir}/{repo}/buildspec.yml"
        ),
        container(at + timedelta(milliseconds=905), "Processing environment variables"),
        container(at + timedelta(milliseconds=911), f"Moving to directory {src_dir}/{repo}"),
        container(at + timedelta(milliseconds=930), "Registering with agent"),
        container(at + timedelta(milliseconds=940), "Phases found in YAML: 4"),
    ]


def entering_lines(
    phase: str,
    at: datetime,
    commands: tuple[str, ...],
    output: tuple[str, ...],
    failing: str | None = None,
) -> list[Line]:
    """Lines written when ``phase`` starts: its commands, and ``output`` after the last one.

    ``failing`` is the failure message; the command it names is the last one run.
    """
    lines = [container(at, f"Entering phase {phase}")] if phase != "DOWNLOAD_SOURCE" else []
    step = timedelta(milliseconds=37)
    clock = at + step
    for command in commands:
        lines.append(container(clock, f"Running command {command}"))
        clock += step
        if failing is not None and command in failing:
            break
    for text in output:
        lines.append((clock, text))
        clock += timedelta(milliseconds=3)
    if failing is not None and commands:
        ran = next((c for c in commands if c in failing), commands[-1])
        lines.append(container(clock, f"Command did not exit successfully {ran} exit status 1"))
    return lines


def completion_lines(
    phase: str, at: datetime, status: str, code: str | None, message: str | None
) -> list[Line]:
    """Lines written when ``phase`` ends."""
    return [
        container(at, f"Phase complete: {phase} State: {status}"),
        container(at, f"Phase context status code: {code or ''} Message: {message or ''}"),
    ]
