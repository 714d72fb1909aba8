"""Recipes, their one-line errors and TOML form; the parts of fallback builds with no engine."""

from __future__ import annotations

import subprocess
import tomllib
from base64 import b64encode
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from actions.fallback import (
    EcrLogin,
    OutputFeed,
    RecipeError,
    recipe_from_config,
    recipe_from_folder,
    recipe_to_toml,
    recipes_from_settings,
    source_tag,
)
from actions.fallback.buildx_builder import buildx_command, parse_buildx_line
from actions.fallback.engine import engine_params
from actions.fallback.job import ServiceJob
from actions.fallback.registry import endpoint_url, is_ecr_host
from tests.fallback.conftest import SAMPLE_BACKEND

NOVA = [
    "auth-service", "user-service", "content-service", "feed-service",
    "media-service", "messaging-service", "search-service", "streaming-service",
    "notification-service",
    "events-service",
    "cdn-service",
]  # fmt: skip


def _nova(**changes: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "context": str(SAMPLE_BACKEND),
        "services": NOVA,
        "dockerfile": "{service}/Dockerfile",
        "repository": "nova/{service}",
        "platform": "linux/amd64",
        "tags": ["latest", "main-{git_sha}"],
    }
    raw.update(changes)
    return raw


def test_the_write_ups_recipe_expands_per_service() -> None:
    recipe = recipe_from_config("nova-ecr-build", _nova())
    assert recipe.services == tuple(NOVA)
    assert recipe.parallel == 2
    assert recipe.dockerfile_for("feed-service") == "feed-service/Dockerfile"
    assert recipe.repository_for("feed-service") == "nova/feed-service"
    assert recipe.tags_for("feed-service", "4514bb69") == ("latest", "main-4514bb69")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"colour": "red"}, "fallback.nova.colour: unknown key"),
        ({"context": ""}, "fallback.nova.context: expected a non-empty string"),
        ({"services": []}, "fallback.nova.services: expected a non-empty list"),
        ({"services": ["a", "a"]}, "fallback.nova.services: 'a' is listed twice"),
        ({"services": ["bad name"]}, "fallback.nova.services: 'bad name' is not a service"),
        ({"dockerfile": "{svc}/Dockerfile"}, "fallback.nova.dockerfile: unknown placeholder {svc}"),
        ({"repository": "Nova/{service}"}, "fallback.nova.repository: 'Nova/auth-service'"),
        ({"platform": "amd64"}, "fallback.nova.platform: expected OS/ARCH"),
        ({"tags": ["-latest"]}, "fallback.nova.tags: '-latest' does not make a valid tag"),
        ({"tags": ["{branch}"]}, "fallback.nova.tags: unknown placeholder {branch}"),
        ({"parallel": 0}, "fallback.nova.parallel: expected a number of workers from 1 to 16"),
        ({"parallel": True}, "fallback.nova.parallel"),
    ],
)
def test_each_mistake_is_one_line_naming_its_key(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(RecipeError) as caught:
        recipe_from_config("nova", _nova(**changes))
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


def test_missing_context_and_services_are_named() -> None:
    with pytest.raises(RecipeError, match=r"^fallback\.x\.context: missing"):
        recipe_from_config("x", {"services": ["a"]})
    with pytest.raises(RecipeError, match=r"^fallback\.x\.services: missing"):
        recipe_from_config("x", {"context": "."})


def test_relative_context_is_read_from_the_config_files_folder(tmp_path: Path) -> None:
    recipes = recipes_from_settings({"nova": {"context": "backend", "services": ["a"]}}, tmp_path)
    assert recipes["nova"].context == tmp_path / "backend"


def test_folder_recipe_finds_every_sample_service() -> None:
    recipe = recipe_from_folder(SAMPLE_BACKEND, name="nova-ecr-build", repository="nova/{service}")
    assert sorted(recipe.services) == sorted(NOVA)
    for service in recipe.services:
        dockerfile = (SAMPLE_BACKEND / recipe.dockerfile_for(service)).read_text()
        assert dockerfile.splitlines()[1] == "FROM scratch"


def test_folder_without_dockerfiles_is_refused(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    with pytest.raises(RecipeError, match=r"no sub-folder of .* has a Dockerfile"):
        recipe_from_folder(tmp_path, name="empty")


def test_toml_round_trip() -> None:
    recipe = recipe_from_config("nova-ecr-build", _nova(parallel=4, region="ap-northeast-1"))
    text = recipe_to_toml(recipe)
    assert text.startswith("[fallback.nova-ecr-build]\n")
    raw = tomllib.loads(text)["fallback"]["nova-ecr-build"]
    assert recipe_from_config("nova-ecr-build", raw) == recipe
    odd = recipe_from_config("nova build", _nova(context='C:\\"odd" dir'))
    back = tomllib.loads(recipe_to_toml(odd))["fallback"]["nova build"]
    assert recipe_from_config("nova build", back) == odd


def test_only_and_parallel_overrides() -> None:
    recipe = recipe_from_config("nova", _nova())
    assert recipe.only(["feed-service"]).services == ("feed-service",)
    with pytest.raises(RecipeError, match="'ghost' is not a service of this recipe"):
        recipe.only(["ghost"])
    with pytest.raises(RecipeError, match=r"fallback\.nova\.parallel"):
        recipe.with_parallel(99)


def test_git_sha_inside_git_and_a_timestamp_outside(tmp_path: Path) -> None:
    outside = source_tag(tmp_path, now=datetime(2025, 11, 11, 4, 39, 26, tzinfo=UTC))
    assert outside == "local-20251111043926"
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "f").write_text("x")
    git = ["git", "-C", str(tmp_path), "-c", "user.email=a@b", "-c", "user.name=a"]
    subprocess.run([*git, "add", "f"], check=True)
    subprocess.run([*git, "commit", "-qm", "x"], check=True)
    head = subprocess.run([*git, "rev-parse", "HEAD"], capture_output=True, text=True, check=True)
    assert source_tag(tmp_path) == head.stdout.strip()


def test_buildx_plain_progress_lines() -> None:
    assert parse_buildx_line("#5 [2/4] COPY auth-service/bin /app").step == (
        2, 4, "COPY auth-service/bin /app"
    )  # fmt: skip
    assert parse_buildx_line("#9 [builder 3/7] RUN cargo build").step == (3, 7, "RUN cargo build")
    assert parse_buildx_line("#12 exporting to image").pushing
    digest = "sha256:" + "a" * 64
    line = f"#12 pushing manifest for 1.dkr.ecr.ap-northeast-1.amazonaws.com/nova/x:latest@{digest}"
    assert parse_buildx_line(line).digest == digest
    assert parse_buildx_line("ERROR: failed to solve: nope").error == "failed to solve: nope"
    assert parse_buildx_line("#5 0.123 compiling").step is None


def test_buildx_command_pushes_every_tag() -> None:
    job = ServiceJob("auth-service", Path("/b"), "auth-service/Dockerfile", "linux/amd64",
                     "nova/auth-service", ("latest", "main-1"))  # fmt: skip
    command = buildx_command(job, "reg:5000")
    assert command[:7] == ["docker", "buildx", "build", "--platform", "linux/amd64",
                           "--progress=plain", "--push"]  # fmt: skip
    assert command[-5:] == ["-t", "reg:5000/nova/auth-service:latest", "-t",
                            "reg:5000/nova/auth-service:main-1", "/b"]  # fmt: skip


def test_docker_host_is_honoured_including_ssh() -> None:
    base_url, where, _ = engine_params({"DOCKER_HOST": "ssh://nova@build-box"})
    assert (base_url, where) == ("ssh://nova@build-box", "DOCKER_HOST")
    base_url, _, _ = engine_params({"DOCKER_HOST": "tcp://10.0.0.5:2375"})
    assert base_url == "tcp://10.0.0.5:2375"


def test_registry_addresses() -> None:
    assert endpoint_url("127.0.0.1:5000") == "http://127.0.0.1:5000"
    assert endpoint_url("mirror.example:5000") == "https://mirror.example:5000"
    assert endpoint_url("https://1.dkr.ecr.ap-northeast-1.amazonaws.com/") == (
        "https://1.dkr.ecr.ap-northeast-1.amazonaws.com"
    )
    assert is_ecr_host("123456789012.dkr.ecr.ap-northeast-1.amazonaws.com")
    assert not is_ecr_host("127.0.0.1:5000")


class _TokenCounter:
    """An ECR stand-in for the refresh rule only: hands out numbered tokens."""

    def __init__(self, lifetime: timedelta) -> None:
        self.lifetime = lifetime
        self.calls = 0

    def get_authorization_token(self) -> dict[str, Any]:
        self.calls += 1
        token = b64encode(f"AWS:pw-{self.calls}".encode()).decode()
        return {
            "authorizationData": [
                {
                    "authorizationToken": token,
                    "proxyEndpoint": "https://1.dkr.ecr.ap-northeast-1.amazonaws.com",
                    "expiresAt": datetime.now(UTC) + self.lifetime,
                }
            ]
        }


def test_login_is_reused_until_near_expiry_and_hides_its_password() -> None:
    fresh = _TokenCounter(timedelta(hours=12))
    login = EcrLogin(fresh)
    first = login.credentials()
    assert login.credentials() is first and fresh.calls == 1
    assert first.host == "1.dkr.ecr.ap-northeast-1.amazonaws.com"
    assert "pw-1" not in repr(first)
    expiring = _TokenCounter(timedelta(minutes=5))
    login = EcrLogin(expiring, registry_override="127.0.0.1:5000")
    assert login.credentials().password == "pw-1"
    assert login.credentials().password == "pw-2"  # refreshed: it expires within 30 min
    assert login.credentials().endpoint == "http://127.0.0.1:5000"


def test_output_feed_is_bounded_and_drained_in_batches() -> None:
    feed = OutputFeed(limit=3)
    for n in range(5):
        feed.put("auth-service", f"line {n}")
    assert feed.dropped == 2
    assert [line.text for line in feed.drain(limit=2)] == ["line 2", "line 3"]
    assert [line.text for line in feed.drain()] == ["line 4"]
    assert feed.drain(wait=0.01) == []
