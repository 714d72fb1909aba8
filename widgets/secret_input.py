"""A masked field for a secret that keeps every line of what is pasted into it.

Textual's ``Input`` keeps only the first line of a paste: a 4-line PEM pasted
into a password field became its ``-----BEGIN ...-----`` line while the plan
said a value was given. This field is the same password ``Input`` (one ``•``
per character, newlines included), except that a paste is kept whole, with
``\\r\\n`` and ``\\r`` made ``\\n``. ``describe`` says how much it holds, never what.
"""

from __future__ import annotations

from textual import events
from textual.widgets import Input


def describe_secret(value: str) -> str:
    """``4 lines, 1,704 characters``: how much a secret holds, never any of it."""
    if not value:
        return "empty"
    lines = value.count("\n") + 1
    characters = len(value)
    return (
        f"{lines:,} line{'s' if lines != 1 else ''}, "
        f"{characters:,} character{'s' if characters != 1 else ''}"
    )


class SecretInput(Input):
    """A password field whose pastes keep their newlines (a PEM, a kubeconfig, a JSON key)."""

    def __init__(
        self,
        value: str = "",
        *,
        placeholder: str = "",
        compact: bool = False,
        id: str | None = None,
    ) -> None:
        super().__init__(value, placeholder=placeholder, password=True, compact=compact, id=id)

    def on_paste(self, event: events.Paste) -> None:
        """Insert the whole paste, every line of it (``Input`` would keep the first)."""
        event.prevent_default()  # Input's own handler keeps only the first line
        event.stop()
        text = event.text.replace("\r\n", "\n").replace("\r", "\n")
        if not text:
            return
        start, end = sorted(self.selection)
        if start == end:
            self.insert_text_at_cursor(text)
        else:
            self.replace(text, start, end)
