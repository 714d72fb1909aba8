"""``shipdeck doctor`` through a proxy that breaks answers: an error of that part, never a crash.

Every case asserts: no traceback, an entry in ``errors`` with its kind, no
finding that the world read without faults does not have (nothing is
concluded from a part that failed), and the exit status (1 with a critical
finding, 3 when only some parts could not be read).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import cloud.session
from cloud.model.builder import read_snapshot
from cloud.records import ErrorKind
from cloud.session import CloudSession
from tests.faults.conftest import Proxied
from tests.faults.proxy import Fault


@pytest.fixture
def through_proxy(proxied: Proxied, monkeypatch: pytest.MonkeyPatch) -> Iterator[Proxied]:
    """This process's new clients use the proxies."""
    proxied.apply(monkeypatch)
    yield proxied


DESCRIBE_REPOSITORIES = "AmazonEC2ContainerRegistry_V20150921.DescribeRepositories"
DESCRIBE_TASK_DEFINITION = "AmazonEC2ContainerServiceV20141113.DescribeTaskDefinition"
PODS = "GET /api/v1/pods?"  # the list of every pod, paged


def _errors_of(document: dict[str, object], service: str) -> list[dict[str, str]]:
    errors = document["errors"]
    assert isinstance(errors, list)
    return [e for e in errors if e["service"] == service]


@pytest.mark.parametrize(
    ("fault", "kind"),
    [
        (Fault("status", DESCRIBE_REPOSITORIES, status=500), "error"),
        (Fault("status", DESCRIBE_REPOSITORIES, status=503), "error"),
        (Fault("throttle", DESCRIBE_REPOSITORIES), "throttled"),
        (Fault("non-utf8", DESCRIBE_REPOSITORIES), "malformed response"),
        (Fault("truncate", DESCRIBE_REPOSITORIES, keep=0.3), "malformed response"),
        (Fault("html", DESCRIBE_REPOSITORIES), "malformed response"),
        (Fault("empty-object", DESCRIBE_TASK_DEFINITION), "malformed response"),
        (Fault("empty-object", DESCRIBE_REPOSITORIES), "malformed response"),
        (Fault("reset", DESCRIBE_REPOSITORIES), "unreachable"),
    ],
    ids=[
        "500",
        "503",
        "throttled",
        "non-utf8",
        "truncated",
        "html-500",
        "field-missing",
        "list-missing",
        "reset",
    ],
)
def test_a_broken_answer_is_an_error_of_its_part(
    proxied: Proxied, clean_ids: frozenset[str], fault: Fault, kind: str
) -> None:
    proxied.aws.add(fault)
    status, document, stderr = proxied.doctor()
    assert "Traceback" not in stderr
    service = "ecs" if fault.match == DESCRIBE_TASK_DEFINITION else "ecr"
    errors = _errors_of(document, service)
    assert errors, document["errors"]
    assert {e["kind"] for e in errors} == {kind}
    for error in errors:
        assert error["region"], error  # which region could not be read
        assert "<" not in error["message"] and "\n" not in error["message"], error
    found = {f["id"] for f in document["findings"]}
    assert found <= clean_ids, f"findings from a failed part: {sorted(found - clean_ids)}"
    assert status == (1 if any(f["severity"] == "critical" for f in document["findings"]) else 3)
    assert proxied.aws.injected[fault.kind] >= 1


def test_the_html_page_is_one_readable_sentence(proxied: Proxied) -> None:
    proxied.aws.add(Fault("html", DESCRIBE_REPOSITORIES))
    _, document, _ = proxied.doctor()
    (first, *_) = _errors_of(document, "ecr")
    assert "an HTML page instead of an answer (500 Internal Server Error)" in first["message"]
    assert "script" not in first["message"]


@pytest.mark.parametrize("kind", ["non-utf8", "truncate", "html", "throttle", "status"])
def test_a_bad_answer_that_does_not_last_is_retried_and_nothing_is_lost(
    proxied: Proxied, clean_ids: frozenset[str], kind: str
) -> None:
    proxied.aws.add(Fault(kind, DESCRIBE_REPOSITORIES, times=2, status=503))  # type: ignore[arg-type]
    status, document, stderr = proxied.doctor()
    assert "Traceback" not in stderr
    assert document["errors"] == []
    assert {f["id"] for f in document["findings"]} == clean_ids
    assert status == 1  # the seeds hold critical findings
    assert proxied.aws.injected[kind] == 2


def test_kubernetes_down_is_an_error_and_aws_is_still_diagnosed(
    proxied: Proxied, clean_ids: frozenset[str]
) -> None:
    proxied.kube.refuse()
    status, document, stderr = proxied.doctor()
    assert "Traceback" not in stderr
    errors = _errors_of(document, "kubernetes")
    assert errors and {e["kind"] for e in errors} == {"unreachable"}
    found = {f["id"] for f in document["findings"]}
    assert found <= clean_ids
    assert any(i.startswith(("build-failure:", "buildcache-bloat:")) for i in found), sorted(found)
    assert status in (1, 3)


@pytest.mark.parametrize("kind", ["non-utf8", "truncate", "html"])
def test_a_garbled_kubernetes_answer_is_malformed_not_empty(
    proxied: Proxied, clean_ids: frozenset[str], kind: str
) -> None:
    proxied.kube.add(Fault(kind, PODS))  # type: ignore[arg-type]
    status, document, stderr = proxied.doctor()
    assert "Traceback" not in stderr
    errors = _errors_of(document, "kubernetes")
    assert errors and {e["kind"] for e in errors} == {"malformed response"}, document["errors"]
    assert {f["id"] for f in document["findings"]} <= clean_ids
    assert status in (1, 3)


def test_aws_refused_everywhere_exits_3_with_one_error_per_part(proxied: Proxied) -> None:
    proxied.aws.refuse()
    proxied.kube.refuse()
    status, document, stderr = proxied.doctor()
    assert "Traceback" not in stderr
    assert document["findings"] == []
    assert {e["kind"] for e in document["errors"]} == {"unreachable"}
    assert status == 3
    text = proxied.shipdeck("doctor")
    assert text.returncode == 3
    assert "could not read everything" in text.stderr


def test_a_slow_answer_is_retried_then_unreachable(
    through_proxy: Proxied, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 10 s delay, scaled down (4 s against a 2 s read timeout), on every attempt."""
    monkeypatch.setattr(cloud.session, "READ_TIMEOUT", 2.0)
    through_proxy.aws.add(Fault("delay", DESCRIBE_REPOSITORIES, seconds=4.0))
    session = CloudSession(regions=through_proxy.world.regions)
    snapshot = read_snapshot(session, ("ecr", "lambda"), extras=False)
    errors = snapshot.part("ecr").errors
    assert errors and {e.kind for e in errors} == {ErrorKind.UNREACHABLE}, errors
    assert all("timeout" in e.message.lower() for e in errors), errors
    assert snapshot.part("lambda").errors == ()
    assert through_proxy.aws.injected["delay"] >= 4 * len(through_proxy.world.regions)


def test_a_slow_answer_that_does_not_last_is_retried_away(
    through_proxy: Proxied, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cloud.session, "READ_TIMEOUT", 2.0)
    through_proxy.aws.add(Fault("delay", DESCRIBE_REPOSITORIES, times=1, seconds=4.0))
    session = CloudSession(regions=through_proxy.world.regions)
    snapshot = read_snapshot(session, ("ecr",), extras=False)
    assert snapshot.part("ecr").errors == ()
    assert snapshot.repositories
