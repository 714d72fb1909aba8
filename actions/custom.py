"""The person's own actions (``[[actions]]`` in the config file), as catalogue actions.

Each good entry becomes a subclass of :class:`CustomAction`, made once per
entry, with the one constructor every action has. ``plan()`` reads the target
afresh (its kind's reader), fills the placeholders from the record and the
values, and shows the exact argv as a person would type it (``shlex.join``);
the argv is the plan's fingerprint, so an image that moved between preview and
apply is a stale plan. ``apply()`` runs the argv without a shell (standard
input closed, its own process group), streams standard output and error line by
line into ``output()`` from two reader threads, and ends with the exit code;
``cancel()`` stops the process group. The audit entry of the outcome carries the
argv, the exit code and the duration.

A placeholder fills only the argument it is written in: a value can never add
an argument, and no shell ever reads it. A value that would stand alone as an
argument starting with ``-`` (an option to the program) or that holds a NUL is
a failed check, not a run.
"""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Mapping
from functools import cache
from typing import IO, TYPE_CHECKING, Any, ClassVar

from actions.model import Action, BadParameter, Change, Check, Choices, Danger, Outcome, Param, Plan
from actions.progress import OutputFeed, StepStatus
from cloud.custom_actions import CustomActionSpec, placeholders_of

if TYPE_CHECKING:
    from cloud.model.ref import ResourceRef

LINE_BYTES = 8192
"""A longer output line is cut into pieces of this size (one line a read stays bounded)."""
KILL_AFTER_SECONDS = 5.0
"""After a cancel, the process group has this long to end on SIGTERM before SIGKILL."""


