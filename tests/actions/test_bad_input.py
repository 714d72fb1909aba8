"""Input is checked before anything happens: numbers, secrets, and arguments that are not text.

Numbers must be within the service's own bounds (``count=99999999999999999999``
and ``value=inf`` passed every check before); a secret comes from standard input
or the console's masked field, never ``--set`` (it would be in ``ps``); an
argument that is not UTF-8 is one line and exit 2 (the audit writer crashed on
it). Each refusal on the command line is one line, exit 2, no traceback, and
nothing reaches the audit log.
"""

from __future__ import annotations

import base64
import os
import subprocess
from pathlib import Path

import pytest
from kubernetes import client as kube_client

from actions.bounds import ECS_DESIRED_COUNT, KUBE_REPLICAS, QUOTA_VALUE
from actions.catalogue import make_action
from actions.model import BadParameter
from cloud.session import CloudSession
from cloud.settings import Settings
from demo.launcher import WorldProcess
from tests.actions.conftest import SHIPDECK, WIRE_JWT_KEY

QUOTA = "quota:codebuild/L-4DDC4A99"
ECS = "ecs:hr-chatbot-cluster/frontend-service"
KUBE = "k8s:nova-media/media-service"
PEM = (
    "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n"
    "BKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\n-----END PRIVATE KEY-----"
)


# --- the bounds themselves -------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["99999999999999999999", "5001", "-1", "1.5", "1e3", "inf", "nan", "²", "٣", "", "x"]
)
def test_a_desired_count_out_of_bounds_is_refused(text: str) -> None:
    assert ECS_DESIRED_COUNT.problem(text) is not None


@pytest.mark.parametrize("text", ["0", "1", "5000", " 3 "])
def test_a_desired_count_within_bounds_is_taken(text: str) -> None:
    assert ECS_DESIRED_COUNT.problem(text) is None


def test_replicas_stop_at_int32() -> None:
    assert KUBE_REPLICAS.problem("2147483647") is None
    assert KUBE_REPLICAS.problem("2147483648") is not None


@pytest.mark.parametrize(
    "text", ["inf", "-inf", "nan", "NaN", "0", "-5", "1e11", "1e309", "9" * 400, "infinity"]
)
def test_a_quota_value_out_of_bounds_is_refused(text: str) -> None:
    assert QUOTA_VALUE.problem(text) is not None


@pytest.mark.parametrize("text", ["15", "0.5", "1e4", "10000000000"])
def test_a_quota_value_within_bounds_is_taken(text: str) -> None:
    assert QUOTA_VALUE.problem(text) is None


# --- actions refuse them when made, before any read -------------------------------


@pytest.mark.parametrize(
    ("action", "target", "values", "expected"),
    [
        ("scale-service", ECS, {"count": "99999999999999999999"}, "count="),
        ("scale-service", ECS, {"count": "inf"}, "at most 5,000 tasks"),
        ("scale-deployment", KUBE, {"count": "-1"}, "int32"),
        ("scale-deployment", KUBE, {"count": "nan"}, "int32"),
        ("resize-task", ECS, {"memory": "99999999999999999999"}, "memory="),
        ("resize-task", ECS, {"memory": "64"}, "128 MiB"),
        ("resize-task", ECS, {"cpu": "inf"}, "192 vCPU"),
        ("request-quota-increase", QUOTA, {"value": "inf"}, "above 0, at most 1e10"),
        ("request-quota-increase", QUOTA, {"value": "nan"}, "value='nan'"),
        ("request-quota-increase", QUOTA, {"value": "-3"}, "value="),
    ],
)
def test_an_action_refuses_a_number_out_of_bounds(
    session: CloudSession, action: str, target: str, values: dict[str, str], expected: str
) -> None:
    with pytest.raises(BadParameter, match=expected) as refused:
        make_action(action, target, values, session, settings=Settings())
    assert "\n" not in str(refused.value)


def test_a_quota_request_must_be_above_the_applied_value(session: CloudSession) -> None:
    plan = make_action(
        "request-quota-increase", QUOTA, {"value": "0.5"}, session, settings=Settings()
    ).plan()
    checks = {check.name: check for check in plan.checks}
    assert checks["desired value is positive"].passed
    assert set(checks) >= {"desired value is above the applied value"}


