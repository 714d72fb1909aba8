"""A fallback-build recipe: which services to build from which folder, pushed where, tagged how.

Recipes come from the config file (``[fallback.NAME]`` tables, handed over raw
by the console's config loader), from a folder of services
(:func:`recipe_from_folder`), or from the command line's overrides. Every
problem is one line naming ``fallback.NAME.KEY``. :func:`recipe_to_toml`
writes a recipe back as a config table, so the console can offer to save one.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

DEFAULT_PARALLEL = 2
MAX_PARALLEL = 16
DEFAULT_DOCKERFILE = "{service}/Dockerfile"
DEFAULT_REPOSITORY = "{service}"
DEFAULT_PLATFORM = "linux/amd64"
DEFAULT_TAGS = ("latest",)

_KEYS = (
    "context",
    "services",
    "dockerfile",
    "repository",
    "platform",
    "tags",
    "parallel",
    "region",
)
# Docker's rules: a tag is 1-128 word characters, dots and dashes, not starting with . or -;
# a repository is lowercase path components separated by single separators.
_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
_REPOSITORY = re.compile(
    r"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$"
)
_SERVICE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_PLATFORM = re.compile(r"^[a-z0-9]+/[a-z0-9_]+(?:/[a-z0-9]+)?$")
_FIELDS = re.compile(r"\{([^{}]*)\}")
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


class RecipeError(ValueError):
    """A recipe that cannot be used; ``str()`` is one line naming ``fallback.NAME.KEY``."""


@dataclass(frozen=True)
class Recipe:
    """A checked fallback-build recipe; templates are expanded per service by the methods."""

    name: str
    context: Path
    services: tuple[str, ...]
    dockerfile: str = DEFAULT_DOCKERFILE
    repository: str = DEFAULT_REPOSITORY
    platform: str = DEFAULT_PLATFORM
    tags: tuple[str, ...] = DEFAULT_TAGS
    parallel: int = DEFAULT_PARALLEL
    region: str | None = None

    def dockerfile_for(self, service: str) -> str:
        """The Dockerfile of ``service``, relative to the context (``auth-service/Dockerfile``)."""
        return self.dockerfile.format(service=service)

    def repository_for(self, service: str) -> str:
        """The ECR repository of ``service`` (``nova/auth-service``)."""
        return self.repository.format(service=service)

    def tags_for(self, service: str, git_sha: str) -> tuple[str, ...]:
        """The tags pushed for ``service`` (``latest``, ``main-<sha>``), duplicates removed."""
        tags = (t.format(service=service, git_sha=git_sha) for t in self.tags)
        return tuple(dict.fromkeys(tags))

    def only(self, services: Iterable[str]) -> Recipe:
        """The same recipe for a subset of its services (``--services a,b``)."""
        wanted = tuple(dict.fromkeys(services))
        unknown = [s for s in wanted if s not in self.services]
        if unknown:
            raise RecipeError(
                f"fallback.{self.name}.services: {unknown[0]!r} is not a service of this recipe "
                f"(known: {', '.join(self.services)})"
            )
        if not wanted:
            raise RecipeError(f"fallback.{self.name}.services: no service selected")
        return replace(self, services=wanted)

    def with_context(self, context: Path) -> Recipe:
        """The same recipe built from another folder (``--context DIR``)."""
        return replace(self, context=context.expanduser().resolve())

    def with_parallel(self, parallel: int) -> Recipe:
        """The same recipe with another pool size, checked like the config key."""
        return replace(self, parallel=_parallel(parallel, f"fallback.{self.name}.parallel"))


def recipe_from_config(name: str, raw: Mapping[str, Any], base_dir: Path | None = None) -> Recipe:
    """Check one raw ``[fallback.NAME]`` table; a relative ``context`` is under ``base_dir``."""
    where = f"fallback.{name}"
    unknown = sorted(set(raw) - set(_KEYS))
    if unknown:
        raise RecipeError(f"{where}.{unknown[0]}: unknown key (known: {', '.join(_KEYS)})")
    if "context" not in raw:
        raise RecipeError(f"{where}.context: missing (the folder the services are built from)")
    context_raw = _text(raw["context"], f"{where}.context")
    context = Path(context_raw).expanduser()
    if not context.is_absolute():
        context = (base_dir or Path.cwd()) / context
    services = _services(raw.get("services"), f"{where}.services")
    dockerfile = _template(
        raw.get("dockerfile", DEFAULT_DOCKERFILE), f"{where}.dockerfile", {"service"}
    )
    repository = _template(
        raw.get("repository", DEFAULT_REPOSITORY), f"{where}.repository", {"service"}
    )
    for service in services:
        repo = repository.format(service=service)
        if not _REPOSITORY.match(repo):
            raise RecipeError(
                f"{where}.repository: {repo!r} (for {service}) is not a valid repository name "
                "(lowercase letters, digits, . _ - and /)"
            )
    platform = _text(raw.get("platform", DEFAULT_PLATFORM), f"{where}.platform")
    if not _PLATFORM.match(platform):
        raise RecipeError(
            f"{where}.platform: expected OS/ARCH such as linux/amd64, got {platform!r}"
        )
    tags = _tags(raw.get("tags", list(DEFAULT_TAGS)), f"{where}.tags", services)
    region = raw.get("region")
    if region is not None:
        region = _text(region, f"{where}.region")
    return Recipe(
        name=name,
        context=context.resolve(),
        services=services,
        dockerfile=dockerfile,
        repository=repository,
        platform=platform,
        tags=tags,
        parallel=_parallel(raw.get("parallel", DEFAULT_PARALLEL), f"{where}.parallel"),
        region=region,
    )


def recipes_from_settings(
    fallback: Mapping[str, Mapping[str, Any]], base_dir: Path | None = None
) -> dict[str, Recipe]:
    """Every recipe of the config file's ``fallback`` tables, checked; the first error raises."""
    return {name: recipe_from_config(name, raw, base_dir) for name, raw in fallback.items()}


