"""A small incident world seeded into a plain moto server (ECR, ECS, Lambda, CodeBuild).

Used until (and besides) the demo world: it gives the fetchers real HTTP
answers for the facts the cloud tests assert on.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import boto3

ACCOUNT = "123456789012"
TOKYO = "ap-northeast-1"
SINGAPORE = "ap-southeast-1"
VIRGINIA = "us-east-1"
FEED_RUNTIME = 55_520_661
FEED_BUILDCACHE = 1_225_557_261


def registry(region: str) -> str:
    """The ECR registry host of the test account in ``region``."""
    return f"{ACCOUNT}.dkr.ecr.{region}.amazonaws.com"


def _digest(seed: str) -> str:
    return "sha256:" + hashlib.sha256(seed.encode()).hexdigest()


def manifest(size: int, seed: str) -> str:
    """An image manifest moto reports as ``size`` bytes."""
    return json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
            "config": {
                "mediaType": "application/vnd.docker.container.image.v1+json",
                "size": size,
                "digest": _digest(seed + "/config"),
            },
            "layers": [
                {
                    "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                    "size": size,
                    "digest": _digest(seed),
                }
            ],
        }
    )


def _client(service: str, region: str, endpoint: str) -> Any:
    return boto3.client(
        service,  # type: ignore[call-overload]
        region_name=region,
        endpoint_url=endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def _push(ecr: Any, repository: str, size: int, seed: str, tags: list[str]) -> None:
    for tag in tags:
        ecr.put_image(repositoryName=repository, imageManifest=manifest(size, seed), imageTag=tag)


def _pushed_earlier(repository: str, tag: str, seconds: int) -> None:
    """Date the push of ``repository:tag`` back by ``seconds``: the seeded history.

    moto stamps a push with the current second, so two pushes in one second tie; the
    server runs in this process, so its record is set as a scenario's push time would be.
    """
    from moto.backends import get_backend

    images = get_backend("ecr")[ACCOUNT][TOKYO].repositories[repository].images
    image = next(i for i in images if tag in i.image_tags)
    image.image_pushed_at -= seconds


def seed(endpoint: str) -> None:
    """Reset moto and load the test world."""
    import urllib.request

    urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST"))
    ecr = _client("ecr", TOKYO, endpoint)
    for name in (
        "nova/feed-service",
        "nova/cdn-service",
        "hr-chatbot-backend",
        "hr-chatbot-frontend",
    ):
        ecr.create_repository(repositoryName=name)
    _push(ecr, "nova/feed-service", FEED_RUNTIME, "feed-1", ["459aa29d", "latest"])
    _push(ecr, "nova/feed-service", FEED_BUILDCACHE, "feed-cache", ["buildcache"])
    _push(ecr, "nova/cdn-service", 53_041_011, "cdn-1", ["ad82d6c3"])
    _push(ecr, "hr-chatbot-backend", 210_000_000, "hr-b", ["v0.5.0"])
    _push(ecr, "hr-chatbot-backend", 212_000_000, "hr-b6", ["v0.6.0"])
    _pushed_earlier("hr-chatbot-backend", "v0.5.0", 3600)  # v0.6.0 is the newer one
    _push(ecr, "hr-chatbot-frontend", 90_000_000, "hr-f", ["v3"])
    ecr.put_lifecycle_policy(
        repositoryName="hr-chatbot-backend",
        lifecyclePolicyText=json.dumps(
            {
                "rules": [
                    {
                        "rulePriority": 1,
                        "description": "expire untagged images after 7 days",
                        "selection": {
                            "tagStatus": "untagged",
                            "countType": "sinceImagePushed",
                            "countUnit": "days",
                            "countNumber": 7,
                        },
                        "action": {"type": "expire"},
                    }
                ]
            }
        ),
    )
    ecr_sg = _client("ecr", SINGAPORE, endpoint)
    ecr_sg.create_repository(
        repositoryName="query-service", imageScanningConfiguration={"scanOnPush": True}
    )
    _push(ecr_sg, "query-service", 80_000_000, "qs", ["latest"])

    iam = _client("iam", TOKYO, endpoint)
    role = iam.create_role(RoleName="lambda-role", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    _client("lambda", TOKYO, endpoint).create_function(
        FunctionName="hr-chatbot-backend",
        Role=role,
        PackageType="Image",
        Code={"ImageUri": f"{registry(TOKYO)}/hr-chatbot-backend:v0.6.0"},
        MemorySize=1024,
        Timeout=30,
    )
    _ecs_service(
        endpoint,
        TOKYO,
        cluster="hr-chatbot-cluster",
        service="frontend-service",
        family="hr-chatbot-frontend",
        image=f"{registry(TOKYO)}/hr-chatbot-frontend:latest",
        cpu="512",
        memory="1024",
        stopped_reason=(
            "CannotPullContainerError: pull image manifest has been retried 5 time(s): "
            "failed to resolve ref hr-chatbot-frontend:latest: not found"
        ),
    )
    _ecs_service(
        endpoint,
        SINGAPORE,
        cluster="query-service-cluster",
        service="query-service",
        family="query-service",
        image=f"{registry(SINGAPORE)}/query-service:latest",
        cpu="256",
        memory="512",
        stopped_reason="OutOfMemoryError: Container killed due to memory usage",
    )
    codebuild = _client("codebuild", VIRGINIA, endpoint)
    codebuild.create_project(
        name="mangoo-build-deploy",
        source={"type": "GITHUB", "location": "https://github.com/mangoo/mangoo.git"},
        artifacts={"type": "NO_ARTIFACTS"},
        environment={
            "type": "LINUX_CONTAINER",
            "image": "aws/codebuild/standard:7.0",
            "computeType": "BUILD_GENERAL1_MEDIUM",
        },
        serviceRole=f"arn:aws:iam::{ACCOUNT}:role/mangoo-codebuild",
        logsConfig={"cloudWatchLogs": {"status": "ENABLED", "groupName": "/aws/codebuild/mangoo"}},
    )
    for _ in range(3):
        codebuild.start_build(projectName="mangoo-build-deploy", sourceVersion="main")


def _ecs_service(
    endpoint: str,
    region: str,
    *,
    cluster: str,
    service: str,
    family: str,
    image: str,
    cpu: str,
    memory: str,
    stopped_reason: str,
) -> None:
    ecs = _client("ecs", region, endpoint)
    ecs.create_cluster(clusterName=cluster)
    ecs.register_task_definition(
        family=family,
        cpu=cpu,
        memory=memory,
        requiresCompatibilities=["FARGATE"],
        networkMode="awsvpc",
        containerDefinitions=[
            {
                "name": service,
                "image": image,
                "cpu": int(cpu),
                "memory": int(memory),
                "environment": [{"name": "ENVIRONMENT", "value": "production"}],
                "logConfiguration": {
                    "logDriver": "awslogs",
                    "options": {
                        "awslogs-group": f"/ecs/{family}",
                        "awslogs-stream-prefix": "ecs",
                        "awslogs-region": region,
                    },
                },
            }
        ],
    )
    ecs.create_service(
        cluster=cluster,
        serviceName=service,
        taskDefinition=family,
        desiredCount=2,
        launchType="FARGATE",
    )
    subnet = _client("ec2", region, endpoint).describe_subnets()["Subnets"][0]["SubnetId"]
    task = ecs.run_task(
        cluster=cluster,
        taskDefinition=family,
        launchType="FARGATE",
        group=f"service:{service}",
        startedBy="ecs-svc/1",
        count=1,
        networkConfiguration={"awsvpcConfiguration": {"subnets": [subnet], "securityGroups": []}},
    )["tasks"][0]
    ecs.stop_task(cluster=cluster, task=task["taskArn"], reason=stopped_reason)
