"""Every binding of the console in one list: for ``?``, for the keymap check, for the README."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from textual.binding import Binding, BindingType

from widgets.key_help import KeyHelpRow


def binding_scopes() -> list[tuple[str, list[BindingType]]]:
    """(where it works, bindings) for every class that declares bindings with ids."""
    from tui.app import ShipdeckApp
    from tui.panes.builds import OPEN_FALLBACK
    from tui.panes.findings import FindingsPane
    from tui.remediations import BUILD_KEYS, QUOTA_KEYS, REPOSITORY_KEYS, SERVICE_KEYS, bindings
    from tui.screens.console import ConsoleScreen
    from tui.screens.detail import DetailScreen
    from tui.screens.fallback import FallbackScreen
    from tui.screens.finding_detail import FindingDetail
    from tui.screens.log_group_picker import GroupList, LogGroupPicker
    from tui.screens.logs import LogsScreen
    from tui.screens.timeline import TimelineScreen
    from widgets.build_rows import ConfirmBuild
    from widgets.command_line import CommandLine
    from widgets.key_help import KeyHelp
    from widgets.log_view import LogView
    from widgets.resource_table import ResourceTable

    return [
        ("everywhere", ShipdeckApp.BINDINGS),
        ("panes", ConsoleScreen.BINDINGS),
        ("tables", ResourceTable.BINDINGS),
        ("details", DetailScreen.BINDINGS),
        ("findings", FindingsPane.BINDINGS),
        ("finding", FindingDetail.BINDINGS),
        ("timeline", TimelineScreen.BINDINGS),
        ("prompt", CommandLine.BINDINGS),
        ("help", KeyHelp.BINDINGS),
        # Actions: the same keys in the pane and in the resource's detail screen.
        ("repositories", bindings(REPOSITORY_KEYS)),
        ("builds", [*bindings(BUILD_KEYS), OPEN_FALLBACK]),
        ("services", bindings(SERVICE_KEYS)),
        ("quotas", bindings(QUOTA_KEYS)),
        ("fallback", [*FallbackScreen.BINDINGS, *ConfirmBuild.BINDINGS]),
        ("logs", LogView.BINDINGS),
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
    from tui.remediations import long_description

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
