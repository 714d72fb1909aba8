"""Fixes applied through the actions make their findings go away; the timeline tells the story."""

from __future__ import annotations

from pathlib import Path

from actions.audit import AuditLog
from actions.catalogue import make_action
from cloud.findings import find
from cloud.model.builder import read_snapshot
from tests.findings.conftest import (
    SEEDS,
    doctor_json,
    eventually,
    session_of,
    shipdeck_runner,
    world_at,
)

NOVA = "ap-northeast-1"
RETAGGED = ("cdn-service", "events-service", "notification-service")
FIXED = {
    *(f"missing-tag:{NOVA}:nova/{name}:latest" for name in RETAGGED),
    "missing-env:nova:nova-backend/user-service:CLICKHOUSE_URL",
}


def test_findings_go_once_fixed_and_the_timeline_exports_the_session(tmp_path: Path) -> None:
    state = tmp_path / "state"
    with world_at(SEEDS) as world:
        run = shipdeck_runner(world, state)
        status, before = doctor_json(run)
        assert status == 1
        assert {f["id"] for f in before["findings"]} >= FIXED

        session = session_of(world)
        audit = AuditLog(state / "audit.jsonl")
        for name in RETAGGED:
            action = make_action(
                "retag-latest", f"ecr:nova/{name}", {}, session, region=NOVA, audit=audit
            )
            assert action.apply(action.plan()).ok
        wire = make_action(
            "wire-secret-env",
            "k8s:nova-backend/user-service",
            {"name": "CLICKHOUSE_URL", "value": "clickhouse://ch.nova-backend.svc:8123"},
            session,
            audit=audit,
        )
        assert wire.apply(wire.plan()).ok

        def gone() -> bool:
            return not FIXED & {f.id for f in find(read_snapshot(session))}

        assert eventually(gone, timeout=60.0), "fixed findings still reported"

        status, after = doctor_json(run)
        remaining = {f["id"] for f in after["findings"]}
        assert not FIXED & remaining
        # Retagging events-service lets its pods start, and they now crash on KAFKA_BROKERS.
        assert "missing-env:nova:nova-backend/events-service:KAFKA_BROKERS" in remaining
        assert status == 1

        printed = run("timeline")
        assert printed.returncode == 0, printed.stderr
        export = tmp_path / "post-mortem.md"
        written = run("timeline", "--export", str(export))
        assert written.returncode == 0, written.stderr

    lines = printed.stdout.splitlines()
    cdn = f"missing-tag:{NOVA}:nova/cdn-service:latest"
    seen = next(i for i, line in enumerate(lines) if "finding seen" in line and cdn in line)
    applied = next(
        i
        for i, line in enumerate(lines)
        if "action apply" in line and "retag-latest ecr:nova/cdn-service" in line
    )
    resolved = next(i for i, line in enumerate(lines) if "finding resolved" in line and cdn in line)
    assert seen < applied < resolved

    markdown = export.read_text(encoding="utf-8")
    assert markdown.startswith("# Incident timeline")
    for finding_id in FIXED:
        assert f"| finding seen (critical) | `{finding_id}` |" in markdown
        assert f"| finding resolved (critical) | `{finding_id}` |" in markdown
    assert "| action outcome | `wire-secret-env k8s:nova-backend/user-service" in markdown
    assert "clickhouse://" not in markdown  # the secret value never reaches the timeline
    still_open = markdown.split("## Still open", 1)[1]
    assert "`builds-blocked:ap-northeast-1:nova-ecr-build`" in still_open
    assert cdn not in still_open
