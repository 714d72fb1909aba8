"""``:profile``, ``:region``, ``:ctx``: choose where the console points, keyboard only.

The choices are read on a worker (the AWS config and credentials files, botocore's
regions, the kubeconfig), typing in the filter narrows them, ``enter`` switches to
the highlighted one. Profiles and regions may be several: ``space`` chooses, ``enter``
switches to the chosen (or to the highlighted alone when none is); several profiles are
shown side by side, as ``--profile a --profile b`` shows them. Every current choice is
marked, and so is a profile or context the config file makes read-only. The picker stays open
while the switch is checked; a refused one is said and the picker stays, so another
can be chosen; a switch that works closes it with every other screen.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Input, OptionList, SelectionList, Static
from textual.widgets.option_list import Option
from textual.widgets.selection_list import Selection

from cloud.session import CloudConfigError
from tui.context.presenter import mask_text
from tui.context.screen import ShipdeckScreen
from tui.context.state import ConsoleContext
from tui.flows.scope_switch import ScopePart, ScopeRequested
from widgets.footer import KeyFooter

TITLES: dict[ScopePart, str] = {
    "profile": "AWS profiles",
    "region": "AWS regions",
    "context": "kube contexts",
}


def _profiles(current: Sequence[str] = ()) -> list[str]:
    from cloud.scopes import aws_profiles

    return aws_profiles()


def _regions(current: Sequence[str] = ()) -> list[str]:
    from cloud.scopes import region_names

    return region_names(current)


def _contexts(current: Sequence[str] = ()) -> list[str]:
    from cloud.scopes import kube_contexts

    return kube_contexts()


LISTERS: dict[ScopePart, Callable[[Sequence[str]], list[str]]] = {
    "profile": _profiles,
    "region": _regions,
    "context": _contexts,
}


@dataclass
class ChoicesListed(Message):
    """The names on offer (or why they could not be read)."""

    names: list[str]
    error: str | None = None


# k9s's keys too: j and k move as down and up do.
_VI_KEYS: list[BindingType] = [
    Binding("j", "cursor_down", "Down", id="scope.down", show=False),
    Binding("k", "cursor_up", "Up", id="scope.up", show=False),
]


class ContextList(OptionList):
    """One choice: ``enter`` switches to the highlighted name."""

    BINDINGS: ClassVar[list[BindingType]] = _VI_KEYS


class SeveralList(SelectionList[str]):
    """Several choices (profiles, regions): ``space`` chooses, ``enter`` switches."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "screen.switch_chosen", "Switch", id="scope.switch"),
        *_VI_KEYS,
    ]


