"""The keys of the focused screen on one line, drawn as one piece of text.

Textual's ``Footer`` recomposes itself into one widget per key whenever the
bindings change: every pane switch and every focus change mounts and styles
some forty widgets again, about two thirds of the time a pane switch takes.
``KeyFooter`` keeps Footer's look (keys, descriptions, grouped keys such as
``01234 Panes``, greyed keys that do not apply, the palette key on the right, with
help and quit beside it so that no width hides them) but is a single widget that
only re-renders its line. A click on a key presses it.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import groupby
from typing import Any, ClassVar

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.screen import Screen
from textual.widget import Widget


class KeyFooter(Widget):
    """One line of the active keys; re-rendered (not recomposed) when the bindings change.

    The keys in ``ALWAYS`` (help, quit) and the palette key stay on the right whatever
    the width; the others fill the line from the left and end in "…" when cut.
    """

    ALWAYS: ClassVar[tuple[str, ...]] = ("question_mark", "q")

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "key-footer--key",
        "key-footer--description",
        "key-footer--disabled",
    }
    DEFAULT_CSS = """
    KeyFooter {
        dock: bottom;
        height: 1;
        background: $footer-background;
        color: $footer-foreground;
        .key-footer--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        .key-footer--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        .key-footer--disabled {
            color: $text-disabled;
            text-style: dim;
        }
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._spans: list[tuple[int, int, str]] = []  # (start, end, key) of each drawn key

    def on_mount(self) -> None:
        """Hear of every change of the screen's bindings."""
        self.screen.bindings_updated_signal.subscribe(self, self.bindings_changed)

    def on_unmount(self) -> None:
        """Stop hearing."""
        self.screen.bindings_updated_signal.unsubscribe(self)

    def bindings_changed(self, screen: Screen[Any]) -> None:
        """Draw the line again at the next refresh (changes in one burst are one redraw)."""
        self.refresh()

    def _items(self) -> tuple[list[tuple[str, str, str, bool]], tuple[str, str, str, bool] | None]:
        """(key, key display, description, enabled) to draw, and the palette key."""
        active = self.screen.active_bindings
        by_action: defaultdict[str, list[tuple[Binding, bool]]] = defaultdict(list)
        for _node, binding, enabled, _tooltip in active.values():
            if binding.show:
                by_action[binding.action].append((binding, enabled))
        items: list[tuple[str, str, str, bool]] = []
        for group, members_iter in groupby(by_action.values(), lambda m: m[0][0].group):
            members = list(members_iter)
            if group is not None and len(members) > 1:
                keys = "".join(self.app.get_key_display(m[0][0]) for m in members)
                enabled = any(m[0][1] for m in members)
                items.append((members[0][0][0].key, keys, group.description, enabled))
                continue
            for member in members:
                binding, enabled = member[0]
                items.append(
                    (binding.key, self.app.get_key_display(binding), binding.description, enabled)
                )
        palette = None
        if self.app.ENABLE_COMMAND_PALETTE:
            found = active.get(self.app.COMMAND_PALETTE_BINDING)
            if found is not None:
                _node, binding, enabled, _tooltip = found
                palette = (binding.key, self.app.get_key_display(binding), "Palette", enabled)
        return items, palette

    def render(self) -> Text:
        """The keys from the left, the palette key on the right; what does not fit is cut."""
        key_style = self.get_component_rich_style("key-footer--key")
        text_style = self.get_component_rich_style("key-footer--description")
        off = self.get_component_rich_style("key-footer--disabled")
        width = self.size.width
        items, palette = self._items()
        kept = [item for item in items if item[0] in self.ALWAYS]
        kept.sort(key=lambda item: self.ALWAYS.index(item[0]))
        items = [item for item in items if item[0] not in self.ALWAYS]
        right_items = [*kept, *([palette] if palette is not None else [])]
        right = Text()
        right_spans: list[tuple[int, int, str]] = []
        for item in right_items:
            piece = self._item(item, key_style, text_style, off)
            right_spans.append((right.cell_len, right.cell_len + piece.cell_len, item[0]))
            right.append(piece)
        room = max(width - right.cell_len - 1, 0)
        line = Text(no_wrap=True, overflow="ellipsis")
        spans: list[tuple[int, int, str]] = []
        for item in items:
            piece = self._item(item, key_style, text_style, off)
            if line.cell_len + piece.cell_len > room:
                if line.cell_len < room:
                    line.append("…", style=text_style)
                break
            spans.append((line.cell_len, line.cell_len + piece.cell_len, item[0]))
            line.append(piece)
        if right_items and width > right.cell_len:
            line.append(" " * max(width - line.cell_len - right.cell_len, 1))
            start = line.cell_len
            spans.extend((start + a, start + b, key) for a, b, key in right_spans)
            line.append(right)
        self._spans = spans
        return line

    @staticmethod
    def _item(
        item: tuple[str, str, str, bool], key_style: Style, text_style: Style, off: Style
    ) -> Text:
        _key, shown, description, enabled = item
        piece = Text(" ", style=text_style)
        piece.append(shown, style=key_style if enabled else key_style + off)
        if description:
            piece.append(f" {description}", style=text_style if enabled else text_style + off)
        piece.append(" ", style=text_style)
        return piece

    def on_click(self, event: events.Click) -> None:
        """A click on a key presses it."""
        for start, end, key in self._spans:
            if start <= event.x < end:
                event.stop()
                self.app.simulate_key(key)
                return
