"""What a person sees in the world's AWS side (plain boto3 over HTTP)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.world.helpers import Clients

NOVA = "ap-northeast-1"


def _images(aws: Clients, repository: str, region: str = NOVA) -> list[dict[str, Any]]:
    pages = (
        aws("ecr", region)
        .get_paginator("describe_images")
        .paginate(repositoryName=repository, PaginationConfig={"PageSize": 2})
    )
    return [detail for page in pages for detail in page["imageDetails"]]


def test_nova_has_twelve_repositories(aws: Clients) -> None:
    repos = aws("ecr").describe_repositories()["repositories"]
    nova = sorted(r["repositoryName"] for r in repos if r["repositoryName"].startswith("nova/"))
    assert len(nova) == 12
    assert "nova/graphql-gateway" in nova


def test_cdn_service_has_no_latest(aws: Clients) -> None:
    tags = {t for d in _images(aws, "nova/cdn-service") for t in d.get("imageTags", [])}
    assert "latest" not in tags
    assert "ad82d6c35dcc97af79055ac7f3ce00094d52f292" in tags


def test_feed_buildcache_size_and_push_time(aws: Clients) -> None:
    images = _images(aws, "nova/feed-service")  # paginated two at a time
    cache = next(d for d in images if "buildcache" in d.get("imageTags", []))
    assert cache["imageSizeInBytes"] == 1_225_557_261
    assert cache["imagePushedAt"] == datetime(2025, 11, 11, 1, 44, 57, tzinfo=UTC)
    newest = next(
        d for d in images if "459aa29d23b384f04716ef42d8de9f85f1da4c65" in d.get("imageTags", [])
    )
    assert newest["imageSizeInBytes"] == 55_520_661


def test_nova_build_is_refused_at_account_level(aws: Clients) -> None:
    with pytest.raises(ClientError) as caught:
        aws("codebuild").start_build(projectName="nova-ecr-build")
    error = caught.value.response["Error"]
    assert error["Code"] == "AccountLimitExceededException"
    assert error["Message"] == "Cannot have more than 0 builds in queue for the account"


def test_linux_large_quota_has_default_but_no_applied_value(aws: Clients) -> None:
    quotas = aws("service-quotas")
    default = quotas.get_aws_default_service_quota(ServiceCode="codebuild", QuotaCode="L-4DDC4A99")
    assert default["Quota"]["Value"] == 15.0
    assert (
        default["Quota"]["QuotaName"] == "Concurrently running builds for Linux/Large environment"
    )
    with pytest.raises(ClientError) as caught:
        quotas.get_service_quota(ServiceCode="codebuild", QuotaCode="L-4DDC4A99")
    assert caught.value.response["Error"]["Code"] == "NoSuchResourceException"
    applied = quotas.list_service_quotas(ServiceCode="codebuild")["Quotas"]
    assert "L-4DDC4A99" not in {q["QuotaCode"] for q in applied}
    mangoo = aws("service-quotas", "us-east-1").get_service_quota(
        ServiceCode="codebuild", QuotaCode="L-4DDC4A99"
    )
    assert mangoo["Quota"]["Value"] == 15.0


def test_nova_project_fields_and_update_round_trip(aws: Clients) -> None:
    codebuild = aws("codebuild")
    project = codebuild.batch_get_projects(names=["nova-ecr-build"])["projects"][0]
    assert project["source"]["location"] == "https://github.com/proerror77/Nova.git"
    assert project["environment"]["computeType"] == "BUILD_GENERAL1_LARGE"
    assert project["environment"]["image"] == "aws/codebuild/standard:7.0"
    assert project["serviceRole"].endswith("role/CodeBuildNovaECRRole")
    assert project["logsConfig"]["cloudWatchLogs"]["groupName"] == "/aws/codebuild/nova-ecr-build"
    assert "concurrentBuildLimit" not in project
    codebuild.update_project(name="nova-ecr-build", concurrentBuildLimit=3)
    project = codebuild.batch_get_projects(names=["nova-ecr-build"])["projects"][0]
    assert project["concurrentBuildLimit"] == 3
    codebuild.update_project(name="nova-ecr-build", concurrentBuildLimit=-1)
    project = codebuild.batch_get_projects(names=["nova-ecr-build"])["projects"][0]
    assert "concurrentBuildLimit" not in project
    groups = aws("logs").describe_log_groups(logGroupNamePrefix="/aws/codebuild/nova")
    assert groups["logGroups"][0]["retentionInDays"] == 30


def test_mangoo_history_shows_the_known_failures(aws: Clients) -> None:
    codebuild = aws("codebuild", "us-east-1")
    ids = codebuild.list_builds_for_project(projectName="mangoo-build-deploy")["ids"]
    builds = codebuild.batch_get_builds(ids=ids)["builds"]
    assert builds[0]["buildNumber"] == max(b["buildNumber"] for b in builds)  # newest first
    statuses = [b["buildStatus"] for b in builds]
    assert statuses.count("SUCCEEDED") >= 3 and "TIMED_OUT" in statuses
    failed = {
        p["phaseType"]: p
        for b in builds
        for p in b["phases"]
        if p.get("phaseStatus") in ("FAILED", "TIMED_OUT")
    }
    assert "npm ci" in failed["INSTALL"]["contexts"][0]["message"]
    assert failed["BUILD"]["phaseStatus"] in ("FAILED", "TIMED_OUT")
    assert "POST_BUILD" in failed
    docker = next(b for b in builds if b["buildNumber"] == 33)
    events = aws("logs", "us-east-1").get_log_events(
        logGroupName=docker["logs"]["groupName"],
        logStreamName=docker["logs"]["streamName"],
        startFromHead=True,
    )["events"]
    text = "\n".join(e["message"] for e in events)
    assert "docker: command not found" in text
    assert "[Container] " in text and "Phase complete: BUILD State: FAILED" in text
    expired = next(b for b in builds if b["buildNumber"] == 35)
    expired_log = aws("logs", "us-east-1").get_log_events(
        logGroupName="/aws/codebuild/mangoo", logStreamName=expired["logs"]["streamName"]
    )
    assert any("authorization token has expired" in e["message"] for e in expired_log["events"])


def test_query_service_tasks_show_oom_and_failed_start(aws: Clients) -> None:
    ecs = aws("ecs", "ap-southeast-1")
    service = ecs.describe_services(cluster="query-service-cluster", services=["query-service"])[
        "services"
    ][0]
    assert service["desiredCount"] == 2 and service["runningCount"] == 1
    assert any("has stopped 1 running tasks" in e["message"] for e in service["events"])
    arns = ecs.list_tasks(cluster="query-service-cluster", desiredStatus="STOPPED")["taskArns"]
    tasks = ecs.describe_tasks(cluster="query-service-cluster", tasks=arns)["tasks"]
    oom = [t for t in tasks if t["containers"][0].get("exitCode") == 137]
    assert len(oom) == 2
    assert (
        oom[0]["containers"][0]["reason"]
        == "OutOfMemoryError: Container killed due to memory usage"
    )
    assert any(t.get("stopCode") == "TaskFailedToStart" for t in tasks)
    definition = ecs.describe_task_definition(taskDefinition="query-service:1")["taskDefinition"]
    assert (definition["cpu"], definition["memory"]) == ("256", "512")
    container = definition["containerDefinitions"][0]
    assert container["name"] == "ecs-handler"
    assert container["portMappings"][0]["containerPort"] == 8000
    assert container["logConfiguration"]["options"]["awslogs-stream-prefix"] == "ecs"


def test_hr_chatbot_frontend_cannot_pull_and_lambda_is_an_image(aws: Clients) -> None:
    ecs = aws("ecs")
    arns = ecs.list_tasks(cluster="hr-chatbot-cluster", desiredStatus="STOPPED")["taskArns"]
    tasks = ecs.describe_tasks(cluster="hr-chatbot-cluster", tasks=arns)["tasks"]
    assert all(t["stoppedReason"].startswith("CannotPullContainerError") for t in tasks)
    revisions = ecs.list_task_definitions(familyPrefix="hr-chatbot-frontend")["taskDefinitionArns"]
    assert len(revisions) == 4
    function = aws("lambda").get_function(FunctionName="hr-chatbot-backend")
    config = function["Configuration"]
    assert (config["MemorySize"], config["Timeout"], config["PackageType"]) == (1024, 30, "Image")
    assert function["Code"]["ImageUri"].endswith("hr-chatbot-backend:v0.6.0")
    names = {s["Name"] for s in aws("secretsmanager").list_secrets()["SecretList"]}
    assert {"hr-chatbot/database", "hr-chatbot/app-secrets"} <= names
    lines = aws("logs").filter_log_events(logGroupName="/aws/lambda/hr-chatbot-backend")["events"]
    text = "\n".join(e["message"] for e in lines)
    assert "Task timed out after 30.03 seconds" in text and "port 5432 failed" in text
