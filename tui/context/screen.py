"""The base of every shipdeck screen: the header, the model's changes, worker failures reported."""

from __future__ import annotations

from textual.screen import Screen

from cloud.incident import ModelState
from cloud.text import safe_text
from tui.context.state import ConsoleContext
from tui.context.workers import ReportsWorkers
from widgets.header_bar import HeaderBar


class ShipdeckScreen(ReportsWorkers, Screen[None]):
    """A screen that shares the console's context and hears when the model changes."""

    def __init__(self, context: ConsoleContext) -> None:
        super().__init__()
        self.context = context

    def make_header(self) -> HeaderBar:
        """A header showing where the console is pointed."""
        header = HeaderBar()
        self._point_header(header)
        header.text_filter = self.context.shown
        return header

    def _point_header(self, header: HeaderBar) -> None:
        session = self.context.session
        # Names typed at the prompt or read from a config file: shown, never obeyed.
        header.profile = safe_text(session.profile or "default")
        header.account = self.context.account
        header.regions = tuple(safe_text(region) for region in session.regions)
        context = session.kube_context
        header.kube_context = safe_text(context) if context is not None else None
        header.badge = self.context.badge
        header.read_only = self.context.read_only
        reason = self.context.read_only_reason
        header.tooltip = f"read-only: {reason}" if reason is not None else None
        header.read_only_label = "READ-ONLY"
        if self.context.several:
            self._several(header)
        header.text_filter = self.context.shown
        header.presenter = self.context.presenter

    def scope_changed(self) -> None:
        """The console now points at another profile, regions or kube context: the header
        says where, the read-only badge and the keys follow (subclasses redraw the rest)."""
        for header in self.query(HeaderBar):
            self._point_header(header)
        self.refresh_bindings()

    def _several(self, header: HeaderBar) -> None:
        """Several profiles: all their names and accounts, and which ones are read-only."""
        assert self.context.sessions is not None
        tags = self.context.sessions.tags
        header.profile = "+".join(tags)
        header.account = self._accounts()
        header.regions = tuple(
            dict.fromkeys(r for s in self.context.sessions.all for r in s.regions)
        )
        locked = self.context.read_only_profiles()
        if locked and not self.context.read_only:
            header.read_only = True
            header.read_only_label = f"READ-ONLY: {', '.join(locked)}"
            header.tooltip = "; ".join(
                f"{tag}: {self.context.read_only_reasons[tag]}" for tag in locked
            )

    def _accounts(self) -> str | None:
        if not self.context.accounts:
            return None
        return "+".join(self.context.accounts.get(t) or "?" for t in self.context.accounts)

    def presenter_changed(self) -> None:
        """Presenter mode was switched: show this screen's data again (subclasses add theirs)."""
        for header in self.query(HeaderBar):
            header.presenter = self.context.presenter

    def model_changed(self, state: ModelState, parts: tuple[str, ...]) -> None:
        """Parts of the model were read again (``parts``): redraw what comes from them."""

    def account_changed(self, account: str | None) -> None:
        """STS answered: the header shows the account."""
        for header in self.query(HeaderBar):
            header.account = self._accounts() if self.context.several else account
