"""A real moto server on loopback and boto3 clients pointed at it, for the log engine."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from moto.server import ThreadedMotoServer

REGION = "us-east-1"
_names = itertools.count()


@pytest.fixture(scope="session")
def moto_url() -> Iterator[str]:
    """The endpoint of a ThreadedMotoServer on 127.0.0.1 (a free port), for the whole run."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def make_client(url: str, service: str, region: str = REGION, **config: Any) -> Any:
    """A plain boto3 client for the moto server (no CloudSession needed)."""
    options: dict[str, Any] = {"inject_host_prefix": False}
    options.update(config)
    return boto3.client(
        service,  # type: ignore[call-overload]
        region_name=region,
        endpoint_url=url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(**options),
    )


@pytest.fixture
def clients(moto_url: str) -> Callable[[str, str], Any]:
    """A ClientFactory over the moto server: one shared client per (service, region)."""
    made: dict[tuple[str, str], Any] = {}

    def factory(service: str, region: str) -> Any:
        if (service, region) not in made:
            made[service, region] = make_client(moto_url, service, region)
        return made[service, region]

    return factory


@pytest.fixture
def new_group(clients: Callable[[str, str], Any]) -> Callable[..., str]:
    """Create a log group with streams, named uniquely for this test; returns its name."""

    def create(*streams: str) -> str:
        name = f"/shipdeck/test-{next(_names)}-{time.monotonic_ns()}"
        logs = clients("logs", REGION)
        logs.create_log_group(logGroupName=name)
        for stream in streams or ("s",):
            logs.create_log_stream(logGroupName=name, logStreamName=stream)
        return name

    return create


def put(logs: Any, group: str, stream: str, stamped: list[tuple[int, str]]) -> None:
    """PutLogEvents in chunks (moto takes them in timestamp order)."""
    for start in range(0, len(stamped), 1000):
        chunk = stamped[start : start + 1000]
        logs.put_log_events(
            logGroupName=group,
            logStreamName=stream,
            logEvents=[{"timestamp": ts, "message": msg} for ts, msg in chunk],
        )


def now_ms() -> int:
    """The current time in epoch ms."""
    return int(time.time() * 1000)
