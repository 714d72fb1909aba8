"""The fetchers against a real HTTP endpoint: a moto server seeded with the incidents."""

from __future__ import annotations

from cloud.codebuild import fetch_projects
from cloud.ecr import fetch_repositories
from cloud.findings import Diagnosis, diagnose
from cloud.inventory import fetch_builds, fetch_ecs_service_detail, fetch_images
from cloud.model.builder import read_snapshot
from cloud.model.kinds import ref_of
from cloud.records import ErrorKind, RepositoryRecord, Severity
from cloud.session import CloudSession
from tests.cloud.moto_seed import FEED_BUILDCACHE, FEED_RUNTIME, SINGAPORE, TOKYO, VIRGINIA
from tests.cloud.region_gate import RegionGate


def _by_name(records: tuple[RepositoryRecord, ...]) -> dict[str, RepositoryRecord]:
    return {r.name: r for r in records}


def _flag(diagnosis: Diagnosis, record: object, code: str) -> tuple[Severity, str]:
    """The severity and text of the row flag ``code`` a person sees on ``record``'s row."""
    flags = diagnosis.flags(ref_of(record))
    found = [f for f in flags if f.code == code]
    assert found, f"{record}: no {code} flag in {flags}"
    return found[0].severity, found[0].text


def _codes(diagnosis: Diagnosis, record: object) -> list[str]:
    return [f.code for f in diagnosis.flags(ref_of(record))]


def test_repositories_show_sizes_latest_and_buildcache(moto_env: RegionGate) -> None:
    fetched = fetch_repositories(CloudSession(regions=[TOKYO, SINGAPORE]))
    assert fetched.errors == ()
    assert fetched.fetched_at is not None
    diagnosis = diagnose(read_snapshot(CloudSession(regions=[TOKYO, SINGAPORE]), ("ecr",)))
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
    assert [i.tags for i in feed.images] == [("459aa29d", "latest"), ("buildcache",)]
    assert _flag(diagnosis, feed, "buildcache-bloat") == (
        Severity.WARNING,
        "buildcache 1.23 GB, 22x the runtime image",
    )
    assert _flag(diagnosis, feed, "no-lifecycle-policy")[0] is Severity.INFO
    assert _flag(diagnosis, feed, "scan-on-push-off")[0] is Severity.INFO
    assert repos["query-service"].region == SINGAPORE
    assert repos["query-service"].scan_on_push
    assert repos["hr-chatbot-backend"].has_lifecycle_policy is True


def test_missing_latest_is_flagged_only_when_something_pulls_it(moto_env: RegionGate) -> None:
    snapshot = read_snapshot(CloudSession(regions=[TOKYO]), ("ecr", "ecs", "lambda"))
    diagnosis = diagnose(snapshot)
    repos = _by_name(snapshot.repositories)
    frontend = repos["hr-chatbot-frontend"]
    assert diagnosis.deployers(ref_of(frontend)) == ("ecs hr-chatbot-cluster/frontend-service",)
    severity, text = _flag(diagnosis, frontend, "missing-tag")
    assert severity is Severity.CRITICAL
    assert text == (
        "latest missing; hr-chatbot-frontend:latest is pulled by "
        "ecs hr-chatbot-cluster/frontend-service"
    )
    # The Lambda runs v0.6.0, so a missing latest there is nobody's problem.
    backend = repos["hr-chatbot-backend"]
    assert diagnosis.deployers(ref_of(backend)) == ("lambda hr-chatbot-backend",)
    assert "missing-tag" not in _codes(diagnosis, backend)
    assert "missing-tag" not in _codes(diagnosis, repos["nova/cdn-service"])


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
    snapshot = read_snapshot(CloudSession(regions=[TOKYO, SINGAPORE]), ("ecr", "ecs", "lambda"))
    assert snapshot.errors_of(("ecs", "lambda")) == ()
    diagnosis = diagnose(snapshot)
    ecs = {r.name: r for r in snapshot.ecs_services}
    lambdas = {r.name: r for r in snapshot.functions}
    frontend = ecs["frontend-service"]
    assert frontend.cluster == "hr-chatbot-cluster"
    assert frontend.task_definition == "hr-chatbot-frontend:1"
    assert (frontend.cpu, frontend.memory) == ("512", "1024")
    assert frontend.log_group == "/ecs/hr-chatbot-frontend"
    assert frontend.log_stream_prefix == "ecs"
    # The stopped task could not pull latest, which the repository lacks: one finding, two rows.
    severity, text = _flag(diagnosis, frontend, "missing-tag")
    assert severity is Severity.CRITICAL
    assert text.startswith("1 task could not pull the image: CannotPullContainerError")
    query = ecs["query-service"]
    assert query.region == SINGAPORE
    # Tasks killed out of memory explain why too few run: one flag says so.
    assert _codes(diagnosis, query) == ["ecs-oom"]
    severity, text = _flag(diagnosis, query, "ecs-oom")
    assert severity is Severity.CRITICAL
    assert "(task memory 512 MiB)" in text
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
    services = read_snapshot(session, ("ecs", "lambda"))
    assert {r.region for r in services.ecs_services} == {TOKYO}
    assert {f.region for f in services.functions} == {TOKYO}
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
