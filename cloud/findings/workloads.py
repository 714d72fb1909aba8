"""Findings about running workloads: crash loops, pods not ready, ECS tasks, Lambda functions."""

from __future__ import annotations

import re
from collections.abc import Sequence

from cloud.diagnosis import crash_hint
from cloud.findings.images import PULL_REASONS, ecs_current_stopped, task_text
from cloud.findings.model import Finding, Fix, Snapshot
from cloud.records import (
    DeploymentRecord,
    EcsServiceRecord,
    EcsTaskRecord,
    PodRecord,
    Severity,
)

# "X must be set", "X environment variable must be set: NotPresent", "environment variable X",
# "KeyError: 'X'" (Python), "X is not set".
_ENV_PATTERNS = (
    re.compile(r"\b([A-Z][A-Z0-9_]{2,})\b(?: environment variable)? (?:must be set|is not set)"),
    re.compile(r"\b([A-Z][A-Z0-9_]{2,})\b[^\n]*\bNotPresent\b"),
    re.compile(r"environment variable[ :'\"`]+([A-Z][A-Z0-9_]{2,})\b", re.IGNORECASE),
    re.compile(r"KeyError: '([A-Z][A-Z0-9_]{2,})'"),
)


def missing_env_name(text: str | None) -> str | None:
    """The environment variable a crash log says is missing, e.g. ``CLICKHOUSE_URL``."""
    if not text:
        return None
    for pattern in _ENV_PATTERNS:
        found = pattern.search(text)
        if found:
            return found.group(1)
    return None


def _crash_text(pod: PodRecord, snapshot: Snapshot) -> str:
    """What a crashed pod said: its log tail when read, else the last termination message."""
    log = snapshot.pod_logs.get((pod.namespace, pod.name))
    if log:
        return log
    return "\n".join(c.last_message or "" for c in pod.containers if c.reason == "CrashLoopBackOff")


def crashing_pods(deployment: DeploymentRecord) -> list[PodRecord]:
    """Pods of ``deployment`` in CrashLoopBackOff."""
    return [p for p in deployment.pods if p.problem == "CrashLoopBackOff"]


def deployment_findings(deployment: DeploymentRecord, snapshot: Snapshot) -> list[Finding]:
    """Crash loops (a missing variable when the log names one) and replicas not ready."""
    resource = f"{deployment.namespace}/{deployment.name}"
    scope = deployment.context
    crashing = crashing_pods(deployment)
    by_var: dict[str, list[tuple[PodRecord, str]]] = {}
    unexplained: list[tuple[PodRecord, str]] = []
    for pod in crashing:
        text = _crash_text(pod, snapshot)
        var = missing_env_name(text)
        if var:
            by_var.setdefault(var, []).append((pod, text))
        else:
            unexplained.append((pod, text))
    findings: list[Finding] = []
    env = {name for _, names in deployment.env_names for name in names}
    for var, pods in sorted(by_var.items()):
        pod, text = pods[0]
        wired = var in env
        findings.append(
            Finding(
                id=f"missing-env:{scope}:{resource}:{var}",
                kind="missing-env",
                severity=Severity.CRITICAL,
                title=f"{resource} crashes: {var} is not set",
                where=f"k8s:{resource}",
                region=None,
                evidence=(
                    f"{len(pods)} pod(s) CrashLoopBackOff, e.g. {pod.name} "
                    f"({_restarts(pod)} restarts)",
                    *_telling_lines(text),
                    f"env of the deployment: {', '.join(sorted(env)) or 'none'}",
                ),
                cause=(
                    f"{var} is set on the deployment but the pods still miss it (the secret or "
                    "key it references may not exist)."
                    if wired
                    else f"The container exits at start because {var} is not in its environment."
                ),
                fixes=(
                    Fix(
                        "wire-secret-env",
                        f"k8s:{resource}",
                        {"name": var},
                        None,
                        f"creates the secret and sets {var} from it (value typed, never shown)",
                    ),
                ),
            )
        )
    if unexplained:
        pod, text = unexplained[0]
        hint = crash_hint(text) or _exit_text(pod)
        findings.append(
            Finding(
                id=f"crashloop:{scope}:{resource}",
                kind="crashloop",
                severity=Severity.CRITICAL,
                title=f"{resource}: {len(unexplained)} pod(s) crash-looping",
                where=f"k8s:{resource}",
                region=None,
                evidence=(f"{pod.name}: {_exit_text(pod)}", *_telling_lines(text)),
                cause=f"The container keeps exiting: {hint}.",
            )
        )
    if deployment.ready < deployment.desired and not findings and not _pulling(deployment):
        findings.append(_not_ready(deployment, resource, scope))
    return findings


def _pulling(deployment: DeploymentRecord) -> bool:
    return any(p.problem in PULL_REASONS for p in deployment.pods)


def _restarts(pod: PodRecord) -> int:
    return max((c.restart_count for c in pod.containers), default=0)


def _exit_text(pod: PodRecord) -> str:
    for c in pod.containers:
        if c.last_exit_code is not None:
            return f"container {c.name} exited {c.last_exit_code} ({c.last_reason or 'Error'})"
    return f"{pod.problem or pod.phase}"