class CustomAction(Action):
    """A command from the config file, run on one resource of its kinds."""

    spec: ClassVar[CustomActionSpec]
    long_running = True  # its output streams while it runs, and it can be cancelled
    asks_first = True  # its parameters are the person's own: the form shows them first

    @staticmethod
    def _with_profile(command: str, profile: str) -> str:
        # The command runs as written with AWS_PROFILE set: shown so, it is still exactly
        # what runs, and a pasted line acts on the same account.
        return f"AWS_PROFILE={shlex.quote(profile)} {command}"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for param in self.spec.params:
            given = self.values.get(param.name)
            if param.choices and given is not None and given not in param.choices:
                raise BadParameter(
                    f"{self.name}: {param.name}={given!r}: one of {', '.join(param.choices)}"
                )
        self.feed = OutputFeed()
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._state = "queued"
        self._started: float | None = None
        self._ended: float | None = None
        self._exit_code: int | None = None
        self._cancelled = False

    @classmethod
    def acts_on(cls, kind: str) -> bool:
        """Every kind the entry names."""
        return kind in cls.spec.kinds

    @classmethod
    def choices(cls, session: Any, ref: ResourceRef, record: Any) -> Choices:
        """The entry's choice lists (no read)."""
        return {p.name: tuple((c, c) for c in p.choices) for p in cls.spec.params if p.choices}

    # --- plan -----------------------------------------------------------------

    def _plan(self) -> Plan:
        values, checks = self._placeholder_values()
        argv: list[str] = []
        for argument in self.spec.argv:
            try:
                argv.append(argument.format_map(values))
            except KeyError:  # a placeholder whose read failed: its check says why
                argv.append(argument)
        checks.extend(self._argument_checks(values))
        program = shutil.which(argv[0])
        checks.append(
            Check("program found", program is not None, program or f"{argv[0]}: not on PATH")
        )
        shown = shlex.join(argv)
        effect = "changes things" if self.spec.mutates else "reads only (mutates = false)"
        return self._new_plan(
            f"run {self.name} on {self.target}: {effect}",
            checks=tuple(checks),
            changes=(Change(self.target_label, "runs", "", shown),),
            commands=(shown,),
            notes=(
                "your own action, from the config file",
                "run without a shell: each value is one argument, as shown",
                "output streams below while it runs; it can be cancelled",
            ),
            fingerprint=(("argv", shown),),
            internals={"argv": tuple(argv)},
        )

    def _placeholder_values(self) -> tuple[dict[str, str], list[Check]]:
        """The values of the placeholders the command uses, from a fresh read of the target."""
        from cloud.model.kinds import kind

        wanted = set(placeholders_of(self.spec.argv))
        values = {k: v for k, v in self.values.items() if k in {p.name for p in self.spec.params}}
        checks: list[Check] = []
        spec = kind(self.ref.kind)
        fetched = spec.read(self.session)
        record = next((r for r in fetched.records if spec.ref(r) == self.ref), None)
        if record is None:
            errors = "; ".join(e.line() for e in fetched.errors)
            checks.append(
                Check(f"{self.ref.kind} {self.target} read", False, errors or "not found")
            )
            return values, checks
        checks.append(Check(f"{self.ref.kind} {self.target} found", True, "read just now"))
        scope = self.ref.scope
        found: dict[str, str | None] = {
            "name": getattr(record, "name", None),
            "region": scope,
            "context": scope,
            "cluster": getattr(record, "cluster", None),
            "namespace": getattr(record, "namespace", None),
        }
        if "image" in wanted:
            images = spec.images(record)
            found["image"] = images[0] if images else None
        if "account" in wanted:
            found["account"] = self._account(scope, checks)
        for name in sorted(wanted - set(values)):
            value = found.get(name)
            if value:
                values[name] = value
            elif name != "account":  # the account's check says why already
                checks.append(
                    Check(f"{{{name}}} has a value", False, f"this {self.ref.kind} has none")
                )
        return values, checks

    def _account(self, region: str, checks: list[Check]) -> str | None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return str(self.session.client("sts", region).get_caller_identity()["Account"])
        except (BotoCoreError, ClientError, KeyError) as exc:
            checks.append(Check("{account} read (STS)", False, f"{type(exc).__name__}: {exc}"))
            return None

    def _argument_checks(self, values: Mapping[str, str]) -> list[Check]:
        """A value must not hold a NUL, nor read as an option where it stands alone."""
        checks: list[Check] = []
        for argument in self.spec.argv[1:]:
            leading = next(iter(placeholders_of((argument,))), None)
            if leading is None or not argument.startswith("{" + leading + "}"):
                continue
            value = values.get(leading, "")
            if value.startswith("-"):
                checks.append(
                    Check(
                        f"{{{leading}}} is not an option",
                        False,
                        f"{value!r} starts with '-': the program would read it as an option",
                    )
                )
        for name, value in values.items():
            if "\x00" in value:
                checks.append(Check(f"{{{name}}} has no NUL character", False, repr(value)))
        return checks

    # --- apply ----------------------------------------------------------------

    def _apply(self, plan: Plan) -> Outcome:
        argv = [str(a) for a in plan.internals["argv"]]
        audited: dict[str, Any] = {"argv": argv, "exit_code": None}
        with self._lock:
            if self._cancelled:
                return Outcome(False, "cancelled before it started", audited=audited)
            self._started = time.monotonic()
            try:
                process = subprocess.Popen(
                    argv,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    env=self._environment(),
                    start_new_session=True,  # its own process group: cancel stops it whole
                )
            except OSError as exc:
                self._finish("failed", None)
                return Outcome(False, f"{argv[0]}: {exc.strerror or exc}", audited=audited)
            self._process = process
            self._state = "running"
        self._tell()
        readers = [
            threading.Thread(target=self._pump, args=(stream, source), daemon=True)
            for stream, source in ((process.stdout, "stdout"), (process.stderr, "stderr"))
        ]
        for reader in readers:
            reader.start()
        code = process.wait()
        for reader in readers:
            reader.join()
        with self._lock:
            cancelled = self._cancelled
        state = "cancelled" if cancelled else ("done" if code == 0 else "failed")
        self._finish(state, code)
        audited["exit_code"] = code
        elapsed = (self._ended or 0.0) - (self._started or 0.0)
        what = "cancelled" if cancelled else f"exit {code}"
        return Outcome(code == 0 and not cancelled, f"{what} after {elapsed:.1f}s", audited=audited)

    def _environment(self) -> dict[str, str]:
        """The console's environment; the session's profile for an ``aws`` command."""
        env = dict(os.environ)
        profile = getattr(self.session, "profile", None)
        if profile:
            env["AWS_PROFILE"] = str(profile)
        return env

    def _pump(self, stream: IO[bytes] | None, source: str) -> None:
        """Read one stream to its end, a bounded line at a time, into the output feed."""
        if stream is None:
            return
        with stream:
            for raw in iter(lambda: stream.readline(LINE_BYTES), b""):
                text = raw.decode("utf-8", errors="replace").rstrip("\r\n")
                self.feed.put(source, text)
                if self.progress is not None:
                    self.progress.line(source, text)

    def _finish(self, state: str, code: int | None) -> None:
        with self._lock:
            self._state = state
            self._exit_code = code
            self._ended = time.monotonic()
        self._tell()

    def _tell(self) -> None:
        if self.progress is not None:
            self.progress.step(self.steps()[0])

    # --- progress and cancel (any thread) -------------------------------------

    def steps(self) -> tuple[StepStatus, ...]:
        """One step: the command."""
        with self._lock:
            state, started, ended, code = self._state, self._started, self._ended, self._exit_code
            process = self._process
        finished = state in ("done", "failed", "cancelled")
        now = ended if ended is not None else time.monotonic()
        return (
            StepStatus(
                key=self.name,
                state=state,
                finished=finished,
                ok=state == "done",
                progress=f"running (pid {process.pid})" if process and not finished else "",
                result=f"exit {code}" if code is not None else "",
                elapsed=now - started if started is not None else None,
            ),
        )

    def output(self) -> OutputFeed:
        """Standard output and error, line by line (drain it in batches)."""
        return self.feed

    def cancel(self, key: str | None = None) -> bool:
        """Stop the command (SIGTERM to its process group, SIGKILL if it lingers)."""
        if key is not None and key != self.name:
            return False
        with self._lock:
            if self._state in ("done", "failed", "cancelled") or self._cancelled:
                return False
            self._cancelled = True
            process = self._process
        if process is None:
            return True  # not started: apply will not start it
        _signal_group(process, signal.SIGTERM)
        timer = threading.Timer(KILL_AFTER_SECONDS, _kill_if_running, args=(process,))
        timer.daemon = True
        timer.start()
        return True


def _signal_group(process: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:  # it ended meanwhile
        return


def _kill_if_running(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        _signal_group(process, signal.SIGKILL)


@cache
def custom_action_class(spec: CustomActionSpec) -> type[CustomAction]:
    """The catalogue class of one ``[[actions]]`` entry (made once per entry)."""
    params = tuple(
        Param(
            p.name,
            p.prompt,
            default=p.default if p.default is not None else (p.choices[0] if p.choices else None),
            required=p.default is None and not p.choices,
        )
        for p in spec.params
    )
    attributes: dict[str, Any] = {
        "__doc__": f"The config file's action {spec.name!r}.",
        "spec": spec,
        "name": spec.name,
        "title": spec.title or spec.command,
        "danger": Danger.RISKY if spec.mutates else Danger.SAFE,
        "target_kind": spec.kinds[0],
        "params": params,
        "mutates_cloud": spec.mutates,
    }
    return type(f"Custom_{spec.name.replace('-', '_')}", (CustomAction,), attributes)
