"""Findings about running workloads: crash loops, pods that cannot start, ECS tasks."""

from __future__ import annotations

from collections.abc import Sequence

from cloud.classify import (
    PULL_REASONS,
    crash_hint,
    crashing_container,
    current_stopped,
    exit_text,
    missing_env_name,
    one_line,
    pod_problem,
    restarts,
    task_line,
    task_oom,
    task_pull_failed,
    task_reason,
    telling_lines,
)
from cloud.findings.model import Finding, Fix, Mark
from cloud.model.ref import ResourceRef
from cloud.model.snapshot import Snapshot
from cloud.records import DeploymentRecord, EcsServiceRecord, PodRecord, Severity

_CONFIG_REASONS = frozenset(
    {"CreateContainerConfigError", "CreateContainerError", "RunContainerError"}
)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'s' if count != 1 else ''}"


def _crash_text(pod: PodRecord, snapshot: Snapshot) -> str:
    """What a crashed pod said: its log tail when read, else the last termination message."""
    log = snapshot.pod_log(pod.namespace, pod.name)
    if log:
        return log
    return "\n".join(c.last_message or "" for c in pod.containers if crashing_container(pod) is c)


def crashing_pods(deployment: DeploymentRecord) -> list[PodRecord]:
    """Pods of ``deployment`` whose container keeps dying."""
    return [p for p in deployment.pods if crashing_container(p) is not None]


def deployment_findings(deployment: DeploymentRecord, snapshot: Snapshot) -> list[Finding]:
    """Crash loops (a missing variable when the log names one), pods that cannot start,
    and replicas not ready without another cause."""
    here = ResourceRef("k8s", f"{deployment.namespace}/{deployment.name}", deployment.context)
    resource, scope = here.name, here.scope
    by_var: dict[str, list[tuple[PodRecord, str]]] = {}
    unexplained: list[tuple[PodRecord, str]] = []
    for pod in crashing_pods(deployment):
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
        hint = crash_hint(text) or var
        findings.append(
            Finding(
                id=f"missing-env:{scope}:{resource}:{var}",
                kind="missing-env",
                severity=Severity.CRITICAL,
                title=f"{resource} crashes: {var} is not set",
                ref=here,
                evidence=(
                    f"{len(pods)} pod(s) CrashLoopBackOff, e.g. {pod.name} "
                    f"({restarts(pod)} restarts)",
                    *telling_lines(text),
                    f"env of the deployment: {', '.join(sorted(env)) or 'none'}",
                ),
                cause=(
                    f"{var} is set on the deployment but the pods still miss it (the secret or "
                    "key it references may not exist)."
                    if var in env
                    else f"The container exits at start because {var} is not in its environment."
                ),
                fixes=(
                    Fix(
                        "wire-secret-env",
                        here,
                        {"name": var},
                        f"creates the secret and sets {var} from it (value typed, never shown)",
                    ),
                ),
                marks=(Mark(here, f"{_plural(len(pods), 'pod')} CrashLoopBackOff: {hint}"),),
            )
        )
    if unexplained:
        pod, text = unexplained[0]
        hint = crash_hint(text) or exit_text(pod)
        findings.append(
            Finding(
                id=f"crashloop:{scope}:{resource}",
                kind="crashloop",
                severity=Severity.CRITICAL,
                title=f"{resource}: {len(unexplained)} pod(s) crash-looping",
                ref=here,
                evidence=(f"{pod.name}: {exit_text(pod)}", *telling_lines(text)),
                cause=f"The container keeps exiting: {hint}.",
                marks=(Mark(here, f"{_plural(len(unexplained), 'pod')} crash-looping: {hint}"),),
            )
        )
    findings.extend(_cannot_start(deployment, here))
    pulling = any(pod_problem(p) in PULL_REASONS for p in deployment.pods)
    if deployment.ready < deployment.desired and not findings and not pulling:
        findings.append(_not_ready(deployment, here))
    return findings


def _cannot_start(deployment: DeploymentRecord, here: ResourceRef) -> list[Finding]:
    """Pods whose containers cannot be created (a missing secret or config map, a bad spec)."""
    stuck = [
        (pod, c)
        for pod in deployment.pods
        for c in pod.containers
        if not c.ready and c.reason in _CONFIG_REASONS
    ]
    if not stuck:
        return []
    pod, container = stuck[0]
    message = one_line(container.message or container.reason or "", 200)
    count = len({p.name for p, _ in stuck})
    return [
        Finding(
            id=f"container-config:{here.scope}:{here.name}",
            kind="container-config",
            severity=Severity.CRITICAL,
            title=f"{here.name}: {_plural(count, 'pod')} cannot create their container",
            ref=here,
            evidence=(f"{pod.name} {container.name}: {container.reason}: {message}",),
            cause=(
                "Kubernetes cannot create the container from the pod spec: a secret, config "
                "map or key it references is missing, or the spec is invalid."
            ),
            marks=(Mark(here, f"{_plural(count, 'pod')} {container.reason}: {message}"),),
        )
    ]


