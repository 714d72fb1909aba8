"""The audit log: one JSON line per plan shown, per apply, per outcome, per refusal.

Lines carry the time, the caller identity ARN, profile, region, action,
target, the plan (as shown), the outcome and its duration. Values typed as
secrets never reach it: plans never contain them, and every string written is
passed through the same masking the screen uses.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from actions.plan import Outcome, Plan
from actions.secrets import mask_secrets


class Audited(Protocol):
    """What the log records of an action (``actions.model.Action`` is one)."""

    session: Any
    region: str

    @property
    def name(self) -> str:
        """The action's catalogue name."""

    @property
    def target_label(self) -> str:
        """``kind:name`` as the command line writes it."""


AUDIT_FILE = "audit.jsonl"


class AuditLog:
    """Append-only JSON Lines file, safe to write from several worker threads."""

    def __init__(self, path: Path, *, profile: str | None = None) -> None:
        self.path = path
        self.profile = profile
        self._lock = threading.Lock()
        self._callers: dict[tuple[str | None, str], str] = {}

    def caller_arn(self, session: Any, region: str) -> str:
        """The identity the calls are made as (STS), cached per profile and region;
        'unknown' when STS fails."""
        key = (getattr(session, "profile", None), region)
        if key not in self._callers:
            from botocore.exceptions import BotoCoreError, ClientError

            try:
                arn = str(session.client("sts", region).get_caller_identity()["Arn"])
            except (BotoCoreError, ClientError) as exc:
                arn = f"unknown ({type(exc).__name__})"
            self._callers[key] = arn
        return self._callers[key]

    def record(
        self,
        action: Audited,
        event: str,
        *,
        plan: Plan | None = None,
        outcome: Outcome | str | None = None,
    ) -> None:
        """Append one line for ``event`` ("plan", "apply", "outcome", "refused")."""
        entry: dict[str, Any] = {
            "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "event": event,
            "caller": self.caller_arn(action.session, action.region),
            # The profile of the session the action acts with: with several profiles
            # in one console, each row's own (the log's is only the fallback).
            "profile": getattr(action.session, "profile", None) or self.profile,
            "region": action.region,
            "action": action.name,
            "target": action.target_label,
        }
        if plan is not None:
            entry["plan"] = plan.as_dict()
        if isinstance(outcome, Outcome):
            entry["outcome"] = "ok" if outcome.ok else "failed"
            entry["message"] = outcome.message
            entry["duration_seconds"] = outcome.duration_seconds
            for key, value in outcome.audited.items():
                entry.setdefault(key, value)
        elif outcome is not None:
            entry["outcome"] = outcome
        line = mask_secrets(json.dumps(entry, ensure_ascii=False, default=str))
        from actions.paths import open_private, private_dir

        with self._lock:
            private_dir(self.path.parent)
            with open_private(self.path, append=True) as handle:
                handle.write(line + "\n")

    def entries(self) -> Iterator[dict[str, Any]]:
        """Every entry, oldest first (a line that is not JSON is skipped, not fatal)."""
        if not self.path.exists():
            return
        with self.path.open(encoding="utf-8") as handle:
            for raw in handle:
                line = raw.strip()
                if not line:
                    continue
                try:
                    yield json.loads(line)
                except json.JSONDecodeError:
                    continue


def default_audit_log(profile: str | None) -> AuditLog:
    """The audit log in the user's state directory, shared by the console and the commands."""
    from actions.paths import state_dir

    return AuditLog(state_dir() / AUDIT_FILE, profile=profile)
