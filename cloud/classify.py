"""The classifiers every finding and every row flag share: one place says what a symptom is.

Pure functions over records and text: whether a task stopped out of memory,
whether a pod's container keeps crashing or cannot pull, which variable a crash
log says is missing, the telling line of a log. The rules of ``cloud.findings``
use them, the console's actions take their defaults from them, nothing repeats them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from cloud.records import ContainerStateRecord, EcsServiceRecord, EcsTaskRecord, PodRecord
from cloud.text import cut

BLOAT_RATIO = 5.0  # a buildcache this many times the runtime image is worth deleting

# Waiting/terminated reasons that mean a pod will not serve until someone acts.
POD_PROBLEMS: Mapping[str, str] = {
    "CrashLoopBackOff": "crashloop",
    "ImagePullBackOff": "image-pull",
    "ErrImagePull": "image-pull",
    "InvalidImageName": "image-pull",
    "CreateContainerConfigError": "container-config",
    "CreateContainerError": "container-config",
    "RunContainerError": "container-config",
    "OOMKilled": "oom-killed",
}
PULL_REASONS = frozenset({"ImagePullBackOff", "ErrImagePull", "InvalidImageName"})
CRASH_REASONS = frozenset({"CrashLoopBackOff", "Error", "OOMKilled"})

# "X must be set", "X environment variable must be set: NotPresent", "environment variable X",
# "KeyError: 'X'" (Python), "X is not set", "X is missing".
_ENV_PATTERNS = (
    re.compile(
        r"\b([A-Z][A-Z0-9_]{2,})\b(?: environment variable)? (?:must be set|is not set|is missing)"
    ),
    re.compile(r"\b([A-Z][A-Z0-9_]{2,})\b[^\n]*\bNotPresent\b"),
    re.compile(r"environment variable[ :'\"`]+([A-Z][A-Z0-9_]{2,})\b", re.IGNORECASE),
    re.compile(r"KeyError: '([A-Z][A-Z0-9_]{2,})'"),
)
_PULLED_IMAGE = re.compile(r'image "([^"]+)"')
_TELLING = re.compile(r"error|fatal|panic|exception|must be set|not set", re.IGNORECASE)
NOT_FOUND_WORDS = ("not found", "notfound", "manifest unknown", "does not exist")
DENIED_WORDS = ("denied", "unauthorized", "forbidden", "not authorized", "accessdenied")


def gigabytes(size: int) -> str:
    """``1225557261`` as ``1.23 GB`` (decimal units, as the ECR console shows them)."""
    return f"{size / 1e9:.2f} GB"


def one_line(text: str, limit: int = 160) -> str:
    """``text`` on one line, whitespace squeezed, cut at ``limit`` characters (``…``)."""
    return cut(" ".join(text.split()), limit)


# --- logs ---------------------------------------------------------------------


def missing_env_name(text: str | None) -> str | None:
    """The environment variable a crash log says is missing, e.g. ``CLICKHOUSE_URL``."""
    if not text:
        return None
    for pattern in _ENV_PATTERNS:
        found = pattern.search(text)
        if found:
            return found.group(1)
    return None


def crash_hint(log_tail: str | None) -> str | None:
    """The line of a crashed container's log that says why, e.g. ``X must be set: NotPresent``."""
    if not log_tail:
        return None
    lines = [line.strip() for line in log_tail.splitlines() if line.strip()]
    for index, line in enumerate(lines):
        if "panicked at" in line and index + 1 < len(lines):
            return cut(lines[index + 1], 160)
    for line in reversed(lines):
        if _TELLING.search(line):
            return cut(line, 160)
    return cut(lines[-1], 160) if lines else None


