"""ECS deployments as ECS runs them: an UpdateService starts one, the clock rolls it out.

moto's UpdateService stores the new task definition as written (``family:3``, where
ECS reports the ARN), keeps the old PRIMARY deployment and starts or stops no task. The
world corrects the service right after moto's call (``demo.moto_state``): a new task
definition, or ``forceNewDeployment``, makes a new PRIMARY deployment (IN_PROGRESS) and
turns the others ACTIVE. Then, on the clock:

- the first tick starts the deployment's tasks (real moto tasks, so ListTasks and
  DescribeTasks show them). A task whose image is not in ECR stops at once with
  ``CannotPullContainerError`` (stop code TaskFailedToStart);
- a few seconds later (``SETTLE_SECONDS`` / speed) a healthy deployment has drained the
  tasks of the others (stopped by the scheduler), is the only one, COMPLETED, and the
  service reports ``runningCount`` = ``desiredCount``. A deployment whose tasks have less
  memory than the service's ``memory_needed`` sees them killed out of memory (exit 137)
  instead; a failed one stays IN_PROGRESS beside the old tasks, as ECS without a circuit
  breaker keeps it.

The service events say each step in ECS's words. A change of ``desiredCount`` alone
starts or stops tasks of the current deployment the same way.
"""

from __future__ import annotations

import calendar
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from demo import moto_state
from demo.aws_clients import ClientPool
from demo.ecs_view import EcsView
from demo.gateway import Call, Forward, Reply, Route
from demo.model import EcsCluster

_PREFIX = "AmazonEC2ContainerServiceV20141113."
SETTLE_SECONDS = 3.0  # from a deployment's tasks running to the old ones drained (speed 1)
OOM_REASON = "OutOfMemoryError: Container killed due to memory usage"
UNSTABLE = (
    "is unable to consistently start tasks successfully. For more information, see the "
    "Troubleshooting section of the Amazon ECS Developer Guide."
)


@dataclass
class _Rollout:
    """A deployment (or a change of desired count) the clock is carrying out."""

    service_arn: str
    region: str
    cluster: str
    name: str
    deployment_id: str
    task_definition: str  # ARN
    desired: int
    replace: bool  # a new deployment: its tasks replace every other task of the service
    asked: float  # epoch seconds of the UpdateService that started it
    started: list[str] = field(default_factory=list)  # task ARNs it started
    failure: str | None = None  # "pull" or "oom", decided when its tasks start
    settle_at: float | None = None  # epoch seconds; None until its tasks started


def _moment(at: float) -> datetime:
    """moto's time format: naive UTC, to the millisecond (as ECS answers)."""
    return datetime.fromtimestamp(round(at, 3), UTC).replace(tzinfo=None)


def _epoch(value: Any) -> Any:
    """A moto datetime as its JSON answers carry it (seconds, milliseconds kept)."""
    if not isinstance(value, datetime):
        return value
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return calendar.timegm(aware.utctimetuple()) + (aware.microsecond // 1000) / 1000.0


def _deployment_json(deployment: dict[str, Any]) -> dict[str, Any]:
    return {k: _epoch(v) for k, v in deployment.items() if v is not None}


def _event(at: float, message: str) -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "createdAt": round(at, 3), "message": message}


def _task_id(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]


def _task_list(arns: list[str]) -> str:
    return " ".join(f"(task {_task_id(arn)})" for arn in arns)