# --- the command line --------------------------------------------------------------


def _run(
    tmp_path: Path, *args: str | bytes, stdin: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "SHIPDECK_STATE_DIR": str(tmp_path)}
    env["SHIPDECK_CONFIG"] = str(tmp_path / "config.toml")
    (tmp_path / "config.toml").write_text("", encoding="utf-8")
    return subprocess.run(
        [SHIPDECK, "--region", "ap-northeast-1", *args],
        env=env,
        input=stdin,
        capture_output=True,
        timeout=60,
        check=False,
    )


def _one_line(done: subprocess.CompletedProcess[bytes]) -> str:
    assert done.returncode == 2, done.stdout + done.stderr
    assert b"Traceback" not in done.stderr
    (line,) = done.stderr.decode("utf-8").strip().splitlines()
    return line


@pytest.mark.parametrize(
    "args",
    [
        ("action", "scale-service", ECS, "--set", "count=99999999999999999999", "--yes"),
        ("action", "scale-deployment", KUBE, "--set", "count=inf", "--yes"),
        ("action", "resize-task", ECS, "--set", "memory=1e400", "--yes"),
        ("action", "request-quota-increase", QUOTA, "--set", "value=inf", "--yes"),
        ("action", "request-quota-increase", QUOTA, "--set", "value=nan", "--yes"),
    ],
)
def test_numbers_out_of_bounds_exit_2(
    world: WorldProcess, tmp_path: Path, args: tuple[str, ...]
) -> None:
    assert "expected" in _one_line(_run(tmp_path, *args))
    assert not (tmp_path / "audit.jsonl").exists()  # refused before any plan


@pytest.mark.parametrize(
    "args",
    [
        ("action", "retag-latest", b"ecr:nova/\xff\xfe", "--yes"),
        ("action", "scale-service", ECS, "--set", b"count=\xff", "--yes"),
        ("action", "start-build", "codebuild:nova-ecr-build", "--set", b"env.TAG=v\xc3", "--yes"),
        (b"--profile", b"\xe9t\xe9", "doctor"),
    ],
)
def test_arguments_that_are_not_utf8_exit_2(
    world: WorldProcess, tmp_path: Path, args: tuple[str | bytes, ...]
) -> None:
    line = _one_line(_run(tmp_path, *args))
    assert "is not UTF-8 text: '" in line and "\\x" in line
    assert not (tmp_path / "audit.jsonl").exists()


def test_a_secret_with_set_is_refused(world: WorldProcess, tmp_path: Path) -> None:
    done = _run(tmp_path, *WIRE_JWT_KEY, "--set", "value=Sup3r-s3cret-Pa55", "--yes", stdin=b"")
    line = _one_line(done)
    assert "standard input" in line
    assert "Sup3r" not in line and b"Sup3r" not in done.stdout
    assert not (tmp_path / "audit.jsonl").exists()


def test_a_secret_on_stdin_that_is_not_utf8_is_refused(world: WorldProcess, tmp_path: Path) -> None:
    done = _run(tmp_path, *WIRE_JWT_KEY, "--yes", stdin=b"\xff\xfesecret")
    assert "standard input is not UTF-8 text" in _one_line(done)


def test_a_multi_line_secret_on_stdin_is_kept_whole(
    world: WorldProcess, tmp_path: Path, session: CloudSession
) -> None:
    done = _run(tmp_path, *WIRE_JWT_KEY, "--yes", stdin=PEM.encode() + b"\n")
    assert done.returncode == 0, done.stderr
    assert b"MIIEvQ" not in done.stdout + done.stderr
    api = session.kube_api()
    assert api is not None
    secret = kube_client.CoreV1Api(api).read_namespaced_secret(
        "graphql-gateway-secrets", "nova-gateway"
    )
    assert secret.data is not None
    stored = base64.b64decode(secret.data["jwt-private-key-pem"]).decode()
    assert stored == PEM  # every line, not the first one
