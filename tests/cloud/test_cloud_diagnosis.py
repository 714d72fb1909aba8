"""Row flags from the findings' marks, the hints, and the links from images to workloads."""

from __future__ import annotations

from typing import Any

from cloud.classify import crash_hint, image_pull_hint
from cloud.findings import diagnose
from cloud.kube_records import group_pods, pod_record
from cloud.records import ContainerStateRecord, Flag, PodRecord, Severity
from cloud.workloads import ImageUse, parse_image, uses_of_repository
from tests.findings.records import (
    deployment,
    ecs_service,
    function,
    ref,
    repository,
    snapshot,
    task,
)

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


def _shown(flags: tuple[Flag, ...]) -> list[tuple[str, Severity, str]]:
    return [(f.code, f.severity, f.text) for f in flags]


def test_repository_flags_of_feed_service() -> None:
    feed = repository(
        "nova/feed-service",
        buildcache_size_bytes=1_225_557_261,
        runtime_size_bytes=55_520_661,
        has_lifecycle_policy=False,
        scan_on_push=False,
    )
    flags = diagnose(snapshot([feed])).flags(ref(feed))
    assert [(f.code, f.severity) for f in flags] == [
        ("buildcache-bloat", Severity.WARNING),
        ("no-lifecycle-policy", Severity.INFO),
        ("scan-on-push-off", Severity.INFO),
    ]
    assert flags[0].text == "buildcache 1.23 GB, 22x the runtime image"
    assert flags[0].finding == "buildcache-bloat:ap-northeast-1:nova/feed-service:buildcache"


def test_missing_latest_names_who_pulls_it() -> None:
    cdn = repository("nova/cdn-service", has_latest=False, newest_tags=("ad82d6c3",))
    stuck = _pod("cdn-1", _container("ImagePullBackOff", message=PULL_FAILED))
    pulling = deployment("cdn-service", [stuck], namespace="nova-backend")
    diagnosis = diagnose(snapshot([cdn], [pulling]))
    (flag,) = diagnosis.flags(ref(cdn))
    assert (flag.code, flag.severity) == ("missing-tag", Severity.CRITICAL)
    assert flag.text == (
        "latest missing; nova/cdn-service:latest is pulled by k8s nova-backend/cdn-service"
    )
    # The same finding flags the deployment whose pods cannot pull.
    assert _shown(diagnosis.flags(ref(pulling))) == [
        (
            "missing-tag",
            Severity.CRITICAL,
            "1 pod ImagePullBackOff: image nova/cdn-service:latest not found",
        )
    ]
    # Nobody pulls latest: a repository without it is not flagged.
    assert diagnose(snapshot([cdn])).flags(ref(cdn)) == ()


def test_small_buildcache_is_not_bloat() -> None:
    repo = repository(
        "x", buildcache_size_bytes=100, runtime_size_bytes=90, has_lifecycle_policy=None
    )
    assert diagnose(snapshot([repo])).flags(ref(repo)) == ()


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
    return PodRecord(name, "nova-backend", "ctx", "Running", None, None, (container,), "x")


def test_deployment_flags() -> None:
    pods = [
        _pod("events-1", _container("ImagePullBackOff", message=PULL_FAILED)),
        _pod("events-2", _container("ImagePullBackOff", message=PULL_FAILED)),
        _pod("events-3", _container("CrashLoopBackOff", last_exit_code=101, last_reason="Error")),
        _pod("events-4", _container(None, ready=True)),
    ]
    events = deployment("events-service", pods, namespace="nova-backend")
    assert (events.desired, events.ready) == (4, 1)
    # No repository of the account serves that image: the pull failure is the finding.
    flags = diagnose(snapshot([], [events])).flags(ref(events))
    assert _shown(flags) == [
        ("crashloop", Severity.CRITICAL, "1 pod crash-looping: container app exited 101 (Error)"),
        (
            "image-pull-failed",
            Severity.CRITICAL,
            "2 pods ImagePullBackOff: image nova/cdn-service:latest not found",
        ),
    ]
    # Replicas not ready are flagged only when nothing else explains them.
    waiting = deployment(
        "events-service", [pods[3], _pod("events-5", _container(None))], namespace="nova-backend"
    )
    assert _shown(diagnose(snapshot([], [waiting])).flags(ref(waiting))) == [
        ("not-ready", Severity.WARNING, "1/2 replicas ready")
    ]
    crashing = deployment("events-service", pods[2:3], namespace="nova-backend")
    logs = {("nova-backend", "events-3"): "CLICKHOUSE_URL must be set"}
    (hinted,) = diagnose(snapshot([], [crashing], pod_logs=logs)).flags(ref(crashing))
    assert (hinted.code, hinted.severity) == ("missing-env", Severity.CRITICAL)
    assert hinted.text == "1 pod CrashLoopBackOff: CLICKHOUSE_URL must be set"


def test_ecs_and_lambda_flags() -> None:
    oom = task(
        "query-service:1",
        container_exit_codes=(("ecs-handler", 137, "OutOfMemoryError: Container killed"),),
    )
    query = ecs_service("query-service", [oom], task_definition="query-service:1", running=1)
    (flag,) = diagnose(snapshot(services=[query])).flags(ref(query))
    # The OOM kills explain the missing task: one flag, not two.
    assert (flag.code, flag.severity) == ("ecs-oom", Severity.CRITICAL)
    assert flag.text == (
        "1 task(s) stopped out of memory (task memory 512 MiB): "
        "ecs-handler: OutOfMemoryError: Container killed"
    )
    short = ecs_service("query-service", running=0)
    assert _shown(diagnose(snapshot(services=[short])).flags(ref(short))) == [
        ("ecs-tasks-below-desired", Severity.CRITICAL, "0 of 2 tasks running")
    ]
    bot = function(
        "bot",
        state="Active",
        last_update_status="Failed",
        last_update_reason="EcrImageNotFoundException: image not found",
    )
    (failed,) = diagnose(snapshot(services=[bot])).flags(ref(bot))
    assert (failed.code, failed.severity) == ("lambda-update-failed", Severity.CRITICAL)
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
