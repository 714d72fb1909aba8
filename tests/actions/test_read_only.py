"""Read-only mode from each of its sources, against every headless path to a change.

The sources: ``--read-only``, ``read_only = true`` in the config file, and
``read_only = true`` under ``[profiles.NAME]`` or ``[contexts."NAME"]`` for the
profile or kube context in use. The paths: an action's ``apply`` (whoever
calls it, with or without settings), ``shipdeck action ... --yes`` and
``shipdeck fallback-build ... --yes``. Each refusal is one line and exit 2,
and the world is read back to show nothing changed.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from actions.audit import AuditLog
from actions.catalogue import make_action
from actions.model import ReadOnlyRefused
from cloud.session import CloudSession
from cloud.settings import ConfigError, Settings, load_settings, read_only_reason
from demo.launcher import WorldProcess
from tests.actions.conftest import WIRE_JWT_KEY, shipdeck

REGION = "ap-northeast-1"
REPOSITORY = "nova/notification-service"  # "latest" is missing: retag-latest would add it
SOURCES = ("flag", "config file", "profile", "kube context")


# --- the decision ----------------------------------------------------------------


def test_the_decision_names_its_source(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        "read_only = false\n[profiles.prod]\nread_only = true\n[profiles.dev]\nread_only = false\n"
        '[contexts."arn:aws:eks:eu-west-1:123456789012:cluster/prod"]\nread_only = true\n',
        encoding="utf-8",
    )
    settings = load_settings(path)
    assert settings.read_only_profiles == {"prod"}
    eks = "arn:aws:eks:eu-west-1:123456789012:cluster/prod"

    def reason(flag: bool = False, profile: str | None = None, context: str | None = None) -> Any:
        return read_only_reason(settings, flag=flag, profile=profile, context=context)

    assert reason() is None
    assert reason(profile="dev", context="kind") is None
    assert reason(flag=True) == "--read-only"
    assert reason(profile="prod") == "profile 'prod' is read-only in config.toml"
    assert reason(context=eks) == f"kube context {eks!r} is read-only in config.toml"
    whole = Settings(read_only=True, path=path)
    assert read_only_reason(whole, flag=False, profile=None, context=None) == (
        "read_only = true in config.toml"
    )


def test_the_profile_in_use_without_a_name(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings(read_only_profiles=frozenset({"default", "ops"}))
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_PROFILE", raising=False)
    assert read_only_reason(settings, flag=False, profile=None, context=None)
    monkeypatch.setenv("AWS_PROFILE", "ops")
    assert "'ops'" in str(read_only_reason(settings, flag=False, profile=None, context=None))
    monkeypatch.setenv("AWS_PROFILE", "sandbox")
    assert read_only_reason(settings, flag=False, profile=None, context=None) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[profiles]\nprod = true\n", r"profiles: expected tables such as \[profiles.NAME\]"),
        ("[profiles.prod]\nread_only = 1\n", r"profiles\.prod\.read_only: expected true or false"),
        ('[contexts."kind"]\nreadonly = true\n', r"contexts\.kind\.readonly: unknown key"),
    ],
)
def test_a_bad_scope_table_names_its_key(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=expected):
        load_settings(path)


# --- the action layer -----------------------------------------------------------


def _settings(source: str, session: CloudSession, path: Path) -> Settings:
    if source == "config file":
        return Settings(read_only=True, path=path)
    if source == "profile":
        return Settings(read_only_profiles=frozenset({"default"}), path=path)
    if source == "kube context":
        assert session.kube_context is not None
        return Settings(read_only_contexts=frozenset({session.kube_context}), path=path)
    return Settings(path=path)


def _latest(aws: Callable[[str, str], Any]) -> list[str]:
    ecr = aws("ecr", REGION)
    images = ecr.describe_images(repositoryName=REPOSITORY)["imageDetails"]
    return [t for d in images for t in d.get("imageTags", []) if t == "latest"]


@pytest.mark.parametrize("source", SOURCES)
def test_apply_refuses_from_every_source(
    session: CloudSession,
    audit: AuditLog,
    aws: Callable[[str, str], Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    source: str,
) -> None:
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    settings = _settings(source, session, tmp_path / "config.toml")
    action = make_action(
        "retag-latest",
        f"ecr:{REPOSITORY}",
        {},
        session,
        region=REGION,
        read_only=source == "flag",
        audit=audit,
        settings=settings,
    )
    plan = action.plan()  # reading is allowed
    with pytest.raises(ReadOnlyRefused, match="refused, shipdeck is in read-only mode"):
        action.apply(plan)
    assert not _latest(aws)
    assert [e["event"] for e in audit.entries()] == ["plan", "refused"]


def test_apply_without_settings_reads_the_config_file(
    session: CloudSession,
    aws: Callable[[str, str], Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A caller that forgot the settings cannot bypass a read-only config file.
    config = tmp_path / "config.toml"
    config.write_text("read_only = true\n", encoding="utf-8")
    monkeypatch.setenv("SHIPDECK_CONFIG", str(config))
    action = make_action("retag-latest", f"ecr:{REPOSITORY}", {}, session, region=REGION)
    with pytest.raises(ReadOnlyRefused, match=r"read_only = true in config\.toml"):
        action.apply(action.plan())
    assert not _latest(aws)


# --- the command line --------------------------------------------------------------


def _cli(
    world: WorldProcess, tmp_path: Path, source: str, *args: str
) -> subprocess.CompletedProcess[str]:
    """``shipdeck ARGS`` with read-only mode coming from ``source`` only."""
    assert world.config_path is not None  # the world's own config: the fallback recipe
    config = Path(world.config_path).read_text(encoding="utf-8")
    env = {**os.environ, "SHIPDECK_STATE_DIR": str(tmp_path)}
    env.pop("AWS_PROFILE", None)
    options: list[str] = ["--region", REGION]
    if source == "flag":
        options.append("--read-only")
    elif source == "config file":
        config = "read_only = true\n" + config
    elif source == "profile":  # a named profile of an AWS config file
        aws_config = tmp_path / "aws-config"
        aws_config.write_text(
            f"[profile incident]\nregion = {REGION}\naws_access_key_id = {world.access_key_id}\n"
            f"aws_secret_access_key = {world.secret_access_key}\n",
            encoding="utf-8",
        )
        env["AWS_CONFIG_FILE"] = str(aws_config)
        options += ["--profile", "incident"]
        config += "\n[profiles.incident]\nread_only = true\n"
    else:
        config += f'\n[contexts."{world.kube_context}"]\nread_only = true\n'
    (tmp_path / "config.toml").write_text(config, encoding="utf-8")
    env["SHIPDECK_CONFIG"] = str(tmp_path / "config.toml")
    return shipdeck(*options, *args, env=env, stdin=subprocess.DEVNULL)


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize(
    "command",
    [
        ("action", "retag-latest", f"ecr:{REPOSITORY}", "--yes"),
        ("action", "fallback-build", "codebuild:nova-ecr-build", "--yes"),
        ("fallback-build", "nova-ecr-build", "--yes"),
    ],
    ids=["action", "action-fallback-build", "fallback-build"],
)
def test_yes_refuses_with_one_line_and_exit_2(
    world: WorldProcess,
    aws: Callable[[str, str], Any],
    tmp_path: Path,
    source: str,
    command: tuple[str, ...],
) -> None:
    ecr = aws("ecr", REGION)
    before = ecr.describe_images(repositoryName="nova/auth-service")["imageDetails"]
    done = _cli(world, tmp_path, source, *command)
    assert done.returncode == 2, done.stdout + done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert "refused, shipdeck is in read-only mode" in line
    assert "Traceback" not in done.stderr
    assert not _latest(aws)
    assert ecr.describe_images(repositoryName="nova/auth-service")["imageDetails"] == before
    refused = [e for e in AuditLog(tmp_path / "audit.jsonl").entries()]
    assert [e["event"] for e in refused] == ["refused"]


def test_without_read_only_the_same_command_plans(world: WorldProcess, tmp_path: Path) -> None:
    # The control: the world's config alone lets the plan be printed (no --yes).
    env = {**os.environ, "SHIPDECK_STATE_DIR": str(tmp_path)}
    env.pop("AWS_PROFILE", None)
    done = shipdeck("--region", REGION, "action", "retag-latest", f"ecr:{REPOSITORY}", env=env)
    assert done.returncode == 0, done.stderr


def test_a_secret_is_not_asked_for_in_read_only_mode(world: WorldProcess, tmp_path: Path) -> None:
    # Empty stdin would be "no value given": read-only is refused before the secret is read.
    done = _cli(world, tmp_path, "config file", *WIRE_JWT_KEY, "--yes")
    assert done.returncode == 2, done.stdout + done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert "wire-secret-env: refused, shipdeck is in read-only mode" in line
