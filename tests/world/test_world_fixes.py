"""The fixes the console applies change AWS, and the world answers as AWS does after them.

Each fix is applied with plain boto3, as ``aws`` would. The world of this module is its
own: the session's world keeps its incidents for the other tests.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from tests.support import running_world
from tests.world.helpers import Clients, eventually

NOVA = "ap-northeast-1"
QUERY = "ap-southeast-1"
REGISTRY = "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com"
LAMBDA_GROUP = "/aws/lambda/hr-chatbot-backend"
OOM_GROUP, OOM_STREAM = "/ecs/query-service", "ecs/ecs-handler/run-current"
# shipdeck's lambda-errors-after-update counts these lines after the function's LastModified.
ERROR = re.compile(r"\[ERROR\]|\bERROR\b|Traceback|Exception|Task timed out", re.IGNORECASE)
# Keys of a task definition that RegisterTaskDefinition takes back (as resize-task copies).
TD_KEYS = (
    "family",
    "taskRoleArn",
    "executionRoleArn",
    "networkMode",
    "containerDefinitions",
    "requiresCompatibilities",
    "cpu",
)


@pytest.fixture(scope="module")
def aws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Clients]:
    state = tmp_path_factory.mktemp("fixed-world")
    with running_world(speed="10", point=False, state_dir=state, timeout=60) as world:
        yield Clients(world)


def _ms(at: datetime | str) -> int:
    if isinstance(at, str):  # Lambda's 2025-11-11T04:39:26.000+0000
        at = datetime.strptime(at, "%Y-%m-%dT%H:%M:%S.%f%z")
    return int(at.timestamp() * 1000)


def _messages(aws: Clients, region: str, group: str, since_ms: int, **match: Any) -> list[str]:
    pages = aws("logs", region).get_paginator("filter_log_events")
    return [
        e["message"]
        for page in pages.paginate(logGroupName=group, startTime=since_ms, **match)
        for e in page["events"]
    ]


def _service(ecs: Any, cluster: str, name: str) -> dict[str, Any]:
    found: dict[str, Any] = ecs.describe_services(cluster=cluster, services=[name])["services"][0]
    return found


def _settled(ecs: Any, cluster: str, name: str) -> dict[str, Any] | None:
    """The service once its one deployment COMPLETED (None while it rolls out)."""
    service = _service(ecs, cluster, name)
    deployments = service["deployments"]
    if len(deployments) == 1 and deployments[0]["rolloutState"] == "COMPLETED":
        return service
    return None


def _tasks(ecs: Any, cluster: str, name: str, status: str) -> list[dict[str, Any]]:
    arns = ecs.list_tasks(cluster=cluster, serviceName=name, desiredStatus=status)["taskArns"]
    if not arns:
        return []
    found: list[dict[str, Any]] = ecs.describe_tasks(cluster=cluster, tasks=arns)["tasks"]
    return found


def _events_since(service: dict[str, Any], at: float) -> list[str]:
    return [e["message"] for e in service["events"] if e["createdAt"].timestamp() >= at - 0.001]


def test_lambda_rollback_turns_its_log_healthy(aws: Clients) -> None:
    answer = aws("lambda", NOVA).update_function_code(
        FunctionName="hr-chatbot-backend", ImageUri=f"{REGISTRY}/hr-chatbot-backend:v0.5.0"
    )
    changed = _ms(answer["LastModified"])

    def two_requests_answered() -> list[str] | None:
        lines = _messages(aws, NOVA, LAMBDA_GROUP, changed)
        return lines if sum(line.startswith("REPORT ") for line in lines) >= 2 else None

    lines = eventually(two_requests_answered)
    assert "[INFO] answered in 1.2 s" in lines
    assert [line for line in lines if ERROR.search(line)] == []
    # The frontend's calls to the backend stop failing too.
    frontend = eventually(
        lambda: _messages(aws, NOVA, "/ecs/hr-chatbot-frontend", changed), timeout=20
    )
    assert all(line.startswith("POST /api/chat -> backend 200") for line in frontend), frontend


def test_query_service_with_enough_memory_runs_and_its_oom_log_stops(aws: Clients) -> None:
    ecs = aws("ecs", QUERY)
    old = ecs.describe_task_definition(taskDefinition="query-service:1")["taskDefinition"]
    bigger = ecs.register_task_definition(
        **{k: old[k] for k in TD_KEYS if k in old}, memory="1024"
    )["taskDefinition"]["taskDefinitionArn"]
    called = time.time()
    ecs.update_service(
        cluster="query-service-cluster", service="query-service", taskDefinition=bigger
    )

    service = eventually(lambda: _settled(ecs, "query-service-cluster", "query-service"))
    assert service["taskDefinition"] == bigger
    assert (service["runningCount"], service["desiredCount"], service["pendingCount"]) == (2, 2, 0)
    primary = service["deployments"][0]
    assert (primary["status"], primary["taskDefinition"], primary["runningCount"]) == (
        "PRIMARY",
        bigger,
        2,
    )
    assert primary["createdAt"].timestamp() >= called - 0.001
    events = _events_since(service, called)
    assert events[0] == "(service query-service) has reached a steady state."
    assert (
        events[1] == f"(service query-service) (deployment {primary['id']}) deployment completed."
    )
    assert events[2].startswith("(service query-service) has stopped 1 running tasks: (task ")
    assert events[3].startswith("(service query-service) has started 2 tasks: (task ")

    running = _tasks(ecs, "query-service-cluster", "query-service", "RUNNING")
    assert [(t["taskDefinitionArn"], t["lastStatus"]) for t in running] == [(bigger, "RUNNING")] * 2
    assert all(t["startedAt"].timestamp() >= called - 0.001 for t in running)
    drained = [
        t
        for t in _tasks(ecs, "query-service-cluster", "query-service", "STOPPED")
        if t.get("stopCode") == "ServiceSchedulerInitiated"
    ]
    assert [t["taskDefinitionArn"].rsplit("/", 1)[-1] for t in drained] == ["query-service:1"]
    assert (
        drained[0]["stoppedReason"] == f"Scaling activity initiated by (deployment {primary['id']})"
    )

    # The OOM-pressed task is gone, so its stream stops. It wrote every 3 s (30 s / speed
    # 10); the Mangoo stream writes every 2 s: three of its lines span more than 4 s.
    logs = aws("logs", QUERY)
    written = logs.get_log_events(logGroupName=OOM_GROUP, logStreamName=OOM_STREAM)["events"]
    since = int(time.time() * 1000)
    eventually(
        lambda: len(_messages(aws, "us-east-1", "/ecs/mangoo-backend", since)) >= 3, timeout=20
    )
    after = logs.get_log_events(logGroupName=OOM_GROUP, logStreamName=OOM_STREAM)["events"]
    assert after == written

    # Its CPU comes down with the old task gone, and CloudWatch's alarm goes back to OK.
    cloudwatch = aws("cloudwatch", QUERY)

    def calm() -> dict[str, Any] | None:
        found = cloudwatch.describe_alarms(AlarmNames=["ECS-HighCPU"])["MetricAlarms"][0]
        return found if found["StateValue"] == "OK" else None

    alarm = eventually(calm, timeout=120)
    assert "not greater than the threshold (70.0)" in alarm["StateReason"]
    newest = cloudwatch.describe_alarm_history(AlarmName="ECS-HighCPU")["AlarmHistoryItems"][0]
    assert newest["HistorySummary"] == "Alarm updated from ALARM to OK"


def test_frontend_rollback_to_revision_3_completes(aws: Clients) -> None:
    ecs = aws("ecs", NOVA)
    called = time.time()
    answer = ecs.update_service(
        cluster="hr-chatbot-cluster",
        service="frontend-service",
        taskDefinition="hr-chatbot-frontend:3",
    )["service"]
    revision_3 = "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/hr-chatbot-frontend:3"
    assert answer["taskDefinition"] == revision_3
    assert [
        (d["status"], d["taskDefinition"].rsplit("/", 1)[-1]) for d in answer["deployments"]
    ] == [
        ("PRIMARY", "hr-chatbot-frontend:3"),
        ("ACTIVE", "hr-chatbot-frontend:4"),
    ]
    assert answer["deployments"][0]["rolloutState"] == "IN_PROGRESS"

    service = eventually(lambda: _settled(ecs, "hr-chatbot-cluster", "frontend-service"))
    assert service["taskDefinition"] == revision_3
    primary = service["deployments"][0]
    assert (primary["taskDefinition"], primary["runningCount"], primary["desiredCount"]) == (
        revision_3,
        1,
        1,
    )
    assert (service["runningCount"], service["desiredCount"]) == (1, 1)
    assert "(service frontend-service) has reached a steady state." in _events_since(
        service, called
    )
    running = _tasks(ecs, "hr-chatbot-cluster", "frontend-service", "RUNNING")
    assert [t["taskDefinitionArn"] for t in running] == [revision_3]
    assert running[0]["startedAt"].timestamp() >= called - 0.001


SCENARIO = """
world: {name: rollouts, default_region: us-east-1}
ecr:
  - {name: app, region: us-east-1, images: [{tags: [v1], size: 1000000, pushed: -2d}]}