def telling_lines(text: str) -> tuple[str, ...]:
    """The panic line and the line after it, or the line ``crash_hint`` picks."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for index, line in enumerate(lines):
        if "panicked at" in line:
            return tuple(lines[index : index + 2])
    hint = crash_hint(text)
    return (hint,) if hint else ()


# --- images -------------------------------------------------------------------


def short_image(ref: str) -> str:
    """An image reference without its registry host: ``nova/cdn-service:latest``."""
    first, _, rest = ref.partition("/")
    if rest and ("." in first or ":" in first or first == "localhost"):
        return rest
    return ref


def image_pull_hint(message: str | None) -> str | None:
    """``image nova/cdn-service:latest not found`` from a kubelet or ECS pull failure message."""
    if not message:
        return None
    found = _PULLED_IMAGE.search(message)
    image = short_image(found.group(1)) if found else None
    lowered = message.lower()
    if image is None:
        return one_line(message)
    if any(word in lowered for word in NOT_FOUND_WORDS):
        return f"image {image} not found"
    if "unauthorized" in lowered or "denied" in lowered or "forbidden" in lowered:
        return f"pull of image {image} denied"
    return f"cannot pull image {image}"


# --- pods ---------------------------------------------------------------------


def pod_problem(pod: PodRecord) -> str | None:
    """The first waiting/terminated reason of a not-ready container, if any."""
    for container in pod.containers:
        if not container.ready and container.reason:
            return container.reason
    return None


def unready_reason(pod: PodRecord) -> str | None:
    """Why the pod does not serve: its problem (``CrashLoopBackOff``), ``not ready`` for a
    running pod with an unready container, or its phase when not running; None when ready."""
    problem = pod_problem(pod)
    if problem is not None:
        return problem
    if pod.phase != "Running":
        return pod.phase or "not running"
    if any(not c.ready for c in pod.containers):
        return "not ready"
    return None


def crashing_container(pod: PodRecord) -> ContainerStateRecord | None:
    """The pod's container that keeps dying (crash loop, error exit, OOM), if any."""
    for container in pod.containers:
        if container.reason in CRASH_REASONS or (
            not container.ready and container.last_exit_code not in (None, 0)
        ):
            return container
    return None


def restarts(pod: PodRecord) -> int:
    """The most restarts of any of the pod's containers."""
    return max((c.restart_count for c in pod.containers), default=0)


def exit_text(pod: PodRecord) -> str:
    """``container app exited 1 (Error)``, or the pod's problem or phase."""
    for c in pod.containers:
        if c.last_exit_code is not None:
            return f"container {c.name} exited {c.last_exit_code} ({c.last_reason or 'Error'})"
    return f"{pod_problem(pod) or pod.phase}"


# --- ECS tasks ----------------------------------------------------------------


def task_text(task: EcsTaskRecord) -> str:
    """A stopped task's reason and its containers' reasons, as one string to search."""
    reasons = [r or "" for _, _, r in task.container_exit_codes]
    return " ".join([task.stopped_reason or "", *reasons])


def task_oom(task: EcsTaskRecord) -> bool:
    """Stopped out of memory (the reason says so, or a container exited 137)."""
    text = task_text(task)
    return "OutOfMemory" in text or any(code == 137 for _, code, _ in task.container_exit_codes)


def task_pull_failed(task: EcsTaskRecord) -> bool:
    """Stopped because the image could not be pulled."""
    return "CannotPullContainerError" in task_text(task)


def task_reason(task: EcsTaskRecord) -> str:
    """The short reason a task stopped: a container's reason, exit code, or the stop reason."""
    for name, code, reason in task.container_exit_codes:
        if reason:
            return cut(f"{name}: {reason}", 160)
        if code not in (None, 0):
            return f"{name} exited {code}"
    return cut(task.stopped_reason or task.stop_code or "stopped", 160)


def task_line(task: EcsTaskRecord) -> str:
    """Everything about a stopped task on one line: stop code, exits, the stop reason."""
    parts = [task.stop_code or "stopped"]
    for name, code, reason in task.container_exit_codes:
        parts.append(f"{name} exit {code}" + (f": {reason}" if reason else ""))
    if task.stopped_reason:
        parts.append(task.stopped_reason)
    return cut(" | ".join(parts), 240)


def current_stopped(service: EcsServiceRecord) -> list[EcsTaskRecord]:
    """Stopped tasks of the task definition the service deploys now (older ones are history)."""
    return [
        t
        for t in service.tasks
        if t.last_status == "STOPPED" and t.task_definition == service.task_definition
    ]
