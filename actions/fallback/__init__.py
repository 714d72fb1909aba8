"""Fallback builds: when CodeBuild cannot run, build the services here and push them to ECR.

A :class:`Recipe` (from the config file's ``[fallback.NAME]`` tables or a
folder of services, adjusted by the action's values: :func:`recipe_for`) says
what to build; :class:`FallbackBuild` is the catalogue action on the CodeBuild
project (plan, then apply); its :class:`BuildPool` runs N builds at a time,
each service an observable, cancellable row (:class:`ServiceStatus`, a step
of the action) with its output in an :class:`OutputFeed`.
"""

from actions.fallback.action import ENGINE_CHECK, FallbackBuild, summarize
from actions.fallback.engine import DockerEngine, EngineUnreachable, connect_engine
from actions.fallback.job import ServiceJob
from actions.fallback.options import FallbackOptions, recipe_for
from actions.fallback.pool import BuildPool
from actions.fallback.recipe import (
    Recipe,
    RecipeError,
    recipe_from_config,
    recipe_from_folder,
    recipe_to_toml,
    recipes_from_settings,
    source_tag,
)
from actions.fallback.registry import EcrLogin, RegistryCredentials, RegistryError, TagGuard
from actions.fallback.status import OutputFeed, OutputLine, ServiceState, ServiceStatus

__all__ = [
    "ENGINE_CHECK",
    "BuildPool",
    "DockerEngine",
    "EcrLogin",
    "EngineUnreachable",
    "FallbackBuild",
    "FallbackOptions",
    "OutputFeed",
    "OutputLine",
    "Recipe",
    "RecipeError",
    "RegistryCredentials",
    "RegistryError",
    "ServiceJob",
    "ServiceState",
    "ServiceStatus",
    "TagGuard",
    "connect_engine",
    "recipe_for",
    "recipe_from_config",
    "recipe_from_folder",
    "recipe_to_toml",
    "recipes_from_settings",
    "source_tag",
    "summarize",
]
