"""``shipdeck action`` and ``shipdeck audit`` as a person runs them against the world."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from demo.launcher import WorldProcess
from tests.actions.conftest import WIRE_JWT_KEY, shipdeck


def _run(tmp_path: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["SHIPDECK_STATE_DIR"] = str(tmp_path)
    env["SHIPDECK_CONFIG"] = str(tmp_path / "config.toml")
    (tmp_path / "config.toml").write_text("", encoding="utf-8")
    return shipdeck(*args, env=env, input=stdin)


def test_list_names_every_action(world: WorldProcess, tmp_path: Path) -> None:
    listed = _run(tmp_path, "action", "--list")
    assert listed.returncode == 0
    for name in (
        "retag-latest",
        "delete-tag",
        "put-lifecycle-policy",
        "enable-scan-on-push",
        "scan-image",
        "start-build",
        "stop-build",
        "retry-build",
        "remove-build-limit",
        "request-quota-increase",
        "draft-support-case",
        "force-deploy",
        "rollback-service",
        "scale-service",
        "resize-task",
        "rollback-lambda",
        "restart-rollout",
        "set-image",
        "scale-deployment",
        "delete-pod",
        "wire-secret-env",
        "fallback-build",
    ):
        assert name in listed.stdout


def test_plan_only_then_apply_then_audit(
    world: WorldProcess, tmp_path: Path, aws: Callable[[str, str], Any]
) -> None:
    planned = _run(
        tmp_path,
        "--region",
        "ap-northeast-1",
        "action",
        "retag-latest",
        "ecr:nova/notification-service",
    )
    assert planned.returncode == 0, planned.stderr
    assert "nova/notification-service:latest image: (absent) -> " in planned.stdout
    assert "aws ecr put-image --region ap-northeast-1" in planned.stdout
    ecr = aws("ecr", "ap-northeast-1")
    tags = [
        t
        for d in ecr.describe_images(repositoryName="nova/notification-service")["imageDetails"]
        for t in d.get("imageTags", [])
    ]
    assert "latest" not in tags  # a plan changes nothing

    refused = _run(
        tmp_path,
        "--read-only",
        "--region",
        "ap-northeast-1",
        "action",
        "retag-latest",
        "ecr:nova/notification-service",
        "--yes",
    )
    assert refused.returncode == 2
    assert "read-only" in refused.stderr.strip().splitlines()[-1]

    applied = _run(
        tmp_path,
        "--region",
        "ap-northeast-1",
        "action",
        "retag-latest",
        "ecr:nova/notification-service",
        "--yes",
    )
    assert applied.returncode == 0, applied.stderr
    assert "done: nova/notification-service:latest" in applied.stdout

    audit = _run(tmp_path, "audit")
    assert audit.returncode == 0
    lines = [line for line in audit.stdout.splitlines() if "notification-service" in line]
    assert [line.split()[1] for line in lines] == [
        "plan",
        "refused",  # read-only with --yes: refused before anything is read
        "plan",
        "apply",
        "outcome",
    ]


def test_bad_input_exits_2_with_one_line(world: WorldProcess, tmp_path: Path) -> None:
    for args in (
        ("action", "no-such-action", "ecr:x"),
        ("action", "retag-latest", "nova/cdn-service"),
        ("action", "retag-latest", "k8s:nova-backend/cdn-service"),
        ("action", "delete-tag", "ecr:nova/cdn-service"),
        ("action", "retag-latest", "ecr:nova/cdn-service", "--set", "colour=blue"),
    ):
        result = _run(tmp_path, *args)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert "Traceback" not in result.stderr


def test_secret_is_read_from_stdin_and_never_printed(world: WorldProcess, tmp_path: Path) -> None:
    secret = (
        "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----"
    )
    result = _run(tmp_path, *WIRE_JWT_KEY, "--yes", stdin=secret)
    assert result.returncode == 0, result.stderr
    assert "graphql-gateway-secrets" in result.stdout
    assert "MIIEvQ" not in result.stdout + result.stderr
    assert "MIIEvQ" not in (tmp_path / "audit.jsonl").read_text()
