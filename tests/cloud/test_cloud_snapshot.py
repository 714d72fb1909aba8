"""``read_snapshot`` when a read fails: an error of its part, with a read time, never a crash."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Mapping
from typing import Any

import pytest

from cloud.incident import IncidentModel
from cloud.model.builder import read_snapshot
from cloud.model.kinds import pane
from cloud.records import ErrorKind, Fetched
from cloud.session import CloudSession
from tests.cloud.moto_seed import SINGAPORE, TOKYO
from tests.cloud.region_gate import RegionGate

DESCRIBE_IMAGES = "AmazonEC2ContainerRegistry_V20150921.DescribeImages"
DESCRIBE_SERVICES = "AmazonEC2ContainerServiceV20141113.DescribeServices"


def _closed_port() -> int:
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port: int = free.getsockname()[1]
    return port  # closed again: nothing listens there


def test_an_endpoint_nobody_answers_is_an_error_of_the_part_with_its_read_time(
    moto_env: RegionGate, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{_closed_port()}")
    heard: list[Mapping[str, Fetched[Any]]] = []
    snapshot = read_snapshot(
        CloudSession(regions=[TOKYO, SINGAPORE]), ("ecr",), on_parts=heard.append
    )
    assert set(snapshot.parts) == {"ecr"}
    part = snapshot.part("ecr")
    assert part.records == ()
    assert part.fetched_at is not None
    assert sorted((e.service, e.region, e.kind) for e in part.errors) == [
        ("ecr", TOKYO, ErrorKind.UNREACHABLE),
        ("ecr", SINGAPORE, ErrorKind.UNREACHABLE),
    ]
    assert [set(parts) for parts in heard] == [{"ecr"}]


def _garble_image_sizes(operation: str, answer: bytes) -> bytes:
    """DescribeImages with sizes no one can count: our reader raises a ValueError, not the SDK."""
    if operation != DESCRIBE_IMAGES:
        return answer
    document = json.loads(answer)
    for detail in document.get("imageDetails", []):
        detail["imageSizeInBytes"] = "garbled"
    return json.dumps(document).encode()


def test_a_reader_that_raises_is_an_error_of_its_part_and_the_other_parts_still_read(
    moto_env: RegionGate,
) -> None:
    moto_env.rewrites[TOKYO] = _garble_image_sizes
    snapshot = read_snapshot(CloudSession(regions=[TOKYO]), ("ecr", "lambda"), extras=False)
    ecr = snapshot.part("ecr")
    assert ecr.records == ()
    assert ecr.fetched_at is not None
    assert ecr.errors
    for error in ecr.errors:  # a malformed answer of ECR in Tokyo, never a crash
        assert (error.service, error.region, error.kind) == ("ecr", TOKYO, ErrorKind.MALFORMED)
        assert "ValueError" in error.message
        assert "\n" not in error.line()
    # The Lambda functions of the same region were read as usual.
    assert [f.name for f in snapshot.functions] == ["hr-chatbot-backend"]
    assert snapshot.part("lambda").errors == ()
    assert snapshot.errors == ecr.errors


def test_without_a_kubeconfig_the_services_pane_still_has_a_read_time(
    moto_env: RegionGate,
) -> None:
    session = CloudSession(regions=[TOKYO])
    assert session.kube_context is None  # clean_env: no kubeconfig at all
    services = pane("services").kinds
    state = IncidentModel().merge(read_snapshot(session, services).parts)
    assert state.snapshot.deployments == ()
    assert state.errors_of(services) == ()
    # Read and empty is not never read: the pane says how old its rows are.
    assert state.read_at(services) is not None


def test_a_first_read_lists_repositories_before_their_images_are_read(
    moto_env: RegionGate,
) -> None:
    listed = threading.Event()
    heard: list[tuple[str, Fetched[Any]]] = []

    def hold_images(operation: str, answer: bytes) -> bytes:
        if operation == DESCRIBE_IMAGES:
            listed.wait(30)  # no image answer until the listed rows were heard
        return answer

    def early(name: str, part: Fetched[Any]) -> None:
        heard.append((name, part))
        if part.records:
            listed.set()

    moto_env.rewrites[TOKYO] = hold_images
    session = CloudSession(regions=[TOKYO])
    snapshot = read_snapshot(session, ("ecr",), extras=False, on_early=early)
    assert heard, "nothing was heard before the part was in"
    name, first = heard[0]
    whole = {r.name for r in snapshot.repositories}
    assert name == "ecr"
    assert {r.name for r in first.records} == whole
    assert all(r.partial for r in first.records), "the first rows are listed only"
    assert not any(r.partial for r in snapshot.repositories)
    assert any(r.image_count for r in snapshot.repositories)
    # A model keeps the listed rows for drawing only: no finding comes from them.
    model = IncidentModel()
    state = model.merge_early("ecr", first)
    assert state is not None and state.arriving(("ecr",)) and not state.read(("ecr",))
    assert len(state.snapshot.shown_records("ecr")) == len(whole)
    assert state.snapshot.records("ecr") == () and state.diagnosis.findings == ()
    # Once the part is in, what is still arriving is ignored.
    model.merge(snapshot.parts)
    assert model.merge_early("ecr", first) is None
    assert not model.state.arriving(("ecr",))
    # A refresh is not a first read: it lists nothing early.
    heard.clear()
    moto_env.rewrites.clear()
    read_snapshot(session, ("ecr",), extras=False, previous=snapshot, on_early=early)
    assert heard == []


def test_a_first_read_lists_ecs_services_before_they_are_described(
    moto_env: RegionGate,
) -> None:
    listed = threading.Event()
    heard: list[Fetched[Any]] = []

    def hold_descriptions(operation: str, answer: bytes) -> bytes:
        if operation == DESCRIBE_SERVICES:
            listed.wait(30)  # no description until the listed services were heard
        return answer

    def early(name: str, part: Fetched[Any]) -> None:
        heard.append(part)
        if part.records:
            listed.set()

    moto_env.rewrites[TOKYO] = hold_descriptions
    snapshot = read_snapshot(CloudSession(regions=[TOKYO]), ("ecs",), extras=False, on_early=early)
    whole = {(s.cluster, s.name) for s in snapshot.ecs_services}
    assert whole, "the seeded world has ECS services"
    assert all(s.partial for s in heard[0].records), "the first rows are listed only"
    named = {(s.cluster, s.name) for part in heard for s in part.records if s.partial}
    assert named == whole, "every service was listed before it was described"
    assert not any(s.partial for s in snapshot.ecs_services)
