"""The console's view registry: each kind's view and each pane's columns, looked up by name."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cloud.model.kinds import KIND_NAMES, PANES
from tui.flows.remediation import RemediationKey
from tui.kinds import alarms, codebuild, ecr, quotas, services
from tui.kinds.view import KindView, PaneView
from widgets.resource_table import KEEP, TableColumn

FLAGS_WIDTH = 40
"""Flags sit right after the name and are cut here; the detail has them in full."""

VIEWS: Mapping[str, KindView[Any]] = {
    view.kind: view
    for view in (
        ecr.VIEW,
        codebuild.VIEW,
        services.ECS,
        services.LAMBDA,
        services.K8S,
        quotas.VIEW,
        alarms.VIEW,
    )
}
assert set(VIEWS) == set(KIND_NAMES), "every kind of the registry has a view"

_REGION = TableColumn("region", "REGION")
_FLAGS = TableColumn("flags", "FLAGS", width=FLAGS_WIDTH, keep=KEEP)  # the problem text
PANE_VIEWS: Mapping[str, PaneView] = {
    "repositories": PaneView(
        "repositories",
        (
            _REGION,
            TableColumn("name", "REPOSITORY", keep=KEEP),
            _FLAGS,
            TableColumn("latest", "LATEST", keep=KEEP),
            TableColumn("images", "IMAGES"),
            TableColumn("newest", "NEWEST TAG", width=18),
            TableColumn("size", "SIZE"),
            TableColumn("pushed", "PUSHED"),
            TableColumn("scan", "SCAN"),
            TableColumn("lifecycle", "LIFECYCLE"),
        ),
        "repositories",
    ),
    "builds": PaneView(
        "builds",
        (
            _REGION,
            TableColumn("name", "PROJECT", keep=KEEP),
            _FLAGS,
            TableColumn("status", "LAST BUILD", keep=KEEP),
            TableColumn("phase", "PHASE"),
            TableColumn("started", "STARTED"),
            TableColumn("duration", "DURATION"),
            TableColumn("history", "RECENT"),
            TableColumn("compute", "COMPUTE"),
        ),
        "projects",
    ),
    "services": PaneView(
        "services",
        (
            TableColumn("kind", "KIND", keep=KEEP),
            _REGION,
            TableColumn("where", "CLUSTER/NS"),
            TableColumn("name", "NAME", keep=KEEP),
            TableColumn("ready", "READY", keep=KEEP),
            _FLAGS,
            TableColumn("status", "STATUS"),
            TableColumn("image", "IMAGE", width=30),
            TableColumn("age", "UPDATED"),
        ),
        "services",
    ),
    "quotas": PaneView(
        "quotas",
        (
            _REGION,
            TableColumn("service", "SERVICE"),
            TableColumn("code", "QUOTA"),
            TableColumn("name", "NAME", width=28, keep=KEEP),
            TableColumn("applied", "APPLIED"),
            TableColumn("default", "DEFAULT"),
            TableColumn("effective", "EFFECTIVE", keep=KEEP),
            TableColumn("running", "RUNNING"),
            TableColumn("queue", "QUEUE"),
            TableColumn("requests", "REQUESTS"),
            _FLAGS,
        ),
        "quotas",
    ),
    "alarms": PaneView(
        "alarms",
        (
            _REGION,
            TableColumn("name", "ALARM", keep=KEEP),
            TableColumn("state", "STATE", keep=KEEP),
            _FLAGS,
            TableColumn("resource", "RESOURCE"),
            TableColumn("condition", "CONDITION", width=44),
            TableColumn("changed", "CHANGED"),
        ),
        "alarms",
    ),
}
assert set(PANE_VIEWS) == {p.name for p in PANES}, "every pane of the registry has columns"


def view(kind: str) -> KindView[Any]:
    """The view of kind ``kind``."""
    return VIEWS[kind]


def pane_keys(kinds: tuple[str, ...]) -> tuple[RemediationKey, ...]:
    """The remediation keys of a pane showing ``kinds`` (without repeats)."""
    return tuple(dict.fromkeys(key for name in kinds for key in VIEWS[name].keys))
