"""A finding's fix on a key: the same form, plan preview and apply as the action keys of the panes.

The fix names an action of the catalogue, its target and parameters. When a
row of the panes is that target, the action starts from it (so the form has
the row's defaults and lists, and the right panes are read again after the
apply); the fix's own parameters win. ``fallback-build`` opens the fallback
build screen for the services the fix names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cloud.findings import FALLBACK_BUILD, Fix
from tui.action_flow import launch, mutates_cloud
from tui.remediations import Target, target_for

if TYPE_CHECKING:
    from textual.app import App
    from textual.dom import DOMNode

    from tui.context import ConsoleContext

# The panes an apply on each target kind changes, read again afterwards.
PANES_OF_KIND: dict[str, tuple[str, ...]] = {
    "ecr": ("repositories",),
    "codebuild": ("builds", "quotas"),
    "quota": ("quotas", "builds"),
    "ecs": ("services",),
    "lambda": ("services",),
    "k8s": ("services",),
}


def fix_label(fix: Fix) -> str:
    """What the fix does, in the catalogue's words (``retag-latest``)."""
    return fix.action


def fix_state(context: ConsoleContext, fix: Fix) -> bool | None:
    """True: the key works; None: greyed (read-only mode forbids it)."""
    if fix.action == FALLBACK_BUILD:
        return True
    from actions.catalogue import CATALOGUE

    if fix.action not in CATALOGUE:
        return None
    if context.read_only and mutates_cloud(fix.action):
        return None
    return True


def _rows(app: App[Any]) -> list[object]:
    """Every record of the console's four panes."""
    from tui.panes.findings import SOURCES
    from tui.screens.console import ConsoleScreen

    console = app.screen_stack[0] if app.screen_stack else None
    if not isinstance(console, ConsoleScreen):
        return []
    return [record for name in SOURCES for record in console.pane(name).records.values()]


def fix_target(app: App[Any], context: ConsoleContext, fix: Fix) -> Target:
    """The flow's target for ``fix``: from the pane row it names when there is one."""
    kind, _, name = fix.target.partition(":")
    for record in _rows(app):
        found = target_for(fix.action, record)
        if found is not None and found.target == fix.target and found.region == fix.region:
            return Target(
                fix.action,
                fix.target,
                fix.region,
                found.label,
                {**found.defaults, **fix.params},
                found.panes,
                found.record,
            )
    place = fix.region or context.session.kube_context or ""
    label = f"{name} ({place})" if place else name
    return Target(
        fix.action, fix.target, fix.region, label, dict(fix.params), PANES_OF_KIND.get(kind, ())
    )


def start_fix(node: DOMNode, context: ConsoleContext, fix: Fix, *, origin: DOMNode | None) -> None:
    """Open ``fix``'s form or plan preview (or, for a fallback build, say what to run)."""
    app = node.app
    if fix.action == FALLBACK_BUILD:
        from tui.screens.fallback import FallbackScreen

        project = fix.target.partition(":")[2]
        services = tuple(s for s in str(fix.params.get("services", "")).split(",") if s)
        app.push_screen(FallbackScreen(context, project, fix.region, services=services))
        return
    if fix_state(context, fix) is not True:
        app.notify(f"{fix.action}: not in read-only mode", severity="warning")
        return
    launch(app, context, fix_target(app, context, fix), origin)
