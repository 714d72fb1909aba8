"""The parameter form of an action: fields from the catalogue's ``Param``s, prefilled from the row.

Lists to choose from (task-definition revisions, a repository's tags, a
deployment's pods) come from the action's ``choices`` (read in a worker thread
before the form opens); turning what was typed back into action values is
``action_values``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from cloud.model.ref import ResourceRef
from widgets.action_form import FormField

if TYPE_CHECKING:
    from actions.model import Action, Choices

# Parameters the row already decides (the build of a build row) or that have a
# good default nobody needs to see first (the Nova lifecycle policy).
HIDDEN = frozenset({"build", "error", "policy", "container"})

_PLACEHOLDERS = {
    ("retag-latest", "source"): "the newest image",
    ("start-build", "source-version"): "the project's default",
    ("wire-secret-env", "key"): "the variable, lower-case, dashes",
    ("fallback-build", "services"): "every service of the recipe",
    ("fallback-build", "context"): "the recipe's folder",
}


def _placeholder(cls: type[Action], ref: ResourceRef, name: str, default: str | None) -> str:
    if (cls.name, name) == ("wire-secret-env", "secret"):
        return f"{ref.leaf}-secrets"
    return _PLACEHOLDERS.get((cls.name, name), default or "")


def asked(cls: type[Action]) -> list[str]:
    """The parameters the form asks for (start-build also asks for env overrides)."""
    names = [p.name for p in cls.params if p.name not in HIDDEN]
    if cls.name == "start-build":
        names.append("env")
    return names


def form_fields(
    cls: type[Action], ref: ResourceRef, defaults: Mapping[str, str], found: Choices
) -> list[FormField]:
    """One field per asked parameter, prefilled from the row; lists where there are choices."""
    params = {p.name: p for p in cls.params}
    fields: list[FormField] = []
    for name in asked(cls):
        param = params.get(name)
        options = found.get(name, ())
        if name == "env":
            fields.append(
                FormField(
                    "env",
                    "environment overrides",
                    "NAME=VALUE pairs separated by spaces, e.g. IMAGE_TAG=v1.2.3 (plain text)",
                    value=defaults.get("env", ""),
                    placeholder="IMAGE_TAG=v1.2.3",
                )
            )
            continue
        assert param is not None
        value = defaults.get(name, param.default or "")
        if options:
            values = [v for _, v in options]
            value = value if value in values else values[0]
        secret = param.secret
        fields.append(
            FormField(
                name,
                name,
                param.help,
                value="" if secret else value,
                secret=secret,
                required=param.required or secret,
                placeholder=_placeholder(cls, ref, name, param.default),
                choices=options,
            )
        )
    return fields


def action_values(
    cls: type[Action], defaults: Mapping[str, str], typed: Mapping[str, str]
) -> dict[str, str]:
    """The values ``make_action`` takes: the row's hidden ones plus what was typed.

    Empty optional fields are left out (the action's default applies); the env
    field becomes ``env.NAME`` values. Raises ``BadParameter`` for a bad env pair.
    """
    from actions.model import BadParameter

    names = {p.name for p in cls.params}
    values = {k: v for k, v in defaults.items() if k in names and k in HIDDEN and v}
    for name, value in typed.items():
        if name == "env":
            for pair in value.replace(",", " ").split():
                key, equals, text = pair.partition("=")
                if not equals or not key:
                    raise BadParameter(f"environment override {pair!r}: expected NAME=VALUE")
                values[f"env.{key}"] = text
        elif name in names and value:
            values[name] = value
    return values
