"""The diagnosis rules: what on a row deserves a flag, and the sentence that says so.

Pure functions over plain values and records, so every rule is tested without
a network. The fetchers call them once they have read the facts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from cloud.records import BlockedReason, EcsTaskRecord, Flag, PodRecord, Severity

BLOAT_RATIO = 5.0  # a buildcache this many times the runtime image is worth deleting
POOR_SUCCESS_RATE = 0.8
MIN_FINISHED_FOR_RATE = 3
_FINISHED = {"SUCCEEDED", "FAILED", "FAULT", "TIMED_OUT", "STOPPED"}

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


def gigabytes(size: int) -> str:
    """``1225557261`` as ``1.23 GB`` (decimal units, as the ECR console shows them)."""
    return f"{size / 1e9:.2f} GB"


# --- ECR -------------------------------------------------------------------


def repository_flags(
    name: str,
    *,
    has_latest: bool,
    latest_users: Sequence[str],
    buildcache_size: int | None,
    runtime_size: int | None,
    has_lifecycle_policy: bool | None,
    scan_on_push: bool,
) -> tuple[Flag, ...]:
    """Flags of an ECR repository row."""
    flags: list[Flag] = []
    if not has_latest:
        if latest_users:
            text = f"latest missing; {name}:latest is deployed by {', '.join(latest_users)}"
            flags.append(Flag("latest-missing", Severity.CRITICAL, text))
        else:
            flags.append(Flag("latest-missing", Severity.WARNING, "no image is tagged latest"))
    if buildcache_size:
        if not runtime_size:
            text = f"buildcache {gigabytes(buildcache_size)} and no runtime image"
            flags.append(Flag("buildcache-bloat", Severity.WARNING, text))
        elif buildcache_size >= BLOAT_RATIO * runtime_size:
            ratio = buildcache_size / runtime_size
            text = f"buildcache {gigabytes(buildcache_size)}, {ratio:.0f}x the runtime image"
            flags.append(Flag("buildcache-bloat", Severity.WARNING, text))
    if has_lifecycle_policy is False:
        text = "no lifecycle policy: old and untagged images are kept forever"
        flags.append(Flag("no-lifecycle-policy", Severity.INFO, text))
    if not scan_on_push:
        flags.append(Flag("scan-on-push-off", Severity.INFO, "scan on push is off"))
    return tuple(flags)


# --- CodeBuild -------------------------------------------------------------


def project_flags(blocked: BlockedReason | None, statuses: Sequence[str]) -> tuple[Flag, ...]:
    """Flags of a CodeBuild project row: cannot start builds, poor recent success rate."""
    flags: list[Flag] = []
    if blocked is not None and blocked.effective_concurrency <= 0:
        if blocked.project_limit is not None and blocked.project_limit <= 0:
            why = f"project concurrentBuildLimit is {blocked.project_limit}"
        elif blocked.applied_value is None:
            why = f"no applied value for {blocked.quota_code}"
        else:
            why = f"{blocked.quota_code} applied value is {blocked.applied_value:g}"
        text = f"cannot start builds: {why}, effective concurrency 0"
        flags.append(Flag("cannot-start-builds", Severity.CRITICAL, text))
    finished = [s for s in statuses if s in _FINISHED]
    if len(finished) >= MIN_FINISHED_FOR_RATE:
        succeeded = finished.count("SUCCEEDED")
        if succeeded / len(finished) < POOR_SUCCESS_RATE:
            failed = len(finished) - succeeded
            text = (
                f"{failed} of the last {len(finished)} builds failed "
                f"({round(100 * succeeded / len(finished))} % succeeded)"
            )
            flags.append(Flag("poor-success-rate", Severity.WARNING, text))
    return tuple(flags)


# --- ECS and Lambda --------------------------------------------------------


def ecs_service_flags(
    desired: int, running: int, stopped: Sequence[EcsTaskRecord], memory: str | None
) -> tuple[Flag, ...]:
    """Flags of an ECS service: too few tasks, tasks killed for memory or unable to pull."""
    flags: list[Flag] = []
    if running < desired:
        severity = Severity.CRITICAL if running == 0 else Severity.WARNING
        text = f"{running} of {desired} tasks running"
        flags.append(Flag("tasks-below-desired", severity, text))
    oom = [t for t in stopped if _is_oom(t)]
    if oom:
        limit = f" (task memory {memory} MiB)" if memory else ""
        text = f"{len(oom)} task(s) stopped out of memory{limit}: {_task_reason(oom[0])}"
        flags.append(Flag("oom-killed", Severity.CRITICAL, text))
    pull = [t for t in stopped if "CannotPullContainerError" in _task_text(t)]
    if pull:
        text = f"{len(pull)} task(s) could not pull the image: {_task_reason(pull[0])}"
        flags.append(Flag("cannot-pull-image", Severity.CRITICAL, text))
    other = [
        t for t in stopped if t.stop_code == "TaskFailedToStart" and t not in oom and t not in pull
    ]
    if other:
        text = f"{len(other)} task(s) failed to start: {_task_reason(other[0])}"
        flags.append(Flag("task-failed-to-start", Severity.WARNING, text))
    return tuple(flags)


def _task_text(task: EcsTaskRecord) -> str:
    reasons = [task.stopped_reason or ""] + [r or "" for _, _, r in task.container_exit_codes]
    return " ".join(reasons)


def _is_oom(task: EcsTaskRecord) -> bool:
    if "OutOfMemory" in _task_text(task):
        return True
    return any(code == 137 for _, code, _ in task.container_exit_codes)


def _task_reason(task: EcsTaskRecord) -> str:
    for name, code, reason in task.container_exit_codes:
        if reason:
            return f"{name}: {reason}"[:160]
        if code not in (None, 0):
            return f"{name} exited {code}"
    return (task.stopped_reason or task.stop_code or "stopped")[:160]


def lambda_flags(
    state: str | None, last_update_status: str | None, last_update_reason: str | None
) -> tuple[Flag, ...]:
    """Flags of a Lambda function: failed state, failed last update."""
    flags: list[Flag] = []
    if state == "Failed":
        flags.append(Flag("function-failed", Severity.CRITICAL, "function state is Failed"))
    if last_update_status == "Failed":
        text = f"last update failed: {last_update_reason or 'no reason given'}"
        flags.append(Flag("update-failed", Severity.CRITICAL, text))
    return tuple(flags)


# --- Kubernetes ------------------------------------------------------------

_PULLED_IMAGE = re.compile(r'image "([^"]+)"')


def short_image(ref: str) -> str:
    """An image reference without its registry host: ``nova/cdn-service:latest``."""
    first, _, rest = ref.partition("/")
    if rest and ("." in first or ":" in first or first == "localhost"):
        return rest
    return ref


def image_pull_hint(message: str | None) -> str | None:
    """``image nova/cdn-service:latest not found`` from a kubelet pull failure message."""
    if not message:
        return None
    found = _PULLED_IMAGE.search(message)
    image = short_image(found.group(1)) if found else None
    lowered = message.lower()
    if image is None:
        return " ".join(message.split())[:160]
    if "not found" in lowered or "notfound" in lowered or "manifest unknown" in lowered:
        return f"image {image} not found"
    if "unauthorized" in lowered or "denied" in lowered or "forbidden" in lowered:
        return f"pull of image {image} denied"
    return f"cannot pull image {image}"


def crash_hint(log_tail: str | None) -> str | None:
    """The line of a crashed container's log that says why, e.g. ``X must be set: NotPresent``."""
    if not log_tail:
        return None
    lines = [line.strip() for line in log_tail.splitlines() if line.strip()]
    for index, line in enumerate(lines):
        if "panicked at" in line and index + 1 < len(lines):
            return lines[index + 1][:160]
    pattern = re.compile(r"error|fatal|panic|exception|must be set|not set", re.IGNORECASE)
    for line in reversed(lines):
        if pattern.search(line):
            return line[:160]
    return lines[-1][:160] if lines else None


