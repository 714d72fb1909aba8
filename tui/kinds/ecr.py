"""ECR repositories in the console: cells, detail, keys."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from rich.text import Text

from cloud.model.ref import ResourceRef
from cloud.records import RepositoryRecord
from tui.context.formatting import age, human_size, short
from tui.flows.action_keys import KIND_KEYS
from tui.kinds.view import Cell, KindView, RowContext

if TYPE_CHECKING:
    from textual.screen import Screen

    from tui.context.state import ConsoleContext

KEYS = KIND_KEYS["ecr"]


def yes_no(value: bool | None, good: bool = True) -> Text:
    """``yes``/``no`` (yellow when it is the bad one), ``?`` when unknown."""
    if value is None:
        return Text("?", style="dim")
    ok = value == good
    return Text("yes" if value else "no", style="" if ok else "yellow")


def cells(record: RepositoryRecord, row: RowContext) -> Mapping[str, Cell]:
    """One repository row."""
    newest = next((t for t in record.newest_tags if t != "buildcache"), None)
    newest = newest or (record.newest_tags[0] if record.newest_tags else None)
    deployed = row.state.diagnosis.deployers(
        ResourceRef("ecr", record.name, record.region, record.profile)
    )
    latest = (
        Text("yes", style="green")
        if record.has_latest
        else Text("NO", style="bold red" if deployed else "yellow")
    )
    return {
        "region": record.region,
        "name": record.name,
        "latest": latest,
        "images": str(record.image_count),
        "newest": short(newest, 18),
        "size": human_size(record.newest_size_bytes),
        "pushed": age(record.newest_pushed_at, row.now),
        "scan": yes_no(record.scan_on_push),
        "lifecycle": yes_no(record.has_lifecycle_policy),
    }


def detail(context: ConsoleContext, ref: ResourceRef) -> Screen[None]:
    """The repository's images."""
    from tui.screens.repository_detail import RepositoryDetail

    return RepositoryDetail(context, ref)


VIEW = KindView[RepositoryRecord](
    "ecr",
    cells,
    lambda r: f"{r.name}/{r.region}",
    detail=detail,
    keys=KEYS,
    listed=("region", "name", "scan"),
)
