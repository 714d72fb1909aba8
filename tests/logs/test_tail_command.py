"""``shipdeck tail`` end to end against the moto server: lines, bad input, ``| head``."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cli.tail import tail
from tests.logs.conftest import REGION, now_ms, put

Clients = Callable[[str, str], Any]


@pytest.fixture
def aws_env(moto_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The environment a person would set to point shipdeck at the endpoint."""
    env = {
        "AWS_ENDPOINT_URL": moto_url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "KUBECONFIG": str(tmp_path / "no-kubeconfig"),
        # No config file's regions: tail looks in the one region the environment names.
        "SHIPDECK_CONFIG": str(tmp_path / "config.toml"),
        "SHIPDECK_STATE_DIR": str(tmp_path / "state"),
    }
    (tmp_path / "config.toml").write_text("", encoding="utf-8")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


def test_tail_prints_merged_lines_of_two_groups(
    aws_env: dict[str, str], clients: Clients, new_group: Callable[..., str]
) -> None:
    one, two = new_group("app"), new_group("web")
    logs = clients("logs", REGION)
    base = now_ms() - 60_000
    put(logs, one, "app", [(base, "started\n"), (base + 2, "ready")])
    put(logs, two, "web", [(base + 1, "GET /health 200")])
    result = CliRunner().invoke(tail, [one, two, "--since", "5m"])
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [line.split(" ", 1)[1] for line in lines] == [
        f"{one}/app started",
        f"{two}/web GET /health 200",
        f"{one}/app ready",
    ]
    assert lines[0].split(" ")[0].endswith("Z")


def test_filter_pattern_is_passed_to_cloudwatch(
    aws_env: dict[str, str], clients: Clients, new_group: Callable[..., str]
) -> None:
    group = new_group("s")
    put(clients("logs", REGION), group, "s", [(now_ms() - 1000, "ok"), (now_ms(), "ERROR boom")])
    result = CliRunner().invoke(tail, [group, "--filter", "ERROR"])
    assert result.exit_code == 0
    assert result.stdout.endswith(f"{group}/s ERROR boom\n")
    assert len(result.stdout.splitlines()) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["/shipdeck/missing-group"], "log group /shipdeck/missing-group not found in us-east-1"),
        (["g", "--since", "yesterday"], "cannot read --since 'yesterday'"),
        ([], "name log groups, or --build ID, or --pod NS/NAME"),
        (["g", "--previous"], "--container and --previous go with --pod"),
        (["--pod", "just-a-name"], "--pod takes namespace/name"),
        (["--pod", "ns/p"], "--pod needs a kubeconfig"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    aws_env: dict[str, str], args: list[str], message: str
) -> None:
    result = CliRunner().invoke(tail, args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith("shipdeck: error: ")
    assert message in result.stderr


def test_unreachable_endpoint_is_one_line_on_stderr(
    aws_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    result = CliRunner().invoke(tail, ["g"])
    assert result.exit_code == 1
    assert len(result.stderr.splitlines()) == 1
    assert "unreachable" in result.stderr


def test_piped_into_head_ends_quietly(
    aws_env: dict[str, str], clients: Clients, new_group: Callable[..., str]
) -> None:
    group = new_group("s")
    put(
        clients("logs", REGION),
        group,
        "s",
        [(now_ms() - 5000 + i // 10, f"line {i}") for i in range(3000)],
    )
    env = {**os.environ, **aws_env}
    command = f"{sys.executable} -m cli.tail {group} | head -n 3"
    done = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=Path(__file__).parents[2],
    )
    assert done.stdout.count("\n") == 3
    assert done.stderr == ""
    assert done.returncode == 0
