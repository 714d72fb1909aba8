"""``shipdeck action`` and ``shipdeck audit``: remediations and their record, headless.

Without ``--yes`` an action prints its plan and changes nothing (exit 0). With
``--yes`` it applies: exit 0 when done, 1 when it failed. A read-only refusal
or bad input exits 2 with one line. A long-running action (the fallback
build) prints a line per change of its steps (``-v``: their output too), then
a summary; Ctrl-C cancels every step and exits 130.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any, NoReturn

import click

from cli.inputs import BadInput, checked_settings, cloud_session
from cli.output import echo
from cli.progress import EXIT_INTERRUPTED, StepPrinter, apply_interruptibly, step_summary_lines

if TYPE_CHECKING:
    from actions.model import Action, Plan


def _values(pairs: tuple[str, ...]) -> dict[str, str]:
    values: dict[str, str] = {}
    for pair in pairs:
        key, equals, value = pair.partition("=")
        if not equals or not key:
            raise BadInput(f"--set {pair!r}: expected KEY=VALUE")
        values[key] = value
    return values


def _read_secret(name: str) -> str:
    """A secret value from stdin (piped, every line of it) or a hidden prompt; never echoed."""
    if sys.stdin.isatty():
        value = str(click.prompt(f"{name} (hidden)", hide_input=True, err=True))
    else:
        try:
            value = sys.stdin.buffer.read().decode("utf-8").rstrip("\r\n")
        except UnicodeDecodeError:
            raise BadInput(f"the {name} on standard input is not UTF-8 text") from None
    if not value:
        raise BadInput(f"no {name} given on standard input")
    return value


@click.command("action")
@click.argument("name", required=False)
@click.argument("target", required=False)
@click.option("--set", "pairs", multiple=True, metavar="KEY=VALUE", help="An action parameter.")
@click.option("--yes", is_flag=True, help="Apply the plan (without it: only print the plan).")
@click.option("--list", "list_actions", is_flag=True, help="List the actions.")
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON.")
@click.option(
    "--verbose", "-v", is_flag=True, help="Long-running actions: also print every output line."
)
@click.pass_context
def action_command(
    ctx: click.Context,
    name: str | None,
    target: str | None,
    pairs: tuple[str, ...],
    yes: bool,
    list_actions: bool,
    as_json: bool,
    verbose: bool,
) -> None:
    """Plan (and with --yes apply) a remediation: shipdeck action NAME KIND:TARGET."""
    from actions.audit import default_audit_log
    from actions.catalogue import CATALOGUE, custom_actions, make_action
    from actions.model import ActionError
    from actions.plan_text import plan_lines

    settings = checked_settings()
    custom, problems = custom_actions(settings)
    if problems:  # a bad [[actions]] entry: every one named, then exit 2
        for problem in problems[:-1]:
            echo(f"shipdeck: error: {problem}", err=True)
        raise BadInput(problems[-1])
    if list_actions:
        for action_name, cls in CATALOGUE.items():
            params = " ".join(f"{p.name}=" for p in cls.params)
            echo(
                f"{action_name:24} {cls.target_kind + ':':11} {cls.danger.value:12} "
                f"{cls.title}" + (f"  [{params}]" if params else "")
            )
        for action_name, custom_class in custom.items():
            spec = custom_class.spec
            params = " ".join(f"{p.name}=" for p in spec.params)
            kinds = ",".join(spec.kinds) + ":"
            effect = "mutates" if spec.mutates else "read-only"
            echo(
                f"{action_name:24} {kinds:11} {'custom':12} "
                f"[{effect}, key {spec.key}] {custom_class.title}"
                + (f"  [{params}]" if params else "")
            )
        return
    if not name or not target:
        raise BadInput("usage: shipdeck action NAME KIND:TARGET [--set KEY=VALUE]... [--yes]")
    options: dict[str, Any] = ctx.obj or {}
    values = _values(pairs)
    action_class = CATALOGUE.get(name) or custom.get(name)
    secrets = [p.name for p in action_class.params if p.secret] if action_class else []
    for secret in secrets:
        if secret in values:
            # A value on the command line is in `ps`, the shell history and CI logs.
            raise BadInput(
                f"{name}: {secret} is a secret: pipe it on standard input "
                f"(or type it at the hidden prompt), never --set {secret}=..."
            )
    session = cloud_session(options)

    def make(given: dict[str, str]) -> Action:
        return make_action(
            name,
            target,
            given,
            session,
            read_only=bool(options.get("read_only")),
            audit=default_audit_log(session.profile),
            # A command of one's own is run to be read: its output is printed.
            progress=StepPrinter(verbose=verbose or name in custom),
            settings=settings,
        )

    try:
        if yes and secrets:  # read-only: refused before the secret is asked for
            make(values).refuse_if_read_only()
        for secret in secrets:
            values[secret] = _read_secret(secret)
        action = make(values)
        if yes:  # read-only: one line before anything is read or printed
            action.refuse_if_read_only()
        plan = action.plan()
    except ActionError as exc:  # ReadOnlyRefused among them
        raise BadInput(str(exc)) from exc
    if as_json:
        echo(json.dumps(plan.as_dict(), indent=2))
    else:
        echo("\n".join(plan_lines(plan)))
    if not yes:
        return
    _apply(action, plan)


def _apply(action: Action, plan: Plan) -> NoReturn:
    """Apply a shown plan and exit: 0 done, 1 failed, 2 read-only, 130 after Ctrl-C."""
    from actions.model import ActionError, ReadOnlyRefused

    interrupted = False
    if action.long_running:
        echo("")
        result, interrupted = apply_interruptibly(action, plan)
    else:
        try:
            result = action.apply(plan)
        except ActionError as exc:
            result = exc
    if isinstance(result, ReadOnlyRefused):
        raise BadInput(str(result))
    if isinstance(result, ActionError):  # a stale plan or a failed precondition, among others
        echo(f"shipdeck: {result}", err=True)
        sys.exit(EXIT_INTERRUPTED if interrupted else 1)
    if action.long_running:
        echo("")
        for line in step_summary_lines(action.steps()):
            echo(line)
    echo(("done: " if result.ok else "failed: ") + result.message)
    if interrupted:
        sys.exit(EXIT_INTERRUPTED)
    sys.exit(0 if result.ok else 1)


@click.command("audit")
@click.option("--json", "as_json", is_flag=True, help="Print the raw JSON lines.")
@click.pass_context
def audit_command(ctx: click.Context, as_json: bool) -> None:
    """Print the audit log: every plan shown, apply, outcome and refusal."""
    from actions.audit import default_audit_log

    log = default_audit_log((ctx.obj or {}).get("profile"))
    count = 0
    for entry in log.entries():
        count += 1
        if as_json:
            echo(json.dumps(entry))
            continue
        outcome = entry.get("outcome", "")
        message = entry.get("message", "")
        echo(
            f"{entry.get('time', '?')} {entry.get('event', '?'):8} {entry.get('action', '?')} "
            f"{entry.get('target', '?')} {entry.get('region', '')} {outcome} {message}".rstrip()
        )
    if count == 0:
        echo(f"no entries yet in {log.path}", err=True)
