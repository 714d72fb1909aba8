"""``shipdeck tail --filter`` on fields, against the HR backend's JSON lines in the seeds world.

CloudWatch (the world's gateway, as AWS) judges what it can of the expression
as a JSON filter pattern, so fewer events come back; the rest is judged here.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from cloud.logs import LogTarget, tail_logs
from cloud.logs.fields import FieldFilter
from demo.launcher import WorldProcess
from tests.support import running_world

SHIPDECK = shutil.which("shipdeck") or str(Path(sys.executable).with_name("shipdeck"))
REGION = "ap-northeast-1"
GROUP = "/aws/lambda/hr-chatbot-backend"
SETTLED_MS = 30_000  # events this old have all been put (the world stamps, then puts)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WorldProcess]:
    """The seeds world, as ``shipdeck world`` serves it."""
    state = tmp_path_factory.mktemp("tail-fields-world")
    with running_world(speed="10", point=False, state_dir=state, timeout=60) as running:
        yield running


def _tail(world: WorldProcess, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SHIPDECK_"))}
    env.update(world.env(), AWS_CONFIG_FILE=os.devnull)
    return subprocess.run(
        [SHIPDECK, "tail", GROUP, "--since", "2h", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _logs(world: WorldProcess) -> Any:
    return boto3.client(
        "logs",
        region_name=REGION,
        endpoint_url=world.aws_endpoint,
        aws_access_key_id=world.access_key_id,
        aws_secret_access_key=world.secret_access_key,
    )


def _messages(client: Any, until_ms: int, pattern: str | None = None) -> list[str]:
    request: dict[str, Any] = {"logGroupName": GROUP, "endTime": until_ms}
    if pattern is not None:
        request["filterPattern"] = pattern
    found: list[str] = []
    for page in client.get_paginator("filter_log_events").paginate(**request):
        found.extend(e["message"] for e in page["events"])
    return found


def _upto(lines: list[str], until_ms: int) -> list[str]:
    """The printed lines of events at or before ``until_ms`` (the world keeps writing)."""
    from datetime import datetime

    kept = []
    for line in lines:
        stamp = datetime.fromisoformat(line.split(" ", 1)[0].replace("Z", "+00:00"))
        if stamp.timestamp() * 1000 <= until_ms:
            kept.append(line)
    return kept


def test_status_filter_is_judged_by_cloudwatch_and_here(world: WorldProcess) -> None:
    client = _logs(world)
    # Compare what was written well before now: a line is stamped just before it is put.
    until = int(time.time() * 1000) - SETTLED_MS
    sent = FieldFilter.parse("status>=500").cloudwatch_pattern()
    assert sent == "{ ($.status >= 500) }"
    everything = _messages(client, until)
    judged = _messages(client, until, sent)
    assert judged and len(judged) < len(everything), "the service keeps only what matches"
    assert all('"status": 503' in m for m in judged)
    done = _tail(world, "--filter", "status>=500", "-v")
    assert done.returncode == 0, done.stderr
    assert f"CloudWatch filter pattern {sent}" in done.stderr
    printed = _upto(done.stdout.splitlines(), until)
    assert len(printed) == len(judged)
    assert all('"status": 503' in line for line in printed)
    local = _tail(world, "--filter", "status>=500", "--local", "-v")
    assert "nothing to CloudWatch" in local.stderr
    assert _upto(local.stdout.splitlines(), until) == printed, "the same lines, judged here"


def test_the_engine_receives_only_what_the_pattern_keeps(world: WorldProcess) -> None:
    client = _logs(world)
    received: list[int] = []
    sent_patterns: list[str | None] = []

    def after_call(parsed: dict[str, Any], **_: Any) -> None:
        received.append(len(parsed.get("events", [])))

    def before_call(params: dict[str, Any], **_: Any) -> None:
        sent_patterns.append(params.get("filterPattern"))

    client.meta.events.register("after-call.cloudwatch-logs.FilterLogEvents", after_call)
    client.meta.events.register(
        "provide-client-params.cloudwatch-logs.FilterLogEvents", before_call
    )
    pattern = FieldFilter.parse("level=error status>=500").cloudwatch_pattern()
    since = int(time.time() * 1000) - 2 * 3600 * 1000
    read = [
        e
        for batch in tail_logs(
            lambda service, region: client,
            [LogTarget(REGION, GROUP)],
            since_ms=since,
            pattern=pattern,
            stop=threading.Event(),
        )
        for e in batch.events
    ]
    assert sent_patterns and set(sent_patterns) == {pattern}
    assert sum(received) == len(read), "no event came back that the pattern drops"
    assert read and all('"status": 503' in e.message for e in read)


def test_what_cloudwatch_cannot_judge_is_judged_here(world: WorldProcess) -> None:
    done = _tail(world, "--filter", "msg~database", "-v")
    assert done.returncode == 0, done.stderr
    assert "nothing to CloudWatch" in done.stderr
    lines = done.stdout.splitlines()
    assert lines and all("database" in line.lower() for line in lines)
    assert any("[INFO] loading secret hr-chatbot/database" in line for line in lines), "plain"
    assert any('"message": "database connection failed"' in line for line in lines), "JSON"
    both = _tail(world, "--filter", "level=error msg~POST", "--compact")
    shown = both.stdout.splitlines()
    assert shown and all(" ERROR POST /api/chat 503  logger=uvicorn.access" in s for s in shown)


def test_a_bad_field_filter_is_one_line_and_exit_2(world: WorldProcess) -> None:
    done = _tail(world, "--filter", "status>=lots")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        "shipdeck: error: --filter: status>=lots: >= compares numbers (or levels on a level field)"
    ]


def test_a_range_takes_a_field_filter_judged_here(world: WorldProcess) -> None:
    from cloud.logs import iso_ms

    client = _logs(world)
    until = int(time.time() * 1000) - SETTLED_MS
    since = until - 2 * 3600 * 1000
    judged = _messages(client, until, FieldFilter.parse("status>=500").cloudwatch_pattern())
    # "_tail" passes --since 2h; a later --since wins, as click takes the last one.
    done = _tail(
        world, "--since", iso_ms(since), "--until", iso_ms(until), "--filter", "status>=500"
    )
    assert done.returncode == 0, done.stderr
    printed = done.stdout.splitlines()
    assert printed and len(printed) == len(judged), "the range's 5xx lines, no more, no fewer"
    assert all('"status": 503' in line for line in printed)
    raw = _tail(world, "--since", "1h", "--until", "1m", "--filter", '"database"')
    assert raw.returncode == 2
    assert raw.stderr.splitlines() == [
        "shipdeck: error: --until with --filter takes field expressions (level=error "
        "status>=500), applied to the range here; not a CloudWatch pattern"
    ]
