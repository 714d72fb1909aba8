"""The plan preview as the console shows it: safe text, masked in presenter mode, redrawn.

A plan quotes what the action read a moment ago (tags, images, event text):
outside text, made safe for the terminal here (``cloud.text``) like the records.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cloud.text import safe_value
from tui.context.presenter import mask_preview
from widgets.plan_preview import PlanPreview, PlanPreviewData

if TYPE_CHECKING:
    from tui.context.state import ConsoleContext


class SharedPlanPreview(PlanPreview):
    """A ``PlanPreview`` that keeps the plain data and shows it masked while presenting."""

    def __init__(
        self, context: ConsoleContext, data: PlanPreviewData, *, editable: bool = False
    ) -> None:
        self.context = context
        self.plain_data = data
        """The preview unmasked (``data`` is what is on screen)."""
        super().__init__(self._shown(), editable=editable)

    def _shown(self) -> PlanPreviewData:
        safe = safe_value(self.plain_data)
        return mask_preview(safe) if self.context.presenter else safe

    def presenter_changed(self) -> None:
        """Build the preview again, masked or not (a half-typed confirmation is lost)."""
        self.data = self._shown()
        self.call_later(self._rebuild)

    async def _rebuild(self) -> None:
        await self.recompose()
        self.on_mount()