def _not_ready(deployment: DeploymentRecord, here: ResourceRef) -> Finding:
    waiting = [p for p in deployment.pods if not all(c.ready for c in p.containers)]
    evidence = [f"{deployment.ready}/{deployment.desired} replicas ready"]
    for pod in waiting[:3]:
        states = ", ".join(f"{c.name} {c.reason or c.state}" for c in pod.containers)
        evidence.append(f"{pod.name}: {states}, not ready, {restarts(pod)} restarts")
        evidence.extend(f"{reason}: {message}" for _, _, reason, message in pod.events[-2:])
    running = all(c.state == "running" for p in waiting for c in p.containers)
    cause = (
        "The containers run but fail their readiness probe, so they get no traffic; "
        "their log says what they wait for."
        if running and waiting
        else "Pods are missing or not started yet."
    )
    fixes = [Fix("restart-rollout", here, {}, "replaces every pod, one at a time")]
    if waiting:
        fixes.append(
            Fix("delete-pod", here, {"pod": waiting[0].name}, f"replaces {waiting[0].name}")
        )
    ready = f"{deployment.ready}/{deployment.desired} replicas ready"
    return Finding(
        id=f"not-ready:{here.scope}:{here.name}",
        kind="not-ready",
        severity=Severity.CRITICAL if deployment.ready == 0 else Severity.WARNING,
        title=f"{here.name}: {ready}",
        ref=here,
        evidence=tuple(evidence),
        cause=cause,
        fixes=tuple(fixes),
        marks=(Mark(here, ready),),
    )


# --- ECS -------------------------------------------------------------------


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
    here = ResourceRef("ecs", f"{service.cluster}/{service.name}", service.region)
    resource, region = here.name, here.scope
    stopped = current_stopped(service)
    findings: list[Finding] = []
    oom = [t for t in stopped if task_oom(t)]
    if oom:
        memory = int(service.memory) if service.memory and service.memory.isdigit() else None
        bigger = str(memory * 2) if memory else None
        limit = f" (task memory {service.memory} MiB)" if service.memory else ""
        findings.append(
            Finding(
                id=f"ecs-oom:{region}:{resource}",
                kind="ecs-oom",
                severity=Severity.CRITICAL,
                title=f"{resource}: tasks killed out of memory",
                ref=here,
                evidence=(
                    f"{len(oom)} task(s) of {service.task_definition} stopped out of memory",
                    task_line(oom[0]),
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
                        here,
                        {"memory": bigger} if bigger else {},
                        f"new revision with {bigger} MiB" if bigger else "doubles the memory",
                    ),
                ),
                marks=(
                    Mark(
                        here,
                        f"{len(oom)} task(s) stopped out of memory{limit}: {task_reason(oom[0])}",
                    ),
                ),
            )
        )
    other = [
        t
        for t in stopped
        if t.stop_code == "TaskFailedToStart" and not task_oom(t) and not task_pull_failed(t)
    ]
    if other:
        text = task_line(other[0])
        cause = next((c for key, c in _START_CAUSES if key in text), "The task failed to start.")
        findings.append(
            Finding(
                id=f"ecs-task-failed-to-start:{region}:{resource}",
                kind="ecs-task-failed-to-start",
                severity=Severity.WARNING,
                title=f"{resource}: tasks fail to start",
                ref=here,
                evidence=(f"{len(other)} task(s) failed to start", text),
                cause=cause,
                fixes=(Fix("force-deploy", here, {}, "starts fresh tasks"),),
                marks=(
                    Mark(here, f"{len(other)} task(s) failed to start: {task_reason(other[0])}"),
                ),
            )
        )
    covered = bool(findings) or any(here in (m.ref for m in f.marks) for f in already)
    primary = next((d for d in service.deployments if d.status == "PRIMARY"), None)
    if not covered and primary is not None and primary.rollout_state == "FAILED":
        title = f"{resource}: deployment of {primary.task_definition} failed"
        findings.append(
            Finding(
                id=f"ecs-deployment-failed:{region}:{resource}",
                kind="ecs-deployment-failed",
                severity=Severity.CRITICAL,
                title=title,
                ref=here,
                evidence=(
                    f"{primary.deployment_id} rollout FAILED, {primary.running}/{primary.desired}",
                    *(message for _, message in service.events[:2]),
                ),
                cause="The new task definition never became healthy.",
                fixes=(Fix("rollback-service", here, {}, "the revision before"),),
                marks=(Mark(here, f"deployment of {primary.task_definition} failed"),),
            )
        )
    elif not covered and service.running < service.desired:
        text = f"{service.running} of {service.desired} tasks running"
        findings.append(
            Finding(
                id=f"ecs-tasks-below-desired:{region}:{resource}",
                kind="ecs-tasks-below-desired",
                severity=Severity.CRITICAL if service.running == 0 else Severity.WARNING,
                title=f"{resource}: {text}",
                ref=here,
                evidence=tuple(message for _, message in service.events[:3]),
                cause="Tasks stop or do not start; the service events say why.",
                fixes=(Fix("force-deploy", here, {}, "starts fresh tasks"),),
                marks=(Mark(here, text),),
            )
        )
    return findings
