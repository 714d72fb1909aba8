"""ECS seeding: clusters, task definitions, services, and their tasks in moto.

Tasks are run and stopped in moto so that ListTasks/StopTask are real; what moto
cannot hold (exit codes, stop codes, timestamps, service events) goes to EcsView.
The calls go straight to moto's backends (``demo.moto_direct``): a large world has
hundreds of services and tasks, and each HTTP round trip costs more than the work.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from demo import moto_direct
from demo.ecs_view import EcsView
from demo.model import EcsCluster, EcsTask, EcsTaskDefinition


class EcsSeeder:
    """Seeds one ECS cluster per call (clusters can be seeded in parallel)."""

    def __init__(
        self,
        account: str,
        ecs_view: EcsView,
        role_arn: Callable[[str], str],
        direct: AbstractContextManager[Any],
    ) -> None:
        self.account = account
        self.ecs_view = ecs_view
        self._role_arn = role_arn
        self._direct = direct  # held around each write to moto's backends

    def _register(self, ecs: Any, region: str, definition: EcsTaskDefinition) -> None:
        containers = []
        for c in definition.containers:
            spec: dict[str, Any] = {
                "name": c.name,
                "image": c.image,
                "essential": c.essential,
                # moto sums container memory for tasks and fails on a missing value.
                "memory": definition.memory,
                "cpu": definition.cpu,
                "environment": [{"name": k, "value": v} for k, v in c.environment.items()],
            }
            if c.port is not None:
                spec["portMappings"] = [{"containerPort": c.port, "protocol": "tcp"}]
            if c.log_group:
                spec["logConfiguration"] = {
                    "logDriver": "awslogs",
                    "options": {
                        "awslogs-group": c.log_group,
                        "awslogs-region": region,
                        "awslogs-stream-prefix": c.log_stream_prefix or "ecs",
                    },
                }
            if c.health_check:
                spec["healthCheck"] = {
                    "command": ["CMD-SHELL", c.health_check],
                    "interval": 30,
                    "timeout": 5,
                    "retries": 3,
                }
            containers.append(spec)
        ecs.register_task_definition(
            definition.family,
            containers,
            network_mode="awsvpc",
            requires_compatibilities=["FARGATE"],
            cpu=str(definition.cpu),
            memory=str(definition.memory),
            task_role_arn=self._role_arn(definition.task_role) if definition.task_role else None,
            execution_role_arn=self._role_arn(definition.execution_role),
        )

    def seed_cluster(self, cluster: EcsCluster) -> None:
        """Create the cluster, its task definitions, services and tasks."""
        with self._direct:
            subnet, group = moto_direct.default_network(self.account, cluster.region)
        network = {
            "awsvpcConfiguration": {
                "subnets": [subnet],
                "securityGroups": [group],
                "assignPublicIp": "DISABLED",
            }
        }
        ecs = moto_direct.ecs_backend(self.account, cluster.region)
        with self._direct:
            ecs.create_cluster(cluster.name)
            for definition in cluster.task_definitions:
                self._register(ecs, cluster.region, definition)
        for service in cluster.services:
            with self._direct:
                created = ecs.create_service(
                    cluster.name,
                    service.name,
                    service.desired,
                    service.task_definition,
                    launch_type=service.launch_type,
                    network_configuration=network,
                )
                task_ids = [
                    self._task(ecs, cluster, service.name, task, network) for task in service.tasks
                ]
            for deployment in created.deployments:
                self.ecs_view.deployment_time(deployment["id"], service.deployed_at.timestamp())
            running = sum(1 for t in service.tasks if t.status == "RUNNING")
            events = []
            for index, event in enumerate(service.events):
                message = event.message
                for number, task_id in enumerate(task_ids):
                    message = message.replace(f"{{task{number}}}", task_id)
                events.append(
                    {
                        "id": f"{index:04d}-{zlib.crc32(message.encode()):08x}",
                        "createdAt": event.at.timestamp(),
                        "message": message,
                    }
                )
            self.ecs_view.service_facts(
                created.arn,
                {
                    "events": events,
                    "runningCount": running,
                    "pendingCount": 0,
                    "createdAt": service.created_at.timestamp(),
                },
            )

    def _task(
        self, ecs: Any, cluster: EcsCluster, service: str, task: EcsTask, network: dict[str, Any]
    ) -> str:
        started = ecs.run_task(
            cluster.name,
            task.task_definition,
            1,
            None,
            f"ecs-svc/{zlib.crc32(service.encode())}",
            None,
            "FARGATE",
            network,
            group=f"service:{service}",
        )[0]
        arn = str(started.task_arn)
        if task.status == "STOPPED":
            ecs.stop_task(cluster.name, arn, task.stopped_reason or "")
        family, _, revision = task.task_definition.partition(":")
        definition = [d for d in cluster.task_definitions if d.family == family][
            int(revision or 1) - 1
        ]
        created = task.started_at or task.stopped_at
        facts: dict[str, Any] = {
            "lastStatus": task.status,
            "desiredStatus": task.status,
            "cpu": str(definition.cpu),
            "memory": str(definition.memory),
            "healthStatus": "HEALTHY" if task.status == "RUNNING" else "UNKNOWN",
            "platformVersion": "1.4.0",
            "connectivity": "CONNECTED",
        }
        if created is not None:
            facts["createdAt"] = created.timestamp() - 20
        if task.started_at is not None:
            facts["startedAt"] = facts["pullStoppedAt"] = task.started_at.timestamp()
        if task.stopped_at is not None:
            facts.update(
                stoppedAt=task.stopped_at.timestamp(),
                stopCode=task.stop_code,
                stoppingAt=task.stopped_at.timestamp() - 2,
                executionStoppedAt=task.stopped_at.timestamp() - 2,
            )
        containers: dict[str, Any] = {}
        for c in definition.containers:
            state = task.containers.get(c.name)
            # None removes moto's field: a running or never-started container has no exit code.
            shape: dict[str, Any] = {
                "lastStatus": task.status,
                "exitCode": None,
                "healthStatus": "HEALTHY" if task.status == "RUNNING" else "UNKNOWN",
            }
            if state is not None:
                if state.exit_code is not None:
                    shape["exitCode"] = state.exit_code
                if state.reason:
                    shape["reason"] = state.reason
            containers[c.name] = shape
        facts["containers"] = containers
        self.ecs_view.task_facts(arn, facts)
        return str(arn.rsplit("/", 1)[-1])
