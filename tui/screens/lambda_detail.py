"""A Lambda function: image, memory, timeout, state and the last update's outcome."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.binding import BindingType

from cloud.records import LambdaFunctionRecord
from tui.action_flow import RemediationHost
from tui.context import ConsoleContext
from tui.formatting import flag_lines, status_text, timestamp
from tui.remediations import LAMBDA_KEYS, bindings
from tui.screens.detail import DetailScreen
from widgets.detail_view import DetailSection


class LambdaDetail(RemediationHost, DetailScreen):
    """What the function is running and whether its last update worked."""

    BINDINGS: ClassVar[list[BindingType]] = bindings(LAMBDA_KEYS)
    remediation_keys = LAMBDA_KEYS

    def __init__(self, context: ConsoleContext, record: LambdaFunctionRecord) -> None:
        self.record = record
        self.title_text = f"lambda {record.name}  ({record.region})"
        super().__init__(context)

    def remediation_record(self) -> object | None:
        """The resource this screen is about."""
        return self.record

    def sections(self) -> list[DetailSection]:
        """Function facts and flags."""
        f = self.record
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
            DetailSection("flags", fields=flag_lines(f.flags), empty="nothing to act on"),
        ]
