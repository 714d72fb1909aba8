"""``F`` on a finding: which findings are fixed together (same problem, nothing typed)."""

from __future__ import annotations

from cloud.findings.model import Finding, Fix
from cloud.model.ref import ResourceRef
from cloud.records import Severity
from tui.flows.batch import alike, batchable


def _finding(kind: str, repo: str, fix: Fix) -> Finding:
    ref = ResourceRef("ecr", "ap-northeast-1", repo)
    return Finding(f"{kind}:{repo}", kind, Severity.WARNING, repo, ref, (), "", (fix,))


def test_alike_findings_share_the_problem_and_a_fix_that_needs_nothing_typed() -> None:
    def ref(name: str) -> ResourceRef:
        return ResourceRef("ecr", "ap-northeast-1", name)

    bloat = [
        _finding("buildcache-bloat", r, Fix("delete-tag", ref(r), {"tag": "buildcache"}))
        for r in "abc"
    ]
    other = _finding("no-lifecycle-policy", "a", Fix("put-lifecycle-policy", ref("a")))
    assert [f.id for f in alike([*bloat, other], bloat[1])] == [
        "buildcache-bloat:b",
        "buildcache-bloat:a",
        "buildcache-bloat:c",
    ]
    # A secret is typed per resource: such fixes never go together.
    k8s = ResourceRef("k8s", "nova", "nova-backend/x")
    wire = Fix("wire-secret-env", k8s, {"name": "X"})
    assert not batchable(wire)
    envs = [_finding("missing-env", r, wire) for r in "ab"]
    assert alike(envs, envs[0]) == [envs[0]]
    # A required value nobody gave (which tag to delete) is asked for too.
    assert not batchable(Fix("delete-tag", ref("a"), {}))
