"""The world moves: quota approval unblocks builds, fixes heal pods."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from botocore.exceptions import ClientError
from kubernetes import client as k8s

from tests.world.helpers import Clients, eventually


def test_quota_approval_lets_nova_build_run_with_logs(aws: Clients) -> None:
    quotas, codebuild = aws("service-quotas"), aws("codebuild")
    requested = quotas.request_service_quota_increase(
        ServiceCode="codebuild", QuotaCode="L-4DDC4A99", DesiredValue=2.0
    )["RequestedQuota"]
    assert requested["Status"] == "PENDING"
    with pytest.raises(ClientError):
        codebuild.start_build(projectName="nova-ecr-build")

    def approved() -> bool:
        change = quotas.get_requested_service_quota_change(RequestId=requested["Id"])
        return bool(change["RequestedQuota"]["Status"] == "APPROVED")

    eventually(approved)
    statuses = [
        r["Status"]
        for r in quotas.list_requested_service_quota_change_history(ServiceCode="codebuild")[
            "RequestedQuotas"
        ]
    ]
    assert statuses == ["APPROVED"]
    assert (
        quotas.get_service_quota(ServiceCode="codebuild", QuotaCode="L-4DDC4A99")["Quota"]["Value"]
        == 2.0
    )
    build = codebuild.start_build(projectName="nova-ecr-build")["build"]
    assert build["buildStatus"] == "IN_PROGRESS"

    def phases_seen() -> list[str] | None:
        current = codebuild.batch_get_builds(ids=[build["id"]])["builds"][0]
        return [p["phaseType"] for p in current["phases"]] if current["buildComplete"] else None

    assert eventually(phases_seen)[-3:] == ["UPLOAD_ARTIFACTS", "FINALIZING", "COMPLETED"]
    done = codebuild.batch_get_builds(ids=[build["id"]])["builds"][0]
    assert done["buildStatus"] == "SUCCEEDED"
    log = aws("logs").get_log_events(
        logGroupName=done["logs"]["groupName"],
        logStreamName=done["logs"]["streamName"],
        startFromHead=True,
    )
    text = "\n".join(e["message"] for e in log["events"])
    assert "Entering phase BUILD" in text
    assert "Phase complete: BUILD State: SUCCEEDED" in text


def _cdn_waiting(core: Any) -> list[str]:
    pods = core.list_namespaced_pod("nova-backend", label_selector="app=cdn-service").items
    return [
        p.status.container_statuses[0].state.waiting.reason
        for p in pods
        if p.status.container_statuses[0].state.waiting
    ]


def test_retag_latest_heals_cdn_service(aws: Clients, core: Any, apps: Any) -> None:
    assert _cdn_waiting(core) == ["ImagePullBackOff"]
    ecr = aws("ecr")
    tag = "ad82d6c35dcc97af79055ac7f3ce00094d52f292"
    image = ecr.batch_get_image(repositoryName="nova/cdn-service", imageIds=[{"imageTag": tag}])[
        "images"
    ][0]
    ecr.put_image(
        repositoryName="nova/cdn-service", imageManifest=image["imageManifest"], imageTag="latest"
    )
    eventually(lambda: _cdn_waiting(core) == [])
    ready = eventually(
        lambda: (
            apps.read_namespaced_deployment("cdn-service", "nova-backend").status.ready_replicas
            == 4
        )
    )
    assert ready


def test_clickhouse_secret_heals_user_service(core: Any, apps: Any) -> None:
    core.create_namespaced_secret(
        "nova-backend",
        {
            "metadata": {"name": "user-service-secrets"},
            "data": {"clickhouse-url": base64.b64encode(b"http://clickhouse:8123").decode()},
        },
    )
    deployment = apps.read_namespaced_deployment("user-service", "nova-backend")
    container = deployment.spec.template.spec.containers[0]
    serializer: Any = k8s.ApiClient()
    env = serializer.sanitize_for_serialization(container.env or [])
    env.append(
        {
            "name": "CLICKHOUSE_URL",
            "valueFrom": {
                "secretKeyRef": {"name": "user-service-secrets", "key": "clickhouse-url"}
            },
        }
    )
    apps.patch_namespaced_deployment(
        "user-service",
        "nova-backend",
        {
            "spec": {
                "template": {
                    "spec": {
                        "containers": [
                            {"name": container.name, "image": container.image, "env": env}
                        ]
                    }
                }
            }
        },
    )

    def healed() -> bool:
        d = apps.read_namespaced_deployment("user-service", "nova-backend")
        return bool(d.status.ready_replicas == 4)

    eventually(healed)
    assert (
        apps.read_namespaced_deployment("user-service", "nova-backend")
        .spec.template.spec.containers[0]
        .image.endswith("nova/user-service:latest")
    )
    pods = core.list_namespaced_pod("nova-backend", label_selector="app=user-service").items
    assert all(p.status.container_statuses[0].ready for p in pods)
