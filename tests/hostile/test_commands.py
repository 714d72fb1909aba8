"""Every command on the hostile world: the corpus is shown, never obeyed, by the terminal.

Each command runs as a person runs it (the ``shipdeck`` executable, output
captured) and no byte of its stdout or stderr may be one a terminal acts on:
no ESC, no C1, no BEL, no bidi override. What the attacker wrote is still
there to read, as control pictures, and Rich markup is printed as typed.
``tail --raw`` alone passes bytes through, for pipes that want them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.hostile.conftest import (
    HOSTILE_GROUP,
    HOSTILE_TAG,
    REGION,
    REPOSITORY,
    SAFE_TAG,
    HostileWorld,
)
from tests.hostile.corpus import MARKUP, OSC_TITLE, leaks

SHIPDECK = shutil.which("shipdeck") or str(Path(sys.executable).with_name("shipdeck"))
SHOWN_TITLE = "␛]0;pwned-title␇"  # the OSC 0 of the corpus, as it must be printed


def shipdeck(world: HostileWorld, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``shipdeck ARGS`` against the world; stdout and stderr as text."""
    env = {**os.environ, **world.env}
    return subprocess.run(
        [SHIPDECK, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def assert_nothing_leaks(run: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in run.stderr, run.stderr
    assert leaks(run.stdout) == [], run.args
    assert leaks(run.stderr) == [], run.args


def test_tail_shows_the_sequences_and_raw_keeps_them(hostile_world: HostileWorld) -> None:
    tail = shipdeck(hostile_world, "--region", REGION, "tail", HOSTILE_GROUP, "--since", "1h")
    assert tail.returncode == 0, tail.stderr
    assert_nothing_leaks(tail)
    hostile, calm = tail.stdout.splitlines()
    assert SHOWN_TITLE in hostile and "␛]52;c;" in hostile and "␛[2J" in hostile
    assert "␛[31m" in hostile  # the 8-bit CSI, as its 7-bit form
    assert "<U+202E>exe.txt" in hostile
    assert MARKUP in hostile  # markup is text, printed as typed
    assert calm.endswith("calm line after the hostile one")

    raw = shipdeck(
        hostile_world, "--region", REGION, "tail", HOSTILE_GROUP, "--since", "1h", "--raw"
    )
    assert raw.returncode == 0, raw.stderr
    assert OSC_TITLE in raw.stdout and "\x9b31m" in raw.stdout


def test_doctor_prints_the_hostile_tag_visibly(hostile_world: HostileWorld) -> None:
    text = shipdeck(hostile_world, "doctor")
    assert text.returncode in (0, 1, 2, 3), text.stderr
    assert_nothing_leaks(text)
    assert SAFE_TAG in text.stdout

    report = shipdeck(hostile_world, "doctor", "--json")
    assert_nothing_leaks(report)
    decoded = json.dumps(json.loads(report.stdout), ensure_ascii=False)
    assert leaks(decoded) == []  # not only escaped: the values themselves are safe
    assert SAFE_TAG in decoded


@pytest.mark.parametrize("as_json", [False, True])
def test_action_plan_with_the_hostile_tag(hostile_world: HostileWorld, as_json: bool) -> None:
    args = ["action", "delete-tag", f"ecr:{REPOSITORY}", "--set", f"tag={HOSTILE_TAG}"]
    plan = shipdeck(hostile_world, *args, *(["--json"] if as_json else []))
    assert plan.returncode == 0, plan.stderr
    assert_nothing_leaks(plan)
    if as_json:  # for programs: the exact tag, its controls escaped (\u001b) by JSON
        assert json.loads(plan.stdout)["summary"] == f"delete {REPOSITORY}:{HOSTILE_TAG}"
        return
    assert f"delete {REPOSITORY}:{SAFE_TAG}" in plan.stdout
    # the equivalent command still quotes the tag for a shell
    command = next(line for line in plan.stdout.splitlines() if "batch-delete-image" in line)
    assert command.endswith(f"--image-ids imageTag='{SAFE_TAG}'")


def test_audit_and_timeline_print_nothing_a_terminal_acts_on(
    hostile_world: HostileWorld,
) -> None:
    shipdeck(hostile_world, "doctor")  # findings for the timeline
    args = ["action", "delete-tag", f"ecr:{REPOSITORY}", "--set", f"tag={HOSTILE_TAG}"]
    assert shipdeck(hostile_world, *args).returncode == 0  # a plan: audited, nothing changed
    timeline = shipdeck(hostile_world, "timeline")
    assert_nothing_leaks(timeline)
    assert f"delete {REPOSITORY}:{SAFE_TAG}" in timeline.stdout
    for args in (["audit"], ["audit", "--json"]):
        assert_nothing_leaks(shipdeck(hostile_world, *args))


def test_fallback_build_plan_prints_nothing_a_terminal_acts_on(
    hostile_world: HostileWorld,
) -> None:
    plan = shipdeck(hostile_world, "fallback-build", "nova-ecr-build")
    assert_nothing_leaks(plan)
    assert plan.returncode in (0, 2), plan.stderr
