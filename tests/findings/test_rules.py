"""Each rule on hand-built records: the finding, its id, its cause and its fixes."""

from __future__ import annotations

from datetime import timedelta

from cloud.classify import missing_env_name
from cloud.findings import Finding, Fix, find
from cloud.model.ref import ResourceRef
from cloud.records import ImageRecord, LogLine, PodRecord, QuotaRequestRecord, Severity
from tests.findings.records import (
    REGISTRY,
    T0,
    blocked,
    build,
    container,
    deployment,
    ecs_service,
    function,
    phase,
    pod,
    project,
    quota,
    repository,
    snapshot,
    task,
)

PULL_MESSAGE = (
    f'Failed to pull image "{REGISTRY}/shop/api:latest": rpc error: code = NotFound desc = '
    f'failed to resolve reference "{REGISTRY}/shop/api:latest": not found'
)


def _by_id(findings: list[Finding]) -> dict[str, Finding]:
    return {f.id: f for f in findings}


def _image(repository_name: str, *tags: str, age_days: int = 0) -> ImageRecord:
    return ImageRecord(
        repository=repository_name,
        region="ap-northeast-1",
        digest=f"sha256:{repository_name}{tags}",
        tags=tags,
        size_bytes=10,
        pushed_at=T0 - timedelta(days=age_days),
        scan_status=None,
    )


def _pull_backoff_pod(name: str) -> PodRecord:
    return pod(
        name,
        container(
            f"{REGISTRY}/shop/api:latest",
            ready=False,
            state="waiting",
            reason="ImagePullBackOff",
            message=PULL_MESSAGE,
        ),
    )


def test_image_pull_backoff_on_a_missing_tag_is_a_missing_tag_with_retag_and_fallback() -> None:
    repo = repository("shop/api", has_latest=False, newest_tags=("v1.2.0", "main-abc"))
    pods = [pod("api-1", container(f"{REGISTRY}/shop/api:latest")), _pull_backoff_pod("api-2")]
    findings = find(snapshot([repo], [deployment("api", pods)], [project("shop-build")]))
    assert [f.id for f in findings] == ["missing-tag:ap-northeast-1:shop/api:latest"]
    finding = findings[0]
    assert finding.severity is Severity.CRITICAL
    assert finding.where == "ecr:shop/api"
    assert "k8s shop/api: 1 pod cannot pull: image shop/api:latest not found" in finding.evidence
    assert finding.fixes[0] == Fix(
        "retag-latest",
        ResourceRef("ecr", "shop/api", "ap-northeast-1"),
        {},
        finding.fixes[0].note,
    )
    assert "v1.2.0" in finding.fixes[0].note
    assert finding.fixes[1].command() == (
        "shipdeck --region ap-northeast-1 fallback-build shop-build --services api"
    )


def test_pull_failure_of_a_tag_that_exists_blames_the_pull_not_the_tag() -> None:
    repo = repository("shop/api", has_latest=True)
    denied = PULL_MESSAGE.replace("code = NotFound", "code = Unknown").replace(
        "not found", "unauthorized: authentication required"
    )
    stuck = pod(
        "api-1",
        container(
            f"{REGISTRY}/shop/api:latest",
            ready=False,
            state="waiting",
            reason="ImagePullBackOff",
            message=denied,
        ),
    )
    findings = find(snapshot([repo], [deployment("api", [stuck])]))
    assert [f.kind for f in findings] == ["image-pull-refused"]
    assert "ECR refused the pull" in findings[0].cause


def test_deployed_latest_gone_with_cached_pods_still_running_is_a_warning() -> None:
    repo = repository("shop/api", has_latest=False)
    running = deployment("api", [pod("api-1", container(f"{REGISTRY}/shop/api:latest"))])
    (finding,) = find(snapshot([repo], [running]))
    assert finding.id == "missing-tag:ap-northeast-1:shop/api:latest"
    assert finding.severity is Severity.WARNING


def test_crash_loop_naming_a_missing_variable_wires_that_secret() -> None:
    crashing = container(
        f"{REGISTRY}/shop/api:latest",
        ready=False,
        state="waiting",
        reason="CrashLoopBackOff",
        restart_count=12,
        last_exit_code=101,
        last_message="thread 'main' panicked at src/config.rs:9:5:\n"
        "CLICKHOUSE_URL must be set: NotPresent",
    )
    api = deployment("api", [pod("api-1", crashing), pod("api-2", crashing)])
    (finding,) = find(snapshot([repository("shop/api")], [api]))
    assert finding.id == "missing-env:ctx:shop/api:CLICKHOUSE_URL"
    assert finding.fixes == (
        Fix(
            "wire-secret-env",
            ResourceRef("k8s", "shop/api", "ctx"),
            {"name": "CLICKHOUSE_URL"},
            finding.fixes[0].note,
        ),
    )
    assert "CLICKHOUSE_URL must be set: NotPresent" in finding.evidence
    # The kube context the deployment lives in goes with the command.
    assert finding.fixes[0].command() == (
        "shipdeck --context ctx action wire-secret-env k8s:shop/api --set name=CLICKHOUSE_URL"
    )


