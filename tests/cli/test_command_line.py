"""The shipdeck command: bad input gives one line and exit 2, never a traceback."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

SHIPDECK = shutil.which("shipdeck") or str(Path(sys.executable).with_name("shipdeck"))


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """An environment with one known AWS profile and one kube context, nothing real."""
    aws_config = tmp_path / "aws-config"
    aws_config.write_text("[profile known]\nregion = ap-northeast-1\n", encoding="utf-8")
    credentials = tmp_path / "aws-credentials"
    credentials.write_text(
        "[known]\naws_access_key_id = testing\naws_secret_access_key = testing\n",
        encoding="utf-8",
    )
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(
        """apiVersion: v1
kind: Config
clusters:
- name: c
  cluster: {server: "http://127.0.0.1:9"}
contexts:
- name: known
  context: {cluster: c, user: u}
current-context: known
users:
- name: u
  user: {token: dummy}
""",
        encoding="utf-8",
    )
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SHIPDECK_"))}
    keep.update(
        # A closed loopback port: whatever these commands try, nothing leaves the machine.
        AWS_ENDPOINT_URL="http://127.0.0.1:9",
        AWS_CONFIG_FILE=str(aws_config),
        AWS_SHARED_CREDENTIALS_FILE=str(credentials),
        KUBECONFIG=str(kubeconfig),
        SHIPDECK_CONFIG=str(tmp_path / "config.toml"),
        SHIPDECK_STATE_DIR=str(tmp_path / "state"),
    )
    (tmp_path / "config.toml").write_text("", encoding="utf-8")
    return keep


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [SHIPDECK, *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )


def _one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert lines[0].startswith("shipdeck: error: ")
    return lines[0]


def test_version_and_help(env: dict[str, str]) -> None:
    version = _run(env, "--version")
    assert version.returncode == 0
    assert "shipdeck" in version.stdout
    helped = _run(env, "--help")
    assert helped.returncode == 0
    for option in ("--profile", "--region", "--context", "--read-only", "--demo", "--scenario"):
        assert option in helped.stdout
    assert "world" in helped.stdout


def test_unknown_region(env: dict[str, str]) -> None:
    line = _one_error_line(_run(env, "--profile", "known", "--region", "mars-north-9"))
    assert "mars-north-9" in line


def test_unknown_profile(env: dict[str, str]) -> None:
    line = _one_error_line(_run(env, "--profile", "nope"))
    assert "nope" in line


def test_missing_kube_context(env: dict[str, str]) -> None:
    line = _one_error_line(_run(env, "--profile", "known", "--context", "no-such-context"))
    assert "no-such-context" in line


def test_bad_config_file(env: dict[str, str], tmp_path: Path) -> None:
    Path(env["SHIPDECK_CONFIG"]).write_text("regions = 3\n", encoding="utf-8")
    line = _one_error_line(_run(env, "--profile", "known"))
    assert "config.toml: regions:" in line


def test_unreadable_scenario_file(env: dict[str, str], tmp_path: Path) -> None:
    line = _one_error_line(_run(env, "--demo", "--scenario", str(tmp_path / "missing.yaml")))
    assert "missing.yaml" in line


def test_bad_scenario_names_file_and_field(env: dict[str, str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    source = Path(__file__).parents[2] / "demo" / "scenarios" / "minimal.yaml"
    text = source.read_text(encoding="utf-8")
    # Break one field the loader must check: a region that is not a string.
    bad.write_text(text.replace("region: ", "region: [", 1), encoding="utf-8")
    line = _one_error_line(_run(env, "--demo", "--scenario", str(bad)))
    assert "bad.yaml" in line
    world_line = _one_error_line(_run(env, "world", "--scenario", str(bad)))
    assert "bad.yaml" in world_line


def test_keymap_with_an_unknown_binding_id(env: dict[str, str]) -> None:
    Path(env["SHIPDECK_CONFIG"]).write_text('[keys]\n"pane.nowhere" = "x"\n', encoding="utf-8")
    line = _one_error_line(_run(env, "--profile", "known"))
    assert "keys.pane.nowhere: unknown binding id" in line


def test_scenario_without_demo_and_unknown_option(env: dict[str, str]) -> None:
    assert "--demo" in _one_error_line(_run(env, "--scenario", "x.yaml"))
    assert "--bogus" in _one_error_line(_run(env, "--bogus"))


@pytest.fixture
def world_command(env: dict[str, str]) -> Iterator[tuple[subprocess.Popen[str], dict[str, str]]]:
    proc = subprocess.Popen(
        [SHIPDECK, "world"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    exports: dict[str, str] = {}
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("export "):
            name, _, value = line.removeprefix("export ").strip().partition("=")
            exports[name] = value
        elif exports:  # the first line after the exports
            break
    try:
        yield proc, exports
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)


def test_world_prints_shell_lines_that_plain_clients_can_use(
    world_command: tuple[subprocess.Popen[str], dict[str, str]], env: dict[str, str]
) -> None:
    proc, exports = world_command
    for name in (
        "AWS_ENDPOINT_URL",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_DEFAULT_REGION",
        "KUBECONFIG",
    ):
        assert exports.get(name), f"{name} missing from {exports}"
    assert exports["AWS_ENDPOINT_URL"].startswith("http://127.0.0.1:")
    assert Path(exports["KUBECONFIG"]).is_file()
    ecr = boto3.client(
        "ecr",
        endpoint_url=exports["AWS_ENDPOINT_URL"],
        region_name="ap-northeast-1",
        aws_access_key_id=exports["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=exports["AWS_SECRET_ACCESS_KEY"],
    )
    names = {r["repositoryName"] for r in ecr.describe_repositories()["repositories"]}
    assert "nova/cdn-service" in names

    # A shipdeck on the world keeps its audit log in the world's folder, not the person's.
    state = Path(exports["SHIPDECK_STATE_DIR"])
    assert state.parent == Path(exports["KUBECONFIG"]).parent
    mine = Path(env["SHIPDECK_STATE_DIR"])
    on_world = {**env, **exports}
    done = _run(on_world, "action", "enable-scan-on-push", "ecr:nova/auth-service", "--yes")
    assert done.returncode == 0, done.stderr
    assert (state / "audit.jsonl").is_file()
    assert not (mine / "audit.jsonl").exists()
    proc.send_signal(signal.SIGINT)
    assert proc.wait(20) == 0


def test_world_names_each_region_it_serves_with_its_log_groups(
    world_command: tuple[subprocess.Popen[str], dict[str, str]],
) -> None:
    proc, exports = world_command
    assert proc.stdout is not None
    hints: list[str] = []
    for line in proc.stdout:
        if line.startswith("# then:"):
            break
        if line.startswith("#   "):
            hints.append(line.strip())
    by_region = {line.split()[1].rstrip(":"): line for line in hints}
    assert set(by_region) == {"ap-northeast-1", "ap-southeast-1", "us-east-1"}
    assert exports["AWS_DEFAULT_REGION"] == "ap-northeast-1"
    assert "(the default)" in by_region["ap-northeast-1"]
    assert "/aws/codebuild/mangoo" in by_region["us-east-1"]
    assert "aws --region us-east-1 logs tail " in by_region["us-east-1"]
    proc.send_signal(signal.SIGINT)
    assert proc.wait(20) == 0


def test_several_profiles_bad_input_is_one_line(env: dict[str, str]) -> None:
    # The console and doctor check every profile before any request.
    assert "'nope'" in _one_error_line(_run(env, "--profile", "known", "--profile", "nope"))
    doctor = _run(env, "--profile", "nope", "--profile", "known", "doctor")
    assert "unknown AWS profile 'nope'" in _one_error_line(doctor)
    twice = _run(env, "--profile", "known", "--profile", "known", "doctor")
    assert "given twice" in _one_error_line(twice)
    # A command that acts works in one profile: which one would be a guess.
    acting = _run(
        env, "--profile", "known", "--profile", "other", "action", "retag-latest", "ecr:x"
    )
    assert "give --profile once" in _one_error_line(acting)
