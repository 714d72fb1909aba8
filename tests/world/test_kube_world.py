"""What a person sees in the world's EKS cluster (plain kubernetes client over HTTP)."""

from __future__ import annotations

from typing import Any

READY = {
    ("nova-auth", "auth-service"): (3, 3),
    ("nova-content", "content-service"): (3, 3),
    ("nova-feed", "feed-service"): (3, 3),
    ("nova-media", "media-service"): (1, 1),
    ("nova-backend", "messaging-service"): (1, 2),
    ("nova-backend", "notification-service"): (3, 4),
    ("nova-backend", "cdn-service"): (3, 4),
    ("nova-backend", "events-service"): (0, 4),
    ("nova-backend", "user-service"): (0, 4),
    ("nova-gateway", "graphql-gateway"): (2, 4),
}


def _waiting(pod: Any) -> str | None:
    state = pod.status.container_statuses[0].state
    return state.waiting.reason if state.waiting else None


def test_namespaces_and_deployment_readiness(core: Any, apps: Any) -> None:
    names = {n.metadata.name for n in core.list_namespace().items}
    assert {
        "nova-backend",
        "nova-auth",
        "nova-content",
        "nova-feed",
        "nova-media",
        "nova-gateway",
    } <= names
    seen = {}
    for d in apps.list_deployment_for_all_namespaces().items:
        if (d.metadata.namespace, d.metadata.name) in READY:
            seen[(d.metadata.namespace, d.metadata.name)] = (
                d.status.ready_replicas or 0,
                d.spec.replicas,
            )
    # cdn-service and user-service are healed by other tests; check the rest exactly.
    for key, expected in READY.items():
        if key[1] not in ("cdn-service", "user-service"):
            assert seen[key] == expected, key


def test_waiting_reasons_and_messages(core: Any) -> None:
    pods = core.list_namespaced_pod("nova-backend", label_selector="app=notification-service")
    assert len(pods.items) == 4
    stuck = [p for p in pods.items if _waiting(p) == "ImagePullBackOff"]
    assert len(stuck) == 1
    message = stuck[0].status.container_statuses[0].state.waiting.message
    image = "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/nova/notification-service:latest"
    assert message == (
        f'Failed to pull image "{image}": rpc error: code = NotFound desc = '
        f'failed to resolve reference "{image}": not found'
    )
    events = core.list_namespaced_event(
        "nova-backend", field_selector=f"involvedObject.name={stuck[0].metadata.name}"
    )
    assert {(e.type, e.reason) for e in events.items} >= {
        ("Warning", "Failed"),
        ("Normal", "BackOff"),
    }
    gateway = core.list_namespaced_pod("nova-gateway", label_selector="app=graphql-gateway")
    crashing = [p for p in gateway.items if _waiting(p) == "CrashLoopBackOff"]
    assert len(crashing) == 2
    last = crashing[0].status.container_statuses[0]
    assert last.restart_count > 0 and last.last_state.terminated.exit_code == 101
    events_service = core.list_namespaced_pod("nova-backend", label_selector="app=events-service")
    reasons = sorted(_waiting(p) or "" for p in events_service.items)
    assert reasons == ["CrashLoopBackOff"] + ["ImagePullBackOff"] * 3


def test_panic_logs(core: Any) -> None:
    pod = core.list_namespaced_pod("nova-gateway", label_selector="app=graphql-gateway").items
    crashing = next(p for p in pod if _waiting(p) == "CrashLoopBackOff")
    log = core.read_namespaced_pod_log(crashing.metadata.name, "nova-gateway", previous=True)
    assert "thread 'main' panicked at backend/graphql-gateway/src/main.rs:122:10:" in log
    assert "JWT_PRIVATE_KEY_PEM environment variable must be set: NotPresent" in log
    user = core.list_namespaced_pod("nova-backend", label_selector="app=user-service").items[0]
    log = core.read_namespaced_pod_log(user.metadata.name, "nova-backend", tail_lines=10)
    assert "CLICKHOUSE_URL must be set: NotPresent" in log or "listening" in log
    image = user.spec.containers[0].image
    assert image.endswith(".dkr.ecr.ap-northeast-1.amazonaws.com/nova/user-service:latest")
