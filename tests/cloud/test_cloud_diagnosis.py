"""The rules that put flags on rows, and the links from images to workloads."""

from __future__ import annotations

from typing import Any

from cloud.diagnosis import (
    crash_hint,
    deployment_flags,
    ecs_service_flags,
    image_pull_hint,
    lambda_flags,
    repository_flags,
)
from cloud.kube_records import group_pods, pod_record
from cloud.records import ContainerStateRecord, EcsTaskRecord, PodRecord, Severity
from cloud.workloads import ImageUse, parse_image, uses_of_repository

REGISTRY = "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com"
PULL_FAILED = (
    f'Failed to pull image "{REGISTRY}/nova/cdn-service:latest": rpc error: code = NotFound '
    f'desc = failed to resolve reference "{REGISTRY}/nova/cdn-service:latest": not found'
)
USER_SERVICE_LOG = """\
2025-11-11T04:50:01Z INFO starting user-service
thread 'main' panicked at backend/user-service/src/config/mod.rs:480:45:
CLICKHOUSE_URL must be set: NotPresent
note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace
"""


def test_repository_flags_of_feed_service() -> None:
    flags = repository_flags(
        "nova/feed-service",
        has_latest=True,
        latest_users=[],
        buildcache_size=1_225_557_261,
        runtime_size=55_520_661,
        has_lifecycle_policy=False,
        scan_on_push=False,
    )
    assert [(f.code, f.severity) for f in flags] == [
        ("buildcache-bloat", Severity.WARNING),
        ("no-lifecycle-policy", Severity.INFO),
        ("scan-on-push-off", Severity.INFO),
    ]
    assert flags[0].text == "buildcache 1.23 GB, 22x the runtime image"


def test_missing_latest_names_who_deploys_it() -> None:
    (flag,) = repository_flags(
        "nova/cdn-service",
        has_latest=False,
        latest_users=["k8s nova-backend/cdn-service"],
        buildcache_size=None,
        runtime_size=53_041_011,
        has_lifecycle_policy=True,
        scan_on_push=True,
    )
    assert (flag.code, flag.severity) == ("latest-missing", Severity.CRITICAL)
    assert flag.text == (
        "latest missing; nova/cdn-service:latest is deployed by k8s nova-backend/cdn-service"
    )


def test_small_buildcache_is_not_bloat() -> None:
    flags = repository_flags(
        "x",
        has_latest=True,
        latest_users=[],
        buildcache_size=100,
        runtime_size=90,
        has_lifecycle_policy=None,
        scan_on_push=True,
    )
    assert flags == ()


def test_hints() -> None:
    assert image_pull_hint(PULL_FAILED) == "image nova/cdn-service:latest not found"
    assert crash_hint(USER_SERVICE_LOG) == "CLICKHOUSE_URL must be set: NotPresent"
    assert crash_hint("ok\nERROR: database connection refused\nbye") == (
        "ERROR: database connection refused"
    )
    assert crash_hint("") is None


def _container(reason: str | None, ready: bool = False, **extra: Any) -> ContainerStateRecord:
    values: dict[str, Any] = {
        "name": "app",
        "image": f"{REGISTRY}/nova/cdn-service:latest",
        "ready": ready,
        "restart_count": 0,
        "state": "running" if ready else "waiting",
        "reason": reason,
        "message": None,
        "last_exit_code": None,
        "last_reason": None,
        "last_message": None,
    }
    values.update(extra)
    return ContainerStateRecord(**values)


def _pod(name: str, container: ContainerStateRecord) -> PodRecord:
    return PodRecord(name, "nova-backend", "nova", "Running", None, None, (container,), "x")


def test_deployment_flags() -> None:
    pods = [
        _pod("events-1", _container("ImagePullBackOff", message=PULL_FAILED)),
        _pod("events-2", _container("ImagePullBackOff", message=PULL_FAILED)),
        _pod("events-3", _container("CrashLoopBackOff", last_exit_code=101, last_reason="Error")),
        _pod("events-4", _container(None, ready=True)),
    ]
    flags = deployment_flags(4, 1, pods, {})
    assert [(f.code, f.severity, f.text) for f in flags] == [
        (
            "image-pull",
            Severity.CRITICAL,
            "2 pods ImagePullBackOff: image nova/cdn-service:latest not found",
        ),
        (
            "crashloop",
            Severity.CRITICAL,
            "1 pod CrashLoopBackOff: container app exited 101 (Error)",
        ),
        ("not-ready", Severity.WARNING, "1/4 replicas ready"),
    ]
    hinted = deployment_flags(4, 0, pods[2:3], {"events-3": "CLICKHOUSE_URL must be set"})
    assert hinted[0].text == "1 pod CrashLoopBackOff: CLICKHOUSE_URL must be set"
    assert hinted[1].severity is Severity.CRITICAL


