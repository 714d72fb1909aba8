"""ECS answers with what moto cannot hold: task timings, exit codes, service events.

moto keeps clusters, services, task definitions and tasks (with ``stoppedReason``),
but its containers never exit (``exitCode`` 0, ``lastStatus`` PENDING), tasks have
no timestamps or ``stopCode``, services have no events and count every task as
pending. The world records those facts at seeding and merges them into answers.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from demo.gateway import Call, Forward, Reply, Route

_PREFIX = "AmazonEC2ContainerServiceV20141113."
SETTLE_SECONDS = 3.0


class EcsView:
    """Overlays for tasks (by ARN) and services (by ARN), and services settling after updates."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tasks: dict[str, dict[str, Any]] = {}
        self._services: dict[str, dict[str, Any]] = {}
        self._settling: dict[str, tuple[float, int, str]] = {}

    def task_facts(self, task_arn: str, facts: dict[str, Any]) -> None:
        """Fields to merge into this task; ``containers`` is keyed by container name."""
        with self._lock:
            self._tasks[task_arn] = facts

    def service_facts(self, service_arn: str, facts: dict[str, Any]) -> None:
        """Fields to merge into this service (``events`` newest first)."""
        with self._lock:
            self._services[service_arn] = facts

    def routes(self) -> dict[str, Route]:
        """Gateway routes for the ECS operations the world augments."""
        return {
            _PREFIX + "DescribeTasks": self._describe_tasks,
            _PREFIX + "DescribeServices": self._describe_services,
            _PREFIX + "UpdateService": self._update_service,
        }

    # -- clock -------------------------------------------------------------------------------
    def advance(self, now: float) -> None:
        """A service updated a few seconds ago reaches a steady state."""
        with self._lock:
            for arn, (since, desired, name) in list(self._settling.items()):
                if now - since < SETTLE_SECONDS:
                    continue
                del self._settling[arn]
                facts = self._services.setdefault(arn, {"events": []})
                facts.update(runningCount=desired, pendingCount=0)
                facts["events"] = [
                    _event(now, f"(service {name}) has reached a steady state."),
                    _event(now - 1, f"(service {name}) has started {desired} tasks."),
                    *facts.get("events", []),
                ]

    # -- routes ------------------------------------------------------------------------------
    def _describe_tasks(self, call: Call, forward: Forward) -> Reply:
        reply = forward(call)
        if reply.status != 200:
            return reply
        data = reply.data()
        with self._lock:
            for task in data.get("tasks", []):
                facts = self._tasks.get(task.get("taskArn", ""))
                if facts is not None:
                    _merge_task(task, facts)
        return Reply.json(data)

    def _describe_services(self, call: Call, forward: Forward) -> Reply:
        reply = forward(call)
        if reply.status != 200:
            return reply
        data = reply.data()
        with self._lock:
            for service in data.get("services", []):
                facts = self._services.get(service.get("serviceArn", ""), {})
                service.update({k: v for k, v in facts.items()})
                for deployment in service.get("deployments", []):
                    if deployment.get("status") == "PRIMARY" and "runningCount" in facts:
                        deployment["runningCount"] = facts["runningCount"]
                        deployment["pendingCount"] = facts.get("pendingCount", 0)
        return Reply.json(data)

    def _update_service(self, call: Call, forward: Forward) -> Reply:
        reply = forward(call)
        service = reply.data().get("service") if reply.status == 200 else None
        if service:
            with self._lock:
                self._settling[service["serviceArn"]] = (
                    time.time(),
                    int(service.get("desiredCount", 0)),
                    service["serviceName"],
                )
        return reply


def _event(at: float, message: str) -> dict[str, Any]:
    return {"id": f"{int(at * 1000):x}", "createdAt": at, "message": message}


def _merge_task(task: dict[str, Any], facts: dict[str, Any]) -> None:
    """Merge recorded facts, unless the person stopped a task the world thought running."""
    if task.get("lastStatus") == "STOPPED" and facts.get("lastStatus") == "RUNNING":
        return
    containers = facts.get("containers", {})
    task.update({k: v for k, v in facts.items() if k != "containers"})
    for container in task.get("containers", []):
        for key, value in containers.get(container.get("name"), {}).items():
            if value is None:
                container.pop(key, None)
            else:
                container[key] = value
