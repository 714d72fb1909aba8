"""The one-line header: where the console is pointed, and whether it may change anything."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static


class HeaderBar(Static):
    """Profile/account, regions, kube context, a badge (e.g. DEMO WORLD) and READ-ONLY."""

    DEFAULT_CSS = """
    HeaderBar {
        dock: top;
        height: 1;
        background: $panel;
        color: $foreground;
        padding: 0 1;
    }
    """

    profile: reactive[str] = reactive("default")
    """AWS profile name (``default`` when the credential chain picks one)."""
    account: reactive[str | None] = reactive(None)
    """AWS account id, once STS has answered."""
    regions: reactive[tuple[str, ...]] = reactive(())
    """Regions the console reads."""
    kube_context: reactive[str | None] = reactive(None)
    """Kubernetes context, if any."""
    badge: reactive[str | None] = reactive(None)
    """A word that must not be missed on a shared screen, e.g. ``DEMO WORLD``."""
    read_only: reactive[bool] = reactive(False)
    """True when every change is refused."""
    read_only_label: reactive[str] = reactive("READ-ONLY")
    """What the read-only badge says (``READ-ONLY: team-b`` when only some profiles are)."""
    presenter: reactive[bool] = reactive(False)
    """Screen sharing: a PRESENTER badge, and every value passed through ``text_filter``."""

    text_filter: Callable[[str], str] | None = None
    """What presenter mode does to a value (masks account ids, ARNs...)."""

    def render(self) -> Text:
        """Compose the line from the current values."""
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append("shipdeck", style="bold")
        if self.badge:
            line.append("  ")
            line.append(f" {self.badge} ", style="bold black on yellow")
        if self.read_only:
            line.append("  ")
            line.append(f" {self.read_only_label} ", style="bold white on red")
        if self.presenter:
            line.append("  ")
            line.append(" PRESENTER ", style="bold white on blue")
        # Most telling first, so a narrow terminal cuts the least useful part (the regions).
        self._field(line, "aws", f"{self.profile}/{self.account or '…'}")
        self._field(line, "kube", self.kube_context or "—")
        self._field(line, "regions", self._regions(self.size.width - line.cell_len - 10))
        return line

    def _regions(self, room: int) -> str:
        """The regions in ``room`` cells: all of them, else the first and how many more,
        else how many (never the label alone)."""
        regions = list(self.regions)
        if not regions:
            return "—"
        every = ", ".join(regions)
        if not self.size.width or len(every) <= room:  # not laid out yet, or it all fits
            return every
        first = f"{regions[0]} +{len(regions) - 1}" if len(regions) > 1 else regions[0]
        return first if len(first) <= room else str(len(regions))

    def _field(self, line: Text, label: str, value: str) -> None:
        if self.presenter and self.text_filter is not None:
            value = self.text_filter(value)
        line.append(f"  {label} ", style="dim")
        line.append(value, style="bold")
