"""A Lambda function: image, memory, timeout, state and the last update's outcome."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.binding import BindingType

from cloud.model.ref import ResourceRef
from cloud.records import LambdaFunctionRecord
from tui.context.formatting import status_text, timestamp
from tui.context.state import ConsoleContext
from tui.flows.action_keys import KIND_KEYS
from tui.flows.remediation import RemediationHost, bindings
from tui.screens.charts import ChartsHost
from tui.screens.detail import DetailScreen
from widgets.detail_view import DetailSection


class LambdaDetail(ChartsHost, RemediationHost, DetailScreen):
    """What the function is running and whether its last update worked."""

    BINDINGS: ClassVar[list[BindingType]] = bindings(KIND_KEYS["lambda"])
    remediation_keys = KIND_KEYS["lambda"]

    def __init__(self, context: ConsoleContext, ref: ResourceRef) -> None:
        self.title_text = f"lambda {ref.name}  ({ref.scope})"
        super().__init__(context, ref)

    def remediation_record(self) -> object | None:
        """The resource this screen is about."""
        return self.record

    def sections(self) -> list[DetailSection]:
        """Function facts and flags."""
        f = self.record_as(LambdaFunctionRecord)
        if f is None:
            return [DetailSection("function", empty="reading…")]
        reason = f.last_update_reason
        return [
            DetailSection(
                "function",
                fields=(
                    ("arn", f.arn),
                    ("package", f.package_type),
                    ("image", f.image_uri or "—"),
                    ("runtime", f.runtime or "—"),
                    ("memory", f"{f.memory_mb} MB" if f.memory_mb else "—"),
                    ("timeout", f"{f.timeout_seconds} s" if f.timeout_seconds else "—"),
                    ("state", status_text(f.state)),
                    ("last update", status_text(f.last_update_status)),
                    ("update reason", Text(reason, style="red") if reason else "—"),
                    ("last modified", timestamp(f.last_modified)),
                    ("log group", f.log_group),
                ),
            ),
            self.flags_section(),
            *self.chart_sections(),
        ]
