"""The finding state file and the timeline built from it and the audit log."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from actions.audit import AuditLog
from actions.timeline import open_finding_ids, record_findings, timeline, timeline_markdown
from cloud.findings import Finding
from cloud.model.ref import ResourceRef
from cloud.records import Severity

T0 = datetime(2025, 11, 11, 5, 0, tzinfo=UTC)


def _finding(finding_id: str, region: str = "ap-northeast-1") -> Finding:
    return Finding(
        id=finding_id,
        kind=finding_id.split(":", 1)[0],
        severity=Severity.CRITICAL,
        title=f"title of {finding_id}",
        ref=ResourceRef("ecr", "x", region),
        evidence=(),
        cause="because",
    )


def test_first_seen_once_then_resolved_then_seen_again(tmp_path: Path) -> None:
    state = tmp_path / "findings.json"
    a, b = _finding("missing-tag:ap-northeast-1:a:latest"), _finding("oom:ap-northeast-1:b")
    first = record_findings([a, b], path=state, now=T0)
    assert [(e.kind, e.subject) for e in first] == [("finding seen", a.id), ("finding seen", b.id)]
    assert record_findings([a, b], path=state, now=T0 + timedelta(minutes=1)) == []
    gone = record_findings([b], path=state, now=T0 + timedelta(minutes=2))
    assert [(e.kind, e.subject) for e in gone] == [("finding resolved", a.id)]
    assert open_finding_ids(state) == {b.id}
    back = record_findings([a, b], path=state, now=T0 + timedelta(minutes=3))
    assert [(e.kind, e.subject) for e in back] == [("finding seen", a.id)]
    episodes = json.loads(state.read_text(encoding="utf-8"))["findings"][a.id]["episodes"]
    assert len(episodes) == 2


def test_an_incomplete_refresh_or_another_region_resolves_nothing(tmp_path: Path) -> None:
    state = tmp_path / "findings.json"
    tokyo = _finding("oom:ap-northeast-1:x")
    virginia = _finding("oom:us-east-1:y", region="us-east-1")
    record_findings([tokyo, virginia], path=state, now=T0)
    assert record_findings([], complete=False, path=state, now=T0) == []
    resolved = record_findings([], regions=["us-east-1"], path=state, now=T0)
    assert [e.subject for e in resolved] == [virginia.id]
    assert open_finding_ids(state) == {tokyo.id}


def test_timeline_merges_findings_and_audited_actions_in_time_order(tmp_path: Path) -> None:
    state = tmp_path / "findings.json"
    finding = _finding("missing-tag:ap-northeast-1:nova/cdn-service:latest")
    record_findings([finding], path=state, now=T0)
    audit_path = tmp_path / "audit.jsonl"
    lines = [
        {"time": "2025-11-11T05:01:00.000+00:00", "event": "plan", "action": "retag-latest",
         "target": "ecr:nova/cdn-service", "region": "ap-northeast-1",
         "plan": {"summary": "put latest on ad82d6c3"}},
        {"time": "2025-11-11T05:01:05.000+00:00", "event": "apply", "action": "retag-latest",
         "target": "ecr:nova/cdn-service", "region": "ap-northeast-1",
         "plan": {"summary": "put latest on ad82d6c3"}},
        {"time": "2025-11-11T05:01:06.000+00:00", "event": "outcome", "action": "retag-latest",
         "target": "ecr:nova/cdn-service", "region": "ap-northeast-1", "outcome": "ok",
         "message": "nova/cdn-service:latest -> sha256:1"},
    ]  # fmt: skip
    audit_path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    record_findings([], path=state, now=T0 + timedelta(minutes=3))

    events = timeline(AuditLog(audit_path), path=state)
    assert [e.kind for e in events] == [
        "finding seen",
        "action plan",
        "action apply",
        "action outcome",
        "finding resolved",
    ]
    assert events[3].text == "ok: nova/cdn-service:latest -> sha256:1"
    later = timeline(AuditLog(audit_path), path=state, since=T0 + timedelta(minutes=2))
    assert [e.kind for e in later] == ["finding resolved"]

    markdown = timeline_markdown(events)
    assert "| 2025-11-11T05:00:00+00:00 | finding seen (critical) | " in markdown
    assert "`retag-latest ecr:nova/cdn-service (ap-northeast-1)` | put latest on" in markdown
    assert markdown.rstrip().endswith("None.")  # nothing still open


def test_a_damaged_state_file_starts_afresh(tmp_path: Path) -> None:
    state = tmp_path / "findings.json"
    state.write_text("{not json", encoding="utf-8")
    events = record_findings([_finding("oom:ap-northeast-1:z")], path=state, now=T0)
    assert [e.kind for e in events] == ["finding seen"]


def test_two_accounts_never_share_a_timeline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHIPDECK_STATE_DIR", str(tmp_path / "state"))
    same_id = "missing-tag:ap-northeast-1:nova/cdn-service:latest"  # ids name no account
    record_findings([_finding(same_id)], now=T0, account="111111111111")
    record_findings([], now=T0 + timedelta(minutes=1), account="222222222222")
    audit_path = tmp_path / "audit.jsonl"
    lines = [
        {"time": "2025-11-11T05:01:00.000+00:00", "event": "apply", "action": "retag-latest",
         "target": "ecr:nova/cdn-service", "region": "ap-northeast-1",
         "caller": f"arn:aws:sts::{account}:assumed-role/oncall/me", "plan": {"summary": s}}
        for account, s in (("111111111111", "in one"), ("222222222222", "in two"))
    ]  # fmt: skip
    audit_path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    one = timeline(AuditLog(audit_path), account="111111111111")
    two = timeline(AuditLog(audit_path), account="222222222222")
    # Account two saw nothing: the empty refresh did not resolve account one's finding.
    assert [(e.kind, e.text) for e in one] == [
        ("finding seen", f"title of {same_id}"),
        ("action apply", "in one"),
    ]
    assert [(e.kind, e.text) for e in two] == [("action apply", "in two")]
