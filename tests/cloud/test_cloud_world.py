"""The fetchers against the demo world: the incidents of the seeds, read over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from cloud.codebuild import fetch_projects
from cloud.ecr import fetch_repositories
from cloud.findings import Diagnosis, diagnose
from cloud.inventory import fetch_builds, fetch_deployment_detail, fetch_pod_log_tail
from cloud.model.builder import read_snapshot
from cloud.model.kinds import KIND_NAMES, ref_of
from cloud.model.snapshot import EXTRAS_OF
from cloud.records import ErrorKind, Fetched, Flag, Severity
from cloud.service_quotas import fetch_quotas
from cloud.session import CloudSession
from tests.cloud.region_gate import RegionGate

SCENARIO = Path(__file__).resolve().parents[2] / "demo" / "scenarios" / "seeds.yaml"
REGIONS = ("ap-northeast-1", "us-east-1", "ap-southeast-1")
NOVA_REPOSITORIES = {
    f"nova/{name}"
    for name in [
        "auth-service",
        "user-service",
        "content-service",
        "feed-service",
        "media-service",
        "messaging-service",
        "search-service",
        "streaming-service",
        "graphql-gateway",
        "notification-service",
        "events-service",
        "cdn-service",
    ]
}


@pytest.fixture(scope="module")
def world() -> Iterator[Any]:
    """The demo world, started once for this module (skipped until the launcher exists)."""
    launcher = pytest.importorskip("demo.launcher")
    process = launcher.start_world(SCENARIO, timeout=120.0)  # a loaded CI box starts slowly
    yield process
    process.stop()


@pytest.fixture(scope="module")
def world_gate(world: Any) -> Iterator[RegionGate]:
    """A region gate in front of the world's AWS endpoint."""
    front = RegionGate(world.aws_endpoint)
    front.start()
    yield front
    front.stop()


