"""Several profiles in one model: each judged alone, joined with every ref saying its profile."""

from __future__ import annotations

from cloud.incident import IncidentModel, ModelState
from cloud.model.kinds import ECR
from cloud.model.ref import ResourceRef
from cloud.records import ErrorKind, Fetched, FetchError
from cloud.session import CloudConfigError
from cloud.sessions import Sessions, check_profiles
from tests.findings.records import T0, repository, snapshot

REGION = "ap-northeast-1"


def test_a_single_profile_keeps_every_written_form() -> None:
    ref = ResourceRef("ecr", "nova/cdn-service", REGION)
    assert (ref.profile, str(ref), ref.label) == (
        "",
        "ecr:nova/cdn-service@ap-northeast-1",
        "nova/cdn-service (ap-northeast-1)",
    )
    other = ref.in_profile("payments")
    assert other.target == "ecr:nova/cdn-service"  # what --profile plus KIND:NAME names
    assert str(other) == "payments/ecr:nova/cdn-service@ap-northeast-1"
    assert other.label == "nova/cdn-service (payments ap-northeast-1)"
    assert other != ref


def _parts(*names: str) -> dict[str, Fetched[object]]:
    whole = snapshot([repository(name, has_lifecycle_policy=False) for name in names])
    return {**whole.parts, "alarm": Fetched((), (), T0)}


def test_two_profiles_join_into_one_model_judged_apart() -> None:
    model = IncidentModel(("team-a", "team-b"))
    model.merge(_parts("shared/api"), "team-a")
    half = model.state
    # team-b has not been read: the kinds are not whole (screens wait, rows say "…"), only
    # team-a's rows are listed; team-a, whole, is judged on its own.
    assert not half.snapshot.has("ecr") and half.snapshot.arriving("ecr")
    assert not half.complete
    assert {f.profile for f in half.diagnosis.findings} == {"team-a"}
    denied = FetchError("ecr", REGION, ErrorKind.ACCESS_DENIED, "not authorized")
    parts = _parts("shared/api")
    parts["ecr"] = Fetched(parts["ecr"].records, (denied,), T0)
    state = model.merge(parts, "team-b")
    assert state.complete
    # The same name in both accounts: two rows, two refs, each findable.
    refs = sorted(
        (r.profile, r.name) for r in (model.state.record(ref) for ref in _refs(state)) if r
    )
    assert refs == [("team-a", "shared/api"), ("team-b", "shared/api")]
    a = ResourceRef("ecr", "shared/api", REGION, "team-a")
    b = ResourceRef("ecr", "shared/api", REGION, "team-b")
    assert state.record(a) is not state.record(b)
    # Each account's findings, with ids, flags and fixes of its own profile.
    ids = {f.id for f in state.diagnosis.findings}
    assert f"team-a/no-lifecycle-policy:{REGION}:shared/api" in ids
    assert f"team-b/no-lifecycle-policy:{REGION}:shared/api" in ids
    finding = state.diagnosis.finding(f"team-b/no-lifecycle-policy:{REGION}:shared/api")
    assert finding is not None and finding.profile == "team-b"
    assert finding.fixes and finding.fixes[0].ref == b
    assert "--profile team-b" in finding.fixes[0].command()
    assert finding.as_dict()["profile"] == "team-b"
    assert state.diagnosis.flags(b) and state.diagnosis.flags(a)
    assert state.diagnosis.flags(ResourceRef("ecr", "shared/api", REGION)) == ()
    # The failed read is team-b's, and says so; team-a's part is whole.
    assert [(e.profile, e.line()) for e in state.snapshot.errors] == [
        ("team-b", "ecr team-b ap-northeast-1: access denied: not authorized")
    ]
    assert not state.by_profile["team-a"].errors and state.by_profile["team-b"].errors


def _refs(state: ModelState) -> list[ResourceRef]:
    return [ECR.ref(r) for r in state.snapshot.records("ecr")]


def test_one_profile_is_the_model_of_before() -> None:
    model = IncidentModel()
    state = model.merge(_parts("nova/cdn-service"))
    assert state.complete
    finding = state.diagnosis.finding(f"no-lifecycle-policy:{REGION}:nova/cdn-service")
    assert finding is not None and finding.profile == ""
    assert "--profile" not in finding.fixes[0].command()
    assert "profile" not in finding.as_dict()


def test_profiles_named_twice_are_refused() -> None:
    assert check_profiles(["a", "b"]) == ("a", "b")
    try:
        Sessions.of(["a", "a"], (), None)
    except CloudConfigError as exc:
        assert str(exc) == "AWS profile 'a' is given twice"
    else:
        raise AssertionError("a profile given twice was accepted")
    assert Sessions.of([None], (), None).tags == ("",)
    assert Sessions.of(["a", "b"], (), None).tags == ("a", "b")