class EcsRollouts:
    """The UpdateService route and the clock step that rolls deployments out."""

    def __init__(
        self,
        clients: ClientPool,
        view: EcsView,
        image_exists: Callable[[str], bool],
        clusters: tuple[EcsCluster, ...],
        account: str,
        speed: float = 1.0,
    ) -> None:
        self._clients = clients
        self._view = view
        self._image_exists = image_exists
        self._account = account
        self._settle = SETTLE_SECONDS / speed
        self._memory_needed = {
            (c.region, c.name, s.name): s.memory_needed for c in clusters for s in c.services
        }
        # The view's lock: a DescribeServices waits while a call or a tick changes a service.
        self._lock = view.changing
        self._rollouts: dict[str, _Rollout] = {}

    def routes(self) -> dict[str, Route]:
        """Gateway route: UpdateService, corrected and followed by a rollout."""
        return {_PREFIX + "UpdateService": self._update_service}

    # -- the call ----------------------------------------------------------------------------
    def _update_service(self, call: Call, forward: Forward) -> Reply:
        # Under the lock from moto's call to the correction: a reader never sees moto's
        # uncorrected service, nor a tick's change lost to deployments read before it.
        with self._lock:
            return self._update_and_correct(call, forward)

    def _update_and_correct(self, call: Call, forward: Forward) -> Reply:
        request = call.json()
        cluster = str(request.get("cluster") or "default")
        name = str(request.get("service") or "")
        service = moto_state.ecs_service(self._account, call.region, cluster, name)
        before = moto_state.service_deployments(service) if service is not None else []
        reply = forward(call)
        if reply.status != 200 or service is None:
            return reply
        data = reply.data()
        answer = data.get("service")
        if not isinstance(answer, dict):
            return reply
        now = time.time()
        definition = moto_state.ecs_task_definition(
            self._account, call.region, str(service.task_definition)
        )
        arn = definition.arn if definition is not None else str(service.task_definition)
        primary = next((d for d in before if d.get("status") == "PRIMARY"), None)
        renew = (
            bool(request.get("forceNewDeployment"))
            or primary is None
            or primary.get("taskDefinition") != arn
        )
        desired = int(service.desired_count)
        if renew:
            deployment = self._new_deployment(service, arn, desired, now, primary)
            others = [dict(d, status="ACTIVE") for d in before]
            moto_state.set_service_deployments(service, arn, [deployment, *others])
            rollout = _Rollout(
                service.arn,
                call.region,
                service.cluster_name,
                service.name,
                deployment["id"],
                arn,
                desired,
                replace=True,
                asked=now,
            )
            self._rollouts[service.arn] = rollout
            # The old deployments count their tasks from now on (a seeded one had its
            # counts from the view only while PRIMARY), as the service's runningCount does.
            self._count(rollout, service, now, up=0, failed=0)
        else:
            kept = [dict(d, desiredCount=desired) if d is primary else d for d in before]
            moto_state.set_service_deployments(service, arn, kept)
            ongoing = self._rollouts.get(service.arn)
            if ongoing is not None and ongoing.settle_at is None:
                ongoing.desired = desired  # its tasks start on the next tick: that many
            elif "desiredCount" in request and primary is not None:
                self._rollouts[service.arn] = _Rollout(
                    service.arn,
                    call.region,
                    service.cluster_name,
                    service.name,
                    str(primary.get("id")),
                    arn,
                    desired,
                    replace=False,
                    asked=now,
                )
        answer["taskDefinition"] = arn
        answer["deployments"] = [_deployment_json(d) for d in service.deployments]
        self._view.merge_service(answer)
        return Reply.json(data)

    @staticmethod
    def _new_deployment(
        service: Any, arn: str, desired: int, now: float, primary: dict[str, Any] | None
    ) -> dict[str, Any]:
        deployment_id = f"ecs-svc/{random.randrange(10**18, 10**19)}"
        return {
            "id": deployment_id,
            "status": "PRIMARY",
            "taskDefinition": arn,
            "desiredCount": desired,
            "pendingCount": 0,
            "runningCount": 0,
            "failedTasks": 0,
            "createdAt": _moment(now),
            "updatedAt": _moment(now),
            "launchType": service.launch_type,
            "platformVersion": (primary or {}).get("platformVersion"),
            "platformFamily": (primary or {}).get("platformFamily"),
            "networkConfiguration": (primary or {}).get("networkConfiguration"),
            "rolloutState": "IN_PROGRESS",
            "rolloutStateReason": f"ECS deployment {deployment_id} in progress.",
        }

    # -- the clock ---------------------------------------------------------------------------
    def advance(self, now: float) -> None:
        """Start the tasks of new rollouts; settle the ones whose tasks started a while ago."""
        with self._lock:
            for rollout in list(self._rollouts.values()):
                service = moto_state.ecs_service(
                    self._account, rollout.region, rollout.cluster, rollout.name
                )
                if service is None:
                    del self._rollouts[rollout.service_arn]
                elif rollout.asked > now:
                    # The tick read the time before an UpdateService let go of the lock:
                    # at ``now`` nothing was asked yet, so the next tick starts it (its
                    # tasks and events never predate the call).
                    continue
                elif rollout.settle_at is None:
                    self._start(rollout, service, now)
                elif now >= rollout.settle_at:
                    self._finish(rollout, service, now)
                    del self._rollouts[rollout.service_arn]

    def _start(self, rollout: _Rollout, service: Any, now: float) -> None:
        definition = moto_state.ecs_task_definition(
            self._account, rollout.region, rollout.task_definition
        )
        rollout.settle_at = now + self._settle
        if definition is None:
            return
        running = moto_state.running_service_tasks(service)
        count = rollout.desired if rollout.replace else rollout.desired - len(running)
        events: list[dict[str, Any]] = []
        if count < 0:
            extra = [t.task_arn for t in running[count:]]
            for arn in extra:
                self._stop_drained(rollout, arn, now)
            events.append(
                _event(
                    now,
                    f"(service {rollout.name}) has stopped {len(extra)} running tasks: "
                    f"{_task_list(extra)}.",
                )
            )
            count = 0
        missing = next(
            (i for i in moto_state.task_definition_images(definition) if not self._image_exists(i)),
            None,
        )
        memory = moto_state.task_definition_memory(definition)
        needed = self._memory_needed.get((rollout.region, rollout.cluster, rollout.name))
        if missing is not None:
            rollout.failure = "pull"
        elif needed is not None and memory is not None and memory < needed:
            rollout.failure = "oom"
        for _ in range(count):
            arn = self._run(rollout, service, definition, now)
            rollout.started.append(arn)
            if missing is not None:
                self._stop_unpulled(rollout, arn, definition, missing, now)
        if rollout.started:
            events.insert(
                0,
                _event(
                    now,
                    f"(service {rollout.name}) has started {len(rollout.started)} tasks: "
                    f"{_task_list(rollout.started)}.",
                ),
            )
        up = 0 if missing is not None else len(rollout.started)
        self._count(rollout, service, now, up=up, failed=len(rollout.started) - up)
        self._view.update_service_facts(
            rollout.service_arn,
            events,
            runningCount=len(moto_state.running_service_tasks(service)),
            pendingCount=0,
        )

    def _finish(self, rollout: _Rollout, service: Any, now: float) -> None:
        name = rollout.name
        if rollout.failure == "oom":
            for arn in rollout.started:
                self._stop_oom(rollout, arn, now)
            self._count(rollout, service, now, up=0, failed=len(rollout.started))
            events = [
                _event(now + 0.001, f"(service {name}) {UNSTABLE}"),
                _event(
                    now,
                    f"(service {name}) has stopped {len(rollout.started)} running tasks: "
                    f"{_task_list(rollout.started)}.",
                ),
            ]
        elif rollout.failure == "pull":
            events = [_event(now, f"(service {name}) {UNSTABLE}")]
        else:
            events = []
            if rollout.replace:
                old = [
                    t.task_arn
                    for t in moto_state.running_service_tasks(service)
                    if t.task_arn not in rollout.started
                ]
                for arn in old:
                    self._stop_drained(rollout, arn, now)
                if old:
                    events.append(
                        _event(
                            now,
                            f"(service {name}) has stopped {len(old)} running tasks: "
                            f"{_task_list(old)}.",
                        )
                    )
                self._complete(rollout, service, now)
                events.insert(
                    0,
                    _event(
                        now + 0.001,
                        f"(service {name}) (deployment {rollout.deployment_id}) "
                        "deployment completed.",
                    ),
                )
            events.insert(0, _event(now + 0.002, f"(service {name}) has reached a steady state."))
        self._view.update_service_facts(
            rollout.service_arn,
            events,
            runningCount=len(moto_state.running_service_tasks(service)),
            pendingCount=0,
        )

    # -- deployments -------------------------------------------------------------------------
    def _count(self, rollout: _Rollout, service: Any, now: float, up: int, failed: int) -> None:
        """Set the running counts of the deployments: this one's tasks, the others' by revision.

        Tasks of a revision no other deployment runs count for the newest other one.
        """
        old = [
            t
            for t in moto_state.running_service_tasks(service)
            if t.task_arn not in rollout.started
        ]
        deployments = moto_state.service_deployments(service)
        others = [d for d in deployments if d.get("id") != rollout.deployment_id]
        left = list(old)
        for deployment in others:
            mine = [t for t in left if t.task_definition_arn == deployment.get("taskDefinition")]
            deployment.update(runningCount=len(mine), pendingCount=0)
            left = [t for t in left if t not in mine]
        if others and left:
            others[0]["runningCount"] += len(left)
        # ECS drops a deployment that is no longer PRIMARY once it has no task left.
        deployments = [
            d
            for d in deployments
            if d.get("id") == rollout.deployment_id or d.get("runningCount", 0) > 0
        ]
        for deployment in deployments:
            if deployment.get("id") != rollout.deployment_id:
                continue
            if rollout.replace:
                deployment.update(runningCount=up, pendingCount=0, updatedAt=_moment(now))
            deployment["failedTasks"] = int(deployment.get("failedTasks") or 0) + failed
        moto_state.set_service_deployments(service, rollout.task_definition, deployments)

    def _complete(self, rollout: _Rollout, service: Any, now: float) -> None:
        """The deployment is the only one, its tasks all running, COMPLETED."""
        deployments = moto_state.service_deployments(service)
        mine = [d for d in deployments if d.get("id") == rollout.deployment_id]
        if not mine:
            return
        mine[0].update(
            runningCount=len(rollout.started),
            pendingCount=0,
            rolloutState="COMPLETED",
            rolloutStateReason=f"ECS deployment {rollout.deployment_id} completed.",
            updatedAt=_moment(now),
        )
        moto_state.set_service_deployments(service, rollout.task_definition, mine)

    # -- tasks -------------------------------------------------------------------------------
    def _run(self, rollout: _Rollout, service: Any, definition: Any, now: float) -> str:
        """Start one task of the deployment in moto; it runs (until told otherwise)."""
        extra: dict[str, Any] = {}
        if service.network_configuration:
            extra["networkConfiguration"] = service.network_configuration
        task = self._clients.get("ecs", rollout.region).run_task(
            cluster=rollout.cluster,
            taskDefinition=definition.arn,
            launchType=service.launch_type or "FARGATE",
            startedBy=rollout.deployment_id,
            group=f"service:{rollout.name}",
            count=1,
            **extra,
        )["tasks"][0]
        arn = str(task["taskArn"])
        names = [str(c.get("name")) for c in definition.container_definitions]
        self._view.task_facts(
            arn,
            {
                "lastStatus": "RUNNING",
                "desiredStatus": "RUNNING",
                "cpu": str(definition.cpu or ""),
                "memory": str(moto_state.task_definition_memory(definition) or ""),
                "healthStatus": "HEALTHY",
                "platformVersion": "1.4.0",
                "connectivity": "CONNECTED",
                "createdAt": round(now, 3),
                "pullStartedAt": round(now, 3),
                "pullStoppedAt": round(now, 3),
                "startedAt": round(now, 3),
                "containers": {
                    n: {"lastStatus": "RUNNING", "exitCode": None, "healthStatus": "HEALTHY"}
                    for n in names
                },
            },
        )
        return arn

    def _stop(
        self,
        rollout: _Rollout,
        arn: str,
        now: float,
        reason: str,
        stop_code: str,
        containers: dict[str, Any],
    ) -> None:
        self._clients.get("ecs", rollout.region).stop_task(
            cluster=rollout.cluster, task=arn, reason=reason
        )
        self._view.merge_task_facts(
            arn,
            {
                "lastStatus": "STOPPED",
                "desiredStatus": "STOPPED",
                "healthStatus": "UNKNOWN",
                "stopCode": stop_code,
                "stoppingAt": round(now, 3),
                "executionStoppedAt": round(now, 3),
                "stoppedAt": round(now, 3),
                "containers": containers,
            },
        )

    def _names(self, rollout: _Rollout, arn: str) -> list[str]:
        task = self._clients.get("ecs", rollout.region).describe_tasks(
            cluster=rollout.cluster, tasks=[arn]
        )["tasks"]
        return [str(c.get("name")) for t in task for c in t.get("containers", [])]

    def _stop_drained(self, rollout: _Rollout, arn: str, now: float) -> None:
        """Stopped by the scheduler: the deployment replaced it, or the service scaled in."""
        stopped = {"lastStatus": "STOPPED", "exitCode": 0, "healthStatus": "UNKNOWN"}
        self._stop(
            rollout,
            arn,
            now,
            f"Scaling activity initiated by (deployment {rollout.deployment_id})",
            "ServiceSchedulerInitiated",
            {n: dict(stopped) for n in self._names(rollout, arn)},
        )

    def _stop_unpulled(
        self, rollout: _Rollout, arn: str, definition: Any, image: str, now: float
    ) -> None:
        """Never started: its image is not in the registry."""
        containers = {
            str(c.get("name")): {
                "lastStatus": "STOPPED",
                "exitCode": None,
                "healthStatus": "UNKNOWN",
                "reason": f"CannotPullContainerError: failed to resolve ref {image}: not found",
            }
            for c in definition.container_definitions
        }
        self._stop(
            rollout,
            arn,
            now,
            "CannotPullContainerError: pull image manifest has been retried 5 time(s): "
            f"failed to resolve ref {image}: {image}: not found",
            "TaskFailedToStart",
            containers,
        )

    def _stop_oom(self, rollout: _Rollout, arn: str, now: float) -> None:
        """Killed: the container needs more memory than the task has."""
        killed = {
            "lastStatus": "STOPPED",
            "exitCode": 137,
            "healthStatus": "UNKNOWN",
            "reason": OOM_REASON,
        }
        self._stop(
            rollout,
            arn,
            now,
            "Essential container in task exited",
            "EssentialContainerExited",
            {n: dict(killed) for n in self._names(rollout, arn)},
        )