ecs:
  - region: us-east-1
    cluster: app-cluster
    task_definitions:
      - {family: app, cpu: 256, memory: 512,
         containers: [{name: app, image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v1"}]}
      - {family: app, cpu: 256, memory: 1024,
         containers: [{name: app, image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v2"}]}
      - {family: app, cpu: 256, memory: 768,
         containers: [{name: app, image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v1"}]}
    services:
      - {name: app, task_definition: "app:1", desired: 2, memory_needed: 1024,
         tasks: [{status: RUNNING, started: -1h, count: 2}]}
"""


def _failed_rollout(ecs: Any, revision: str) -> dict[str, Any]:
    """Deploy ``revision`` and wait until ECS gives up on starting its tasks."""
    called = time.time()
    answer = ecs.update_service(cluster="app-cluster", service="app", taskDefinition=revision)
    # From the call on, the old tasks count for their deployment, as for the service; a
    # failed deployment without a task left is gone.
    begun = [(d["status"], d["runningCount"]) for d in answer["service"]["deployments"]]
    assert begun == [("PRIMARY", 0), ("ACTIVE", 2)]

    def unstable() -> dict[str, Any] | None:
        service = _service(ecs, "app-cluster", "app")
        return (
            service
            if any("unable to consistently" in m for m in _events_since(service, called))
            else None
        )

    service = eventually(unstable)
    primary, old = service["deployments"]
    assert (primary["status"], primary["rolloutState"]) == ("PRIMARY", "IN_PROGRESS")
    assert (primary["runningCount"], primary["failedTasks"]) == (0, 2)
    assert (old["status"], old["runningCount"]) == ("ACTIVE", 2)
    assert service["runningCount"] == 2  # the old tasks go on
    return service


def test_a_deployment_that_cannot_start_leaves_the_old_tasks_running(tmp_path: Path) -> None:
    path = tmp_path / "rollouts.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    with running_world(
        path, speed="10", point=False, state_dir=tmp_path / "w", timeout=60
    ) as world:
        ecs = Clients(world)("ecs", "us-east-1")

        _failed_rollout(ecs, "app:2")  # its image v2 was never pushed
        stopped = [
            t
            for t in _tasks(ecs, "app-cluster", "app", "STOPPED")
            if t["taskDefinitionArn"].endswith(":2")
        ]
        assert [t["stopCode"] for t in stopped] == ["TaskFailedToStart"] * 2
        assert stopped[0]["stoppedReason"].startswith("CannotPullContainerError: ")
        assert stopped[0]["containers"][0]["reason"].endswith("app:v2: not found")

        _failed_rollout(ecs, "app:3")  # 768 MiB: less than the 1024 the app needs
        killed = [
            t
            for t in _tasks(ecs, "app-cluster", "app", "STOPPED")
            if t["taskDefinitionArn"].endswith(":3")
        ]
        assert [t["containers"][0]["exitCode"] for t in killed] == [137, 137]
        assert killed[0]["containers"][0]["reason"].startswith("OutOfMemoryError")
        running = _tasks(ecs, "app-cluster", "app", "RUNNING")
        assert [t["taskDefinitionArn"].rsplit("/", 1)[-1] for t in running] == ["app:1", "app:1"]

        scaled = ecs.update_service(cluster="app-cluster", service="app", desiredCount=3)
        assert len(scaled["service"]["deployments"]) == 2  # no new deployment for a count
