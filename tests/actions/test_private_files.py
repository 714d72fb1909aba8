"""What shipdeck writes is private: 0600 files in 0700 folders, whatever the umask.

The audit log, a support-case draft, a timeline export (from the console's
code and ``shipdeck timeline --export``) and saved logs (the log view's
``ctrl+s``, here through its writer) are written with a umask of 0 and into a
folder left 0755, and must come out 0600 in a 0700 folder; an older 0644 audit
log is narrowed the next time it is written.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from actions.audit import AuditLog
from actions.catalogue import make_action
from actions.timeline import export_timeline
from cloud.session import CloudSession
from demo.launcher import WorldProcess
from tests.actions.conftest import shipdeck
from widgets.log_buffer import LogEntry, write_saved


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask() -> Iterator[None]:
    """The widest umask: any mode shipdeck does not set itself shows as world-readable."""
    before = os.umask(0)
    try:
        yield
    finally:
        os.umask(before)


@pytest.fixture
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A state directory that exists, left 0755 as an older shipdeck made it."""
    folder = tmp_path / "state"
    folder.mkdir()
    folder.chmod(0o755)
    monkeypatch.setenv("SHIPDECK_STATE_DIR", str(folder))
    return folder


def test_audit_log_is_private_and_an_old_one_is_narrowed(
    session: CloudSession, state: Path, open_umask: None
) -> None:
    path = state / "audit.jsonl"
    path.write_text("", encoding="utf-8")
    path.chmod(0o644)
    log = AuditLog(path)
    action = make_action("retag-latest", "ecr:nova/cdn-service", {}, session, audit=log)
    action.plan()
    assert mode(path) == 0o600
    assert mode(state) == 0o700
    assert [entry["event"] for entry in log.entries()] == ["plan"]

    fresh = AuditLog(state / "new" / "audit.jsonl")
    fresh.record(action, "plan")
    assert mode(fresh.path) == 0o600
    assert mode(fresh.path.parent) == 0o700


def test_support_case_draft_is_private(
    session: CloudSession, state: Path, open_umask: None
) -> None:
    draft = make_action(
        "draft-support-case", "codebuild:nova-ecr-build", {}, session, region="ap-northeast-1"
    )
    outcome = draft.apply(draft.plan())
    assert outcome.ok, outcome.message
    (path,) = (state / "support-cases").iterdir()
    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700
    assert mode(state) == 0o700


def test_timeline_exports_are_private(
    world: WorldProcess, state: Path, tmp_path: Path, open_umask: None
) -> None:
    log = AuditLog(state / "audit.jsonl")
    now = datetime(2025, 11, 12, tzinfo=UTC)
    first, _ = export_timeline(log, lambda text: text, now)
    second, _ = export_timeline(log, lambda text: text, now)  # same second: a new file
    assert first != second
    for path in (first, second):
        assert mode(path) == 0o600
        assert mode(path.parent) == 0o700

    # shipdeck timeline --export FILE: the file is private; a folder it makes, too
    env = {**os.environ, "SHIPDECK_STATE_DIR": str(state)}
    named = tmp_path / "named"
    named.mkdir()
    named.chmod(0o755)
    for target in (named / "reports" / "post-mortem.md", named / "post-mortem.md"):
        done = shipdeck("timeline", "--export", str(target), env=env)
        assert done.returncode == 0, done.stderr
        assert mode(target) == 0o600
    assert mode(named / "reports") == 0o700  # a folder it made
    assert mode(named) == 0o755  # a folder the person named is left as it is


def test_saved_logs_are_private(tmp_path: Path, open_umask: None) -> None:
    folder = tmp_path / "logs"
    folder.mkdir()
    folder.chmod(0o755)
    entries = [LogEntry(1_714_564_800_000, "src", "line", 0)]
    write_saved(folder / "a.log", entries)  # shipdeck's own folder: narrowed
    assert mode(folder / "a.log") == 0o600
    assert mode(folder) == 0o700

    here = tmp_path / "cwd"
    here.mkdir()
    here.chmod(0o755)
    write_saved(here / "b.log", entries, own_folder=False)  # the working directory: left as is
    assert mode(here / "b.log") == 0o600
    assert mode(here) == 0o755
    write_saved(here / "new" / "c.log", entries, own_folder=False)
    assert mode(here / "new") == 0o700
