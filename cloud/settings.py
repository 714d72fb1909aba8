"""The user's config file: defaults for profile(s), regions, context, refresh, keys, theme.

Plain data read by the console and the command line alike (stdlib, tomllib,
platformdirs): no UI here, so ``shipdeck doctor`` never imports one.

The file is ``config.toml`` in the user's config directory (platformdirs), or
the path in ``SHIPDECK_CONFIG``. A missing file is fine (defaults); a file that
exists but is wrong stops the program with one line naming the file, the key
and what is wrong, so nothing is half-applied.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cloud.custom_actions import CustomActionSpec, parse_actions
from cloud.logs.limits import DEFAULT_CALLS_PER_SECOND, DEFAULT_MAX_LINES
from cloud.text import safe_value

__all__ = [
    "ConfigError",
    "Settings",
    "config_path",
    "load_settings",
    "read_only_reason",
    "state_dir",
]

PANES = ("repositories", "builds", "services", "quotas", "alarms")

DEFAULT_REFRESH: dict[str, float] = {
    "repositories": 60.0,
    "builds": 10.0,
    "services": 10.0,
    "quotas": 60.0,
    "alarms": 30.0,
}

_TOP_KEYS = {
    "profile",
    "regions",
    "context",
    "theme",
    "read_only",
    "refresh",
    "keys",
    "fallback",
    "logs",
    "profiles",
    "contexts",
    "actions",
}
_SCOPE_KEYS = ("read_only",)  # what a [profiles.NAME] or [contexts."NAME"] table may set
LOG_MAX_LINES = DEFAULT_MAX_LINES
"""Lines a log view keeps by default (``[logs] max_lines``)."""
LOG_CALLS_PER_SECOND = DEFAULT_CALLS_PER_SECOND
"""FilterLogEvents calls per second and region by default (``[logs] calls_per_second``)."""
_LOG_KEYS = ("max_lines", "calls_per_second")


def state_dir() -> Path:
    """Where shipdeck keeps what it writes: ``SHIPDECK_STATE_DIR`` or the user state directory."""
    override = os.environ.get("SHIPDECK_STATE_DIR")
    if override:
        return Path(override).expanduser()
    from platformdirs import user_state_path

    return user_state_path("shipdeck")


class ConfigError(Exception):
    """A config file that cannot be used; ``str()`` is one line for the person."""


@dataclass(frozen=True)
class Settings:
    """What the config file (and then the command line) decides."""

    profile: str | None = None
    profiles: tuple[str, ...] = ()
    """``profile = ["a", "b"]``: the profiles shown together (``profile`` is then the first)."""
    regions: tuple[str, ...] = ()
    context: str | None = None
    theme: str = "textual-dark"
    read_only: bool = False
    refresh: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_REFRESH))
    keys: Mapping[str, str] = field(default_factory=dict)  # binding id -> comma-separated keys
    fallback: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    log_max_lines: int = LOG_MAX_LINES
    log_calls_per_second: float = LOG_CALLS_PER_SECOND
    read_only_profiles: frozenset[str] = frozenset()  # [profiles.NAME] read_only = true
    read_only_contexts: frozenset[str] = frozenset()  # [contexts."NAME"] read_only = true
    path: Path | None = None  # the file these settings came from, if any
    actions: tuple[CustomActionSpec, ...] = ()  # the good [[actions]] entries
    action_problems: tuple[str, ...] = ()  # one line per bad [[actions]] entry (left out)


def aws_profile_name(profile: str | None) -> str:
    """The AWS profile in use: the one asked for, else ``AWS_PROFILE``, else ``default``."""
    return (
        profile
        or os.environ.get("AWS_PROFILE")
        or os.environ.get("AWS_DEFAULT_PROFILE")
        or "default"
    )


def read_only_reason(
    settings: Settings | None, *, flag: bool, profile: str | None, context: str | None
) -> str | None:
    """Whether changes are forbidden, and why: the one place read-only mode is decided.

    ``flag`` is ``--read-only``; ``settings`` the config file (its top-level
    ``read_only``, and ``read_only`` under the table of the AWS ``profile`` or
    the kube ``context`` in use). A read-only profile or context makes the whole
    session read-only: one console acts on both. None when changes are allowed;
    else the reason, short enough for a badge's tooltip or an error line.
    """
    if flag:
        return "--read-only"
    if settings is None:
        return None
    where = f"in {settings.path.name}" if settings.path is not None else "in the config file"
    if settings.read_only:
        return f"read_only = true {where}"
    name = aws_profile_name(profile)
    if name in settings.read_only_profiles:
        return f"profile {name!r} is read-only {where}"
    if context is not None and context in settings.read_only_contexts:
        return f"kube context {context!r} is read-only {where}"
    return None


def config_path() -> Path:
    """Where the config file is read from: ``SHIPDECK_CONFIG`` or the platform's config dir."""
    override = os.environ.get("SHIPDECK_CONFIG")
    if override:
        return Path(override).expanduser()
    from platformdirs import user_config_path

    return user_config_path("shipdeck") / "config.toml"


