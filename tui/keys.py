"""Every binding of the console in one list: for ``?``, for the keymap check, for the README."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from textual.binding import Binding, BindingType

from widgets.key_help import KeyHelpRow

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


if __name__ == "__main__":
    print(keys_markdown())