def recipe_from_folder(
    path: Path,
    *,
    name: str | None = None,
    repository: str = DEFAULT_REPOSITORY,
    platform: str = DEFAULT_PLATFORM,
    tags: Sequence[str] = DEFAULT_TAGS,
) -> Recipe:
    """A recipe for every sub-folder of ``path`` holding a ``Dockerfile``, sorted by name."""
    folder = path.expanduser().resolve()
    label = name or folder.name
    if not folder.is_dir():
        raise RecipeError(f"fallback.{label}.context: {folder} is not a folder")
    services = sorted(
        child.name
        for child in folder.iterdir()
        if child.is_dir() and (child / "Dockerfile").is_file() and _SERVICE.match(child.name)
    )
    if not services:
        raise RecipeError(f"fallback.{label}.services: no sub-folder of {folder} has a Dockerfile")
    raw: dict[str, Any] = {
        "context": str(folder),
        "services": services,
        "repository": repository,
        "platform": platform,
        "tags": list(tags),
    }
    return recipe_from_config(label, raw)


def recipe_to_toml(recipe: Recipe) -> str:
    """The recipe as a config-file table, ready to append to ``config.toml``."""
    key = recipe.name if _BARE_KEY.match(recipe.name) else _string(recipe.name)
    lines = [
        f"[fallback.{key}]",
        f"context = {_string(str(recipe.context))}",
        "services = [" + ", ".join(_string(s) for s in recipe.services) + "]",
        f"dockerfile = {_string(recipe.dockerfile)}",
        f"repository = {_string(recipe.repository)}",
        f"platform = {_string(recipe.platform)}",
        "tags = [" + ", ".join(_string(t) for t in recipe.tags) + "]",
        f"parallel = {recipe.parallel}",
    ]
    if recipe.region:
        lines.append(f"region = {_string(recipe.region)}")
    return "\n".join(lines) + "\n"


def source_tag(context: Path, now: datetime | None = None) -> str:
    """What ``{git_sha}`` means for ``context``: ``git rev-parse HEAD``, else ``local-<time>``."""
    try:
        done = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=context,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        done = None
    sha = done.stdout.strip() if done is not None and done.returncode == 0 else ""
    if re.fullmatch(r"[0-9a-f]{40}|[0-9a-f]{64}", sha):
        return sha
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%d%H%M%S")
    return f"local-{stamp}"


# --- checks -----------------------------------------------------------------


def _string(value: str) -> str:
    # A JSON string is a valid TOML basic string (same escapes).
    return json.dumps(value, ensure_ascii=False)


def _text(value: Any, key: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise RecipeError(f"{key}: expected a non-empty string, got {value!r}")
    return value.strip()


def _services(value: Any, key: str) -> tuple[str, ...]:
    if value is None:
        raise RecipeError(f"{key}: missing (a list of service names)")
    if isinstance(value, str):
        value = [s.strip() for s in value.split(",") if s.strip()]
    if not isinstance(value, list) or not value:
        raise RecipeError(f"{key}: expected a non-empty list of service names, got {value!r}")
    services: list[str] = []
    for item in value:
        if not isinstance(item, str) or not _SERVICE.match(item):
            raise RecipeError(f"{key}: {item!r} is not a service name (letters, digits, . _ -)")
        if item in services:
            raise RecipeError(f"{key}: {item!r} is listed twice")
        services.append(item)
    return tuple(services)


def _template(value: Any, key: str, allowed: set[str]) -> str:
    text = _text(value, key)
    for field_name in _FIELDS.findall(text):
        if field_name not in allowed:
            known = ", ".join("{" + a + "}" for a in sorted(allowed))
            raise RecipeError(f"{key}: unknown placeholder {{{field_name}}} (known: {known})")
    if text.count("{") != text.count("}"):
        raise RecipeError(f"{key}: unbalanced braces in {text!r}")
    return text


def _tags(value: Any, key: str, services: Sequence[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        raise RecipeError(f"{key}: expected a non-empty list of tags, got {value!r}")
    tags: list[str] = []
    for item in value:
        template = _template(item, key, {"service", "git_sha"})
        sample = template.format(service=services[0], git_sha="0" * 40)
        if not _TAG.match(sample):
            raise RecipeError(
                f"{key}: {template!r} does not make a valid tag (letters, digits, _ . -; "
                "at most 128; not starting with . or -)"
            )
        tags.append(template)
    return tuple(dict.fromkeys(tags))


def _parallel(value: Any, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_PARALLEL:
        raise RecipeError(
            f"{key}: expected a number of workers from 1 to {MAX_PARALLEL}, got {value!r}"
        )
    return value
