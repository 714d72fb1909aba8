"""CodeBuild, quota, ECS, Lambda and Kubernetes remediations against the demo world."""

from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from actions.audit import AuditLog
from actions.catalogue import make_action
from cloud.session import CloudSession
from tests.actions.conftest import eventually

SECRET = "clickhouse://writer:s3cr3t-Pa55@clickhouse.nova.internal:9000/nova"


def test_quota_request_unblocks_nova_builds(
    session: CloudSession,
    audit: AuditLog,
    aws: Callable[[str, str], Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    codebuild = aws("codebuild", "ap-northeast-1")
    with pytest.raises(ClientError, match="Cannot have more than 0 builds in queue"):
        codebuild.start_build(projectName="nova-ecr-build")
    start = make_action("start-build", "codebuild:nova-ecr-build", {}, session)
    blocked = start.plan()
    assert not blocked.ready
    assert any(c.name == "account concurrency > 0" and not c.passed for c in blocked.checks)
    # Values as a person reads them: no None, no 15.0.
    details = {c.name: c.detail for c in blocked.checks}
    assert details["project limit allows builds"] == (
        "concurrentBuildLimit = none (no project limit)"
    )
    assert details["account concurrency > 0"] == "L-4DDC4A99: applied value none"

    monkeypatch.setenv("SHIPDECK_STATE_DIR", str(tmp_path))
    draft = make_action(
        "draft-support-case", "codebuild:nova-ecr-build", {}, session, read_only=True
    )
    drafted = draft.apply(draft.plan())  # a local file: allowed even in read-only mode
    assert drafted.ok
    case = next((tmp_path / "support-cases").glob("nova-ecr-build-*.md")).read_text()
    for fact in (
        "Category**: Account and Billing",
        "L-4DDC4A99",
        "Applied value: none",
        "AWS default value: 15",
        "Cannot have more than 0 builds in queue",
    ):
        assert fact in case

    ask = make_action(
        "request-quota-increase",
        "quota:codebuild/L-4DDC4A99",
        {"value": "15"},
        session,
        audit=audit,
    )
    plan = ask.plan()
    assert plan.commands == (
        "aws service-quotas request-service-quota-increase --region ap-northeast-1 "
        "--service-code codebuild --quota-code L-4DDC4A99 --desired-value 15",
    )
    outcome = ask.apply(plan)
    assert outcome.ok and "PENDING" in outcome.message
    quotas = aws("service-quotas", "ap-northeast-1")

    def approved() -> bool:
        history = quotas.list_requested_service_quota_change_history_by_quota(
            ServiceCode="codebuild", QuotaCode="L-4DDC4A99"
        )["RequestedQuotas"]
        return any(r["Status"] == "APPROVED" for r in history)

    assert eventually(approved, timeout=30)
    again = make_action(
        "request-quota-increase", "quota:codebuild/L-4DDC4A99", {"value": "15"}, session
    ).plan()
    checks = {check.name: check.passed for check in again.checks}
    assert checks["no open request for this quota"]  # nothing open any more
    assert not checks["desired value is above the applied value"]  # 15 is applied now

    start = make_action(
        "start-build",
        "codebuild:nova-ecr-build",
        {"source-version": "main", "env.IMAGE_TAG": "v1.2.3"},
        session,
    )
    plan = start.plan()
    assert plan.ready
    assert plan.commands == (
        "aws codebuild start-build --region ap-northeast-1 --project-name nova-ecr-build "
        "--source-version main --environment-variables-override "
        "name=IMAGE_TAG,value=v1.2.3,type=PLAINTEXT",
    )
    outcome = start.apply(plan)
    assert outcome.ok, outcome.message
    build_id = outcome.message.removeprefix("started ")
    assert build_id.startswith("nova-ecr-build:")
    build = codebuild.batch_get_builds(ids=[build_id])["builds"][0]
    assert build["buildStatus"] == "IN_PROGRESS"

    stop = make_action("stop-build", "codebuild:nova-ecr-build", {"build": build_id}, session)
    assert stop.apply(stop.plan()).ok
    assert eventually(
        lambda: codebuild.batch_get_builds(ids=[build_id])["builds"][0]["buildStatus"] == "STOPPED"
    )


def test_remove_build_limit(session: CloudSession, aws: Callable[[str, str], Any]) -> None:
    codebuild = aws("codebuild", "us-east-1")
    codebuild.update_project(name="mangoo-build-deploy", concurrentBuildLimit=0)
    action = make_action(
        "remove-build-limit", "codebuild:mangoo-build-deploy", {}, session, region="us-east-1"
    )
    plan = action.plan()
    assert [(c.field, c.before, c.after) for c in plan.changes] == [
        ("concurrentBuildLimit", "0", "(unlimited)")
    ]
    assert action.apply(plan).ok
    project = codebuild.batch_get_projects(names=["mangoo-build-deploy"])["projects"][0]
    assert project.get("concurrentBuildLimit") in (None, -1)
    assert (
        make_action(
            "remove-build-limit", "codebuild:mangoo-build-deploy", {}, session, region="us-east-1"
        )
        .plan()
        .changes_nothing
    )


def test_resize_query_service_task(session: CloudSession, aws: Callable[[str, str], Any]) -> None:
    ecs = aws("ecs", "ap-southeast-1")
    action = make_action(
        "resize-task",
        "ecs:query-service-cluster/query-service",
        {"memory": "1024"},
        session,
        region="ap-southeast-1",
    )
    plan = action.plan()
    assert ("memory", "512", "1024") in [(c.field, c.before, c.after) for c in plan.changes]
    assert action.apply(plan).ok
    service = ecs.describe_services(cluster="query-service-cluster", services=["query-service"])[
        "services"
    ][0]
    td = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]
    assert td["memory"] == "1024"
    assert td["revision"] >= 2


def test_rollback_frontend_service_and_lambda(
    session: CloudSession, aws: Callable[[str, str], Any]
) -> None:
    rollback = make_action(
        "rollback-service", "ecs:hr-chatbot-cluster/frontend-service", {"revision": "3"}, session
    )
    plan = rollback.plan()
    assert plan.changes[0].after == "hr-chatbot-frontend:3"
    assert any(note.startswith("hr-chatbot-frontend:4 ") for note in plan.notes)
    assert rollback.apply(plan).ok
    service = aws("ecs", "ap-northeast-1").describe_services(
        cluster="hr-chatbot-cluster", services=["frontend-service"]
    )["services"][0]
    assert service["taskDefinition"].endswith("hr-chatbot-frontend:3")

    lam = make_action("rollback-lambda", "lambda:hr-chatbot-backend", {"tag": "v0.5.0"}, session)
    plan = lam.plan()
    assert plan.ready
    assert lam.apply(plan).ok
    code = aws("lambda", "ap-northeast-1").get_function(FunctionName="hr-chatbot-backend")["Code"]
    assert code["ImageUri"].endswith("hr-chatbot-backend:v0.5.0")


def test_wire_secret_env_recovers_user_service_without_showing_the_value(
    session: CloudSession, audit: AuditLog, core: Any, apps: Any, tmp_path: Path
) -> None:
    action = make_action(
        "wire-secret-env",
        "k8s:nova-backend/user-service",
        {"name": "CLICKHOUSE_URL", "value": SECRET},
        session,
        audit=audit,
    )
    plan = action.plan()
    assert plan.ready
    assert (
        "env CLICKHOUSE_URL",
        "(missing)",
        "secretKeyRef user-service-secrets/clickhouse-url",
    ) in [(c.field, c.before, c.after) for c in plan.changes]
    outcome = action.apply(plan)
    assert outcome.ok
    secret = core.read_namespaced_secret("user-service-secrets", "nova-backend")
    assert base64.b64decode(secret.data["clickhouse-url"]).decode() == SECRET
    deployment = apps.read_namespaced_deployment("user-service", "nova-backend")
    env = {e.name: e for e in deployment.spec.template.spec.containers[0].env or []}
    assert env["CLICKHOUSE_URL"].value_from.secret_key_ref.name == "user-service-secrets"

    def recovered() -> bool:
        pods = [
            p
            for p in core.list_namespaced_pod("nova-backend").items
            if p.metadata.name.startswith("user-service")
        ]
        return bool(pods) and all(
            all(s.ready for s in p.status.container_statuses or []) for p in pods
        )

    assert eventually(recovered, timeout=20)
    # The value is nowhere: not in the plan, the outcome or the audit log.
    assert SECRET not in repr(plan.as_dict()) and SECRET not in outcome.message
    assert "s3cr3t" not in audit.path.read_text()


def test_kubernetes_scale_restart_and_set_image(session: CloudSession, apps: Any) -> None:
    scale = make_action("scale-deployment", "k8s:nova-media/media-service", {"count": "2"}, session)
    plan = scale.plan()
    assert plan.commands == ("kubectl -n nova-media scale deployment/media-service --replicas=2",)
    assert scale.apply(plan).ok
    assert apps.read_namespaced_deployment("media-service", "nova-media").spec.replicas == 2

    restart = make_action("restart-rollout", "k8s:nova-media/media-service", {}, session)
    assert restart.apply(restart.plan()).ok
    template = apps.read_namespaced_deployment("media-service", "nova-media").spec.template
    assert "kubectl.kubernetes.io/restartedAt" in (template.metadata.annotations or {})

    set_image = make_action(
        "set-image",
        "k8s:nova-media/media-service",
        {"image": ":main-4514bb69c2497aa8be5618bc67cd026bbf29e792"},
        session,
    )
    plan = set_image.plan()
    assert plan.changes[0].after.endswith(
        "nova/media-service:main-4514bb69c2497aa8be5618bc67cd026bbf29e792"
    )
    assert set_image.apply(plan).ok
    image = (
        apps.read_namespaced_deployment("media-service", "nova-media")
        .spec.template.spec.containers[0]
        .image
    )
    assert image.endswith(":main-4514bb69c2497aa8be5618bc67cd026bbf29e792")
