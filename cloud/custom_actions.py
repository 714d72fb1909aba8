"""``[[actions]]`` in the config file: the person's own commands, checked entry by entry.

An entry names a command template run on rows of some kinds::

    [[actions]]
    name = "describe-service"
    key = "ctrl+d"
    kinds = ["ecs"]
    command = "aws ecs describe-services --cluster {cluster} --services {name} --region {region}"
    mutates = false

The template is split into arguments with ``shlex`` here, once; a placeholder
is filled inside the one argument it is written in, so a value can never add
an argument or shell syntax (nothing runs through a shell). Which placeholders
a kind gives is declared below (``placeholders()``); an entry may only use those
every one of its kinds gives, and its own parameters.

A bad entry never stops the program: it is left out and described in one line
(the file, the entry's number and name, the fault) in ``problems``; the
command line refuses to run with it (exit 2), the console shows it and keeps
the good entries.
"""

from __future__ import annotations

import re
import shlex
import string
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

__all__ = [
    "CustomActionSpec",
    "CustomParam",
    "parse_actions",
    "placeholders",
    "placeholders_of",
]


@cache
def placeholders() -> Mapping[str, tuple[str, ...]]:
    """Each placeholder and the kinds whose rows give it a value (from the kind registry,
    imported only when a config file has ``[[actions]]``: reading settings stays light)."""
    from cloud.model.kinds import KIND_NAMES, WORKLOAD_KINDS

    aws_kinds = tuple(k for k in KIND_NAMES if k != "k8s")
    return {
        "name": KIND_NAMES,  # the resource's own name: a service, a deployment, a repository
        "region": aws_kinds,
        "account": aws_kinds,  # the account the session's credentials act in (STS)
        "cluster": ("ecs",),
        "namespace": ("k8s",),
        "context": ("k8s",),  # the kube context the deployment was read from
        "image": WORKLOAD_KINDS,  # the first image the workload runs
    }


_ENTRY_KEYS = ("name", "key", "kinds", "command", "mutates", "title", "label", "params")
_PARAM_KEYS = ("name", "prompt", "default", "choices", "secret")
_NAME = re.compile(r"^[a-z][a-z0-9-]{0,39}$")
_PARAM_NAME = re.compile(r"^[a-z][a-z0-9_]{0,29}$")
# Textual key names: a letter or digit, or modifiers and a named key ("ctrl+d", "f5").
_KEY = re.compile(r"^(?:[A-Za-z0-9]|(?:(?:ctrl|alt|shift|super|meta)\+)*[a-z0-9_]{1,20})$")


@dataclass(frozen=True)
class CustomParam:
    """A value the form (or ``--set NAME=VALUE``) gives the command."""

    name: str
    prompt: str
    default: str | None = None
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class CustomActionSpec:
    """One good ``[[actions]]`` entry."""

    name: str
    key: str
    kinds: tuple[str, ...]
    command: str  # as written in the file
    argv: tuple[str, ...]  # the command split into arguments, placeholders still in them
    mutates: bool = True
    title: str = ""
    label: str = ""
    params: tuple[CustomParam, ...] = ()
    index: int = 0  # the entry's number in the file (1 = the first [[actions]])


class _Fault(Exception):
    """What is wrong with one entry (one clause)."""


def placeholders_of(argv: tuple[str, ...]) -> tuple[str, ...]:
    """The placeholder names the arguments use, in order; ``_Fault`` for a malformed one."""
    found: list[str] = []
    for argument in argv:
        try:
            parsed = list(string.Formatter().parse(argument))
        except ValueError as exc:  # a lone "{" or "}"
            raise _Fault(f"command: {exc} in {argument!r} (write {{{{ for a brace)") from None
        for _, field_name, spec, conversion in parsed:
            if field_name is None:
                continue
            if spec or conversion or not re.fullmatch(r"[a-z][a-z0-9_]*", field_name):
                raise _Fault(f"command: placeholder {{{field_name}}} must be a plain {{name}}")
            found.append(field_name)
    return tuple(dict.fromkeys(found))


def parse_actions(raw: Any, path: Path) -> tuple[tuple[CustomActionSpec, ...], tuple[str, ...]]:
    """The good entries of ``[[actions]]`` and one line per bad one (left out)."""
    if raw is None:
        return (), ()
    if not isinstance(raw, list) or not all(isinstance(e, dict) for e in raw):
        return (), (f"{path}: actions: expected [[actions]] tables",)
    specs: list[CustomActionSpec] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for number, entry in enumerate(raw, start=1):
        name = entry.get("name")
        shown = f"{name!r}" if isinstance(name, str) and name else "no name"
        try:
            spec = _entry(entry, number)
            if spec.name in seen:
                raise _Fault(f"name used again (entry {seen[spec.name]} has it)")
            seen[spec.name] = number
            specs.append(spec)
        except _Fault as fault:
            problems.append(f"{path}: [[actions]] entry {number} ({shown}): {fault}")
    return tuple(specs), tuple(problems)


