"""ECR remediations against the demo world: plans, effects read back, audit, refusals."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from actions.audit import AuditLog
from actions.catalogue import make_action
from actions.model import PreconditionFailed, ReadOnlyRefused, StalePlan
from cloud.session import CloudSession
from tests.actions.conftest import eventually

REGION = "ap-northeast-1"


def _tags(aws: Callable[[str, str], Any], repo: str) -> dict[str, list[str]]:
    pages = aws("ecr", REGION).get_paginator("describe_images").paginate(repositoryName=repo)
    return {
        d["imageDigest"]: list(d.get("imageTags", [])) for p in pages for d in p["imageDetails"]
    }


def _pods(core: Any, namespace: str, prefix: str) -> list[Any]:
    return [
        p for p in core.list_namespaced_pod(namespace).items if p.metadata.name.startswith(prefix)
    ]


def _waiting_reasons(core: Any, namespace: str, prefix: str) -> set[str]:
    reasons: set[str] = set()
    for pod in _pods(core, namespace, prefix):
        for status in pod.status.container_statuses or []:
            if status.state and status.state.waiting:
                reasons.add(status.state.waiting.reason)
    return reasons


def test_retag_latest_fixes_cdn_service_and_its_pod_recovers(
    session: CloudSession, audit: AuditLog, aws: Callable[[str, str], Any], core: Any
) -> None:
    assert "ImagePullBackOff" in _waiting_reasons(core, "nova-backend", "cdn-service")
    action = make_action("retag-latest", "ecr:nova/cdn-service", {}, session, audit=audit)
    plan = action.plan()
    assert plan.ready
    newest = next(
        d for d, tags in _tags(aws, "nova/cdn-service").items() if "ad82d6c3" in " ".join(tags)
    )
    assert [(c.resource, c.before, c.after) for c in plan.changes] == [
        ("nova/cdn-service:latest", "(absent)", newest.split(":")[1][:12])
    ]
    assert plan.commands == (
        "MANIFEST=$(aws ecr batch-get-image --region ap-northeast-1 --repository-name "
        "nova/cdn-service --image-ids imageTag=ad82d6c35dcc97af79055ac7f3ce00094d52f292 "
        "--query 'images[0].imageManifest' --output text)",
        "aws ecr put-image --region ap-northeast-1 --repository-name nova/cdn-service "
        '--image-tag latest --image-manifest "$MANIFEST"',
    )
    outcome = action.apply(plan)
    assert outcome.ok, outcome.message
    assert "latest" in _tags(aws, "nova/cdn-service")[newest]
    # The world reacts: the pod that could not pull latest runs within a few ticks.
    assert eventually(
        lambda: "ImagePullBackOff" not in _waiting_reasons(core, "nova-backend", "cdn-service")
    )
    events = [e["event"] for e in audit.entries()]
    assert events == ["plan", "apply", "outcome"]
    entries = list(audit.entries())
    assert entries[-1]["outcome"] == "ok"
    assert entries[-1]["target"] == "ecr:nova/cdn-service"
    assert entries[-1]["region"] == REGION
    assert "caller" in entries[-1] and entries[-1]["duration_seconds"] >= 0
    # Idempotent: a second plan changes nothing.
    again = make_action("retag-latest", "ecr:nova/cdn-service", {}, session).plan()
    assert again.changes_nothing


def test_stale_plan_is_refused(
    session: CloudSession, audit: AuditLog, aws: Callable[[str, str], Any]
) -> None:
    action = make_action("retag-latest", "ecr:nova/events-service", {}, session, audit=audit)
    plan = action.plan()
    # Someone else puts latest on another image between plan and apply.
    ecr = aws("ecr", REGION)
    other = next(d for d in _tags(aws, "nova/events-service") if d != plan.internals["digest"])
    manifest = ecr.batch_get_image(
        repositoryName="nova/events-service", imageIds=[{"imageDigest": other}]
    )["images"][0]["imageManifest"]
    ecr.put_image(repositoryName="nova/events-service", imageManifest=manifest, imageTag="latest")
    with pytest.raises(StalePlan):
        action.apply(plan)
    assert [e["outcome"] for e in audit.entries() if e["event"] == "refused"] == ["stale plan"]


def test_read_only_refuses_in_the_action_layer(
    session: CloudSession, audit: AuditLog, aws: Callable[[str, str], Any]
) -> None:
    before = _tags(aws, "nova/notification-service")
    action = make_action(
        "retag-latest", "ecr:nova/notification-service", {}, session, read_only=True, audit=audit
    )
    plan = action.plan()
    with pytest.raises(ReadOnlyRefused):
        action.apply(plan)
    assert _tags(aws, "nova/notification-service") == before


def test_delete_buildcache_frees_its_bytes(
    session: CloudSession, audit: AuditLog, aws: Callable[[str, str], Any]
) -> None:
    action = make_action(
        "delete-tag", "ecr:nova/feed-service", {"tag": "buildcache"}, session, audit=audit
    )
    plan = action.plan()
    assert plan.ready
    assert plan.confirm_text == "nova/feed-service:buildcache"
    assert plan.danger.value == "destructive"
    assert "bytes freed: 1,225,557,261" in plan.notes
    assert plan.commands == (
        "aws ecr batch-delete-image --region ap-northeast-1 --repository-name nova/feed-service "
        "--image-ids imageTag=buildcache",
    )
    assert action.apply(plan).ok
    assert all("buildcache" not in tags for tags in _tags(aws, "nova/feed-service").values())


def test_delete_is_refused_for_latest_and_for_an_image_in_use(session: CloudSession) -> None:
    latest = make_action("delete-tag", "ecr:nova/auth-service", {"tag": "latest"}, session)
    plan = latest.plan()
    assert not plan.ready
    failed = {c.name for c in plan.checks if not c.passed}
    assert "image is not tagged latest" in failed
    assert "image is not in use" in failed  # the auth-service pods run it
    with pytest.raises(PreconditionFailed):
        latest.apply(plan)
    lambda_image = make_action(
        "delete-tag", "ecr:hr-chatbot-backend", {"tag": "v0.6.0"}, session
    ).plan()
    in_use = next(c for c in lambda_image.checks if c.name == "image is not in use")
    assert not in_use.passed
    assert "lambda hr-chatbot-backend" in in_use.detail


def test_lifecycle_policy_and_scan_on_push(
    session: CloudSession, aws: Callable[[str, str], Any]
) -> None:
    policy = make_action("put-lifecycle-policy", "ecr:nova/media-service", {}, session)
    plan = policy.plan()
    assert plan.changes[0].before == "(none)"
    assert any(note.startswith("would expire") for note in plan.notes)
    assert policy.apply(plan).ok
    text = aws("ecr", REGION).get_lifecycle_policy(repositoryName="nova/media-service")[
        "lifecyclePolicyText"
    ]
    rules = json.loads(text)["rules"]
    assert rules[0]["selection"]["tagPrefixList"] == ["main-", "v"]
    assert rules[1]["selection"]["countNumber"] == 7
    assert (
        make_action("put-lifecycle-policy", "ecr:nova/media-service", {}, session)
        .plan()
        .changes_nothing
    )

    scan = make_action("enable-scan-on-push", "ecr:nova/media-service", {}, session)
    assert scan.apply(scan.plan()).ok
    repo = aws("ecr", REGION).describe_repositories(repositoryNames=["nova/media-service"])
    assert repo["repositories"][0]["imageScanningConfiguration"]["scanOnPush"] is True
