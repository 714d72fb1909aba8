"""``shipdeck doctor`` on the seeded incident world and on a healthy one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cloud.classify import crashing_container
from cloud.findings import diagnose
from cloud.model.builder import read_snapshot
from cloud.model.kinds import KIND_NAMES
from cloud.model.snapshot import EXTRAS, Snapshot
from demo.launcher import WorldProcess
from tests.findings.conftest import (
    HEALTHY,
    SEEDS,
    doctor_json,
    session_of,
    shipdeck_runner,
    world_at,
)

NOVA = "ap-northeast-1"
NOVA_REPOS = (
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
)
BUILDCACHE = (
    "feed-service",
    "media-service",
    "messaging-service",
    "search-service",
    "streaming-service",
    "graphql-gateway",
)

# Every seeded problem of INCIDENT-WORLD.md (and docs/scenario.md's choices), by finding id.
EXPECTED = {
    # Nova: `latest` missing, pods in ImagePullBackOff
    f"missing-tag:{NOVA}:nova/cdn-service:latest",
    f"missing-tag:{NOVA}:nova/events-service:latest",
    f"missing-tag:{NOVA}:nova/notification-service:latest",
    # Nova: crash loops on a missing environment variable
    "missing-env:nova:nova-backend/user-service:CLICKHOUSE_URL",
    "missing-env:nova:nova-gateway/graphql-gateway:JWT_PRIVATE_KEY_PEM",
    "missing-env:nova:nova-backend/events-service:KAFKA_BROKERS",
    # Nova: one messaging-service replica not ready
    "not-ready:nova:nova-backend/messaging-service",
    # Nova: CodeBuild blocked at the account level (L-4DDC4A99, no applied value)
    f"builds-blocked:{NOVA}:nova-ecr-build",
    # Nova: 6 buildcache tags, no lifecycle policy and scan on push off on the 12 repositories
    *(f"buildcache-bloat:{NOVA}:nova/{name}:buildcache" for name in BUILDCACHE),
    *(f"no-lifecycle-policy:{NOVA}:nova/{name}" for name in NOVA_REPOS),
    *(f"scan-on-push-off:{NOVA}:nova/{name}" for name in NOVA_REPOS),
    # The other repositories the seeds leave without a lifecycle policy
    f"no-lifecycle-policy:{NOVA}:hr-chatbot-backend",
    f"no-lifecycle-policy:{NOVA}:hr-chatbot-frontend",
    "no-lifecycle-policy:ap-southeast-1:query-service",
    "no-lifecycle-policy:us-east-1:mangoo-frontend",
    # Mangoo: the known failures in the build history
    "build-failure:us-east-1:mangoo-build-deploy:npm-lockfile",
    "build-failure:us-east-1:mangoo-build-deploy:docker-not-found",
    "build-failure:us-east-1:mangoo-build-deploy:ecr-token-expired",
    "build-failure:us-east-1:mangoo-build-deploy:build-timeout",
    # query-service: OOM kills, and a task that failed to start
    "ecs-oom:ap-southeast-1:query-service-cluster/query-service",
    "ecs-task-failed-to-start:ap-southeast-1:query-service-cluster/query-service",
    # HR chatbot: frontend revision 4 points at a never-pushed v0.6.1 (CannotPullContainerError)
    f"missing-tag:{NOVA}:hr-chatbot-frontend:v0.6.1",
    # HR chatbot: the Lambda times out past 30 s and fails to reach its database. Its last
    # update (to v0.6.0, -1d6h) is older than the hour of log read, so the log is all the
    # running code's: both are findings, and each offers the rollback to v0.5.0
    f"lambda-timeouts:{NOVA}:hr-chatbot-backend",
    f"lambda-database-unreachable:{NOVA}:hr-chatbot-backend",
    # CloudWatch: ECS-HighCPU in ALARM over query-service's CPU; the frontend's
    # RunningTaskCount alarm has never had data (the HR Errors alarm is evidence above)
    "alarm:ap-southeast-1:ECS-HighCPU",
    f"alarm-no-data:{NOVA}:frontend-service-RunningTasks",
}


@pytest.fixture(scope="module")
def seeds() -> Iterator[WorldProcess]:
    with world_at(SEEDS) as running:
        yield running


def test_doctor_reports_each_seeded_problem_and_nothing_else(
    seeds: WorldProcess, tmp_path: Path
) -> None:
    status, report = doctor_json(shipdeck_runner(seeds, tmp_path))
    assert status == 1  # critical findings exist
    assert report["errors"] == []
    found = {f["id"] for f in report["findings"]}
    assert found - EXPECTED == set(), "unexpected findings"
    assert EXPECTED - found == set(), "seeded problems not reported"
    by_id = {f["id"]: f for f in report["findings"]}
    assert report["summary"]["critical"] == sum(
        1 for f in report["findings"] if f["severity"] == "critical"
    )

    alarm = by_id["alarm:ap-southeast-1:ECS-HighCPU"]
    assert (alarm["severity"], alarm["where"]) == (
        "warning",
        "ecs:query-service-cluster/query-service",
    )
    assert alarm["evidence"][0] == "alarm ECS-HighCPU: CPUUtilization Average > 70 for 2 x 300 s"
    assert alarm["evidence"][2].startswith("Threshold Crossed: 2 datapoints [")
    assert [fix["action"] for fix in alarm["fixes"]][:1] == ["resize-task"]
    blind = by_id[f"alarm-no-data:{NOVA}:frontend-service-RunningTasks"]
    assert blind["severity"] == "info"
    assert "INSUFFICIENT_DATA since" in blind["evidence"][1]
    explained = [
        f["id"]
        for f in report["findings"]
        if any(
            line.startswith("alarm hr-chatbot-backend-Errors in ALARM") for line in f["evidence"]
        )
    ]
    assert len(explained) == 1 and explained[0].startswith("lambda-")

    cdn = by_id[f"missing-tag:{NOVA}:nova/cdn-service:latest"]
    assert cdn["severity"] == "critical"
    assert cdn["where"] == "ecr:nova/cdn-service"
    commands = [fix["command"] for fix in cdn["fixes"]]
    assert f"shipdeck --region {NOVA} action retag-latest ecr:nova/cdn-service" in commands
    assert (
        f"shipdeck --region {NOVA} fallback-build nova-ecr-build --services cdn-service" in commands
    )

    user = by_id["missing-env:nova:nova-backend/user-service:CLICKHOUSE_URL"]
    assert "CLICKHOUSE_URL must be set: NotPresent" in user["evidence"]
    assert user["fixes"][0] == {
        "action": "wire-secret-env",
        "target": "k8s:nova-backend/user-service",
        "params": {"name": "CLICKHOUSE_URL"},
        "region": None,
        "note": user["fixes"][0]["note"],
        "command": (
            "shipdeck --context nova action wire-secret-env k8s:nova-backend/user-service "
            "--set name=CLICKHOUSE_URL"
        ),
    }

    blocked = by_id[f"builds-blocked:{NOVA}:nova-ecr-build"]
    assert "effective concurrency 0, queue 5 x 0 = 0" in blocked["evidence"]
    assert "default 15" in blocked["cause"]
    assert [f["action"] for f in blocked["fixes"]] == [
        "request-quota-increase",
        "draft-support-case",
        "fallback-build",
    ]
    assert blocked["fixes"][0]["target"] == "quota:codebuild/L-4DDC4A99"

    feed = by_id[f"buildcache-bloat:{NOVA}:nova/feed-service:buildcache"]
    assert feed["fixes"][0]["params"] == {"tag": "buildcache"}
    assert "1225557261 B" in feed["fixes"][0]["note"]

    oom = by_id["ecs-oom:ap-southeast-1:query-service-cluster/query-service"]
    assert oom["fixes"][0]["action"] == "resize-task"
    assert oom["fixes"][0]["params"] == {"memory": "1024"}

    frontend = by_id[f"missing-tag:{NOVA}:hr-chatbot-frontend:v0.6.1"]
    assert "CannotPullContainerError" in frontend["evidence"][0]
    assert frontend["fixes"][0]["target"] == "ecs:hr-chatbot-cluster/frontend-service"
    assert frontend["fixes"][0]["action"] == "rollback-service"

    for kind in ("lambda-timeouts", "lambda-database-unreachable"):
        backend = by_id[f"{kind}:{NOVA}:hr-chatbot-backend"]
        assert backend["severity"] == "warning"
        assert [(f["action"], f["params"]) for f in backend["fixes"]] == [
            ("rollback-lambda", {"tag": "v0.5.0"})
        ]

    docker = by_id["build-failure:us-east-1:mangoo-build-deploy:docker-not-found"]
    assert any("docker: command not found" in line for line in docker["evidence"])
    assert "privileged" in docker["cause"]


def test_the_console_reader_sees_every_part_and_diagnoses_what_doctor_reports(
    seeds: WorldProcess, tmp_path: Path
) -> None:
    session = session_of(seeds)
    before = read_snapshot(session)
    for name in (*KIND_NAMES, *EXTRAS):
        assert before.has(name), f"{name} was not read"
        assert before.read_at(name) is not None, f"{name} has no read time"
        assert before.part(name).errors == (), f"{name}: {before.part(name).errors}"
    assert before.pod_log("nova-backend", _crashing_pod(before)) is not None
    assert before.function_log(NOVA, "hr-chatbot-backend")

    status, report = doctor_json(shipdeck_runner(seeds, tmp_path))
    after = read_snapshot(session)
    doctor = {f["id"] for f in report["findings"]}
    seen = diagnose(before).ids, diagnose(after).ids
    assert f"missing-tag:{NOVA}:nova/cdn-service:latest" in seen[0]
    # Both read the same world; it moves on its clock (the Lambda's log grows), so doctor,
    # read between the two, equals one of them: the same one when the world stood still.
    assert doctor in seen, (doctor ^ seen[0], doctor ^ seen[1])
    assert status == 1


def _crashing_pod(snapshot: Snapshot) -> str:
    user = next(d for d in snapshot.deployments if d.name == "user-service")
    return next(p.name for p in user.pods if crashing_container(p) is not None)


def test_doctor_text_names_severity_title_where_and_fix_lines(
    seeds: WorldProcess, tmp_path: Path
) -> None:
    done = shipdeck_runner(seeds, tmp_path)("doctor")
    assert done.returncode == 1, done.stderr
    out = done.stdout
    assert "CRITICAL nova/cdn-service:latest is missing from ECR" in out
    assert "where: ecr:nova/cdn-service (ap-northeast-1)" in out
    assert "fix:   shipdeck --region ap-northeast-1 action retag-latest ecr:nova/cdn-service" in out
    assert f"{len(EXPECTED)} findings: " in out.strip().splitlines()[-1]


def test_doctor_on_a_healthy_world_finds_nothing(tmp_path: Path) -> None:
    with world_at(HEALTHY) as healthy:
        run = shipdeck_runner(healthy, tmp_path)
        status, report = doctor_json(run)
        assert (status, report["findings"], report["errors"]) == (0, [], [])
        assert report["summary"] == {"critical": 0, "warning": 0, "info": 0}
        text = run("doctor")
        assert text.returncode == 0
        assert "no findings" in text.stdout