@pytest.fixture
def session(world: Any, clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> CloudSession:
    """A session whose clients all point at the world."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", world.aws_endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", world.access_key_id)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", world.secret_access_key)
    monkeypatch.setenv("AWS_DEFAULT_REGION", world.default_region)
    monkeypatch.setenv("KUBECONFIG", str(world.kubeconfig))
    made = CloudSession(regions=REGIONS, kube_context=world.kube_context)
    made.validate()
    return made


def _flags(diagnosis: Diagnosis, record: object, code: str) -> list[Flag]:
    """The row flags ``code`` a person sees on ``record``'s row."""
    return [f for f in diagnosis.flags(ref_of(record)) if f.code == code]


def test_nova_repositories_and_their_flags(session: CloudSession) -> None:
    fetched = fetch_repositories(session)
    assert fetched.errors == ()
    nova = {r.name: r for r in fetched.records if r.name.startswith("nova/")}
    assert set(nova) == NOVA_REPOSITORIES
    assert {r.region for r in nova.values()} == {"ap-northeast-1"}
    diagnosis = diagnose(read_snapshot(session))
    cdn = nova["nova/cdn-service"]
    assert not cdn.has_latest
    assert "k8s nova-backend/cdn-service" in diagnosis.deployers(ref_of(cdn))
    (missing,) = _flags(diagnosis, cdn, "missing-tag")
    assert missing.severity is Severity.CRITICAL
    assert "k8s nova-backend/cdn-service" in missing.text
    feed = nova["nova/feed-service"]
    assert feed.buildcache_size_bytes == 1_225_557_261
    (bloat,) = _flags(diagnosis, feed, "buildcache-bloat")
    assert bloat.text.startswith("buildcache 1.23 GB, ")
    assert bloat.text.endswith("x the runtime image")
    assert nova["nova/auth-service"].has_latest


def test_nova_ecr_build_is_blocked_by_the_quota(session: CloudSession) -> None:
    fetched = fetch_projects(session)
    projects = {p.name: p for p in fetched.records}
    nova = projects["nova-ecr-build"]
    assert nova.region == "ap-northeast-1"
    assert nova.concurrent_build_limit is None
    assert nova.blocked is not None
    assert nova.blocked.quota_code == "L-4DDC4A99"
    assert nova.blocked.applied_value is None
    assert nova.blocked.default_value == 15.0
    assert (nova.blocked.effective_concurrency, nova.blocked.queue_capacity) == (0, 0)
    assert "Cannot have more than 0 builds in queue" in nova.blocked.explanation
    diagnosis = diagnose(read_snapshot(session, ("codebuild", "quota")))
    assert [f.severity for f in _flags(diagnosis, nova, "builds-blocked")] == [Severity.CRITICAL]


def test_mangoo_build_history_shows_failed_phases(session: CloudSession) -> None:
    fetched = fetch_builds(session, "us-east-1", "mangoo-build-deploy", limit=20)
    assert fetched.errors == ()
    failed = [b for b in fetched.records if b.status in ("FAILED", "TIMED_OUT", "FAULT")]
    assert failed
    contexts = [c for b in failed for p in b.phases for c in p.contexts]
    assert any(": " in c for c in contexts)
    starts = [b.start for b in fetched.records if b.start is not None]
    assert starts == sorted(starts, reverse=True)


def test_user_service_crash_loops_for_a_missing_variable(session: CloudSession) -> None:
    snapshot = read_snapshot(session)
    diagnosis = diagnose(snapshot)
    deployments = {(d.namespace, d.name): d for d in snapshot.deployments}
    user = deployments[("nova-backend", "user-service")]
    assert user.ready == 0
    assert any(p.problem == "CrashLoopBackOff" for p in user.pods)
    (crash,) = _flags(diagnosis, user, "missing-env")
    assert crash.severity is Severity.CRITICAL
    assert "CrashLoopBackOff: CLICKHOUSE_URL must be set" in crash.text
    cdn = deployments[("nova-backend", "cdn-service")]
    (pull,) = _flags(diagnosis, cdn, "missing-tag")
    assert "ImagePullBackOff: image nova/cdn-service:latest not found" in pull.text


def test_deployment_detail_and_log_tail(session: CloudSession) -> None:
    fetched = fetch_deployment_detail(session, "nova-backend", "user-service")
    assert fetched.errors == ()
    (user,) = fetched.records
    crashing = [p for p in user.pods if p.problem == "CrashLoopBackOff"]
    assert crashing
    assert crashing[0].containers[0].restart_count > 0
    text = fetch_pod_log_tail(session, "nova-backend", crashing[0].name, lines=20)
    assert "CLICKHOUSE_URL must be set" in text


def test_codebuild_quota_row(session: CloudSession) -> None:
    fetched = fetch_quotas(session)
    rows = {(q.region, q.quota_code): q for q in fetched.records}
    large = rows[("ap-northeast-1", "L-4DDC4A99")]
    assert large.applied_value is None
    assert large.default_value == 15.0
    assert (large.effective_value, large.queue_capacity) == (0.0, 0)
    assert large.running_builds == 0
    assert large.used_by == ("nova-ecr-build",)
    diagnosis = diagnose(read_snapshot(session, ("codebuild", "quota")))
    assert [f.severity for f in diagnosis.flags(ref_of(large))] == [Severity.CRITICAL]


def test_each_kind_is_heard_once_together_with_the_logs_that_explain_it(
    session: CloudSession,
) -> None:
    heard: list[Mapping[str, Fetched[Any]]] = []
    snapshot = read_snapshot(session, on_parts=heard.append)
    groups = sorted(tuple(sorted(parts)) for parts in heard)
    assert groups == sorted(tuple(sorted((name, *EXTRAS_OF.get(name, ())))) for name in KIND_NAMES)
    kube = next(parts for parts in heard if "k8s" in parts)
    assert set(kube) == {"k8s", "pod-logs"}
    # What was heard is what the snapshot holds: the crashing pods' logs came with their pods.
    assert kube["k8s"] is snapshot.part("k8s")
    assert kube["pod-logs"] is snapshot.part("pod-logs")
    assert any("CLICKHOUSE_URL" in tail.text for tail in kube["pod-logs"].records)


def test_denied_region_leaves_the_other_regions_readable(
    session: CloudSession, world_gate: RegionGate, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", world_gate.url)
    world_gate.denied = {"us-east-1"}
    try:
        fetched = fetch_projects(CloudSession(regions=REGIONS))
    finally:
        world_gate.denied = set()
    assert {p.region for p in fetched.records} >= {"ap-northeast-1"}
    assert "us-east-1" not in {p.region for p in fetched.records}
    denied = [e for e in fetched.errors if e.region == "us-east-1"]
    assert [e.kind for e in denied] == [ErrorKind.ACCESS_DENIED]
