"""Steady log traffic on the clock, and throttling injected by the gateway."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from cloud.logs import LogTarget, tail_logs
from demo.launcher import WorldProcess, start_world
from demo.scenario import ScenarioError, load_scenario
from tests.support import SEEDS
from tests.world.helpers import eventually

GROUP = "/aws/lambda/hr-chatbot-backend"
REGION = "ap-northeast-1"


@pytest.fixture(scope="module")
def throttled_world() -> Iterator[WorldProcess]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SHIPDECK_WORLD_TICK", "0.1")
        patch.setenv("SHIPDECK_WORLD_SPEED", "10")  # live lines every 0.3 s instead of 3 s
        patch.setenv("SHIPDECK_WORLD_THROTTLE", "0.3:logs")
        with start_world(SEEDS, timeout=120) as world:
            yield world


def _logs(world: WorldProcess, attempts: int) -> Any:
    # total_max_attempts counts the first try; botocore's max_attempts counts retries only.
    config = Config(retries={"mode": "standard", "total_max_attempts": attempts})
    return boto3.client(
        "logs",
        region_name=REGION,
        endpoint_url=world.aws_endpoint,
        aws_access_key_id=world.access_key_id,
        aws_secret_access_key=world.secret_access_key,
        config=config,
    )


def test_a_throttle_setting_that_is_not_a_number_names_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SHIPDECK_WORLD_THROTTLE", "lots")
    with pytest.raises(ScenarioError, match="SHIPDECK_WORLD_THROTTLE"):
        load_scenario(SEEDS)


def test_the_gateway_throttles_a_share_of_the_calls(throttled_world: WorldProcess) -> None:
    logs = _logs(throttled_world, attempts=1)  # no retries: see every refusal
    refused = 0
    for _ in range(60):
        try:
            logs.describe_log_groups()
        except ClientError as exc:
            assert exc.response["Error"]["Code"] == "ThrottlingException"
            refused += 1
    assert 5 <= refused <= 35  # about 30 % of 60


def test_live_streams_keep_writing_and_every_event_arrives_once_through_throttling(
    throttled_world: WorldProcess,
) -> None:
    started_ms = int(time.time() * 1000)
    truth = _logs(throttled_world, attempts=20)

    def fresh() -> int:
        """Lines the Lambda stream wrote since the test began (one every 0.3 s at speed 10)."""
        pages = truth.get_paginator("filter_log_events").paginate(
            logGroupName=GROUP, startTime=started_ms
        )
        return len([e for page in pages for e in page["events"]])

    assert eventually(lambda: fresh() >= 3), "the live stream wrote nothing on the clock"
    expected: dict[str, str] = {}
    for page in truth.get_paginator("filter_log_events").paginate(logGroupName=GROUP):
        for event in page["events"]:
            expected[event["eventId"]] = event["message"]

    # The console's engine through 30 % throttling: every event once, none missing.
    clients = {("logs", REGION): _logs(throttled_world, attempts=2)}
    seen: list[str] = []
    stop = threading.Event()
    for batch in tail_logs(
        lambda service, region: clients[(service, region)],
        [LogTarget(REGION, GROUP)],
        since_ms=0,
        follow=False,
        stop=stop,
        mode="poll",
    ):
        seen.extend(event.event_id for event in batch.events)
    assert len(seen) == len(set(seen)), "duplicates"
    assert set(expected) <= set(seen), f"{len(set(expected) - set(seen))} events missing"
