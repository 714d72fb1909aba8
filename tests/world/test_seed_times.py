"""ECR repository and ECS deployment times are the scenario's, not the world's start."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.support import running_world
from tests.world.helpers import Clients, StartWindow

NOVA = "ap-northeast-1"


def _service(aws: Clients, region: str, cluster: str, name: str) -> dict[str, Any]:
    found: dict[str, Any] = aws("ecs", region).describe_services(cluster=cluster, services=[name])[
        "services"
    ][0]
    return found


def _primary(service: dict[str, Any]) -> dict[str, Any]:
    primary: list[dict[str, Any]] = [d for d in service["deployments"] if d["status"] == "PRIMARY"]
    assert len(primary) == 1
    return primary[0]


def test_repositories_were_created_when_the_scenario_says(aws: Clients) -> None:
    repos = {
        r["repositoryName"]: r["createdAt"]
        for r in aws("ecr", NOVA).describe_repositories()["repositories"]
    }
    assert repos["nova/cdn-service"] == datetime(2025, 11, 5, 9, 12, 44, tzinfo=UTC)
    assert repos["hr-chatbot-backend"] == datetime(2025, 8, 14, 6, 0, 0, tzinfo=UTC)
    mangoo = aws("ecr", "us-east-1").describe_repositories(repositoryNames=["mangoo-backend"])
    assert mangoo["repositories"][0]["createdAt"] == datetime(2025, 9, 2, 13, 5, 11, tzinfo=UTC)


def test_deployments_were_made_when_the_scenario_says(
    aws: Clients, start_window: StartWindow
) -> None:
    frontend = _primary(_service(aws, NOVA, "hr-chatbot-cluster", "frontend-service"))
    assert start_window.holds(frontend["createdAt"], -timedelta(minutes=32))
    assert frontend["updatedAt"] == frontend["createdAt"]
    mangoo = _primary(_service(aws, "us-east-1", "mangoo-cluster", "mangoo-backend-service"))
    assert start_window.holds(mangoo["createdAt"], -timedelta(hours=3, minutes=17))
    query = _service(aws, "ap-southeast-1", "query-service-cluster", "query-service")
    created = datetime(2025, 10, 21, 3, 15, tzinfo=UTC)  # no `deployed`: the service's creation
    assert (query["createdAt"], _primary(query)["createdAt"]) == (created, created)


SCENARIO = """
world: {name: seed times, default_region: us-east-1}
ecr:
  - {name: app, region: us-east-1, images: [{tags: [v1], size: 1000000, pushed: -2d}]}
ecs:
  - region: us-east-1
    cluster: app-cluster
    task_definitions:
      - {family: app, cpu: 256, memory: 512, execution_role: ecsTaskExecutionRole,
         containers: [{name: app, image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v1"}]}
      - {family: app, cpu: 256, memory: 1024, execution_role: ecsTaskExecutionRole,
         containers: [{name: app, image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v1"}]}
    services:
      - {name: app, task_definition: "app:2", desired: 1, deployed: -6h,
         tasks: [{status: RUNNING, started: -6h}]}
"""


def test_an_update_service_gets_a_deployment_of_its_own_time(tmp_path: Path) -> None:
    path = tmp_path / "times.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    before = datetime.now(UTC)
    with running_world(path, point=False, state_dir=tmp_path / "world", timeout=60) as world:
        window = StartWindow(before, datetime.now(UTC))
        aws = Clients(world)
        repo = aws("ecr", "us-east-1").describe_repositories()["repositories"][0]
        assert window.holds(repo["createdAt"], -timedelta(days=30))  # the default
        service = _service(aws, "us-east-1", "app-cluster", "app")
        assert window.holds(service["createdAt"], -timedelta(days=14))  # the default
        assert window.holds(_primary(service)["createdAt"], -timedelta(hours=6))

        called = time.time()
        answer = aws("ecs", "us-east-1").update_service(
            cluster="app-cluster", service="app", taskDefinition="app:1"
        )["service"]
        # ECS times come back as seconds with milliseconds.
        deployed = _primary(_service(aws, "us-east-1", "app-cluster", "app"))
        assert deployed["createdAt"].timestamp() >= called - 0.001
        assert _primary(answer)["createdAt"] == deployed["createdAt"]
