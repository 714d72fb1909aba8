"""The log view's keys: one declaration gives each its key, footer label, help line and id.

Every id is ``logs.*`` so a keymap (``[keys]`` in the config) can move it.
"""

from __future__ import annotations

from textual.binding import Binding, BindingType

LOG_VIEW_BINDINGS: list[BindingType] = [
    Binding("f", "follow", "Follow", id="logs.follow", tooltip="Follow new lines (end too)"),
    Binding("p", "pause", "Pause", id="logs.pause", tooltip="Hold new lines; p shows them"),
    # Priority, as the console's prompts: the prompt opens (and takes the focus) as the key
    # arrives, so what is typed right after it in one burst ("&level=error") is the prompt's.
    Binding(
        "slash",
        "search",
        "Search",
        id="logs.search",
        tooltip="Highlight a regex",
        priority=True,
    ),
    Binding("n", "next", "Next", id="logs.next", tooltip="Next search match"),
    Binding("N", "prev", "Prev", id="logs.prev", tooltip="Previous search match"),
    Binding(
        "ampersand",
        "filter",
        "Filter",
        id="logs.filter",
        priority=True,
        tooltip=(
            "Only lines matching a regex (!regex: not matching), or fields of JSON/logfmt "
            "lines (level=error status>=500 msg~timeout); empty: all"
        ),
    ),
    Binding(
        "colon",
        "command",
        "Jump",
        id="logs.command",
        priority=True,
        tooltip=":since 2h or :at 2025-11-10T08:50 (UTC): read again from that time",
    ),
    Binding("w", "wrap", "Wrap", id="logs.wrap", tooltip="Wrap long lines"),
    Binding("t", "timestamps", "Time", id="logs.timestamps", tooltip="Timestamps on/off"),
    Binding(
        "ctrl+s",
        "save",
        "Save",
        id="logs.save",
        tooltip="Save the lines shown (CloudWatch: or a time range, read again)",
    ),
    Binding(
        "S",
        "save_all",
        "Save all",
        id="logs.save-all",
        tooltip="Save every buffered line, filtered out or held ones too",
    ),
    Binding("y", "copy", "Copy", id="logs.copy", tooltip="Copy selection or screen (OSC 52)"),
    Binding(
        "e",
        "next_error",
        "Next error",
        id="logs.next-error",
        tooltip="Next error or cause (denied, expired token, HTTP 4xx/5xx, exit status...)",
    ),
    Binding(
        "J",
        "record",
        "JSON",
        id="logs.record",
        tooltip="Pretty view of the structured (JSON/logfmt) line at the current row; J closes",
    ),
]
"""What the log view's keys do, in the order the footer shows them."""
