"""``shipdeck fallback-build`` as a person or a CI job runs it: output and exit codes."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from actions.fallback import DockerEngine
from tests.fallback.conftest import REGION, Registry, _free_port, write_service


def _shipdeck(
    tmp_path: Path, env: dict[str, str], *args: str, config: str = ""
) -> subprocess.CompletedProcess[str]:
    (tmp_path / "config.toml").write_text(config, encoding="utf-8")
    full_env = {
        **os.environ,
        **env,
        "SHIPDECK_CONFIG": str(tmp_path / "config.toml"),
        "SHIPDECK_STATE_DIR": str(tmp_path / "state"),
        "KUBECONFIG": str(tmp_path / "no-kubeconfig"),
    }
    return subprocess.run(
        [sys.executable, "-m", "cli.main", "--region", REGION, *args],
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=Path(__file__).parents[2],
    )


def _recipe(context: Path, services: list[str]) -> str:
    listed = ", ".join(f'"{s}"' for s in services)
    return (
        "[fallback.nova-ecr-build]\n"
        f'context = "{context}"\n'
        f"services = [{listed}]\n"
        'repository = "nova/{service}"\n'
        'tags = ["latest", "main-{git_sha}"]\n'
    )


@pytest.fixture
def backend(tmp_path: Path, repositories: Callable[..., list[str]]) -> Path:
    context = tmp_path / "backend"
    for service in ("auth-service", "user-service"):
        write_service(context, service)
    write_service(context, "feed-service", broken=True)
    repositories("nova/auth-service", "nova/user-service", "nova/feed-service")
    return context


@pytest.mark.docker
def test_every_service_pushed_exits_0(
    engine: DockerEngine,
    start_registry: Callable[..., Registry],
    aws_env: dict[str, str],
    backend: Path,
    tmp_path: Path,
) -> None:
    registry = start_registry()
    config = _recipe(backend, ["auth-service", "user-service"])
    args = ("fallback-build", "nova-ecr-build", "--registry", registry.url, "--engine", "sdk")

    planned = _shipdeck(tmp_path, aws_env, *args, config=config)
    assert planned.returncode == 0, planned.stderr
    assert f"{registry.host}/nova/auth-service:latest" in planned.stdout
    assert "docker push" in planned.stdout and "add --yes" in planned.stdout
    assert registry.digest("nova/auth-service", "latest") is None  # a plan changes nothing

    done = _shipdeck(tmp_path, aws_env, *args, "--yes", "--parallel", "2", config=config)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "auth-service" in done.stdout and "building step 1/3" in done.stdout
    assert "done: pushed 2 of 2 services" in done.stdout
    assert registry.digest("nova/user-service", "latest") is not None


@pytest.mark.docker
def test_one_failed_service_exits_1(
    engine: DockerEngine,
    start_registry: Callable[..., Registry],
    aws_env: dict[str, str],
    backend: Path,
    tmp_path: Path,
) -> None:
    registry = start_registry()
    done = _shipdeck(
        tmp_path, aws_env, "fallback-build", "nova-ecr-build", "--context", str(backend),
        "--repository", "nova/{service}", "--registry", registry.url, "--engine", "sdk", "--yes",
    )  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr
    assert "failed: pushed 2 of 3 services; failed: feed-service (" in done.stdout
    assert "no-such-file" in done.stdout
    assert registry.digest("nova/auth-service", "latest") is not None
    assert registry.digest("nova/feed-service", "latest") is None


@pytest.mark.docker
def test_the_catalogue_action_builds_and_prints_its_steps(
    engine: DockerEngine,
    start_registry: Callable[..., Registry],
    aws_env: dict[str, str],
    backend: Path,
    tmp_path: Path,
) -> None:
    registry = start_registry()
    done = _shipdeck(
        tmp_path, aws_env, "action", "fallback-build", "codebuild:nova-ecr-build",
        "--set", f"registry={registry.url}", "--set", "engine=sdk", "--yes",
        config=_recipe(backend, ["auth-service", "user-service"]),
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "auth-service" in done.stdout and "building step 1/3" in done.stdout
    assert "done: pushed 2 of 2 services" in done.stdout
    assert registry.digest("nova/auth-service", "latest") is not None


def test_the_catalogue_action_plans_without_an_engine(
    aws_env: dict[str, str], backend: Path, tmp_path: Path
) -> None:
    env = {**aws_env, "DOCKER_HOST": f"tcp://127.0.0.1:{_free_port()}"}
    registry = f"127.0.0.1:{_free_port()}"
    config = _recipe(backend, ["auth-service", "user-service"])
    listed = _shipdeck(tmp_path, env, "action", "--list", config=config)
    assert "fallback-build" in listed.stdout and "services=" in listed.stdout
    args = (
        "action", "fallback-build", "codebuild:nova-ecr-build",
        "--set", "services=user-service", "--set", f"registry={registry}",
    )  # fmt: skip
    planned = _shipdeck(tmp_path, env, *args, config=config)
    assert planned.returncode == 0, planned.stderr
    assert "FAIL Docker engine reachable (no Docker engine is reachable at tcp://" in planned.stdout
    assert f"{registry}/nova/user-service:latest" in planned.stdout
    assert "auth-service" not in planned.stdout
    refused = _shipdeck(tmp_path, env, *args, "--yes", config=config)
    assert refused.returncode == 1
    assert "Docker engine reachable" in refused.stderr


def test_no_engine_is_one_line_and_exit_2(
    aws_env: dict[str, str], backend: Path, tmp_path: Path
) -> None:
    env = {**aws_env, "DOCKER_HOST": "unix:///nonexistent.sock"}
    done = _shipdeck(
        tmp_path, env, "fallback-build", "nova-ecr-build", "--yes",
        config=_recipe(backend, ["auth-service"]),
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stdout == ""
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("shipdeck: error: no Docker engine is reachable at")
    assert "unix:///nonexistent.sock (DOCKER_HOST)" in line


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("nobody",), "no recipe [fallback.nobody]"),
        (("nova-ecr-build", "--services", "auth-service,ghost"), "'ghost' is not a service"),
        (("nova-ecr-build", "--parallel", "0"), "--parallel"),
        (("nova-ecr-build", "--registry", "ftp://x"), "registry 'ftp://x'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    aws_env: dict[str, str],
    backend: Path,
    tmp_path: Path,
    args: tuple[str, ...],
    expected: str,
) -> None:
    done = _shipdeck(
        tmp_path, aws_env, "fallback-build", *args, config=_recipe(backend, ["auth-service"])
    )
    assert done.returncode == 2, done.stdout + done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert expected in line


def test_a_bad_recipe_names_its_key(aws_env: dict[str, str], tmp_path: Path) -> None:
    config = '[fallback.nova]\ncontext = "."\nservices = ["a"]\nplatform = "amd64"\n'
    done = _shipdeck(tmp_path, aws_env, "fallback-build", "nova", config=config)
    assert done.returncode == 2
    assert "fallback.nova.platform: expected OS/ARCH" in done.stderr


@pytest.mark.docker
def test_read_only_refuses_with_exit_2(
    engine: DockerEngine,
    start_registry: Callable[..., Registry],
    aws_env: dict[str, str],
    backend: Path,
    tmp_path: Path,
) -> None:
    registry = start_registry()
    done = _shipdeck(
        tmp_path, aws_env, "--read-only", "fallback-build", "nova-ecr-build",
        "--registry", registry.url, "--yes", config=_recipe(backend, ["auth-service"]),
    )  # fmt: skip
    assert "read-only" in done.stderr
    assert done.returncode == 2
    assert registry.digest("nova/auth-service", "latest") is None
