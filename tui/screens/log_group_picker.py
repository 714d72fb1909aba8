"""``:logs``: choose CloudWatch log groups across the shown profiles and regions, tail them merged.

The groups of every profile's regions are listed as each region answers
(errors stay on screen as data); typing in the filter narrows the list,
``j``/``k`` move, ``space`` chooses (several may be), ``enter`` opens a logs
screen merging the chosen groups (or the highlighted one when none is chosen)
with their profile's credentials. With several profiles each row names its
profile, and groups of two profiles cannot be merged (a view reads with one
session): that is one message and the choice stays. In presenter mode the
rows and errors are masked like every other screen (a group name may hold an
account id or an address).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Input, SelectionList, Static
from textual.widgets.selection_list import Selection

from cloud.logs import LogGroupInfo
from cloud.logs.subjects import GroupsSource
from cloud.records import Fetched
from cloud.session import CloudSession
from cloud.text import safe_text
from tui.context.presenter import mask_text
from tui.context.screen import ShipdeckScreen
from tui.context.state import ConsoleContext
from widgets.footer import KeyFooter

GroupKey = tuple[str, str, str]  # (profile tag, region, group name)
NAME_WIDTH = 56
PROFILE_WIDTH = 14


def _size(stored: int | None) -> str:
    if stored is None:
        return "—"
    size = float(stored)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} TB"


def group_prompt(group: LogGroupInfo, profile: str = "") -> Text:
    """One row: name, (profile,) region, stored size, retention."""
    name = group.name if len(group.name) <= NAME_WIDTH else f"…{group.name[-NAME_WIDTH + 1 :]}"
    text = Text(f"{name:<{NAME_WIDTH}} ")
    if profile:
        shown = safe_text(profile, PROFILE_WIDTH)  # a name from a config file
        text.append(f"{shown:<{PROFILE_WIDTH}} ", style="magenta")
    text.append(f"{group.region:<16} ", style="cyan")
    text.append(f"{_size(group.stored_bytes):>9} ", style="dim")
    days = f"{group.retention_days}d" if group.retention_days else "never expires"
    text.append(days, style="dim")
    return text


@dataclass
class GroupsListed(Message):
    """One region's groups of one profile (and the errors of what could not be read)."""

    profile: str
    fetched: Fetched[LogGroupInfo]


def _order(key: GroupKey) -> tuple[str, str, str]:
    profile, region, name = key
    return name, region, profile


