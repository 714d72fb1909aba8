"""Fallback builds on the real engine, pushed to a real registry, logged in through moto's ECR."""

from __future__ import annotations

import re
import threading
import time
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from actions.audit import AuditLog
from actions.fallback import (
    DockerEngine,
    FallbackBuild,
    Recipe,
    ServiceState,
    ServiceStatus,
    recipe_from_config,
    recipe_from_folder,
    recipe_to_toml,
)
from actions.model import ReadOnlyRefused
from actions.progress import StepStatus
from cloud.model.ref import ResourceRef
from cloud.session import CloudSession
from cloud.settings import Settings
from tests.fallback.conftest import REGION, SAMPLE_BACKEND, Registry, write_service
from tests.support import until

pytestmark = pytest.mark.docker

STEP = re.compile(r"step (\d+)/(\d+)")


class Rows:
    """The action's progress listener: every step it reported, and how many ran at once."""

    def __init__(self) -> None:
        self.seen: list[StepStatus] = []
        self.lines: list[str] = []
        self.lock = threading.Lock()
        self.running: dict[str, bool] = {}
        self.most_at_once = 0
        self.on_line: Callable[[str], None] | None = None

    def step(self, status: StepStatus) -> None:
        with self.lock:
            self.seen.append(status)
            self.running[status.key] = status.state in ("building", "pushing")
            self.most_at_once = max(self.most_at_once, sum(self.running.values()))

    def line(self, key: str, text: str) -> None:
        with self.lock:
            self.lines.append(text)
        if self.on_line is not None:
            self.on_line(text)

    def states(self, service: str) -> list[str]:
        with self.lock:
            return [s.state for s in self.seen if s.key == service]

    def build_steps(self, service: str) -> list[tuple[int, int]]:
        """The ``(n, m)`` of every "building step n/m" the service reported."""
        with self.lock:
            found = [STEP.search(s.progress) for s in self.seen if s.key == service]
        return [(int(m.group(1)), int(m.group(2))) for m in found if m]


def _build(
    session: CloudSession,
    recipe: Recipe,
    registry: Registry,
    **kwargs: Any,
) -> FallbackBuild:
    """The catalogue action on ``codebuild:<recipe name>``, the recipe as a config table."""
    table = tomllib.loads(recipe_to_toml(recipe))["fallback"][recipe.name]
    settings = Settings(regions=(REGION,), fallback={recipe.name: table})
    ref = ResourceRef("codebuild", recipe.name, REGION)
    values = {"registry": registry.url, "engine": "sdk"}
    return FallbackBuild(session, ref, values, settings=settings, **kwargs)


def _wait_for(check: Callable[[], bool], timeout: float = 30.0) -> None:
    assert until(check, timeout, every=0.02), "timed out"


def test_three_sample_services_pushed_in_parallel(
    engine: DockerEngine,
    session: CloudSession,
    start_registry: Callable[..., Registry],
    repositories: Callable[..., list[str]],
    ecr_password: str,
    tmp_path: Path,
) -> None:
    registry = start_registry(password=ecr_password)
    recipe = recipe_from_folder(
        SAMPLE_BACKEND, name="nova-ecr-build", repository="nova/{service}",
        tags=["latest", "main-{git_sha}"],
    ).only(["auth-service", "feed-service", "media-service"])  # fmt: skip
    repositories(*(f"nova/{s}" for s in recipe.services))
    rows = Rows()
    audit = AuditLog(tmp_path / "audit.jsonl")
    action = _build(session, recipe, registry, audit=audit, progress=rows)
    assert [(s.key, s.state) for s in action.steps()] == [
        (service, "queued") for service in recipe.services
    ]

    plan = action.plan()
    assert plan.ready, [c for c in plan.checks if not c.passed]
    assert f"{registry.host}/nova/auth-service:latest" in [c.resource for c in plan.changes]
    assert any(c.startswith("aws ecr get-login-password") for c in plan.commands)
    assert not any(ecr_password in line for line in plan.commands)
    outcome = action.apply(plan)

    assert outcome.ok, outcome.message
    assert rows.most_at_once == 2  # the pool's default bound, reached
    assert action.pool is not None
    for status in action.pool.statuses():
        assert status.state is ServiceState.DONE
        assert status.digest.startswith("sha256:") and status.size > 0
        repository = f"nova/{status.service}"
        assert registry.digest(repository, "latest") == status.digest
        assert registry.digest(repository, f"main-{action.git_sha}") == status.digest
        assert rows.states(status.service)[:2] == ["building", "building"]
        assert any(m == 5 for _, m in rows.build_steps(status.service))
    assert all(step.finished and step.ok for step in action.steps())
    lines = action.output().drain(limit=10_000)
    assert any(line.text.startswith("Step 2/5 : COPY") for line in lines)
    assert not any(ecr_password in line.text for line in lines)
    assert any(text.startswith("Step 2/5 : COPY") for text in rows.lines)
    events = [e["event"] for e in audit.entries()]
    assert events == ["plan", "apply", "outcome"]


