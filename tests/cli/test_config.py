"""The config file: defaults, overrides, and one-line errors that name file and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from cloud.settings import ConfigError, Settings, check_binding_ids, load_settings
from widgets.log_buffer import DEFAULT_MAX_LINES as LOG_VIEW_MAX_LINES


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_full_config_is_read(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """
profile = "nova-prod"
regions = ["ap-northeast-1", "us-east-1"]
context = "nova"
theme = "nord"
[refresh]
builds = 5
[keys]
"pane.builds" = "b"
[logs]
max_lines = 250000
calls_per_second = 2.5
""",
    )
    settings = load_settings(path)
    assert settings.profile == "nova-prod"
    assert settings.regions == ("ap-northeast-1", "us-east-1")
    assert settings.context == "nova"
    assert settings.theme == "nord"
    assert settings.refresh["builds"] == 5.0
    assert settings.refresh["quotas"] == 60.0  # untouched panes keep their default
    assert settings.keys == {"pane.builds": "b"}
    assert settings.log_max_lines == 250_000
    assert settings.log_calls_per_second == 2.5


def test_missing_default_file_gives_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SHIPDECK_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert load_settings() == Settings()


def test_the_default_log_length_is_the_log_views_own() -> None:
    # Two constants (widgets may not import cloud); a log view without a config
    # file keeps as many lines as one opened with the default settings.
    assert Settings().log_max_lines == LOG_VIEW_MAX_LINES


def test_shipdeck_config_names_a_missing_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "nope.toml"
    monkeypatch.setenv("SHIPDECK_CONFIG", str(missing))
    with pytest.raises(ConfigError, match=r"nope\.toml: config file not found"):
        load_settings()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("colour = 1\n", r"config\.toml: colour: unknown key"),
        ("regions = [1, 2]\n", r"config\.toml: regions: expected a list of region names"),
        ("[refresh]\nbuilds = 0\n", r"config\.toml: refresh\.builds: expected seconds >= 1"),
        ("[refresh]\nlogs = 3\n", r"config\.toml: refresh\.logs: unknown pane"),
        ('read_only = "yes"\n', r"config\.toml: read_only: expected true or false"),
        ('[keys]\n"quit" = ""\n', r"config\.toml: keys\.quit: expected a key"),
        ("profile = [\n", r"config\.toml: not valid TOML"),
        ("[logs]\nmax_lines = 10\n", r"config\.toml: logs\.max_lines: expected 1000 to"),
        ("[logs]\ncalls_per_second = 0\n", r"config\.toml: logs\.calls_per_second: expected"),
        ("[logs]\nspeed = 2\n", r"config\.toml: logs\.speed: unknown key"),
    ],
)
def test_bad_config_names_file_key_and_problem(tmp_path: Path, text: str, expected: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError, match=expected) as caught:
        load_settings(path)
    assert "\n" not in str(caught.value)


def test_keymap_with_an_unknown_binding_id_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, '[keys]\n"pane.nowhere" = "x"\n')
    settings = load_settings(path)
    with pytest.raises(ConfigError, match=r"keys\.pane\.nowhere: unknown binding id"):
        check_binding_ids(settings, {"pane.builds", "quit"})


def test_several_profiles_in_the_config_file(tmp_path: Path) -> None:
    settings = load_settings(
        _write(
            tmp_path,
            'profile = ["team-a", "team-b"]\n[profiles.team-b]\nread_only = true\n',
        )
    )
    assert settings.profiles == ("team-a", "team-b")
    assert settings.profile == "team-a"  # the first: the header's, the kube context's
    assert settings.read_only_profiles == frozenset({"team-b"})
    single = load_settings(_write(tmp_path, 'profile = "nova-prod"\n'))
    assert single.profile == "nova-prod" and single.profiles == ("nova-prod",)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("profile = []\n", "profile: expected a profile name or a list"),
        ('profile = ["a", 3]\n', "profile: expected a profile name or a list"),
        ('profile = ["a", "a"]\n', "profile: profile 'a' is listed twice"),
        ('profiles = ["a", "b"]\n', 'to show several profiles at once write profile = ["a", "b"]'),
    ],
)
def test_bad_profile_lists_name_file_and_fault(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings(_write(tmp_path, text))
    message = str(raised.value)
    assert message.startswith(f"{tmp_path / 'config.toml'}: ") and "\n" not in message
    assert expected in message
