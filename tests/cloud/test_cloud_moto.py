"""The fetchers against a real HTTP endpoint: a moto server seeded with the incidents."""

from __future__ import annotations

from cloud.inventory import (
    fetch_builds,
    fetch_ecs_service_detail,
    fetch_images,
    fetch_projects,
    fetch_repositories,
    fetch_services,
)
from cloud.records import (
    EcsServiceRecord,
    ErrorKind,
    LambdaFunctionRecord,
    RepositoryRecord,
    Severity,
)
from cloud.session import CloudSession
from tests.cloud.moto_seed import FEED_BUILDCACHE, FEED_RUNTIME, SINGAPORE, TOKYO, VIRGINIA
from tests.cloud.region_gate import RegionGate


def _by_name(records: tuple[RepositoryRecord, ...]) -> dict[str, RepositoryRecord]:
    return {r.name: r for r in records}


def _flag(record: RepositoryRecord | EcsServiceRecord, code: str) -> tuple[Severity, str]:
    found = [f for f in record.flags if f.code == code]
    assert found, f"{record.name}: no {code} flag in {record.flags}"
    return found[0].severity, found[0].text


def test_repositories_show_sizes_latest_and_buildcache(moto_env: RegionGate) -> None:
    fetched = fetch_repositories(CloudSession(regions=[TOKYO, SINGAPORE]))
    assert fetched.errors == ()
    repos = _by_name(fetched.records)
    assert set(repos) == {
        "nova/feed-service",
        "nova/cdn-service",
        "hr-chatbot-backend",
        "hr-chatbot-frontend",
        "query-service",
    }
    feed = repos["nova/feed-service"]
    assert feed.has_latest
    assert feed.buildcache_size_bytes == FEED_BUILDCACHE
    assert feed.runtime_size_bytes == FEED_RUNTIME
    assert feed.newest_tags == ("459aa29d", "latest")
    assert feed.total_size_bytes == FEED_RUNTIME + FEED_BUILDCACHE
    assert _flag(feed, "buildcache-bloat") == (
        Severity.WARNING,
        "buildcache 1.23 GB, 22x the runtime image",
    )
    assert _flag(feed, "no-lifecycle-policy")[0] is Severity.INFO
    assert _flag(feed, "scan-on-push-off")[0] is Severity.INFO
    assert repos["query-service"].region == SINGAPORE
    assert repos["query-service"].scan_on_push
    assert repos["hr-chatbot-backend"].has_lifecycle_policy is True


def test_missing_latest_is_critical_only_when_something_deploys_it(moto_env: RegionGate) -> None:
    repos = _by_name(fetch_repositories(CloudSession(regions=[TOKYO])).records)
    frontend = repos["hr-chatbot-frontend"]
    assert frontend.deployed_by == ("ecs hr-chatbot-cluster/frontend-service",)
    severity, text = _flag(frontend, "latest-missing")
    assert severity is Severity.CRITICAL
    assert "ecs hr-chatbot-cluster/frontend-service" in text
    # The Lambda runs v0.6.0, so a missing latest there is only a warning.
    backend = repos["hr-chatbot-backend"]
    assert backend.deployed_by == ("lambda hr-chatbot-backend",)
    assert _flag(backend, "latest-missing")[0] is Severity.WARNING
    assert _flag(repos["nova/cdn-service"], "latest-missing")[0] is Severity.WARNING


def test_images_newest_first(moto_env: RegionGate) -> None:
    fetched = fetch_images(CloudSession(regions=[TOKYO]), TOKYO, "hr-chatbot-backend")
    assert [i.tags for i in fetched.records] == [("v0.6.0",), ("v0.5.0",)]
    assert fetched.records[0].size_bytes == 212_000_000


def test_missing_repository_is_an_error_not_an_exception(moto_env: RegionGate) -> None:
    fetched = fetch_images(CloudSession(regions=[TOKYO]), TOKYO, "nova/nothing-here")
    assert fetched.records == ()
    assert fetched.errors[0].kind is ErrorKind.NOT_FOUND
    assert fetched.errors[0].service == "ecr"