def test_broken_dockerfile_fails_its_row_while_the_others_finish(
    engine: DockerEngine,
    session: CloudSession,
    start_registry: Callable[..., Registry],
    repositories: Callable[..., list[str]],
    tmp_path: Path,
) -> None:
    registry = start_registry()
    write_service(tmp_path, "good-one")
    write_service(tmp_path, "broken", broken=True)
    write_service(tmp_path, "good-two")
    recipe = recipe_from_folder(tmp_path, name="demo", repository="demo/{service}")
    repositories(*(f"demo/{s}" for s in recipe.services))
    action = _build(session, recipe, registry)
    outcome = action.apply(action.plan())

    assert not outcome.ok
    assert action.pool is not None
    rows = {s.service: s for s in action.pool.statuses()}
    assert rows["broken"].state is ServiceState.FAILED
    assert "no-such-file" in rows["broken"].error
    assert "\n" not in rows["broken"].error
    assert rows["good-one"].state is rows["good-two"].state is ServiceState.DONE
    assert registry.digest("demo/broken", "latest") is None
    assert registry.digest("demo/good-two", "latest") == rows["good-two"].digest
    assert "failed: broken (" in outcome.message


def test_push_with_wrong_credentials_fails_the_row(
    engine: DockerEngine,
    session: CloudSession,
    start_registry: Callable[..., Registry],
    repositories: Callable[..., list[str]],
    tmp_path: Path,
) -> None:
    registry = start_registry(password="not-what-ecr-hands-out")
    write_service(tmp_path, "auth-service")
    recipe = recipe_from_folder(tmp_path, name="nova", repository="nova/{service}")
    repositories("nova/auth-service")
    action = _build(session, recipe, registry)
    plan = action.plan()
    assert not plan.ready  # the plan already says the registry refuses us
    pool_outcome = _run_pool_despite_plan(action)
    status = pool_outcome["auth-service"]
    assert status.state is ServiceState.FAILED
    assert "401" in status.error or "unauthorized" in status.error.lower()
    assert registry.digest("nova/auth-service", "latest") is None


def test_push_refused_by_a_read_only_registry_fails_the_row(
    engine: DockerEngine,
    session: CloudSession,
    start_registry: Callable[..., Registry],
    repositories: Callable[..., list[str]],
    tmp_path: Path,
) -> None:
    registry = start_registry(read_only=True)
    write_service(tmp_path, "search-service")
    recipe = recipe_from_folder(tmp_path, name="nova", repository="nova/{service}")
    repositories("nova/search-service")
    action = _build(session, recipe, registry)
    outcome = action.apply(action.plan())
    assert not outcome.ok
    assert action.pool is not None
    (status,) = action.pool.statuses()
    assert status.state is ServiceState.FAILED
    assert status.error.startswith("push ")  # the engine's error chunk, not an exception
    assert registry.digest("nova/search-service", "latest") is None


def _run_pool_despite_plan(action: FallbackBuild) -> dict[str, ServiceStatus]:
    """Run the pool directly (as apply would after a plan that passed)."""
    from actions.fallback.pool import BuildPool
    from actions.fallback.sdk_builder import SdkBuilder

    assert action.engine is not None
    pool = BuildPool(
        action.jobs(), builder=SdkBuilder(action.engine), login=action.login, guard=action.guard
    )
    return {s.service: s for s in pool.run()}