def load_settings(path: Path | None = None) -> Settings:
    """Read and check the config file; a missing default file gives the defaults."""
    explicit = path is not None or bool(os.environ.get("SHIPDECK_CONFIG"))
    path = path or config_path()
    if not path.exists():
        if explicit:
            raise ConfigError(f"{path}: config file not found")
        return Settings()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config file: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: config file is not UTF-8 text") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    # Names and paths from the file reach the header, forms and error lines:
    # made safe for the terminal like everything else from outside.
    return _settings_from(safe_value(raw), path)


def _fail(path: Path, key: str, what: str) -> ConfigError:
    return ConfigError(f"{path}: {key}: {what}")


def _string(raw: Mapping[str, Any], key: str, path: Path) -> str | None:
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise _fail(path, key, f"expected a non-empty string, got {value!r}")
    return value


def _settings_from(raw: Mapping[str, Any], path: Path) -> Settings:
    unknown = sorted(set(raw) - _TOP_KEYS)
    if unknown:
        raise _fail(path, unknown[0], f"unknown key (known: {', '.join(sorted(_TOP_KEYS))})")
    regions_raw = raw.get("regions", [])
    if isinstance(regions_raw, str):
        regions_raw = [regions_raw]
    if not isinstance(regions_raw, list) or not all(isinstance(r, str) and r for r in regions_raw):
        raise _fail(path, "regions", f"expected a list of region names, got {regions_raw!r}")
    read_only = raw.get("read_only", False)
    if not isinstance(read_only, bool):
        raise _fail(path, "read_only", f"expected true or false, got {read_only!r}")
    max_lines, calls_per_second = _logs(raw.get("logs", {}), path)
    # A bad [[actions]] entry is left out and told, not fatal: the rest of the file holds.
    actions, action_problems = parse_actions(raw.get("actions"), path)
    profiles = _profiles(raw.get("profile"), path)
    return Settings(
        profile=profiles[0] if profiles else None,
        profiles=profiles,
        regions=tuple(regions_raw),
        context=_string(raw, "context", path),
        theme=_string(raw, "theme", path) or "textual-dark",
        read_only=read_only,
        refresh=_refresh(raw.get("refresh", {}), path),
        keys=_keys(raw.get("keys", {}), path),
        fallback=_fallback(raw.get("fallback", {}), path),
        log_max_lines=max_lines,
        log_calls_per_second=calls_per_second,
        read_only_profiles=_read_only_scopes(raw.get("profiles", {}), "profiles", path),
        read_only_contexts=_read_only_scopes(raw.get("contexts", {}), "contexts", path),
        path=path,
        actions=actions,
        action_problems=action_problems,
    )


def _profiles(raw: Any, path: Path) -> tuple[str, ...]:
    """``profile = "a"`` or ``profile = ["a", "b"]`` (several shown together), in order."""
    if raw is None:
        return ()
    names = [raw] if isinstance(raw, str) else raw
    if (
        not isinstance(names, list)
        or not names
        or not all(isinstance(n, str) and n.strip() for n in names)
    ):
        raise _fail(
            path, "profile", f'expected a profile name or a list such as ["a", "b"], got {raw!r}'
        )
    twice = next((n for i, n in enumerate(names) if n in names[:i]), None)
    if twice is not None:
        raise _fail(path, "profile", f"profile {twice!r} is listed twice")
    return tuple(names)