def test_pod_log_tail_is_read_when_the_termination_message_says_nothing() -> None:
    crashing = container(
        "shop/api:latest", ready=False, state="waiting", reason="CrashLoopBackOff", last_exit_code=1
    )
    api = deployment("api", [pod("api-1", crashing)])
    log = "starting\nKeyError: 'DATABASE_URL'\n"
    (finding,) = find(snapshot([], [api], pod_logs={("shop", "api-1"): log}))
    assert finding.id == "missing-env:ctx:shop/api:DATABASE_URL"
    (without_log,) = find(snapshot([], [api]))
    assert without_log.kind == "crashloop"
    assert "exited 1" in without_log.evidence[0]


def test_missing_env_name_reads_the_usual_messages() -> None:
    assert missing_env_name("JWT_PRIVATE_KEY_PEM environment variable must be set: NotPresent") == (
        "JWT_PRIVATE_KEY_PEM"
    )
    assert missing_env_name("Error: environment variable `REDIS_URL` not found") == "REDIS_URL"
    assert missing_env_name("called `Result::unwrap()` on an `Err` value: NotPresent") is None
    assert missing_env_name("listening on 0.0.0.0:8080") is None


def test_replicas_not_ready_without_another_cause() -> None:
    stuck = container("shop/api:latest", ready=False, restart_count=2)
    api = deployment("api", [pod("api-1", container("shop/api:latest")), pod("api-2", stuck)])
    (finding,) = find(snapshot([], [api]))
    assert (finding.id, finding.severity) == ("not-ready:ctx:shop/api", Severity.WARNING)
    assert "readiness probe" in finding.cause


def test_blocked_project_explains_the_quota_and_offers_every_way_out() -> None:
    nova = project("nova-build", blocked=blocked())
    (finding,) = find(snapshot(projects=[nova], quotas=[quota()]))
    assert finding.id == "builds-blocked:ap-northeast-1:nova-build"
    assert "effective concurrency 0, queue 5 x 0 = 0" in finding.evidence
    assert [(f.action, f.ref.target, dict(f.params)) for f in finding.fixes] == [
        ("request-quota-increase", "quota:codebuild/L-4DDC4A99", {"value": "15"}),
        ("draft-support-case", "codebuild:nova-build", {}),
        ("fallback-build", "codebuild:nova-build", {}),
    ]


def test_blocked_by_the_project_limit_offers_its_removal_and_skips_an_open_request() -> None:
    nova = project("nova-build", blocked=blocked(project_limit=0))
    pending = QuotaRequestRecord(
        "req-1", "codebuild", "L-4DDC4A99", "ap-northeast-1", 15.0, "CASE_OPENED", T0, "case-1"
    )
    (finding,) = find(snapshot(projects=[nova], quotas=[quota(requests=(pending,))]))
    actions = [f.action for f in finding.fixes]
    assert actions[0] == "remove-build-limit"
    assert "request-quota-increase" not in actions
    assert "quota request req-1: 15 CASE_OPENED" in finding.evidence


def test_repository_hygiene_from_the_repository_record() -> None:
    repo = repository(
        "nova/feed",
        scan_on_push=False,
        has_lifecycle_policy=False,
        buildcache_size_bytes=1_225_557_261,
        runtime_size_bytes=55_520_661,
    )
    found = _by_id(find(snapshot([repo])))
    assert set(found) == {
        "buildcache-bloat:ap-northeast-1:nova/feed:buildcache",
        "no-lifecycle-policy:ap-northeast-1:nova/feed",
        "scan-on-push-off:ap-northeast-1:nova/feed",
    }
    delete = found["buildcache-bloat:ap-northeast-1:nova/feed:buildcache"].fixes[0]
    assert (delete.action, dict(delete.params)) == ("delete-tag", {"tag": "buildcache"})
    assert delete.note == "frees 1.23 GB (1225557261 B)"
    assert found["no-lifecycle-policy:ap-northeast-1:nova/feed"].fixes[0].action == (
        "put-lifecycle-policy"
    )
    assert found["scan-on-push-off:ap-northeast-1:nova/feed"].fixes[0].action == (
        "enable-scan-on-push"
    )