class GroupList(SelectionList[GroupKey]):
    """The groups; ``j``/``k`` move, ``space`` chooses, ``enter`` opens (instead of toggling)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "screen.open_chosen", "Open", id="logs.open-groups"),
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]


class LogGroupPicker(ShipdeckScreen):
    """Every log group of the session's regions, filterable, several can be chosen."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="back"),
        Binding("slash", "focus_filter", "Filter", id="filter"),
    ]

    def __init__(self, context: ConsoleContext) -> None:
        super().__init__(context)
        self.groups: dict[GroupKey, LogGroupInfo] = {}
        self.chosen: set[GroupKey] = set()
        self.errors: list[str] = []
        self.answered = 0  # regions that have answered

    def compose(self) -> ComposeResult:
        """Header, title, filter, errors, the list, footer."""
        yield self.make_header()
        yield Static(
            "log groups  (space: choose · enter: open · /: filter)", classes="detail-title"
        )
        yield Input(placeholder="filter log groups", id="group-filter")
        yield Static("", id="group-errors")
        yield GroupList(id="groups")
        yield KeyFooter()

    def on_mount(self) -> None:
        """List the groups of every region."""
        self.query_one("#group-errors", Static).display = False
        self.query_one(GroupList).border_title = "reading log groups…"
        self.query_one(GroupList).focus()
        self.load()

    @work(thread=True, exclusive=True, group="log-groups", exit_on_error=False)
    def load(self) -> None:
        """Worker thread: each profile's regions' groups, posted as each answers."""
        from cloud.logs import list_log_groups

        for tag, session in self._sessions():
            for region in session.regions:
                fetched = list_log_groups(session.client, region)
                self.post_message(GroupsListed(tag, fetched))

    def _sessions(self) -> list[tuple[str, CloudSession]]:
        sessions = self.context.sessions
        assert sessions is not None  # the context makes them
        return list(zip(sessions.tags, sessions.all, strict=True))

    @property
    def regions_asked(self) -> int:
        """Regions to list, over every profile."""
        return sum(len(session.regions) for _, session in self._sessions())

    @on(GroupsListed)
    def _listed(self, message: GroupsListed) -> None:
        self.answered += 1
        for group in message.fetched.records:
            self.groups[message.profile, group.region, group.name] = group
        mark = f"{message.profile}: " if message.profile else ""  # whose account failed
        self.errors += [f"{mark}{error.line()}" for error in message.fetched.errors]
        self.show()

    @property
    def filter_text(self) -> str:
        """What is typed in the filter."""
        return self.query_one("#group-filter", Input).value.strip().lower()

    def shown_keys(self) -> list[GroupKey]:
        """The groups the filter lets through, by name, then region, then profile."""
        needle = self.filter_text
        keys = sorted(self.groups, key=_order)
        return [k for k in keys if any(needle in part.lower() for part in k)]

    def show(self) -> None:
        """Redraw the errors and the list, keeping what is chosen (also what the filter hides)."""
        errors = self.query_one("#group-errors", Static)
        shown = self.context.shown
        errors.update(Text("\n".join(f"✗ {shown(e)}" for e in self.errors), style="red"))
        errors.display = bool(self.errors)
        listing = self.query_one(GroupList)
        keys = self.shown_keys()
        before = self.highlighted_key()
        with listing.prevent(SelectionList.SelectedChanged):
            listing.clear_options()
            listing.add_options(Selection(self._prompt(k), k, k in self.chosen) for k in keys)
        if keys:  # the cursor stays on the same group, else goes to the first
            listing.highlighted = keys.index(before) if before in keys else 0
        self.update_title(len(keys))

    def _prompt(self, key: GroupKey) -> Text:
        prompt = group_prompt(self.groups[key], key[0])
        return mask_text(prompt) if self.context.presenter else prompt

    def presenter_changed(self) -> None:
        """Presenter mode was switched: list the groups again, masked or not."""
        super().presenter_changed()
        self.show()

    def highlighted_key(self) -> GroupKey | None:
        """The group under the cursor."""
        listing = self.query_one(GroupList)
        index = listing.highlighted
        if index is None or index >= listing.option_count:
            return None
        option = listing.get_option_at_index(index)
        return option.value if isinstance(option, Selection) else None

    def update_title(self, shown: int) -> None:
        """``log groups (3/40) · 2 chosen`` and the regions still reading."""
        total = len(self.groups)
        waiting = self.regions_asked - self.answered
        count = f"{shown}/{total}" if self.filter_text else f"{total}"
        more = f" · {waiting} regions reading…" if waiting > 0 else ""
        self.query_one(
            GroupList
        ).border_title = f"log groups ({count}) · {len(self.chosen)} chosen{more}"

    @on(SelectionList.SelectedChanged, "#groups")
    def _chosen_changed(self) -> None:
        listing = self.query_one(GroupList)
        shown = self.shown_keys()
        self.chosen = (self.chosen - set(shown)) | set(listing.selected)
        self.update_title(len(shown))

    @on(Input.Changed, "#group-filter")
    def _filter_changed(self) -> None:
        self.show()

    @on(Input.Submitted, "#group-filter")
    def _filter_done(self) -> None:
        self.query_one(GroupList).focus()

    def action_focus_filter(self) -> None:
        """Type to narrow the list."""
        self.query_one("#group-filter", Input).focus()

    def action_open_chosen(self) -> None:
        """Open the chosen groups merged (or the highlighted one)."""
        from tui.screens.logs import LogsScreen

        keys = sorted(self.chosen, key=_order)
        if not keys:
            highlighted = self.highlighted_key()
            if highlighted is None:
                self.notify("no log group to open", timeout=3)
                return
            keys = [highlighted]
        profiles = sorted({profile for profile, _, _ in keys})
        if len(profiles) > 1:
            names = " and ".join(safe_text(p, 40) for p in profiles)
            self.notify(
                f"log groups of {names} cannot be merged: choose one profile's",
                severity="warning",
                timeout=6,
                markup=False,
            )
            return
        source = GroupsSource(tuple((region, name) for _, region, name in keys))
        session = self.context.session_of(profiles[0])
        self.app.push_screen(LogsScreen(self.context, source, session=session))

    def action_back(self) -> None:
        """Back to where the person came from."""
        self.dismiss()
