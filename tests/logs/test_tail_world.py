"""``shipdeck tail`` against the seeds world, by the names the console shows.

A build by its number (``#35`` of mangoo-build-deploy), a pod by the start of its
name, a log group of another region than the exported one: each as a person types
it into a shell after ``shipdeck world``. An unknown or ambiguous name is one line
on stderr and exit 2.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from demo.launcher import WorldProcess
from tests.support import running_world

SHIPDECK = shutil.which("shipdeck") or str(Path(sys.executable).with_name("shipdeck"))
MANGOO = "us-east-1"  # where mangoo-build-deploy lives; the exports name ap-northeast-1


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WorldProcess]:
    """The seeds world, as ``shipdeck world`` serves it."""
    state = tmp_path_factory.mktemp("tail-world")
    with running_world(speed="10", point=False, state_dir=state, timeout=60) as running:
        yield running


def _tail(world: WorldProcess, *args: str) -> subprocess.CompletedProcess[str]:
    """``shipdeck tail ARGS`` in a shell that pasted the world's export lines."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SHIPDECK_"))}
    env.update(world.env(), AWS_CONFIG_FILE=os.devnull)
    return subprocess.run(
        [SHIPDECK, "tail", *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )


def _bad_input(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("shipdeck: error: ")
    return lines[0]


def _pod_names(world: WorldProcess, namespace: str) -> list[str]:
    from kubernetes import client as k8s
    from kubernetes import config as k8s_config

    loader: Any = k8s_config.new_client_from_config
    pods: Any = k8s.CoreV1Api(loader(config_file=world.kubeconfig)).list_namespaced_pod(namespace)
    return sorted(str(p.metadata.name) for p in pods.items)


def test_a_build_by_the_number_the_console_shows(world: WorldProcess) -> None:
    done = _tail(world, "--build", "mangoo-build-deploy:35")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines and all(" build mangoo-build-deploy:35/" in line for line in lines)
    assert any("Phase complete: BUILD" in line for line in lines)
    assert _tail(world, "--build", "mangoo-build-deploy:#35").stdout == done.stdout


def test_a_build_by_its_whole_id_still_works(world: WorldProcess) -> None:
    codebuild = boto3.client(
        "codebuild",
        region_name=MANGOO,
        endpoint_url=world.aws_endpoint,
        aws_access_key_id=world.access_key_id,
        aws_secret_access_key=world.secret_access_key,
    )
    build_id = codebuild.list_builds_for_project(projectName="mangoo-build-deploy")["ids"][0]
    done = _tail(world, "--build", build_id)
    assert done.returncode == 0, done.stderr
    assert done.stdout


def test_an_unknown_build_number_or_project_is_one_line_and_exit_2(world: WorldProcess) -> None:
    line = _bad_input(_tail(world, "--build", "mangoo-build-deploy:999"))
    assert "mangoo-build-deploy has no build #999 in us-east-1" in line
    line = _bad_input(_tail(world, "--build", "no-such-project:3"))
    assert "no-such-project not found in ap-northeast-1, ap-southeast-1, us-east-1" in line
    assert "PROJECT:NUMBER" in _bad_input(_tail(world, "--build", "mangoo-build-deploy"))


def test_a_pod_by_a_unique_start_of_its_name(world: WorldProcess) -> None:
    names = _pod_names(world, "nova-gateway")
    name = names[0]
    prefix = next(
        name[:end]
        for end in range(len("graphql-gateway-"), len(name))
        if sum(n.startswith(name[:end]) for n in names) == 1
    )
    done = _tail(world, "--pod", f"nova-gateway/{prefix}")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0].split(" ")[1].startswith(f"nova-gateway/{name}/")
    whole = _tail(world, "--pod", f"nova-gateway/{name}")
    assert (whole.returncode, whole.stdout) == (0, done.stdout)


def test_an_ambiguous_or_unknown_pod_is_one_line_and_exit_2(world: WorldProcess) -> None:
    line = _bad_input(_tail(world, "--pod", "nova-backend/user-service"))
    assert "4 pods in namespace nova-backend start with user-service" in line
    line = _bad_input(_tail(world, "--pod", "nova-backend/no-such-pod"))
    assert "no pod in namespace nova-backend starts with no-such-pod" in line


def test_a_log_group_of_another_region_is_found_there(world: WorldProcess) -> None:
    done = _tail(world, "/aws/codebuild/mangoo", "--since", "7d")
    assert done.returncode == 0, done.stderr
    assert " /aws/codebuild/mangoo/" in done.stdout
    line = _bad_input(_tail(world, "/aws/codebuild/nowhere"))
    assert "not found in ap-northeast-1, ap-southeast-1, us-east-1" in line


def _group_events(world: WorldProcess, group: str, start: int, end: int) -> list[dict[str, Any]]:
    """Every event of ``group`` (us-east-1) in ``[start, end]``, as boto3 reads them."""
    logs: Any = boto3.client(
        "logs",
        region_name=MANGOO,
        endpoint_url=world.env()["AWS_ENDPOINT_URL"],
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    found: list[dict[str, Any]] = []
    for page in logs.get_paginator("filter_log_events").paginate(
        logGroupName=group, startTime=start, endTime=end
    ):
        found.extend(page["events"])
    return found


def test_since_until_prints_exactly_the_range_and_exits(world: WorldProcess) -> None:
    from cloud.logs import iso_ms

    now = int(time.time() * 1000)
    start, end = now - 8 * 3_600_000, now - 7 * 3_600_000 + 500
    group = "/ecs/mangoo-backend"
    done = _tail(world, group, "--since", iso_ms(start), "--until", iso_ms(end))
    assert done.returncode == 0, done.stderr
    expected = _group_events(world, group, start, end)
    assert len(expected) > 100, "the group's older history is in the range"
    lines = done.stdout.splitlines()
    assert lines == [
        f"{iso_ms(e['timestamp'])} {group}/{e['logStreamName']} {e['message']}" for e in expected
    ]


def test_until_takes_relative_times_and_refuses_bad_ranges(world: WorldProcess) -> None:
    done = _tail(world, "/ecs/mangoo-backend", "--since", "12h", "--until", "11h")
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) > 100
    line = _bad_input(_tail(world, "/ecs/mangoo-backend", "--since", "1h", "--until", "2h"))
    assert "--until is before --since" in line
    line = _bad_input(_tail(world, "/ecs/mangoo-backend", "--until", "1h"))
    assert "--until needs --since" in line
    line = _bad_input(_tail(world, "/ecs/mangoo-backend", "--since", "2h", "--until", "later"))
    assert "cannot read --until 'later'" in line
    line = _bad_input(_tail(world, "/ecs/mangoo-backend", "-f", "--since", "2h", "--until", "1h"))
    assert "not with -f" in line