def _read_only_scopes(raw: Any, table: str, path: Path) -> frozenset[str]:
    """The names under ``[profiles.NAME]`` (or ``[contexts."NAME"]``) that set read_only."""
    example = "[profiles.NAME]" if table == "profiles" else '[contexts."NAME"]'
    if table == "profiles" and isinstance(raw, list):
        raise _fail(
            path,
            "profiles",
            "expected tables such as [profiles.NAME] read_only = true; to show several "
            'profiles at once write profile = ["a", "b"]',
        )
    if not isinstance(raw, dict) or not all(isinstance(v, dict) for v in raw.values()):
        raise _fail(path, table, f"expected tables such as {example} read_only = true")
    names: set[str] = set()
    for name, scope in raw.items():
        unknown = sorted(set(scope) - set(_SCOPE_KEYS))
        if unknown:
            known = ", ".join(_SCOPE_KEYS)
            raise _fail(path, f"{table}.{name}.{unknown[0]}", f"unknown key (known: {known})")
        value = scope.get("read_only", False)
        if not isinstance(value, bool):
            raise _fail(path, f"{table}.{name}.read_only", f"expected true or false, got {value!r}")
        if value:
            names.add(str(name))
    return frozenset(names)


def _logs(raw: Any, path: Path) -> tuple[int, float]:
    if not isinstance(raw, dict):
        raise _fail(path, "logs", "expected a table: [logs] max_lines, calls_per_second")
    unknown = sorted(set(raw) - set(_LOG_KEYS))
    if unknown:
        raise _fail(path, f"logs.{unknown[0]}", f"unknown key (known: {', '.join(_LOG_KEYS)})")
    lines = raw.get("max_lines", LOG_MAX_LINES)
    if isinstance(lines, bool) or not isinstance(lines, int) or not 1_000 <= lines <= 5_000_000:
        raise _fail(path, "logs.max_lines", f"expected 1000 to 5000000 lines, got {lines!r}")
    rate = raw.get("calls_per_second", LOG_CALLS_PER_SECOND)
    if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 < rate <= 100:
        raise _fail(
            path, "logs.calls_per_second", f"expected a number above 0, at most 100, got {rate!r}"
        )
    return lines, float(rate)


def _refresh(raw: Any, path: Path) -> dict[str, float]:
    if not isinstance(raw, dict):
        raise _fail(path, "refresh", "expected a table of pane = seconds")
    refresh = dict(DEFAULT_REFRESH)
    for pane, seconds in raw.items():
        if pane not in PANES:
            raise _fail(path, f"refresh.{pane}", f"unknown pane (known: {', '.join(PANES)})")
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 1:
            raise _fail(path, f"refresh.{pane}", f"expected seconds >= 1, got {seconds!r}")
        refresh[pane] = float(seconds)
    return refresh


def _keys(raw: Any, path: Path) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise _fail(path, "keys", "expected a table of binding-id = key(s)")
    keys: dict[str, str] = {}
    for binding_id, key in raw.items():
        if not isinstance(key, str) or not key.strip():
            raise _fail(path, f"keys.{binding_id}", f"expected a key such as 'ctrl+r', got {key!r}")
        keys[str(binding_id)] = key
    return keys


def _fallback(raw: Any, path: Path) -> dict[str, dict[str, Any]]:
    if not isinstance(raw, dict) or not all(isinstance(v, dict) for v in raw.values()):
        raise _fail(path, "fallback", "expected tables such as [fallback.PROJECT]")
    return {str(name): dict(recipe) for name, recipe in raw.items()}


def check_binding_ids(settings: Settings, known: set[str]) -> None:
    """Refuse a keymap that names a binding the console does not have."""
    for binding_id in settings.keys:
        if binding_id not in known:
            where = settings.path or config_path()
            raise _fail(
                where, f"keys.{binding_id}", "unknown binding id (see the README's list of keys)"
            )