def _text(entry: Mapping[str, Any], key: str, *, required: bool) -> str:
    value = entry.get(key)
    if value is None:
        if required:
            raise _Fault(f"{key} is missing")
        return ""
    if not isinstance(value, str) or not value.strip():
        raise _Fault(f"{key}: expected a non-empty string, got {value!r}")
    return value


def _entry(entry: Mapping[str, Any], number: int) -> CustomActionSpec:
    unknown = sorted(set(entry) - set(_ENTRY_KEYS))
    if unknown:
        raise _Fault(f"{unknown[0]}: unknown key (known: {', '.join(_ENTRY_KEYS)})")
    name = _text(entry, "name", required=True)
    if not _NAME.match(name):
        raise _Fault("name: lower-case letters, digits and dashes, starting with a letter")
    key = _text(entry, "key", required=True)
    if not _KEY.match(key):
        raise _Fault(f"key: {key!r} is not a key name such as 'A', 'ctrl+d' or 'f5'")
    kinds = _kinds(entry.get("kinds"))
    command = _text(entry, "command", required=True)
    try:
        argv = tuple(shlex.split(command))
    except ValueError as exc:
        raise _Fault(f"command: {exc}") from None
    mutates = entry.get("mutates", True)
    if not isinstance(mutates, bool):
        raise _Fault(f"mutates: expected true or false, got {mutates!r}")
    params = _params(entry.get("params", []))
    _check_placeholders(argv, kinds, params)
    if "{" in argv[0]:
        raise _Fault("command: the program (its first word) cannot be a placeholder")
    return CustomActionSpec(
        name=name,
        key=key,
        kinds=kinds,
        command=command,
        argv=argv,
        mutates=mutates,
        title=_text(entry, "title", required=False),
        label=_text(entry, "label", required=False),
        params=params,
        index=number,
    )


def _kinds(raw: Any) -> tuple[str, ...]:
    from cloud.model.kinds import KIND_NAMES

    if isinstance(raw, str):
        raw = [raw]
    if raw is None:
        raise _Fault('kinds is missing (e.g. kinds = ["ecs"])')
    if not isinstance(raw, list) or not raw or not all(isinstance(k, str) for k in raw):
        raise _Fault(f"kinds: expected a list of kind names, got {raw!r}")
    for name in raw:
        if name not in KIND_NAMES:
            raise _Fault(f"kinds: unknown kind {name!r} (known: {', '.join(KIND_NAMES)})")
    return tuple(dict.fromkeys(raw))


def _params(raw: Any) -> tuple[CustomParam, ...]:
    if not isinstance(raw, list) or not all(isinstance(p, dict) for p in raw):
        raise _Fault('params: expected a list of tables, e.g. params = [{ name = "count" }]')
    params: list[CustomParam] = []
    for param in raw:
        unknown = sorted(set(param) - set(_PARAM_KEYS))
        if unknown:
            raise _Fault(f"params: {unknown[0]}: unknown key (known: {', '.join(_PARAM_KEYS)})")
        name = _text(param, "name", required=True)
        if not _PARAM_NAME.match(name) or name in placeholders():
            raise _Fault(
                f"params: name {name!r}: lower-case letters, digits, '_', not a placeholder"
            )
        if param.get("secret", False) is not False:
            # argv is visible to every user of the machine (ps) and goes to the audit log.
            raise _Fault(f"params: {name}: secret values cannot be put on a command line")
        default = param.get("default")
        if default is not None and not isinstance(default, str):
            raise _Fault(f"params: {name}: default: expected a string, got {default!r}")
        choices = param.get("choices", [])
        if not isinstance(choices, list) or not all(isinstance(c, str) and c for c in choices):
            raise _Fault(f"params: {name}: choices: expected a list of strings")
        if choices and default is not None and default not in choices:
            raise _Fault(f"params: {name}: default {default!r} is not one of its choices")
        prompt = param.get("prompt", name)
        if not isinstance(prompt, str):
            raise _Fault(f"params: {name}: prompt: expected a string")
        params.append(CustomParam(name, prompt or name, default, tuple(choices)))
    if len({p.name for p in params}) != len(params):
        raise _Fault("params: a name is used twice")
    return tuple(params)


def _check_placeholders(
    argv: tuple[str, ...], kinds: tuple[str, ...], params: tuple[CustomParam, ...]
) -> None:
    if not argv:
        raise _Fault("command is empty")
    names = {p.name for p in params}
    given = placeholders()
    for used in placeholders_of(argv):
        if used in names:
            continue
        if used not in given:
            known = ", ".join(f"{{{p}}}" for p in (*given, *names))
            raise _Fault(f"command: unknown placeholder {{{used}}} (known: {known})")
        lacking = [k for k in kinds if k not in given[used]]
        if lacking:
            raise _Fault(f"command: {{{used}}} has no value on {', '.join(lacking)} rows")
