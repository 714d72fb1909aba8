"""Pod logs against kmock's Kubernetes emulator: follow, drop, reconnect, no repeats."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import kmock
import pytest
from kubernetes import client as kube

from cloud.logs import LogEvent, LogStatus, StatusKind, follow_pod


@dataclass
class PodLogServer:
    """A kmock emulator serving one pod whose log handler a test sets."""

    api: Any
    requests: list[dict[str, str]] = field(default_factory=list)
    answers: list[list[bytes]] = field(default_factory=list)


@pytest.fixture
def pod_logs() -> Iterator[PodLogServer]:
    """kmock's KubernetesEmulator on a loop in a thread, with pod ns/p1 and its log."""
    ready = threading.Event()
    done = threading.Event()
    box: dict[str, Any] = {}

    def answer(request: Any) -> tuple[bytes, ...]:
        server: PodLogServer = box["server"]
        server.requests.append(dict(request.params))
        index = min(len(server.requests), len(server.answers)) - 1
        return tuple(server.answers[index])

    async def serve() -> None:
        async with kmock.KubernetesEmulator() as emulator, kmock.Server(emulator, port=0) as srv:
            pods: Any = {
                "kind": "Pod",
                "namespaced": True,
                "subresources": ["log"],
                "verbs": ["get", "list"],
            }
            emulator.resources["v1/pods"] = pods
            emulator.objects[kmock.resource("v1", "pods"), "ns", "p1"] = {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "p1", "namespace": "ns"},
                "status": {"phase": "Running"},
            }
            pods_log = emulator["get", kmock.resource("v1", "pods"), kmock.subresource("log")]
            pods_log << answer
            box["url"] = str(srv.url)
            ready.set()
            await asyncio.to_thread(done.wait)

    thread = threading.Thread(target=lambda: asyncio.run(serve()), daemon=True)
    thread.start()
    assert ready.wait(20)
    config = kube.Configuration()
    config.host = box["url"]
    server = PodLogServer(api=kube.ApiClient(config))
    box["server"] = server
    yield server
    done.set()
    thread.join(10)


def _lines(count: int) -> list[bytes]:
    base = datetime.now(UTC) - timedelta(seconds=20)
    stamps = [base + timedelta(milliseconds=700 * i) for i in range(count)]
    return [f"{t:%Y-%m-%dT%H:%M:%S.%f}321Z line {i}\n".encode() for i, t in enumerate(stamps)]


def test_dropped_follow_reconnects_from_the_last_line_without_repeats(
    pod_logs: PodLogServer,
) -> None:
    lines = _lines(10)
    # The first connection drops mid-line; the next one replays from sinceSeconds.
    pod_logs.answers = [[*lines[:4], lines[4][:15]], lines]
    stop = threading.Event()
    events: list[LogEvent] = []
    statuses: list[LogStatus] = []
    deadline = time.monotonic() + 20
    for batch in follow_pod(pod_logs.api, "ns", "p1", "app", stop=stop, reconnect_delay=0.05):
        events.extend(batch.events)
        statuses.extend(batch.statuses)
        if len(events) >= 10 or time.monotonic() > deadline:
            stop.set()
    assert [e.message for e in events] == [f"line {i}" for i in range(10)]
    assert {(e.group, e.stream) for e in events} == {("ns/p1", "app")}
    assert StatusKind.RECONNECTED in [s.kind for s in statuses]
    first, second = pod_logs.requests[:2]
    assert first["follow"] == "true" and first["timestamps"] == "true"
    assert "sinceSeconds" not in first
    assert 10 <= int(second["sinceSeconds"]) <= 30  # reaches back to line 3, with slack


def test_previous_container_is_read_once(pod_logs: PodLogServer) -> None:
    pod_logs.answers = [_lines(3)]
    batches = list(follow_pod(pod_logs.api, "ns", "p1", "app", previous=True))
    assert [e.message for b in batches for e in b.events] == ["line 0", "line 1", "line 2"]
    assert pod_logs.requests == [
        {"container": "app", "follow": "false", "previous": "true", "timestamps": "true"}
    ]


def test_missing_pod_is_an_error_then_the_end(pod_logs: PodLogServer) -> None:
    pod_logs.answers = [[]]
    batches = list(follow_pod(pod_logs.api, "ns", "gone", stop=threading.Event()))
    kinds = [s.kind for b in batches for s in b.statuses]
    assert kinds[-1] is StatusKind.ENDED