def deployment_flags(
    desired: int,
    ready: int,
    pods: Sequence[PodRecord],
    crash_hints: Mapping[str, str] | None = None,
) -> tuple[Flag, ...]:
    """Flags of a deployment: pods stuck in a failing state, replicas not ready.

    ``crash_hints`` maps a pod name to the telling line of its crashed container's log.
    """
    flags: list[Flag] = []
    by_reason: dict[str, list[PodRecord]] = {}
    for pod in pods:
        reason = pod.problem
        if reason is not None and reason in POD_PROBLEMS:
            by_reason.setdefault(reason, []).append(pod)
    for reason, stuck in by_reason.items():
        hint = _pod_hint(reason, stuck, crash_hints or {})
        count = f"{len(stuck)} pod{'s' if len(stuck) > 1 else ''}"
        text = f"{count} {reason}" + (f": {hint}" if hint else "")
        flags.append(Flag(POD_PROBLEMS[reason], Severity.CRITICAL, text))
    if ready < desired:
        severity = Severity.CRITICAL if ready == 0 else Severity.WARNING
        flags.append(Flag("not-ready", severity, f"{ready}/{desired} replicas ready"))
    return tuple(flags)


def _pod_hint(reason: str, pods: Sequence[PodRecord], crash_hints: Mapping[str, str]) -> str | None:
    for pod in pods:
        if pod.name in crash_hints:
            return crash_hints[pod.name]
    for pod in pods:
        for container in pod.containers:
            if container.ready or container.reason != reason:
                continue
            if reason in ("ImagePullBackOff", "ErrImagePull", "InvalidImageName"):
                hint = image_pull_hint(container.message)
                return hint or f"cannot pull image {short_image(container.image)}"
            if reason != "CrashLoopBackOff" and container.message:
                return " ".join(container.message.split())[:160]
            if container.last_message:
                return " ".join(container.last_message.split())[:160]
            if container.last_exit_code is not None:
                why = f" ({container.last_reason})" if container.last_reason else ""
                return f"container {container.name} exited {container.last_exit_code}{why}"
    return None