def _telling_lines(text: str) -> tuple[str, ...]:
    """The panic line and the line after it, or the line ``crash_hint`` picks."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for index, line in enumerate(lines):
        if "panicked at" in line:
            return tuple(lines[index : index + 2])
    hint = crash_hint(text)
    return (hint,) if hint else ()


def _not_ready(deployment: DeploymentRecord, resource: str, scope: str) -> Finding:
    waiting = [p for p in deployment.pods if not all(c.ready for c in p.containers)]
    evidence = [f"{deployment.ready}/{deployment.desired} replicas ready"]
    for pod in waiting[:3]:
        states = ", ".join(f"{c.name} {c.reason or c.state}" for c in pod.containers)
        evidence.append(f"{pod.name}: {states}, not ready, {_restarts(pod)} restarts")
        evidence.extend(f"{reason}: {message}" for _, _, reason, message in pod.events[-2:])
    running = all(c.state == "running" for p in waiting for c in p.containers)
    cause = (
        "The containers run but fail their readiness probe, so they get no traffic; "
        "their log says what they wait for."
        if running and waiting
        else "Pods are missing or not started yet."
    )
    return Finding(
        id=f"not-ready:{scope}:{resource}",
        kind="not-ready",
        severity=Severity.CRITICAL if deployment.ready == 0 else Severity.WARNING,
        title=f"{resource}: {deployment.ready}/{deployment.desired} replicas ready",
        where=f"k8s:{resource}",
        region=None,
        evidence=tuple(evidence),
        cause=cause,
    )


# --- ECS -------------------------------------------------------------------


def _task_line(task: EcsTaskRecord) -> str:
    parts = [task.stop_code or "stopped"]
    for name, code, reason in task.container_exit_codes:
        parts.append(f"{name} exit {code}" + (f": {reason}" if reason else ""))
    if task.stopped_reason:
        parts.append(task.stopped_reason)
    return " | ".join(parts)[:240]


def _is_oom(task: EcsTaskRecord) -> bool:
    text = task_text(task)
    return "OutOfMemory" in text or any(code == 137 for _, code, _ in task.container_exit_codes)


def _pull_failure(task: EcsTaskRecord) -> bool:
    return "CannotPullContainerError" in task_text(task)


_START_CAUSES = (
    (
        "ResourceInitializationError",
        "The task cannot fetch its registry auth or secrets: its subnets have no route to ECR "
        "and Secrets Manager (no NAT gateway, no VPC endpoints, or no public IP), or the "
        "execution role lacks the permission.",
    ),
    (
        "CannotStartContainerError",
        "The container could not start: check the task definition (command, ports, mounts).",
    ),
)


def ecs_findings(service: EcsServiceRecord, already: Sequence[Finding]) -> list[Finding]:
    """OOM kills, tasks that fail to start, a failing deployment, too few tasks (one cause each)."""
    resource = f"{service.cluster}/{service.name}"
    where, region = f"ecs:{resource}", service.region
    stopped = ecs_current_stopped(service)
    findings: list[Finding] = []
    oom = [t for t in stopped if _is_oom(t)]
    if oom:
        memory = int(service.memory) if service.memory and service.memory.isdigit() else None
        bigger = str(memory * 2) if memory else None
        findings.append(
            Finding(
                id=f"ecs-oom:{region}:{resource}",
                kind="ecs-oom",
                severity=Severity.CRITICAL,
                title=f"{resource}: tasks killed out of memory",
                where=where,
                region=region,
                evidence=(
                    f"{len(oom)} task(s) of {service.task_definition} stopped out of memory",
                    _task_line(oom[0]),
                    f"task memory {service.memory} MiB, cpu {service.cpu}",
                    f"{service.running} of {service.desired} tasks running",
                ),
                cause=(
                    f"The container needs more than the task's {service.memory} MiB and is "
                    "killed (exit 137)."
                ),
                fixes=(
                    Fix(
                        "resize-task",
                        where,
                        {"memory": bigger} if bigger else {},
                        region,
                        f"new revision with {bigger} MiB" if bigger else "doubles the memory",
                    ),
                ),
            )
        )
    other = [
        t
        for t in stopped
        if t.stop_code == "TaskFailedToStart" and not _is_oom(t) and not _pull_failure(t)
    ]
    if other:
        text = _task_line(other[0])
        cause = next((c for key, c in _START_CAUSES if key in text), "The task failed to start.")
        findings.append(
            Finding(
                id=f"ecs-task-failed-to-start:{region}:{resource}",
                kind="ecs-task-failed-to-start",
                severity=Severity.WARNING,
                title=f"{resource}: tasks fail to start",
                where=where,
                region=region,
                evidence=(f"{len(other)} task(s) failed to start", text),
                cause=cause,
            )
        )
    covered = bool(findings) or any(f.where == where for f in already)
    primary = next((d for d in service.deployments if d.status == "PRIMARY"), None)
    if not covered and primary is not None and primary.rollout_state == "FAILED":
        findings.append(
            Finding(
                id=f"ecs-deployment-failed:{region}:{resource}",
                kind="ecs-deployment-failed",
                severity=Severity.CRITICAL,
                title=f"{resource}: deployment of {primary.task_definition} failed",
                where=where,
                region=region,
                evidence=(
                    f"{primary.deployment_id} rollout FAILED, {primary.running}/{primary.desired}",
                    *(message for _, message in service.events[:2]),
                ),
                cause="The new task definition never became healthy.",
                fixes=(Fix("rollback-service", where, {}, region, "the revision before"),),
            )
        )
    elif not covered and service.running < service.desired:
        findings.append(
            Finding(
                id=f"ecs-tasks-below-desired:{region}:{resource}",
                kind="ecs-tasks-below-desired",
                severity=Severity.CRITICAL if service.running == 0 else Severity.WARNING,
                title=f"{resource}: {service.running} of {service.desired} tasks running",
                where=where,
                region=region,
                evidence=tuple(message for _, message in service.events[:3]),
                cause="Tasks stop or do not start; the service events say why.",
                fixes=(Fix("force-deploy", where, {}, region, "starts fresh tasks"),),
            )
        )
    return findings