def test_ecs_oom_resizes_and_history_of_an_older_revision_is_ignored() -> None:
    oom = task(
        "query:2",
        container_exit_codes=(("app", 137, "OutOfMemoryError: Container killed"),),
    )
    older = task("query:1", container_exit_codes=(("app", 137, "OutOfMemoryError"),))
    service = ecs_service("query", [oom, older], task_definition="query:2", running=1)
    (finding,) = find(snapshot(services=[service]))
    assert finding.id == "ecs-oom:ap-northeast-1:c/query"
    assert finding.fixes[0].command() == (
        "shipdeck --region ap-northeast-1 action resize-task ecs:c/query --set memory=1024"
    )
    resized = ecs_service("query", [oom, older], task_definition="query:3")
    assert find(snapshot(services=[resized])) == []


def test_ecs_cannot_pull_a_missing_tag_rolls_the_service_back() -> None:
    failed = task(
        "web:4",
        stop_code="TaskFailedToStart",
        stopped_reason=f"CannotPullContainerError: failed to resolve {REGISTRY}/web:v2: not found",
    )
    service = ecs_service("web", [failed], task_definition="web:4", images=(f"{REGISTRY}/web:v2",))
    repo = repository("web", newest_tags=("v1",), images=(_image("web", "v1"),))
    (finding,) = find(snapshot([repo], [service]))
    assert finding.id == "missing-tag:ap-northeast-1:web:v2"
    assert [(f.action, f.ref.target) for f in finding.fixes] == [("rollback-service", "ecs:c/web")]


def test_ecs_failed_deployment_and_too_few_tasks_without_a_known_cause() -> None:
    from cloud.records import EcsDeploymentRecord

    failing = EcsDeploymentRecord("d-1", "PRIMARY", "web:5", 2, 0, 0, "FAILED", T0)
    (finding,) = find(snapshot(services=[ecs_service("web", deployments=(failing,), running=0)]))
    assert finding.kind == "ecs-deployment-failed"
    assert finding.fixes[0].action == "rollback-service"
    (short,) = find(snapshot(services=[ecs_service("web", running=1)]))
    assert (short.kind, short.severity) == ("ecs-tasks-below-desired", Severity.WARNING)


def test_lambda_failed_update_and_errors_after_an_image_change_roll_back() -> None:
    bot = repository("bot", images=(_image("bot", "v2"), _image("bot", "v1", age_days=3)))
    failed = function("bot", last_update_status="Failed", last_update_reason="image not found")
    (finding,) = find(snapshot([bot], [failed]))
    assert finding.id == "lambda-update-failed:ap-northeast-1:bot"
    assert (finding.fixes[0].action, dict(finding.fixes[0].params)) == (
        "rollback-lambda",
        {"tag": "v1"},
    )
    logs = {
        ("ap-northeast-1", "bot"): (
            LogLine(T0 - timedelta(minutes=5), "[INFO] fine"),
            LogLine(T0 + timedelta(minutes=1), "[ERROR] KeyError: 'answer'"),
        )
    }
    (after,) = find(snapshot([bot], [function("bot")], function_logs=logs))
    assert after.id == "lambda-errors-after-update:ap-northeast-1:bot"
    assert after.fixes[0].params == {"tag": "v1"}


def test_lambda_timeouts_and_database_failures_are_advice() -> None:
    logs = {
        ("ap-northeast-1", "bot"): (
            LogLine(T0 - timedelta(minutes=9), "[ERROR] database connection failed after 3"),
            LogLine(T0 - timedelta(minutes=8), "x Task timed out after 30.03 seconds"),
        )
    }
    # Last updated before the log window: the lines are all the running code's.
    bot = function("bot", last_modified=T0 - timedelta(days=1))
    found = _by_id(find(snapshot(services=[bot], function_logs=logs)))
    assert set(found) == {
        "lambda-timeouts:ap-northeast-1:bot",
        "lambda-database-unreachable:ap-northeast-1:bot",
    }
    assert all(not f.fixes for f in found.values())  # no older image to roll back to


