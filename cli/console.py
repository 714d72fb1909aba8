"""Opening the console: the only place the command line touches the UI.

``tui.launch`` is imported inside ``run_console`` and nowhere else in ``cli``
(the import-linter contract names this one exception), so every headless
command runs without Textual.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from cli.inputs import BadInput, checked_settings
from cli.world import demo_world, point_at_world

if TYPE_CHECKING:
    from cloud.settings import Settings


def open_console(
    *,
    profile: str | None,
    regions: Sequence[str],
    context: str | None,
    read_only: bool,
    demo: bool,
    profiles: Sequence[str] = (),
    scenario: Path | None,
    presenter: bool = False,
) -> None:
    """Check every input, then run the console (on the demo world with ``demo``)."""
    settings = checked_settings()
    if demo:
        with demo_world(scenario) as world:
            point_at_world(world)
            # The world writes a config with its fallback recipe (the sample backend) and
            # its read-only viewer profile and context; the person's own keys, theme and
            # recipes still win, and what they make read-only stays read-only.
            world_settings = checked_settings()
            settings = replace(
                settings,
                fallback={**world_settings.fallback, **settings.fallback},
                read_only_profiles=settings.read_only_profiles | world_settings.read_only_profiles,
                read_only_contexts=settings.read_only_contexts | world_settings.read_only_contexts,
            )
            # With --profile (the world's AWS config names one profile per account:
            # world, payments), those accounts side by side; else the world's own.
            run_console(
                settings,
                profile=profiles[0] if len(profiles) == 1 else None,
                profiles=tuple(profiles) if len(profiles) > 1 else (),
                regions=regions or tuple(world.regions),
                context=context or world.kube_context,
                read_only=read_only,  # the app adds the config file's (read_only_reason)
                badge="DEMO WORLD",
                presenter=presenter,
            )
        return
    shown = tuple(profiles) or settings.profiles
    run_console(
        settings,
        profile=shown[0] if shown else None,
        profiles=shown,
        regions=regions or settings.regions,
        context=context or settings.context,
        read_only=read_only,  # the app adds the config file's (read_only_reason)
        badge=None,
        presenter=presenter,
    )


def run_console(
    settings: Settings,
    *,
    profile: str | None,
    regions: Sequence[str],
    context: str | None,
    read_only: bool,
    badge: str | None,
    presenter: bool = False,
    profiles: Sequence[str] = (),
) -> None:
    """Run the console until the person quits; input it finds wrong is ``BadInput``."""
    from cloud.session import CloudConfigError
    from cloud.settings import ConfigError
    from tui.launch import run_console as run_tui

    try:
        run_tui(
            settings,
            profile=profile,
            regions=regions,
            profiles=profiles,
            context=context,
            read_only=read_only,
            badge=badge,
            presenter=presenter,
        )
    except (ConfigError, CloudConfigError) as exc:
        raise BadInput(str(exc)) from exc
