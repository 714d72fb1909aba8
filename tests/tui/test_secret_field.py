"""A pasted multi-line secret is kept whole in the action form, masked, and counted.

Textual's ``Input`` keeps the first line of a paste: a 4-line PEM became its
``BEGIN`` line while the plan said a value was given. The form's secret field
keeps every line, shows none of it, and says how many lines and characters
it holds.
"""

from __future__ import annotations

import html
import re

from textual import events
from textual.app import App
from textual.widgets import Static

from widgets.action_form import ActionForm, FormField
from widgets.secret_input import SecretInput, describe_secret

PEM = (
    "-----BEGIN PRIVATE KEY-----\r\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\r\n"
    "BKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\r\n-----END PRIVATE KEY-----"
)
KEPT = PEM.replace("\r\n", "\n")


class FormApp(App[None]):
    """The form alone, with what it answered."""

    def __init__(self) -> None:
        super().__init__()
        self.answers: list[dict[str, str] | None] = []

    def on_mount(self) -> None:
        fields = [
            FormField("name", "name", value="JWT_PRIVATE_KEY_PEM", required=True),
            FormField("value", "value", secret=True, required=True),
        ]
        self.push_screen(ActionForm("wire-secret-env", fields), self.answers.append)


def test_the_description_gives_sizes_only() -> None:
    assert describe_secret("") == "empty"
    assert describe_secret("abc") == "1 line, 3 characters"
    assert describe_secret(KEPT) == f"4 lines, {len(KEPT):,} characters"


async def test_a_pasted_pem_is_kept_whole_masked_and_counted() -> None:
    app = FormApp()
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        field = app.screen.query_one(SecretInput)
        field.focus()
        field.post_message(events.Paste(PEM))
        await pilot.pause()
        assert field.value == KEPT
        held = app.screen.query_one("#held-value", Static)
        assert str(held.render()) == f"4 lines, {len(KEPT)} characters"
        svg = app.export_screenshot()  # the terminal now, as text
        shown = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", svg)).replace("\xa0", " "))
        assert f"4 lines, {len(KEPT)} characters" in shown
        assert "MIIEvQ" not in shown and "BEGIN" not in shown  # masked
        await pilot.press("enter")
        await pilot.pause()
    assert app.answers == [{"name": "JWT_PRIVATE_KEY_PEM", "value": KEPT}]
