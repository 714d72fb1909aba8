"""A repository's images: tags, digest, size, when pushed, scan status and findings."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.binding import BindingType

from cloud.model.ref import ResourceRef
from cloud.records import ImageRecord, RepositoryRecord
from tui.context.formatting import human_size, size_with_bytes, status_text, timestamp
from tui.context.state import ConsoleContext
from tui.flows.action_keys import KIND_KEYS
from tui.flows.remediation import RemediationHost, bindings
from tui.screens.detail import DetailScreen
from widgets.detail_view import DetailSection


def findings_text(counts: tuple[tuple[str, int], ...]) -> Text:
    """``CRITICAL 1  HIGH 3`` with the worst in red."""
    if not counts:
        return Text("—", style="dim")
    line = Text()
    for severity, count in counts:
        style = "bold red" if severity in ("CRITICAL", "HIGH") else ""
        line.append(f"{severity} {count}  ", style=style)
    return line


def tags_text(tags: tuple[str, ...]) -> Text:
    """Tags, with ``latest`` in green and ``buildcache`` in yellow; untagged dim."""
    if not tags:
        return Text("<untagged>", style="dim")
    line = Text()
    for index, tag in enumerate(tags):
        if index:
            line.append(", ")
        style = {"latest": "bold green", "buildcache": "yellow"}.get(tag, "")
        line.append(tag, style=style)
    return line


def image_row(image: ImageRecord) -> tuple[str | Text, ...]:
    """One image as a row of the images table."""
    digest = image.digest.removeprefix("sha256:")[:12]
    return (
        digest,
        human_size(image.size_bytes),
        f"{image.size_bytes:,}",
        timestamp(image.pushed_at),
        status_text(image.scan_status) if image.scan_status else Text("not scanned", style="dim"),
        findings_text(image.finding_counts),
        tags_text(image.tags),
    )


class RepositoryDetail(RemediationHost, DetailScreen):
    """An ECR repository and every image in it, newest first (as the model read them)."""

    BINDINGS: ClassVar[list[BindingType]] = bindings(KIND_KEYS["ecr"])
    remediation_keys = KIND_KEYS["ecr"]

    def __init__(self, context: ConsoleContext, ref: ResourceRef) -> None:
        self.title_text = f"repository {ref.name}  ({ref.scope})"
        super().__init__(context, ref)

    def remediation_record(self) -> object | None:
        """The resource this screen is about."""
        return self.record

    def sections(self) -> list[DetailSection]:
        """Repository facts, flags, then the images."""
        r = self.record_as(RepositoryRecord)
        if r is None:
            return [DetailSection("repository", empty="reading…")]
        deployed = self.context.state.diagnosis.deployers(self.ref)
        sections = [
            DetailSection(
                "repository",
                fields=(
                    ("uri", r.uri),
                    ("region", r.region),
                    ("created", timestamp(r.created_at)),
                    ("images", str(r.image_count)),
                    ("total size", size_with_bytes(r.total_size_bytes)),
                    ("scan on push", "on" if r.scan_on_push else Text("off", style="yellow")),
                    ("encryption", r.encryption),
                    ("tag mutability", r.tag_mutability),
                    ("lifecycle policy", _policy(r.has_lifecycle_policy)),
                    ("has latest", "yes" if r.has_latest else Text("NO", style="bold red")),
                    ("deployed by", ", ".join(deployed) or "—"),
                ),
            ),
            self.flags_section(),
        ]
        images = sorted(
            r.images,
            key=lambda i: (i.pushed_at is not None, i.pushed_at),
            reverse=True,
        )
        sections.append(
            DetailSection(
                f"images ({len(images)})",
                columns=("DIGEST", "SIZE", "BYTES", "PUSHED", "SCAN", "FINDINGS", "TAGS"),
                rows=tuple(image_row(i) for i in images),
                empty="no images",
            )
        )
        return sections


def _policy(value: bool | None) -> str | Text:
    if value is None:
        return Text("could not be read", style="dim")
    return "yes" if value else Text("none", style="yellow")
