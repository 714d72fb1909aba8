"""The one-line header: where the console is pointed, and whether it may change anything."""

from __future__ import annotations

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

    def render(self) -> Text:
        """Compose the line from the current values."""
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append("shipdeck", style="bold")
        if self.badge:
            line.append("  ")
            line.append(f" {self.badge} ", style="bold black on yellow")
        if self.read_only:
            line.append("  ")
            line.append(" READ-ONLY ", style="bold white on red")
        # Most telling first, so a narrow terminal cuts the least useful part (the regions).
        self._field(line, "aws", f"{self.profile}/{self.account or '…'}")
        self._field(line, "kube", self.kube_context or "—")
        self._field(line, "regions", ", ".join(self.regions) or "—")
        return line

    @staticmethod
    def _field(line: Text, label: str, value: str) -> None:
        line.append(f"  {label} ", style="dim")
        line.append(value, style="bold")
