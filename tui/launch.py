"""Build and run the console: the one part of the UI the command line calls.

``shipdeck`` (no subcommand) and ``shipdeck --demo`` import this module lazily,
once every other input is checked. Input found wrong here is raised as the
read side's own errors, which the command line turns into its one line and
exit 2: ``cloud.settings.ConfigError`` for a keymap naming a binding the
console does not have, ``cloud.session.CloudConfigError`` for a profile,
region or kube context that does not exist.

The order below is part of the start-up figure: the collector is held before
the heavy imports, and the reader process starts before Textual is imported.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from tui.context.startup import hold_collector

if TYPE_CHECKING:
    from cloud.settings import Settings
    from tui.app import ShipdeckApp


def build_console(
    settings: Settings,
    *,
    profile: str | None,
    regions: Sequence[str],
    profiles: Sequence[str] = (),
    context: str | None,
    read_only: bool,
    badge: str | None,
    presenter: bool = False,
) -> ShipdeckApp:
    """Check the session, start the first reads, then build the console (not yet running)."""
    hold_collector()  # released once the first reads are on screen (ConsoleScreen)
    from cloud.session import CloudSession
    from cloud.settings import check_binding_ids

    if settings.keys:  # collecting every binding imports every screen: only for a keymap
        from tui.app import ShipdeckApp

        check_binding_ids(settings, ShipdeckApp.binding_ids())
    if len(profiles) > 1:
        return _several(settings, profiles, regions, context, read_only, badge, presenter)
    from tui.flows.prefetch import Prefetch

    # The reader process checks the session before its first request (bad input must
    # not send one), then reads while this process imports and mounts the UI.
    prefetch = Prefetch.start(profile, regions, context)
    session = CloudSession(profile=profile, regions=regions, kube_context=context)
    from tui.app import ShipdeckApp

    prefetch.check(session)
    return ShipdeckApp(
        session,
        settings,
        read_only=read_only,
        badge=badge,
        prefetch=prefetch,
        presenter=presenter,
    )


def _several(
    settings: Settings,
    profiles: Sequence[str],
    regions: Sequence[str],
    context: str | None,
    read_only: bool,
    badge: str | None,
    presenter: bool,
) -> ShipdeckApp:
    """A console on several profiles at once: each checked here (a bad one is one line,
    before any request), then read in parallel by the model feed's workers."""
    from cloud.sessions import Sessions
    from tui.app import ShipdeckApp

    sessions = Sessions.of(list(profiles), regions, context)
    sessions.validate()
    return ShipdeckApp(
        sessions.primary,
        settings,
        read_only=read_only,
        badge=badge,
        presenter=presenter,
        sessions=sessions,
    )


def run_console(
    settings: Settings,
    *,
    profile: str | None,
    regions: Sequence[str],
    profiles: Sequence[str] = (),
    context: str | None,
    read_only: bool,
    badge: str | None,
    presenter: bool = False,
) -> None:
    """Build the console and run it until the person quits."""
    app = build_console(
        settings,
        profile=profile,
        regions=regions,
        profiles=profiles,
        context=context,
        read_only=read_only,
        badge=badge,
        presenter=presenter,
    )
    app.run()