class ScopePicker(ShipdeckScreen):
    """The profiles, regions or kube contexts on offer, filterable; enter switches."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="back"),
        Binding("slash", "focus_filter", "Filter", id="filter"),
    ]

    def __init__(self, context: ConsoleContext, part: ScopePart) -> None:
        super().__init__(context)
        self.part: ScopePart = part
        self.names: list[str] = []
        self.chosen: set[str] = set()
        """Chosen with space (profiles, regions); none: enter takes the highlighted."""
        self.error: str | None = None
        self.listed = False

    def compose(self) -> ComposeResult:
        """Header, title, filter, error line, the list, footer."""
        yield self.make_header()
        how = "space: choose · enter: switch" if self.several else "enter: switch"
        yield Static(f"{TITLES[self.part]}  ({how} · /: filter)", classes="detail-title")
        yield Input(placeholder=f"filter {TITLES[self.part]}", id="scope-filter")
        yield Static("", id="scope-error")
        if self.several:
            yield SeveralList(id="scope-choices")
        else:
            yield ContextList(id="scope-choices")
        yield KeyFooter()

    def on_mount(self) -> None:
        """Read the choices on a worker; the list has the focus."""
        self.query_one("#scope-error", Static).display = False
        self.choices.border_title = f"reading {TITLES[self.part]}…"
        self.choices.focus()
        self.load()

    @property
    def several(self) -> bool:
        """Whether several may be chosen (profiles side by side, regions)."""
        return self.part != "context"

    @property
    def choices(self) -> OptionList:
        """The list of names (a SelectionList is an OptionList)."""
        return self.query_one("#scope-choices", OptionList)

    @work(thread=True, exclusive=True, group="scope-choices", exit_on_error=False)
    def load(self) -> None:
        """Worker thread: the names on offer."""
        try:
            # what is shown now (the regions say which partition's regions to offer)
            names = LISTERS[self.part](sorted(self.current()))
        except CloudConfigError as exc:
            self.post_message(ChoicesListed([], str(exc)))
            return
        self.post_message(ChoicesListed(names))

    @on(ChoicesListed)
    def _listed(self, message: ChoicesListed) -> None:
        self.names, self.error, self.listed = message.names, message.error, True
        self.show()

    # --- drawing -----------------------------------------------------------

    def current(self) -> set[str]:
        """What the console points at now, in this picker's terms."""
        session = self.context.session
        if self.part == "profile":
            shown = self.context.sessions.all if self.context.sessions else (session,)
            return {s.profile or "default" for s in shown}
        if self.part == "region":
            return set(session.regions)
        return {session.kube_context} if session.kube_context else set()

    @property
    def filter_text(self) -> str:
        """What is typed in the filter."""
        return self.query_one("#scope-filter", Input).value.strip().lower()

    def shown_names(self) -> list[str]:
        """The names the filter lets through, in order."""
        needle = self.filter_text
        return [name for name in self.names if needle in name.lower()]

    def _prompt(self, name: str) -> Text:
        text = Text(name, style="bold" if name in self.current() else "")
        if name in self.current():
            text.append("  current", style="green")
        settings = self.context.settings
        read_only = settings.read_only_profiles if self.part == "profile" else frozenset()
        if self.part == "context":
            read_only = settings.read_only_contexts
        if name in read_only:
            text.append("  read-only", style="bold red")
        return mask_text(text) if self.context.presenter else text

    def presenter_changed(self) -> None:
        """Presenter mode was switched: list the names again, masked or not."""
        super().presenter_changed()
        if self.listed:
            self.show()

    def show(self) -> None:
        """The error (if any) and the names the filter lets through."""
        error = self.query_one("#scope-error", Static)
        error.update(Text(f"✗ {self.context.shown(self.error or '')}", style="red"))
        error.display = self.error is not None
        names = self.shown_names()
        listing = self.choices
        before = self.highlighted_name()
        if isinstance(listing, SeveralList):
            with listing.prevent(SelectionList.SelectedChanged):
                listing.clear_options()
                listing.add_options(Selection(self._prompt(n), n, n in self.chosen) for n in names)
        else:
            listing.clear_options()
            listing.add_options(Option(self._prompt(n), id=n) for n in names)
        current = [n for n in names if n in self.current()]
        keep = before if before in names else (current[0] if current else None)
        if names:
            listing.highlighted = names.index(keep) if keep is not None else 0
        self.update_title(len(names))

    def update_title(self, shown: int) -> None:
        """``AWS profiles (2/5)``, and the regions chosen."""
        total = len(self.names)
        count = f"{shown}/{total}" if self.filter_text else f"{total}"
        more = f" · {len(self.chosen)} chosen" if self.several else ""
        self.choices.border_title = f"{TITLES[self.part]} ({count}){more}"

    def highlighted_name(self) -> str | None:
        """The name under the cursor."""
        names = self.shown_names()
        index = self.choices.highlighted
        if index is None or not self.listed or index >= len(names):
            return None
        return names[index]

    # --- keys ------------------------------------------------------------------

    @on(SelectionList.SelectedChanged, "#scope-choices")
    def _chosen_changed(self) -> None:
        listing = self.choices
        if isinstance(listing, SeveralList):
            shown = set(self.shown_names())
            self.chosen = (self.chosen - shown) | set(listing.selected)
            self.update_title(len(shown))

    @on(OptionList.OptionSelected, "#scope-choices")
    def _option_selected(self, event: OptionList.OptionSelected) -> None:
        if isinstance(self.choices, SeveralList):
            return  # space toggles there; enter is the screen's switch_chosen
        event.stop()
        self.action_switch_chosen()

    @on(Input.Changed, "#scope-filter")
    def _filter_changed(self) -> None:
        self.show()

    @on(Input.Submitted, "#scope-filter")
    def _filter_done(self) -> None:
        self.choices.focus()

    def action_focus_filter(self) -> None:
        """Type to narrow the list."""
        self.query_one("#scope-filter", Input).focus()

    def action_switch_chosen(self) -> None:
        """Switch to the chosen names (none chosen: the highlighted one alone)."""
        name = self.highlighted_name()
        if self.several:
            names = tuple(n for n in self.names if n in self.chosen)
            if not names and name is not None:
                names = (name,)
            if not names:
                self.notify(f"no {self.part} chosen", timeout=3)
                return
            if self.part == "region":
                self._ask(", ".join(names), ScopeRequested(regions=names))
            else:
                self._ask(", ".join(names), ScopeRequested(profiles=names))
            return
        if name is None:
            self.notify(f"no {self.part} to switch to", timeout=3)
            return
        self._ask(name, ScopeRequested(context=name))

    def _ask(self, what: str, request: ScopeRequested) -> None:
        self.notify(f"checking {self.part} {what}…", timeout=3)
        self.app.post_message(request)

    def action_back(self) -> None:
        """Back to the console, pointed where it was."""
        self.dismiss()