def test_after_a_rollback_the_old_codes_errors_are_history() -> None:
    errors = (
        LogLine(T0 - timedelta(minutes=9), "[ERROR] database connection failed after 3"),
        LogLine(T0 - timedelta(minutes=8), "x Task timed out after 30.03 seconds"),
    )
    healthy = (LogLine(T0 + timedelta(minutes=1), "[INFO] answered in 1.2 s"),)
    logs = {("ap-northeast-1", "bot"): errors + healthy}
    rolled_back = function("bot", last_modified=T0)  # the rollback, between the two
    assert find(snapshot(services=[rolled_back], function_logs=logs)) == []
    # Errors before and after it: the code running now still fails the same way.
    timeout = LogLine(T0 + timedelta(minutes=2), "x Task timed out after 30.02 seconds")
    again = {("ap-northeast-1", "bot"): (*errors, *healthy, timeout)}
    found = _by_id(find(snapshot(services=[rolled_back], function_logs=again)))
    assert set(found) == {"lambda-timeouts:ap-northeast-1:bot"}


def test_known_build_failures_are_named_from_contexts_and_logs() -> None:
    docker = build(
        3,
        "FAILED",
        phase("BUILD", "FAILED", "COMMAND_EXECUTION_ERROR: docker build . Reason: exit status 127"),
    )
    token = build(4, "FAILED", phase("POST_BUILD", "FAILED", "COMMAND_EXECUTION_ERROR: push"))
    timeout = build(5, "TIMED_OUT", phase("BUILD", "TIMED_OUT", "BUILD_TIMED_OUT: timed out"))
    other = build(6, "FAILED", phase("INSTALL", "FAILED", "COMMAND_EXECUTION_ERROR: pip install"))
    ok = build(7, "SUCCEEDED")
    mangoo = project("p", privileged=False, recent_builds=(ok, other, timeout, token, docker))
    logs = {token.build_id: "denied: Your authorization token has expired. Reauthenticate"}
    found = _by_id(find(snapshot(projects=[mangoo], build_logs=logs)))
    assert set(found) == {
        "build-failure:ap-northeast-1:p:docker-not-found",
        "build-failure:ap-northeast-1:p:ecr-token-expired",
        "build-failure:ap-northeast-1:p:build-timeout",
        "build-failure:ap-northeast-1:p:install-failed",
    }
    assert "privileged mode" in found["build-failure:ap-northeast-1:p:docker-not-found"].cause
    assert "pre_build" in found["build-failure:ap-northeast-1:p:ecr-token-expired"].cause
    assert "60 min" in found["build-failure:ap-northeast-1:p:build-timeout"].cause
    # History is advice; only a failure of the newest build is a warning.
    assert {f.severity for f in found.values()} == {Severity.INFO}
    newest_failed = project("p", privileged=False, recent_builds=(docker,))
    (now,) = find(snapshot(projects=[newest_failed]))
    assert now.severity is Severity.WARNING


def test_a_finding_disappears_when_its_cause_is_gone_and_ids_are_stable() -> None:
    broken = repository("shop/api", has_latest=False, newest_tags=("v1",))
    pods = [_pull_backoff_pod("api-1")]
    first = find(snapshot([broken], [deployment("api", pods)]))
    again = find(snapshot([broken], [deployment("api", pods)]))
    assert [f.id for f in first] == [f.id for f in again]
    healed = deployment("api", [pod("api-1", container(f"{REGISTRY}/shop/api:latest"))])
    assert find(snapshot([repository("shop/api")], [healed])) == []


def test_findings_come_critical_first() -> None:
    repo = repository("a", scan_on_push=False)
    nova = project("nova-build", blocked=blocked())
    severities = [f.severity for f in find(snapshot([repo], projects=[nova]))]
    assert severities == [Severity.CRITICAL, Severity.INFO]


def test_buildcache_is_weighed_against_the_image_that_runs_not_the_newest_push() -> None:
    from cloud.ecr import _RepositoryFacts, repository_record
    from cloud.findings.images import _bloat
    from cloud.records import ImageRecord

    def image(digest: str, tags: tuple[str, ...], size: int) -> ImageRecord:
        return ImageRecord("nova/feed-service", "ap-northeast-1", digest, tags, size, None, None)

    gigabyte = 1_000_000_000
    facts = _RepositoryFacts(
        "ap-northeast-1",
        {"repositoryName": "nova/feed-service"},
        (  # newest first: a tiny test push, the cache, then what latest runs
            image("sha256:tiny", ("smoke-test",), 550),
            image("sha256:cache", ("buildcache",), int(1.2 * gigabyte)),
            image("sha256:app", ("latest", "main-1"), 200_000_000),
        ),
        True,
    )
    repo = repository_record(facts)
    assert repo.runtime_size_bytes == 200_000_000
    assert repo.newest_tags == ("smoke-test",)  # the newest is still the newest
    [finding] = _bloat(repo, ResourceRef("ecr", "nova/feed-service", "ap-northeast-1"))
    assert "6x the runtime image" in " ".join(finding.evidence)
