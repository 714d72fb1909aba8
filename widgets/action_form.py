"""A small form for an action's parameters: text fields, hidden fields for secrets, choices.

Plain data in (``FormField``), a ``dict`` of the values out (or None when
cancelled). A secret field is a masked ``SecretInput`` that keeps every line of
a paste (a PEM); below it the form says how many lines and characters it
holds, so a cut paste is seen before the plan, and never shows the value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, OptionList, Static
from textual.widgets.option_list import Option

from widgets.secret_input import SecretInput, describe_secret


@dataclass(frozen=True)
class FormField:
    """One parameter as the form asks for it."""

    name: str
    label: str
    help: str = ""
    value: str = ""  # prefilled
    secret: bool = False  # a password field
    required: bool = False
    placeholder: str = ""
    choices: tuple[tuple[str, str], ...] = ()  # (label, value): a list to choose from


class ActionForm(ModalScreen[dict[str, str] | None]):
    """Ask for an action's parameters; ``enter`` goes on to the plan, ``escape`` cancels."""

    DEFAULT_CSS = """
    ActionForm { align: center middle; }
    ActionForm > #form-box {
        width: 90; max-width: 96%; height: auto; max-height: 90%;
        border: round $accent; border-title-style: bold; background: $surface; padding: 0 1;
    }
    ActionForm #form-fields { height: auto; max-height: 100%; }
    ActionForm #form-foot { dock: bottom; height: auto; }
    ActionForm .form-label { margin-top: 1; text-style: bold; }
    ActionForm Input { background: $boost; }
    ActionForm Input:focus { background: $primary 30%; }
    ActionForm OptionList { height: auto; max-height: 12; }
    ActionForm .form-help { color: $text-muted; }
    ActionForm #form-error { color: $text-error; text-style: bold; }
    ActionForm #form-buttons { height: auto; margin-top: 1; }
    ActionForm #form-buttons Button { margin-right: 2; }
    ActionForm #form-hint { color: $text-muted; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
    ]

    def __init__(self, title: str, fields: Sequence[FormField], *, where: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.where = where
        self.fields = tuple(fields)

    def compose(self) -> ComposeResult:
        """A label, an input (or a list) and a help line per field; buttons below."""
        with Vertical(id="form-box") as box:
            box.border_title = Text(self.title_text)  # names from outside: never markup
            box.border_subtitle = Text(self.where)
            with VerticalScroll(id="form-fields"):
                for field in self.fields:
                    label = field.label + (" *" if field.required else "")
                    yield Static(Text(label), classes="form-label")
                    if field.choices:
                        yield OptionList(
                            *[Option(Text(text), id=value) for text, value in field.choices],
                            id=f"field-{field.name}",
                        )
                    elif field.secret:
                        yield SecretInput(
                            field.value,
                            placeholder=field.placeholder,
                            compact=True,
                            id=f"field-{field.name}",
                        )
                        yield Static(
                            describe_secret(field.value),
                            id=f"held-{field.name}",
                            classes="form-help",
                        )
                    else:
                        yield Input(
                            field.value,
                            placeholder=field.placeholder,
                            compact=True,
                            id=f"field-{field.name}",
                        )
                    if field.help:
                        yield Static(Text(field.help), classes="form-help")
            with Vertical(id="form-foot"):  # docked: the buttons stay when the fields scroll
                yield Static("", id="form-error")
                with Horizontal(id="form-buttons"):
                    yield Button("Plan", id="form-plan", variant="primary")
                    yield Button("Cancel", id="form-cancel")
                hint = "enter shows the plan (nothing changes yet) · tab next field · esc cancel"
                if any(field.choices for field in self.fields):
                    hint = "↑↓ choose · " + hint
                yield Static(hint, id="form-hint")

    def on_mount(self) -> None:
        """Highlight the prefilled choices; focus the first field to fill in."""
        for field in self.fields:
            if field.choices:
                values = [value for _, value in field.choices]
                index = values.index(field.value) if field.value in values else 0
                self.query_one(f"#field-{field.name}", OptionList).highlighted = index
        first = next((f for f in self.fields if f.required and not f.value), None)
        first = first or (self.fields[0] if self.fields else None)
        if first is not None:
            self.query_one(f"#field-{first.name}").focus()

    def values(self) -> dict[str, str]:
        """What is in the fields now."""
        found: dict[str, str] = {}
        for field in self.fields:
            widget = self.query_one(f"#field-{field.name}")
            if isinstance(widget, OptionList):
                index = widget.highlighted
                option = widget.get_option_at_index(index) if index is not None else None
                found[field.name] = (option.id or "") if option is not None else ""
            elif isinstance(widget, Input):
                found[field.name] = widget.value if field.secret else widget.value.strip()
        return found

    def _submit(self) -> None:
        values = self.values()
        missing = [f.label for f in self.fields if f.required and not values.get(f.name)]
        if missing:
            self.query_one("#form-error", Static).update(f"required: {', '.join(missing)}")
            return
        self.dismiss(values)

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        """A secret field says how much it holds now (never what)."""
        if isinstance(event.input, SecretInput) and event.input.id:
            held = event.input.id.replace("field-", "held-", 1)
            self.query_one(f"#{held}", Static).update(describe_secret(event.value))

    @on(Input.Submitted)
    def _enter(self, event: Input.Submitted) -> None:
        event.stop()
        self._submit()

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._submit()

    @on(Button.Pressed, "#form-plan")
    def _plan_pressed(self) -> None:
        self._submit()

    @on(Button.Pressed, "#form-cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    def action_cancel(self) -> None:
        """Leave without planning anything."""
        self.dismiss(None)