def test_services_list_ecs_and_lambda_with_their_problems(moto_env: RegionGate) -> None:
    fetched = fetch_services(CloudSession(regions=[TOKYO, SINGAPORE]))
    assert fetched.errors == ()
    ecs = {r.name: r for r in fetched.records if isinstance(r, EcsServiceRecord)}
    lambdas = {r.name: r for r in fetched.records if isinstance(r, LambdaFunctionRecord)}
    frontend = ecs["frontend-service"]
    assert frontend.cluster == "hr-chatbot-cluster"
    assert frontend.task_definition == "hr-chatbot-frontend:1"
    assert (frontend.cpu, frontend.memory) == ("512", "1024")
    assert frontend.log_group == "/ecs/hr-chatbot-frontend"
    assert frontend.log_stream_prefix == "ecs"
    severity, text = _flag(frontend, "cannot-pull-image")
    assert severity is Severity.CRITICAL
    assert "CannotPullContainerError" in text
    query = ecs["query-service"]
    assert query.region == SINGAPORE
    assert _flag(query, "oom-killed")[0] is Severity.CRITICAL
    assert "512" in _flag(query, "oom-killed")[1]
    assert _flag(query, "tasks-below-desired")[0] is Severity.CRITICAL
    backend = lambdas["hr-chatbot-backend"]
    assert backend.image_uri is not None
    assert backend.image_uri.endswith("/hr-chatbot-backend:v0.6.0")
    assert (backend.memory_mb, backend.timeout_seconds) == (1024, 30)
    assert backend.log_group == "/aws/lambda/hr-chatbot-backend"


def test_ecs_service_detail_has_deployments_and_stopped_tasks(moto_env: RegionGate) -> None:
    fetched = fetch_ecs_service_detail(
        CloudSession(regions=[SINGAPORE]), SINGAPORE, "query-service-cluster", "query-service"
    )
    assert fetched.errors == ()
    (service,) = fetched.records
    assert service.deployments[0].task_definition == "query-service:1"
    stopped = [t for t in service.tasks if t.last_status == "STOPPED"]
    assert stopped
    assert stopped[0].stopped_reason is not None
    assert "OutOfMemoryError" in stopped[0].stopped_reason


def test_ecs_detail_of_unknown_service_is_not_found(moto_env: RegionGate) -> None:
    fetched = fetch_ecs_service_detail(
        CloudSession(regions=[SINGAPORE]), SINGAPORE, "query-service-cluster", "nope"
    )
    assert fetched.records == ()
    assert fetched.errors[0].kind is ErrorKind.NOT_FOUND


def test_denied_region_is_an_error_and_the_other_region_still_reads(
    moto_env: RegionGate,
) -> None:
    moto_env.denied.add(SINGAPORE)
    session = CloudSession(regions=[TOKYO, SINGAPORE])
    repos = fetch_repositories(session)
    assert {r.region for r in repos.records} == {TOKYO}
    (error,) = repos.errors
    assert (error.service, error.region, error.kind) == ("ecr", SINGAPORE, ErrorKind.ACCESS_DENIED)
    assert "\n" not in error.line()
    services = fetch_services(session)
    assert {r.region for r in services.records if not hasattr(r, "namespace")} == {TOKYO}
    assert {(e.service, e.kind) for e in services.errors} == {
        ("ecs", ErrorKind.ACCESS_DENIED),
        ("lambda", ErrorKind.ACCESS_DENIED),
    }


def test_unreachable_region_is_an_error_and_the_other_region_still_reads(
    moto_env: RegionGate,
) -> None:
    moto_env.dropped.add(SINGAPORE)
    repos = fetch_repositories(CloudSession(regions=[TOKYO, SINGAPORE]))
    assert {r.region for r in repos.records} == {TOKYO}
    (error,) = repos.errors
    assert (error.region, error.kind) == (SINGAPORE, ErrorKind.UNREACHABLE)


def test_projects_and_builds_from_codebuild(moto_env: RegionGate) -> None:
    session = CloudSession(regions=[VIRGINIA])
    fetched = fetch_projects(session)
    (project,) = fetched.records
    assert project.name == "mangoo-build-deploy"
    assert project.log_group == "/aws/codebuild/mangoo"
    assert project.compute_type == "BUILD_GENERAL1_MEDIUM"
    assert len(project.recent_statuses) == 3
    assert project.last_build is not None
    builds = fetch_builds(session, VIRGINIA, "mangoo-build-deploy", limit=2)
    assert len(builds.records) == 2
    assert builds.records[0].build_id == project.last_build.build_id
    assert any(p.phase_type == "BUILD" for p in builds.records[0].phases)
