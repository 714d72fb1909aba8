"""One classifier gives both: the finding ``shipdeck doctor`` prints and the flag on the row."""

from __future__ import annotations

from cloud.findings import Diagnosis, diagnose
from cloud.records import DeploymentRecord, Flag, Severity
from tests.findings.records import (
    REGISTRY,
    container,
    deployment,
    ecs_service,
    function,
    pod,
    ref,
    repository,
    snapshot,
    task,
)

CRASH_LOG = "thread 'main' panicked at src/config.rs:9:5:\nCLICKHOUSE_URL must be set: NotPresent"


def _flag_of(diagnosis: Diagnosis, record: object) -> Flag:
    (flag,) = diagnosis.flags(ref(record))
    return flag


def _crash_looping(name: str) -> DeploymentRecord:
    crashing = container(
        f"{REGISTRY}/shop/{name}:latest",
        ready=False,
        state="waiting",
        reason="CrashLoopBackOff",
        restart_count=7,
        last_exit_code=101,
        last_reason="Error",
        last_message=CRASH_LOG,
    )
    return deployment(name, [pod(f"{name}-1", crashing), pod(f"{name}-2", crashing)])


def test_a_crash_loop_on_a_missing_variable_is_the_finding_and_the_rows_flag() -> None:
    api = _crash_looping("api")
    diagnosis = diagnose(snapshot([repository("shop/api")], [api]))
    (finding,) = diagnosis.findings
    assert finding.id == "missing-env:ctx:shop/api:CLICKHOUSE_URL"
    assert finding.ref == ref(api)
    flag = _flag_of(diagnosis, api)
    assert (flag.code, flag.severity, flag.finding) == ("missing-env", finding.severity, finding.id)
    assert flag.severity is Severity.CRITICAL
    assert flag.text == "2 pods CrashLoopBackOff: CLICKHOUSE_URL must be set: NotPresent"
    assert diagnosis.about(ref(api)) == (finding,)


def test_oom_kills_of_an_older_task_definition_are_history_and_flag_nothing() -> None:
    killed = ("app", 137, "OutOfMemoryError: Container killed")
    older = task("query:1", container_exit_codes=(killed,))
    resized = ecs_service("query", [older], task_definition="query:2")
    diagnosis = diagnose(snapshot(services=[resized]))
    assert diagnosis.flags(ref(resized)) == ()
    assert diagnosis.findings == ()
    # The same kill on the revision the service runs now is today's problem.
    current = task("query:2", container_exit_codes=(killed,))
    killing = ecs_service("query", [older, current], task_definition="query:2")
    diagnosis = diagnose(snapshot(services=[killing]))
    flag = _flag_of(diagnosis, killing)
    assert (flag.code, flag.severity) == ("ecs-oom", Severity.CRITICAL)
    assert flag.finding == "ecs-oom:ap-northeast-1:c/query"
    assert flag.text.startswith("1 task(s) stopped out of memory (task memory 512 MiB): ")


def test_a_pod_that_cannot_create_its_container_is_a_finding_and_a_flag() -> None:
    message = 'secret "api-secrets" not found'
    stuck = container(
        f"{REGISTRY}/shop/api:latest",
        ready=False,
        state="waiting",
        reason="CreateContainerConfigError",
        message=message,
    )
    api = deployment("api", [pod("api-1", stuck)])
    diagnosis = diagnose(snapshot([repository("shop/api")], [api]))
    (finding,) = diagnosis.findings
    assert (finding.id, finding.kind) == ("container-config:ctx:shop/api", "container-config")
    assert finding.severity is Severity.CRITICAL
    assert message in finding.evidence[0]
    flag = _flag_of(diagnosis, api)
    assert (flag.code, flag.severity, flag.finding) == (
        "container-config",
        Severity.CRITICAL,
        finding.id,
    )
    assert flag.text == f"1 pod CreateContainerConfigError: {message}"


def test_who_deploys_a_repository_is_the_diagnosis_reading_every_workload() -> None:
    api = repository("shop/api")
    elsewhere = repository(
        "shop/api",
        region="us-east-1",
        uri="123456789012.dkr.ecr.us-east-1.amazonaws.com/shop/api",
    )
    unused = repository("shop/unused")
    pods = deployment("api", [pod("api-1", container(f"{REGISTRY}/shop/api:latest"))])
    tasks = ecs_service("api", images=(f"{REGISTRY}/shop/api:v1",))
    handler = function("api-handler", image_uri=f"{REGISTRY}/shop/api:v2")
    diagnosis = diagnose(snapshot([api, elsewhere, unused], [pods, tasks, handler]))
    assert diagnosis.deployers(ref(api)) == (
        "ecs c/api",
        "k8s shop/api",
        "lambda api-handler",
    )
    # The repository of the same name in another region is another repository.
    assert diagnosis.deployers(ref(elsewhere)) == ()
    assert diagnosis.deployers(ref(unused)) == ()
