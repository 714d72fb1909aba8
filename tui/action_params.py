"""The parameter form of an action: fields from the catalogue's ``Param``s, prefilled from the row.

Lists to choose from (task-definition revisions, a repository's tags, a
deployment's pods) are read in a worker thread before the form opens
(``choices``); turning what was typed back into action values is
``action_values``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from cloud.diagnosis import short_image
from cloud.records import DeploymentRecord, LambdaFunctionRecord
from cloud.workloads import parse_image
from tui.remediations import Target
from widgets.action_form import FormField

if TYPE_CHECKING:
    from actions.model import Action
    from cloud.session import CloudSession

# Parameters the row already decides (the build of a build row) or that have a
# good default nobody needs to see first (the Nova lifecycle policy).
HIDDEN = frozenset({"build", "error", "policy", "container"})

Choices = dict[str, tuple[tuple[str, str], ...]]

_PLACEHOLDERS = {
    ("retag-latest", "source"): "the newest image",
    ("start-build", "source-version"): "the project's default",
    ("wire-secret-env", "key"): "the variable, lower-case, dashes",
}


def _placeholder(cls: type[Action], target: Target, name: str, default: str | None) -> str:
    if (cls.name, name) == ("wire-secret-env", "secret"):
        return f"{target.target.rsplit('/', 1)[-1]}-secrets"
    return _PLACEHOLDERS.get((cls.name, name), default or "")


def asked(cls: type[Action]) -> list[str]:
    """The parameters the form asks for (start-build also asks for env overrides)."""
    names = [p.name for p in cls.params if p.name not in HIDDEN]
    if cls.name == "start-build":
        names.append("env")
    return names


def _date(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if isinstance(value, datetime) else str(value or "")


def choices(cls: type[Action], target: Target, session: CloudSession) -> Choices:
    """Lists to choose from; reads the cloud, so it runs in a worker thread."""
    if cls.name == "rollback-service":
        from actions.ecs import RollbackService

        resource = target.target.partition(":")[2]
        action = RollbackService(session, resource, {}, region=target.region)
        options = []
        for td in action.revisions():
            images = ", ".join(
                short_image(c.get("image", "")) for c in td.get("containerDefinitions", [])
            )
            label = f"{td['family']}:{td['revision']}  {images}  {_date(td.get('registeredAt'))}"
            options.append((label.rstrip(), str(td["revision"])))
        return {"revision": tuple(options)}
    if cls.name == "rollback-lambda" and isinstance(target.record, LambdaFunctionRecord):
        from cloud.inventory import fetch_images

        record = target.record
        ref = parse_image(record.image_uri or "")
        found = fetch_images(session, record.region, ref.path).records
        oldest = datetime.min.replace(tzinfo=UTC)
        options = []
        for image in sorted(found, key=lambda i: i.pushed_at or oldest, reverse=True):
            for tag in image.tags:
                if tag == "buildcache":
                    continue
                running = "  (running now)" if tag == ref.tag else ""
                pushed = f"  pushed {_date(image.pushed_at)}" if image.pushed_at else ""
                options.append((f"{tag}{pushed}{running}", tag))
        return {"tag": tuple(options)}
    if cls.name == "delete-pod" and isinstance(target.record, DeploymentRecord):
        pods = target.record.pods
        return {"pod": tuple((f"{p.name}  {p.problem or p.phase}", p.name) for p in pods)}
    return {}


def _default_choice(
    cls: type[Action], target: Target, wanted: str, options: tuple[tuple[str, str], ...]
) -> str:
    values = [value for _, value in options]
    if wanted in values:
        return wanted
    if cls.name == "rollback-lambda" and isinstance(target.record, LambdaFunctionRecord):
        current = parse_image(target.record.image_uri or "").tag
        older = [v for v in values if v not in (current, "latest")]
        if current in values:  # the newest tag older than the running one
            index = values.index(current)
            older = [v for v in values[index + 1 :] if v != "latest"] or older
        return older[0] if older else (values[0] if values else "")
    return values[0] if values else ""


def form_fields(cls: type[Action], target: Target, found: Choices) -> list[FormField]:
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
                    value=target.defaults.get("env", ""),
                    placeholder="IMAGE_TAG=v1.2.3",
                )
            )
            continue
        assert param is not None
        value = target.defaults.get(name, param.default or "")
        if options:
            value = _default_choice(cls, target, value, options)
        secret = param.secret
        fields.append(
            FormField(
                name,
                name,
                param.help,
                value="" if secret else value,
                secret=secret,
                required=param.required or secret,
                placeholder=_placeholder(cls, target, name, param.default),
                choices=options,
            )
        )
    return fields


def action_values(cls: type[Action], target: Target, typed: dict[str, str]) -> dict[str, str]:
    """The values ``make_action`` takes: the row's hidden ones plus what was typed.

    Empty optional fields are left out (the action's default applies); the env
    field becomes ``env.NAME`` values. Raises ``BadParameter`` for a bad env pair.
    """
    from actions.model import BadParameter

    names = {p.name for p in cls.params}
    values = {k: v for k, v in target.defaults.items() if k in names and k in HIDDEN and v}
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
