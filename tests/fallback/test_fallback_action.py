"""``fallback-build`` as a catalogue action, with no Docker engine: values, plan, steps, cancel.

ECR is moto's over real HTTP; ``DOCKER_HOST`` points at a loopback port
nothing listens on, as on a laptop whose Docker Desktop is stopped.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from actions.catalogue import CATALOGUE, make_action
from actions.fallback import ENGINE_CHECK, FallbackBuild, OutputFeed
from actions.model import Action, BadParameter, Danger, PreconditionFailed
from actions.progress import StepStatus
from cloud.session import CloudSession
from cloud.settings import Settings
from tests.fallback.conftest import REGION, SAMPLE_BACKEND, _free_port, write_service

PROJECT = "nova-ecr-build"
SERVICES = ["auth-service", "cdn-service", "feed-service"]


@pytest.fixture
def no_engine(monkeypatch: pytest.MonkeyPatch) -> str:
    """``DOCKER_HOST`` at a closed loopback port; returns it."""
    host = f"tcp://127.0.0.1:{_free_port()}"
    monkeypatch.setenv("DOCKER_HOST", host)
    monkeypatch.delenv("DOCKER_CONTEXT", raising=False)
    return host


def _settings(tmp_path: Path, **table: Any) -> Settings:
    raw = {
        "context": str(SAMPLE_BACKEND),
        "services": SERVICES,
        "repository": "nova/{service}",
        "tags": ["latest", "main-{git_sha}"],
        **table,
    }
    return Settings(regions=(REGION,), fallback={PROJECT: raw}, path=tmp_path / "config.toml")


def _action(
    session: CloudSession, settings: Settings, target: str = f"codebuild:{PROJECT}", **values: str
) -> Action:
    return make_action("fallback-build", target, values, session, settings=settings)


def test_it_is_in_the_catalogue_as_a_long_running_codebuild_action() -> None:
    cls = CATALOGUE["fallback-build"]
    assert cls is FallbackBuild
    assert (cls.target_kind, cls.long_running, cls.danger) == ("codebuild", True, Danger.RISKY)
    assert set(cls.affects) == {"ecr", "k8s", "ecs", "lambda"}
    names = [p.name for p in cls.params]
    assert names == ["services", "context", "parallel", "repository", "registry", "engine"]


def test_without_an_engine_the_plan_fails_its_engine_check(
    no_engine: str,
    session: CloudSession,
    repositories: Any,
    tmp_path: Path,
) -> None:
    repositories("nova/cdn-service")
    registry = f"127.0.0.1:{_free_port()}"  # ECR's proxyEndpoint is not reachable from here
    action = _action(session, _settings(tmp_path), services="cdn-service", registry=registry)
    plan = action.plan()

    engine = next(c for c in plan.checks if c.name == ENGINE_CHECK)
    assert not engine.passed
    assert engine.detail.startswith(f"no Docker engine is reachable at {no_engine} (DOCKER_HOST)")
    assert "\n" not in engine.detail
    login = next(c for c in plan.checks if c.name == "ECR login")
    assert login.passed, login.detail  # the rest of the plan is still read
    assert not plan.ready
    assert plan.danger is Danger.RISKY
    assert plan.target == f"codebuild:{PROJECT}"
    resources = [c.resource for c in plan.changes]
    assert resources[0] == f"{registry}/nova/cdn-service:latest" and len(resources) == 2
    assert any(c.startswith("docker build --platform linux/amd64") for c in plan.commands)
    with pytest.raises(PreconditionFailed, match=ENGINE_CHECK):
        action.apply(plan)
    assert [(s.key, s.state) for s in action.steps()] == [("cdn-service", "queued")]


def test_steps_list_every_service_queued_before_apply_and_cancel_marks_them(
    session: CloudSession, tmp_path: Path
) -> None:
    action = _action(session, _settings(tmp_path))
    steps = action.steps()
    assert [s.key for s in steps] == SERVICES
    assert all(s.state == "queued" and not s.finished and s.elapsed is None for s in steps)
    assert isinstance(action.output(), OutputFeed)

    assert action.cancel("feed-service")
    assert not action.cancel("feed-service")  # already marked
    assert not action.cancel("ghost-service")
    by_key: dict[str, StepStatus] = {s.key: s for s in action.steps()}
    assert by_key["feed-service"].state == "cancelled" and by_key["feed-service"].finished
    assert by_key["auth-service"].state == "queued"
    assert action.cancel(None)
    assert all(s.state == "cancelled" for s in action.steps())
    assert not action.cancel(None)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"services": "auth-service,ghost"}, "'ghost' is not a service of this recipe"),
        ({"parallel": "0"}, "parallel='0': expected a number of builds at a time from 1 to 16"),
        ({"parallel": "17"}, "from 1 to 16"),
        ({"parallel": "two"}, "parallel='two'"),
        ({"engine": "podman"}, "engine='podman': expected auto, buildx or sdk"),
        ({"registry": "ftp://mirror"}, "registry 'ftp://mirror'"),
        ({"repository": "Nova/{service}"}, "fallback.nova-ecr-build.repository"),
        ({"colour": "red"}, "unknown parameter 'colour'"),
    ],
)
def test_bad_values_are_one_line(
    session: CloudSession, tmp_path: Path, values: dict[str, str], expected: str
) -> None:
    with pytest.raises(BadParameter) as raised:
        _action(session, _settings(tmp_path), **values)
    assert expected in str(raised.value)
    assert "\n" not in str(raised.value)


def test_no_recipe_and_no_context_says_which_table_is_missing_where(
    session: CloudSession, tmp_path: Path
) -> None:
    with pytest.raises(BadParameter) as raised:
        _action(session, _settings(tmp_path), target="codebuild:nobody")
    message = str(raised.value)
    assert f"no recipe [fallback.nobody] in {tmp_path / 'config.toml'}" in message
    assert f"(known: {PROJECT})" in message
    assert "context=DIR builds every sub-folder of DIR that has a Dockerfile" in message


def test_context_without_a_recipe_builds_every_dockerfile_there(
    session: CloudSession, tmp_path: Path
) -> None:
    backend = tmp_path / "backend"
    for service in ("b-service", "a-service"):
        write_service(backend, service)
    (backend / "docs").mkdir()  # no Dockerfile: not a service
    action = _action(
        session,
        _settings(tmp_path),
        target="codebuild:other",
        context=str(backend),
        repository="other/{service}",
        parallel="3",
    )
    assert [s.key for s in action.steps()] == ["a-service", "b-service"]
    assert isinstance(action, FallbackBuild)
    assert action.recipe.parallel == 3
    assert [job.repository for job in action.jobs()] == ["other/a-service", "other/b-service"]


def test_a_recipes_relative_context_is_under_the_config_files_folder(
    session: CloudSession, tmp_path: Path
) -> None:
    write_service(tmp_path / "backend", "auth-service")
    settings = _settings(tmp_path, context="backend", services=["auth-service"], region="eu-west-1")
    action = _action(session, settings)
    assert isinstance(action, FallbackBuild)
    assert action.recipe.context == tmp_path / "backend"
    assert action.region == "eu-west-1"  # the recipe's region is where the images go
    other = tmp_path / "elsewhere"
    write_service(other, "auth-service")
    moved = _action(session, settings, context=str(other))
    assert isinstance(moved, FallbackBuild)
    assert moved.recipe.context == other
    assert moved.recipe.services == ("auth-service",)  # the recipe's, from the other folder


def test_without_settings_the_config_file_is_read(
    session: CloudSession, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        f'[fallback.{PROJECT}]\ncontext = "{SAMPLE_BACKEND}"\nservices = ["cdn-service"]\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("SHIPDECK_CONFIG", str(config))
    action = make_action("fallback-build", f"codebuild:{PROJECT}", {}, session)
    assert [s.key for s in action.steps()] == ["cdn-service"]
