"""The repositories pane: ECR repositories; missing `latest`, buildcache, policies flagged."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from rich.text import Text
from textual.binding import BindingType
from textual.screen import Screen

from cloud.records import Fetched, Flag, RepositoryRecord
from cloud.session import CloudSession
from tui.action_flow import RemediationHost
from tui.formatting import age, flags_text, human_size, short
from tui.panes.base import FLAGS_WIDTH, ResourcePane
from tui.remediations import REPOSITORY_KEYS, bindings
from widgets.resource_table import TableColumn


def _yes_no(value: bool | None, good: bool = True) -> Text:
    if value is None:
        return Text("?", style="dim")
    ok = value == good
    return Text("yes" if value else "no", style="" if ok else "yellow")


class RepositoriesPane(RemediationHost, ResourcePane[RepositoryRecord]):
    """ECR repositories in every region, problems first."""

    pane = "repositories"
    BINDINGS: ClassVar[list[BindingType]] = bindings(REPOSITORY_KEYS)
    remediation_keys = REPOSITORY_KEYS

    @staticmethod
    def fetch(session: CloudSession) -> Fetched[Any]:
        """All repositories of all regions."""
        from cloud.inventory import fetch_repositories

        return fetch_repositories(session)

    def columns(self) -> list[TableColumn]:
        """Name, latest, newest image and its size/age, scan/lifecycle, flags."""
        return [
            *self.region_columns(),
            TableColumn("name", "REPOSITORY"),
            TableColumn("flags", "FLAGS", width=FLAGS_WIDTH),
            TableColumn("latest", "LATEST"),
            TableColumn("images", "IMAGES"),
            TableColumn("newest", "NEWEST TAG", width=18),
            TableColumn("size", "SIZE"),
            TableColumn("pushed", "PUSHED"),
            TableColumn("scan", "SCAN"),
            TableColumn("lifecycle", "LIFECYCLE"),
        ]

    def row_key(self, record: RepositoryRecord) -> str:
        """Region and name."""
        return f"{record.region}/{record.name}"

    def sort_name(self, record: RepositoryRecord) -> str:
        """By name within a severity."""
        return f"{record.name}/{record.region}"

    def flags(self, record: RepositoryRecord) -> tuple[Flag, ...]:
        """The record's own flags."""
        return record.flags

    def cells(self, record: RepositoryRecord, now: datetime) -> tuple[str | Text, ...]:
        """One row of the repositories table."""
        newest = next((t for t in record.newest_tags if t != "buildcache"), None)
        newest = newest or (record.newest_tags[0] if record.newest_tags else None)
        latest = (
            Text("yes", style="green")
            if record.has_latest
            else Text("NO", style="bold red" if record.deployed_by else "yellow")
        )
        return (
            *self.region_cells(record.region),
            record.name,
            flags_text(record.flags),
            latest,
            str(record.image_count),
            short(newest, 18),
            human_size(record.newest_size_bytes),
            age(record.newest_pushed_at, now),
            _yes_no(record.scan_on_push),
            _yes_no(record.has_lifecycle_policy),
        )

    def detail(self, record: RepositoryRecord) -> Screen[None] | None:
        """The repository's images."""
        from tui.screens.repository_detail import RepositoryDetail

        return RepositoryDetail(self.context, record)

    def remediation_record(self) -> object | None:
        """The selected row's record."""
        return self.selected()