def test_cancel_during_a_build_leaves_no_tag(
    engine: DockerEngine,
    session: CloudSession,
    start_registry: Callable[..., Registry],
    repositories: Callable[..., list[str]],
    tmp_path: Path,
) -> None:
    registry = start_registry()
    write_service(tmp_path, "slow-service", steps=60)
    write_service(tmp_path, "quick-service")
    recipe = recipe_from_folder(tmp_path, name="nova", repository="nova/{service}")
    repositories(*(f"nova/{s}" for s in recipe.services))
    rows = Rows()
    action = _build(session, recipe, registry, progress=rows)
    plan = action.plan()
    outcomes: list[Any] = []
    runner = threading.Thread(target=lambda: outcomes.append(action.apply(plan)))
    runner.start()
    _wait_for(lambda: any(n >= 3 for n, _ in rows.build_steps("slow-service")))
    cancelled_at = time.monotonic()
    assert action.cancel("slow-service")
    runner.join(60)

    assert action.pool is not None
    slow = action.pool.status("slow-service")
    assert slow.state is ServiceState.CANCELLED
    assert slow.ended - cancelled_at < 5  # cut at once, not after the 60 steps
    assert "pushing" not in rows.states("slow-service")
    assert registry.digest("nova/slow-service", "latest") is None
    assert action.pool.status("quick-service").state is ServiceState.DONE
    assert not outcomes[0].ok and "cancelled: slow-service" in outcomes[0].message


def _pushed_once(
    session: CloudSession, registry: Registry, context: Path, service: str
) -> tuple[str, Recipe]:
    """Push a first image as ``latest``; returns its digest and a recipe for a new one."""
    write_service(context, service)
    first = recipe_from_folder(context, name="nova", repository="nova/{service}")
    first_build = _build(session, first, registry)
    assert first_build.apply(first_build.plan()).ok
    old = registry.digest(f"nova/{service}", "latest")
    assert old is not None
    write_service(context, service, big=32 << 20)  # a new image, with a big layer to push
    second = recipe_from_config(
        "nova",
        {"context": str(context), "services": [service], "repository": "nova/{service}",
         "tags": ["latest", "extra"]},
    )  # fmt: skip
    return old, second


def test_cancel_after_a_tag_landed_puts_it_back(
    engine: DockerEngine,
    session: CloudSession,
    start_registry: Callable[..., Registry],
    repositories: Callable[..., list[str]],
    tmp_path: Path,
) -> None:
    registry = start_registry()
    repositories("nova/media-service")
    old, recipe = _pushed_once(session, registry, tmp_path, "media-service")
    rows = Rows()
    action = _build(session, recipe, registry, progress=rows)

    def on_line(text: str) -> None:
        if text.startswith("latest: digest:"):  # latest is in the registry now: cancel
            action.cancel(None)

    rows.on_line = on_line
    outcome = action.apply(action.plan())
    lines = rows.lines

    assert action.pool is not None
    status = action.pool.status("media-service")
    assert status.state is ServiceState.CANCELLED and status.error == "", status
    assert any(line.startswith("undo: nova/media-service:latest put back") for line in lines)
    assert registry.digest("nova/media-service", "latest") == old
    assert registry.digest("nova/media-service", "extra") is None
    assert not outcome.ok


def test_cancel_in_the_middle_of_a_push_leaves_no_new_tag(
    engine: DockerEngine,
    session: CloudSession,
    start_registry: Callable[..., Registry],
    repositories: Callable[..., list[str]],
    tmp_path: Path,
) -> None:
    registry = start_registry()
    repositories("nova/streaming-service")
    old, recipe = _pushed_once(session, registry, tmp_path, "streaming-service")
    rows = Rows()
    action = _build(session, recipe, registry, progress=rows)
    plan = action.plan()
    runner = threading.Thread(target=action.apply, args=(plan,))
    runner.start()

    def uploading() -> bool:
        with rows.lock:
            return any(s.state == "pushing" and " of " in s.progress for s in rows.seen)

    _wait_for(uploading, timeout=60)
    assert action.cancel(None)
    runner.join(60)

    assert action.pool is not None
    status = action.pool.status("streaming-service")
    assert status.state is ServiceState.CANCELLED and status.error == "", status
    assert registry.digest("nova/streaming-service", "latest") == old
    assert registry.digest("nova/streaming-service", "extra") is None


def test_read_only_mode_refuses_before_building(
    engine: DockerEngine,
    session: CloudSession,
    start_registry: Callable[..., Registry],
    repositories: Callable[..., list[str]],
) -> None:
    registry = start_registry()
    recipe = recipe_from_folder(SAMPLE_BACKEND, repository="nova/{service}").only(["user-service"])
    repositories("nova/user-service")
    action = _build(session, recipe, registry, read_only=True)
    with pytest.raises(ReadOnlyRefused):
        action.apply(action.plan())
    assert action.pool is None
    assert registry.digest("nova/user-service", "latest") is None
