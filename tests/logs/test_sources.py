"""Resolving sources to log targets against moto: groups, ECS, Lambda, CodeBuild; phase markers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cloud.logs import (
    LogBatch,
    LogEvent,
    PhaseTracker,
    StatusKind,
    ecs_targets,
    lambda_target,
    list_log_groups,
    tail_build,
)
from tests.logs.conftest import REGION

Clients = Callable[[str, str], Any]


def test_list_log_groups_for_a_picker(clients: Clients, new_group: Callable[..., str]) -> None:
    name = new_group("s")
    fetched = list_log_groups(clients, REGION, prefix=name)
    assert [g.name for g in fetched.records] == [name]
    assert fetched.errors == ()


def test_list_log_groups_keeps_errors_as_data(moto_url: str) -> None:
    from tests.logs.conftest import make_client

    def unreachable(service: str, region: str) -> Any:
        return make_client("http://127.0.0.1:9", service, region, retries={"total_max_attempts": 1})

    fetched = list_log_groups(unreachable, REGION)
    assert fetched.records == ()
    assert [e.kind.value for e in fetched.errors] == ["unreachable"]


def test_ecs_service_and_task_streams_come_from_the_task_definition(clients: Clients) -> None:
    ecs = clients("ecs", REGION)
    ecs.create_cluster(clusterName="prod")
    ecs.register_task_definition(
        family="query-service",
        containerDefinitions=[
            {
                "name": "api",
                "image": "nginx",
                "memory": 128,
                "logConfiguration": {
                    "logDriver": "awslogs",
                    "options": {"awslogs-group": "/ecs/query", "awslogs-stream-prefix": "ecs"},
                },
            },
            {"name": "sidecar", "image": "busybox", "memory": 64},
        ],
    )
    ecs.create_service(cluster="prod", serviceName="query", taskDefinition="query-service")
    (service,) = ecs_targets(clients, REGION, "prod", "query")
    assert (service.group, service.stream_prefix, service.streams) == ("/ecs/query", "ecs/api/", ())
    task_arn = "arn:aws:ecs:us-east-1:123456789012:task/prod/0123abcd"
    (task,) = ecs_targets(clients, REGION, "prod", "query", task_id=task_arn)
    assert task.streams == ("ecs/api/0123abcd",)


def test_lambda_function_without_custom_logging_uses_the_default_group(clients: Clients) -> None:
    target = lambda_target(clients, REGION, "thumbnailer")
    assert (target.group, target.label) == ("/aws/lambda/thumbnailer", "lambda thumbnailer")


def test_codebuild_phase_markers_tag_lines_and_become_statuses() -> None:
    lines = [
        "[Container] 2024/05/01 12:00:00.000000 Entering phase INSTALL",
        "[Container] 2024/05/01 12:00:01.000000 Phase complete: INSTALL State: SUCCEEDED",
        "[Container] 2024/05/01 12:00:01.100000 Entering phase BUILD",
        "docker: command not found",
        "[Container] 2024/05/01 12:00:02.000000 Phase complete: BUILD State: FAILED",
    ]
    events = tuple(LogEvent(i, i, "build app:7", "s", text, str(i)) for i, text in enumerate(lines))
    tracker = PhaseTracker("build app:7")
    batch = tracker.annotate(LogBatch(events))
    assert [e.phase for e in batch.events] == ["INSTALL", "INSTALL", "BUILD", "BUILD", "BUILD"]
    assert [(s.text, s.at_ms) for s in batch.statuses] == [
        ("entering phase INSTALL", 0),
        ("phase INSTALL complete: SUCCEEDED", 1),
        ("entering phase BUILD", 2),
        ("phase BUILD complete: FAILED", 4),
    ]
    assert {s.kind for s in batch.statuses} == {StatusKind.PHASE}


def test_build_without_a_cloudwatch_stream_ends_with_a_status(clients: Clients) -> None:
    codebuild = clients("codebuild", REGION)
    codebuild.create_project(
        name="app",
        source={"type": "S3", "location": "bucket/app.zip"},
        artifacts={"type": "NO_ARTIFACTS"},
        environment={
            "type": "LINUX_CONTAINER",
            "image": "aws/codebuild/standard:7.0",
            "computeType": "BUILD_GENERAL1_SMALL",
        },
        serviceRole="arn:aws:iam::123456789012:role/codebuild",
    )
    build_id = codebuild.start_build(projectName="app")["build"]["id"]
    batches = list(tail_build(clients, REGION, build_id, follow=True, status_every=0.05))
    (status,) = [s for b in batches for s in b.statuses]
    assert status.kind is StatusKind.ENDED
    assert "no CloudWatch log (SUCCEEDED)" in status.text
