"""What a fallback build is asked for: its values, read and checked, and the recipe they pick.

The command line (``--services``, ``--context``, ...) and the console's form
both hand the action plain strings (``services=a,b``, ``parallel=4``). This
module reads them once, and finds the recipe the same way for both: the
config file's ``[fallback.PROJECT]`` table (relative paths under the config
file's folder), or, without one, every sub-folder with a Dockerfile of
``context=DIR``. Every problem is one line, raised as ``BadParameter``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from actions.fallback.recipe import (
    DEFAULT_REPOSITORY,
    MAX_PARALLEL,
    Recipe,
    RecipeError,
    recipe_from_config,
    recipe_from_folder,
)
from actions.fallback.registry import RegistryError, endpoint_url
from actions.model import BadParameter, Param

if TYPE_CHECKING:
    from cloud.settings import Settings

ACTION = "fallback-build"
ENGINES = {"auto": None, "buildx": True, "sdk": False}
"""``engine=`` value -> ``use_buildx`` of ``connect_engine`` (None: buildx when it works)."""

PARAMS = (
    Param("services", "build only these services of the recipe (comma list; default: all)"),
    Param(
        "context",
        "folder to build from (with a recipe: instead of its context; without one: "
        "every sub-folder that has a Dockerfile)",
    ),
    Param("parallel", f"builds at a time, 1 to {MAX_PARALLEL} (default: the recipe's, else 2)"),
    Param("repository", "ECR repository per service, e.g. nova/{service} (default: the recipe's)"),
    Param("registry", "push to HOST[:PORT] instead of ECR's proxyEndpoint (a mirror)"),
    Param("engine", "auto (buildx when its plugin works), buildx or sdk", default="auto"),
)


@dataclass(frozen=True)
class FallbackOptions:
    """The values of one fallback build, checked; None/() means "the recipe's"."""

    services: tuple[str, ...] = ()
    context: Path | None = None
    parallel: int | None = None
    repository: str | None = None
    registry: str | None = None
    use_buildx: bool | None = None  # from engine=: None detects the plugin

    @classmethod
    def from_values(cls, values: Mapping[str, str]) -> FallbackOptions:
        """Read the action's string values; an empty value is the same as none (a blank form)."""

        def given(name: str) -> str | None:
            text = values.get(name, "").strip()
            return text or None

        engine = given("engine") or "auto"
        if engine not in ENGINES:
            raise BadParameter(f"{ACTION}: engine={engine!r}: expected auto, buildx or sdk")
        registry = given("registry")
        if registry is not None:
            try:
                endpoint_url(registry)
            except RegistryError as exc:
                raise BadParameter(f"{ACTION}: {exc}") from exc
        context = given("context")
        return cls(
            services=tuple(s.strip() for s in (given("services") or "").split(",") if s.strip()),
            context=Path(context).expanduser() if context else None,
            parallel=_parallel(given("parallel")),
            repository=given("repository"),
            registry=registry,
            use_buildx=ENGINES[engine],
        )


def _parallel(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= MAX_PARALLEL:
        raise BadParameter(
            f"{ACTION}: parallel={text!r}: expected a number of builds at a time "
            f"from 1 to {MAX_PARALLEL}"
        )
    return value


def recipe_for(project: str, options: FallbackOptions, settings: Settings) -> Recipe:
    """The recipe of ``project`` with ``options`` applied; BadParameter (one line) if none fits."""
    raw = settings.fallback.get(project)
    try:
        if raw is not None:
            # Relative paths in the config file are read from the file's folder, not the cwd.
            base = settings.path.parent if settings.path else Path.cwd()
            table = dict(raw)
            if options.repository:
                table["repository"] = options.repository
            recipe = recipe_from_config(project, table, base)
            if options.context is not None:
                recipe = recipe.with_context(options.context)
        elif options.context is not None:
            recipe = recipe_from_folder(
                options.context, name=project, repository=options.repository or DEFAULT_REPOSITORY
            )
        else:
            known = ", ".join(sorted(settings.fallback)) or "none"
            where = settings.path or "the config file"
            raise BadParameter(
                f"no recipe [fallback.{project}] in {where} (known: {known}); "
                "context=DIR builds every sub-folder of DIR that has a Dockerfile"
            )
        if options.services:
            recipe = recipe.only(options.services)
        if options.parallel is not None:
            recipe = replace(recipe, parallel=options.parallel)
    except RecipeError as exc:
        raise BadParameter(str(exc)) from exc
    return recipe


def settings_or_file(settings: Settings | None) -> Settings:
    """``settings``, or the config file's when the caller has none (a bad file: BadParameter)."""
    if settings is not None:
        return settings
    from cloud.settings import ConfigError, load_settings

    try:
        return load_settings()
    except ConfigError as exc:
        raise BadParameter(str(exc)) from exc
