"""Every binding of the console in one list: for ``?``, for the keymap check, for the README."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING

from textual.binding import Binding, BindingType

from widgets.key_help import KeyHelpRow

if TYPE_CHECKING:
    from cloud.settings import Settings
    from tui.flows.remediation import RemediationKey

APP_BINDINGS: list[BindingType] = [
    Binding("q", "quit", "Quit", id="quit", tooltip="Leave shipdeck"),
    Binding("question_mark", "help", "Keys", id="help", tooltip="Every key and its id"),
    Binding(
        "ctrl+r",
        "toggle_presenter",
        "Presenter",
        id="presenter",
        show=False,
        priority=True,
        tooltip="Screen sharing: mask account ids, addresses, e-mail and secrets everywhere",
    ),
    Binding(
        "ctrl+e",
        "export_timeline",
        "Export timeline",
        id="timeline.export",
        show=False,
        tooltip="Write the incident timeline as Markdown under the state directory",
    ),
    Binding(
        "ctrl+p",
        "command_palette",
        "Palette",
        id="palette",
        show=False,
        priority=True,
        tooltip="Search every command",
    ),
]
"""The keys that work everywhere (the app's own)."""


def binding_scopes() -> list[tuple[str, list[BindingType]]]:
    """(where it works, bindings) for every class that declares bindings with ids."""
    from cloud.model.kinds import PANES
    from tui.console.screen import ConsoleScreen
    from tui.flows.progress import ActionProgress
    from tui.flows.remediation import bindings
    from tui.kinds.registry import pane_keys
    from tui.panes.findings import FindingsPane
    from tui.screens.detail import DetailScreen
    from tui.screens.finding_detail import FindingDetail
    from tui.screens.log_group_picker import GroupList, LogGroupPicker
    from tui.screens.logs import LogsScreen
    from tui.screens.scope_picker import ScopePicker, SeveralList
    from tui.screens.timeline import TimelineScreen
    from widgets.command_line import CommandLine
    from widgets.key_help import KeyHelp
    from widgets.log_range_progress import RangeProgressScreen
    from widgets.log_save_choice import SaveChoiceScreen
    from widgets.log_view import LogView
    from widgets.plan_preview import PlanPreview
    from widgets.resource_table import ResourceTable

    return [
        ("everywhere", APP_BINDINGS),
        ("panes", ConsoleScreen.BINDINGS),
        ("tables", ResourceTable.BINDINGS),
        ("details", DetailScreen.BINDINGS),
        ("findings", FindingsPane.BINDINGS),
        ("finding", FindingDetail.BINDINGS),
        ("timeline", TimelineScreen.BINDINGS),
        ("prompt", CommandLine.BINDINGS),
        ("help", KeyHelp.BINDINGS),
        # Actions: the same keys in the pane and in the resource's detail screen.
        *((p.name, bindings(pane_keys(p.kinds))) for p in PANES),
        ("preview", PlanPreview.BINDINGS),
        ("progress", ActionProgress.BINDINGS),
        ("logs", LogView.BINDINGS),
        ("log save", [*SaveChoiceScreen.BINDINGS, *RangeProgressScreen.BINDINGS]),
        ("log screen", LogsScreen.BINDINGS),
        ("log groups", [*LogGroupPicker.BINDINGS, *GroupList.BINDINGS]),
        ("profile/region/ctx", [*ScopePicker.BINDINGS, *SeveralList.BINDINGS]),
    ]


def _bindings(bindings: Iterable[BindingType]) -> Iterable[Binding]:
    """As declared (not split per key, so ``escape,q`` stays one binding)."""
    for binding in bindings:
        yield binding if isinstance(binding, Binding) else Binding(*binding)


def all_binding_ids() -> set[str]:
    """The ids a keymap (``[keys]`` in the config) may name."""
    return {
        binding.id
        for _, bindings in binding_scopes()
        for binding in _bindings(bindings)
        if binding.id is not None
    }


def help_rows(keymap: Mapping[str, str], display: Callable[[str], str]) -> list[KeyHelpRow]:
    """One row per binding id per scope, with the keys after the keymap."""
    from tui.flows.remediation import long_description

    rows: list[KeyHelpRow] = []
    seen: set[tuple[str, str]] = set()
    for scope, bindings in binding_scopes():
        for binding in _bindings(bindings):
            if binding.id is None or (scope, binding.id) in seen:
                continue
            seen.add((scope, binding.id))
            keys = keymap.get(binding.id, binding.key)
            shown = ", ".join(display(k.strip()) for k in keys.split(",") if k.strip())
            description = long_description(binding.id, binding.description, label=False)
            rows.append(KeyHelpRow(scope, shown, description, binding.id))
    return rows


def keys_markdown(display: Callable[[str], str] = str) -> str:
    """The keys as a Markdown table, for the README (``python -m tui.keys``)."""
    lines = ["| where | keys | does | binding id |", "|---|---|---|---|"]
    for row in help_rows({}, display):
        keys = row.keys.replace("|", "\\|")
        lines.append(f"| {row.scope} | `{keys}` | {row.description} | `{row.binding_id}` |")
    return "\n".join(lines)


# Keys Textual itself or every table and form take, besides the bindings declared above.
TEXTUAL_KEYS = frozenset(
    {"ctrl+c", "ctrl+q", "tab", "shift+tab", "enter", "escape", "space", "backspace"}
)

CustomKeys = tuple[tuple[tuple[str, ...], "RemediationKey"], ...]


def custom_keys(settings: Settings) -> tuple[CustomKeys, tuple[str, ...]]:
    """The config file's own actions on their keys, and one line per entry left out.

    An entry whose key a built-in binding has (after the ``[keys]`` keymap) is left
    out: the built-in key would win on the row and the person's action never run.
    """
    from actions.catalogue import custom_actions
    from tui.flows.remediation import RemediationKey

    taken: set[str] = set(TEXTUAL_KEYS)
    for _, scope_bindings in binding_scopes():
        for binding in _bindings(scope_bindings):
            keys = settings.keys.get(binding.id or "", binding.key)
            taken.update(k.strip() for k in keys.split(",") if k.strip())
    found, problems = custom_actions(settings)
    accepted: list[tuple[tuple[str, ...], RemediationKey]] = []
    where = settings.path or "config file"
    mine: dict[str, str] = {}  # key -> the entry that has it
    for name, cls in found.items():
        spec = cls.spec
        clash = None
        if spec.key in taken:
            clash = "is a built-in key (press ? for every key)"
        elif spec.key in mine:
            clash = f"is the key of {mine[spec.key]!r} already"
        if clash is not None:
            problems += (
                f"{where}: [[actions]] entry {spec.index} ({name!r}): key {spec.key!r} {clash}",
            )
            continue
        mine[spec.key] = name
        accepted.append((spec.kinds, RemediationKey(name, spec.key, spec.label or name)))
    return tuple(accepted), problems


def custom_help_rows(
    keys: CustomKeys, settings: Settings, display: Callable[[str], str]
) -> list[KeyHelpRow]:
    """One row per action of one's own on its key, for ``?`` (scope: the kinds it acts on)."""
    from tui.flows.remediation import long_description

    return [
        KeyHelpRow(
            f"custom: {', '.join(kinds)}",
            display(key.key),
            long_description(key.binding_id, key.label, label=False, settings=settings),
            key.binding_id,
        )
        for kinds, key in keys
    ]


if __name__ == "__main__":
    print(keys_markdown())
