"""ECS answers with what moto cannot hold: task timings, exit codes, service events.

moto keeps clusters, services, task definitions and tasks (with ``stoppedReason``),
but its containers never exit (``exitCode`` 0, ``lastStatus`` PENDING), tasks have
no timestamps or ``stopCode``, services have no events and count every task as
pending, and a deployment is stamped with the time of moto's CreateService (the
world's start). The world records those facts at seeding and merges them into
answers; ``demo.ecs_rollout`` adds the facts of the tasks and deployments that an
UpdateService starts.
"""

from __future__ import annotations

import threading
from typing import Any

from demo.gateway import Call, Forward, Reply, Route

_PREFIX = "AmazonEC2ContainerServiceV20141113."


class EcsView:
    """Overlays for tasks (by ARN) and services (by ARN)."""

    def __init__(self) -> None:
        # A service or task changes in two stores, moto's objects and these facts, so every
        # change of ECS state the world makes, and every answer of DescribeServices and
        # DescribeTasks, holds ``changing``: a reader sees both stores from one moment,
        # never the events of a step beside the counts from before it.
        self.changing = threading.RLock()
        self._lock = threading.Lock()  # guards these dicts (taken inside ``changing``)
        self._tasks: dict[str, dict[str, Any]] = {}
        self._services: dict[str, dict[str, Any]] = {}
        self._deployed: dict[str, float] = {}  # seeded deployment id -> createdAt (epoch s)

    def task_facts(self, task_arn: str, facts: dict[str, Any]) -> None:
        """Fields to merge into this task; ``containers`` is keyed by container name."""
        with self._lock:
            self._tasks[task_arn] = facts

    def merge_task_facts(self, task_arn: str, facts: dict[str, Any]) -> None:
        """Merge fields into this task's facts (a container's into that container's)."""
        with self._lock:
            known = self._tasks.setdefault(task_arn, {})
            containers = dict(known.get("containers", {}))
            for name, shape in facts.get("containers", {}).items():
                containers[name] = {**containers.get(name, {}), **shape}
            known.update({k: v for k, v in facts.items() if k != "containers"})
            known["containers"] = containers

    def service_facts(self, service_arn: str, facts: dict[str, Any]) -> None:
        """Fields to merge into this service (``events`` newest first)."""
        with self._lock:
            self._services[service_arn] = facts

    def update_service_facts(
        self, service_arn: str, events: list[dict[str, Any]], **fields: Any
    ) -> None:
        """Add ``events`` (newest first) before the service's and set ``fields``."""
        with self._lock:
            facts = self._services.setdefault(service_arn, {"events": []})
            facts.update(fields)
            facts["events"] = [*events, *facts.get("events", [])]

    def service_fact(self, service_arn: str, name: str) -> Any:
        """One recorded field of the service (None when not recorded)."""
        with self._lock:
            return self._services.get(service_arn, {}).get(name)

    def deployment_time(self, deployment_id: str, at: float) -> None:
        """When this seeded deployment was created (and last updated)."""
        with self._lock:
            self._deployed[deployment_id] = at

    def routes(self) -> dict[str, Route]:
        """Gateway routes for the ECS operations the world augments."""
        return {
            _PREFIX + "DescribeTasks": self._describe_tasks,
            _PREFIX + "DescribeServices": self._describe_services,
        }

    def merge_service(self, service: dict[str, Any]) -> None:
        """Merge the recorded facts into one service of an answer (DescribeServices' shape).

        A seeded deployment gets its time and, while PRIMARY, the service's counts; the
        deployments an UpdateService started carry their own (``demo.ecs_rollout``).
        """
        with self._lock:
            facts = self._services.get(service.get("serviceArn", ""), {})
            service.update({k: v for k, v in facts.items()})
            for deployment in service.get("deployments", []):
                at = self._deployed.get(deployment.get("id", ""))
                if at is None:
                    continue
                deployment["createdAt"] = deployment["updatedAt"] = at
                if deployment.get("status") == "PRIMARY" and "runningCount" in facts:
                    deployment["runningCount"] = facts["runningCount"]
                    deployment["pendingCount"] = facts.get("pendingCount", 0)

    # -- routes ------------------------------------------------------------------------------
    def _describe_tasks(self, call: Call, forward: Forward) -> Reply:
        with self.changing:
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
        with self.changing:
            reply = forward(call)
            if reply.status != 200:
                return reply
            data = reply.data()
            for service in data.get("services", []):
                self.merge_service(service)
        return Reply.json(data)


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