def test_ecs_and_lambda_flags() -> None:
    oom = EcsTaskRecord(
        "arn:task/1",
        "query-service:1",
        "STOPPED",
        "STOPPED",
        None,
        None,
        "EssentialContainerExited",
        "Essential container in task exited",
        (("ecs-handler", 137, "OutOfMemoryError: Container killed"),),
    )
    flags = ecs_service_flags(2, 1, [oom], "512")
    assert [f.code for f in flags] == ["tasks-below-desired", "oom-killed"]
    assert flags[1].text == (
        "1 task(s) stopped out of memory (task memory 512 MiB): "
        "ecs-handler: OutOfMemoryError: Container killed"
    )
    (failed,) = lambda_flags("Active", "Failed", "EcrImageNotFoundException: image not found")
    assert failed.text == "last update failed: EcrImageNotFoundException: image not found"


def test_image_references() -> None:
    ref = parse_image(f"{REGISTRY}/nova/cdn-service:latest")
    assert (ref.host, ref.path, ref.tag) == (REGISTRY, "nova/cdn-service", "latest")
    assert parse_image("nova/cdn-service").effective_tag == "latest"
    assert parse_image("localhost:5000/nova/cdn-service@sha256:ab").effective_tag is None
    uses = [
        ImageUse("k8s nova-backend/cdn-service", f"{REGISTRY}/nova/cdn-service:latest"),
        ImageUse("k8s other/cdn", "999999999999.dkr.ecr.us-east-1.amazonaws.com/nova/cdn-service"),
        ImageUse("k8s local/cdn", "localhost:5000/nova/cdn-service:ad82"),
        ImageUse("k8s x/feed", f"{REGISTRY}/nova/feed-service:latest"),
    ]
    found = uses_of_repository(f"{REGISTRY}/nova/cdn-service", uses)
    assert [u.workload for u, _ in found] == ["k8s nova-backend/cdn-service", "k8s local/cdn"]


def _pod_object(name: str, labels: dict[str, str], owner: str | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "namespace": "nova-backend", "labels": labels}
    if owner:
        meta["ownerReferences"] = [{"kind": "ReplicaSet", "name": owner}]
    return {
        "metadata": meta,
        "spec": {"containers": [{"name": "app", "image": "nova/user-service:latest"}]},
        "status": {
            "phase": "Running",
            "containerStatuses": [
                {
                    "name": "app",
                    "ready": False,
                    "restartCount": 7,
                    "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off"}},
                    "lastState": {"terminated": {"exitCode": 101, "reason": "Error"}},
                }
            ],
        },
    }


def test_pods_are_grouped_under_their_deployments() -> None:
    deployments = [
        {
            "metadata": {"name": name, "namespace": "nova-backend"},
            "spec": {"selector": {"matchLabels": {"app": name}}},
        }
        for name in ("user-service", "user-service-worker", "cdn-service")
    ]
    pods = [
        _pod_object("user-service-7d9f-abcde", {}, owner="user-service-7d9f"),
        _pod_object("user-service-worker-5c-xyz", {}),
        _pod_object("cdn-1", {"app": "cdn-service"}),
        _pod_object("lonely", {}),
    ]
    grouped = group_pods(pods, deployments)
    names = {key: [p["metadata"]["name"] for p in found] for key, found in grouped.items()}
    assert names == {
        ("nova-backend", "user-service"): ["user-service-7d9f-abcde"],
        ("nova-backend", "user-service-worker"): ["user-service-worker-5c-xyz"],
        ("nova-backend", "cdn-service"): ["cdn-1"],
    }
    record = pod_record(pods[0], "nova", "user-service")
    assert record.problem == "CrashLoopBackOff"
    assert record.containers[0].restart_count == 7
    assert record.containers[0].last_exit_code == 101
