"""One action on several resources reads as one plan: every line names its resource."""

from __future__ import annotations

import pytest

from actions.batch import BatchResult, combine
from actions.plan import Change, Check, Danger, Outcome, Plan


def _delete(repo: str, *, in_use: bool = False) -> Plan:
    return Plan(
        action="delete-tag",
        target=f"ecr:{repo}",
        danger=Danger.DESTRUCTIVE,
        summary=f"delete {repo}:buildcache",
        checks=(Check("image is not in use", not in_use, "pod x" if in_use else ""),),
        changes=(Change(f"{repo}:buildcache", "image", "sha256:1", "(deleted)"),),
        commands=(f"aws ecr batch-delete-image --repository-name {repo}",),
        fingerprint=(("digest", "sha256:1"),),
        confirm_text=f"{repo}:buildcache",
    )


def test_combined_plan_names_each_resource_and_asks_for_the_count() -> None:
    plan = combine([_delete("nova/a"), _delete("nova/b")])
    assert plan.target == "2 resources"
    assert plan.danger is Danger.DESTRUCTIVE
    assert plan.confirm_text == "2"  # not one of the names: the batch is confirmed whole
    assert [c.name for c in plan.checks] == [
        "ecr:nova/a: image is not in use",
        "ecr:nova/b: image is not in use",
    ]
    assert [c.resource for c in plan.changes] == ["nova/a:buildcache", "nova/b:buildcache"]
    assert len(plan.commands) == 2
    assert "delete nova/a:buildcache" in plan.summary and "delete nova/b:buildcache" in plan.summary
    # A fingerprint per resource: a change to either makes the batch stale.
    assert combine([_delete("nova/a"), _delete("nova/b")]).fingerprint == plan.fingerprint
    assert len(plan.fingerprint) == 2


def test_one_failing_check_blocks_the_whole_batch() -> None:
    plan = combine([_delete("nova/a"), _delete("nova/b", in_use=True)])
    assert not plan.ready


def test_a_batch_of_one_is_the_plan_itself_and_actions_do_not_mix() -> None:
    single = _delete("nova/a")
    assert combine([single]) is single
    other = Plan(action="retag-latest", target="ecr:x", danger=Danger.SAFE, summary="")
    with pytest.raises(ValueError):
        combine([single, other])


def test_the_result_says_how_many_were_done_and_what_failed() -> None:
    result = BatchResult()
    result.done.append(("ecr:nova/a", Outcome(True, "deleted")))
    result.done.append(("ecr:nova/b", Outcome(False, "ImageNotFound")))
    result.failed.append(("ecr:nova/c", "changed since the plan; not applied"))
    assert not result.ok
    assert result.message("delete-tag").splitlines() == [
        "delete-tag: 1 of 3 done",
        "ecr:nova/b: ImageNotFound",
        "ecr:nova/c: changed since the plan; not applied",
    ]
