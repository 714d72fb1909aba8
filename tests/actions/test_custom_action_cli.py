"""``shipdeck action`` with actions of one's own (``[[actions]]``), against the demo world."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from demo.launcher import WorldProcess
from tests.actions.conftest import shipdeck

PY = shlex.quote(sys.executable)
TARGET = "ecs:query-service-cluster/query-service"
REGION = "ap-southeast-1"
HELLO = f"""{PY} -c 'import sys; print("ran", sys.argv[1:])'"""
LOOK = f"""{PY} -c 'import sys; print("looked at", sys.argv[1]); sys.exit(int(sys.argv[2]))'"""
GOOD = f"""
[[actions]]
name = "say-hello"
key = "A"
kinds = ["ecs", "lambda"]
title = "Say hello to a service"
command = '''{HELLO} {{name}} --region={{region}} {{greeting}}'''
params = [{{ name = "greeting", prompt = "what to say", choices = ["hi", "bye"] }}]

[[actions]]
name = "look-service"
key = "V"
kinds = ["ecs"]
mutates = false
command = '''{LOOK} {{name}} {{code}}'''
params = [{{ name = "code", default = "0" }}]

[[actions]]
name = "where-is"
key = "H"
kinds = ["ecs"]
mutates = false
command = "echo {{account}} {{image}} {{cluster}}"
"""


def _run(tmp_path: Path, config: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["SHIPDECK_STATE_DIR"] = str(tmp_path)
    env["SHIPDECK_CONFIG"] = str(tmp_path / "config.toml")
    (tmp_path / "config.toml").write_text(config, encoding="utf-8")
    return shipdeck(*args, env=env)


def _outcomes(tmp_path: Path) -> list[dict[str, object]]:
    path = tmp_path / "audit.jsonl"
    if not path.exists():
        return []
    entries = [json.loads(line) for line in path.read_text().splitlines()]
    return [e for e in entries if e["event"] == "outcome"]


def test_list_marks_the_custom_ones(world: WorldProcess, tmp_path: Path) -> None:
    listed = _run(tmp_path, GOOD, "action", "--list")
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert any(line.startswith("retag-latest ") for line in lines)
    hello = next(line for line in lines if line.startswith("say-hello "))
    assert "ecs,lambda:" in hello and "custom" in hello and "[mutates, key A]" in hello
    assert "Say hello to a service" in hello and "greeting=" in hello
    look = next(line for line in lines if line.startswith("look-service "))
    assert "custom" in look and "[read-only, key V]" in look


def test_plan_then_run_prints_output_and_audits(world: WorldProcess, tmp_path: Path) -> None:
    common = ("--region", REGION, "action", "say-hello", TARGET, "--set", "greeting=bye")
    planned = _run(tmp_path, GOOD, *common)
    assert planned.returncode == 0, planned.stderr
    argv = [
        sys.executable,
        "-c",
        'import sys; print("ran", sys.argv[1:])',
        "query-service",
        f"--region={REGION}",
        "bye",
    ]
    assert shlex.join(argv) in planned.stdout
    assert "ran [" not in planned.stdout  # a plan runs nothing
    assert not _outcomes(tmp_path)

    ran = _run(tmp_path, GOOD, *common, "--yes")
    assert ran.returncode == 0, ran.stderr
    assert f"ran ['query-service', '--region={REGION}', 'bye']" in ran.stdout
    assert "done: exit 0" in ran.stdout
    outcome = _outcomes(tmp_path)[-1]
    assert outcome["action"] == "say-hello" and outcome["outcome"] == "ok"
    assert outcome["argv"] == argv and outcome["exit_code"] == 0
    assert isinstance(outcome["duration_seconds"], float)


def test_a_failing_command_exits_1_with_its_code(world: WorldProcess, tmp_path: Path) -> None:
    ran = _run(
        tmp_path,
        GOOD,
        "--region",
        REGION,
        "action",
        "look-service",
        TARGET,
        "--set",
        "code=4",
        "--yes",
    )
    assert ran.returncode == 1
    assert "looked at query-service" in ran.stdout and "failed: exit 4" in ran.stdout
    assert _outcomes(tmp_path)[-1]["exit_code"] == 4


@pytest.mark.parametrize("how", ["flag", "config"])
def test_read_only_refuses_a_mutating_one_but_not_a_reading_one(
    world: WorldProcess, tmp_path: Path, how: str
) -> None:
    config = ("read_only = true\n" if how == "config" else "") + GOOD
    flag = ("--read-only",) if how == "flag" else ()
    refused = _run(
        tmp_path,
        config,
        *flag,
        "--region",
        REGION,
        "action",
        "say-hello",
        TARGET,
        "--set",
        "greeting=hi",
        "--yes",
    )
    assert refused.returncode == 2
    assert "say-hello: refused, shipdeck is in read-only mode" in refused.stderr
    assert "ran [" not in refused.stdout
    looked = _run(
        tmp_path, config, *flag, "--region", REGION, "action", "look-service", TARGET, "--yes"
    )
    assert looked.returncode == 0, looked.stderr
    assert "looked at query-service" in looked.stdout


@pytest.mark.parametrize(
    ("extra", "wrong"),
    [
        ("--set greeting=hello", "greeting='hello': one of hi, bye"),
        ("--set colour=red", "unknown parameter 'colour'"),
        ("", "parameter 'greeting' is required"),
    ],
)
def test_bad_values_exit_2(world: WorldProcess, tmp_path: Path, extra: str, wrong: str) -> None:
    config = GOOD.replace(', choices = ["hi", "bye"]', "") if "required" in wrong else GOOD
    ran = _run(tmp_path, config, "--region", REGION, "action", "say-hello", TARGET, *extra.split())
    assert ran.returncode == 2
    assert wrong in ran.stderr
    assert len(ran.stderr.strip().splitlines()) == 1


def test_a_kind_the_action_does_not_take_exits_2(world: WorldProcess, tmp_path: Path) -> None:
    ran = _run(tmp_path, GOOD, "action", "look-service", "ecr:nova/cdn-service")
    assert ran.returncode == 2
    assert "KIND one of ecs" in ran.stderr


BAD_ENTRIES = [
    ('key = "A"\nkinds = ["ecs"]\ncommand = "echo {name}"', "entry 1 (no name): name is missing"),
    ('name = "x"\nkey = "A"\nkinds = ["ecs"]', "entry 1 ('x'): command is missing"),
    (
        'name = "x"\nkey = "A"\nkinds = ["eks"]\ncommand = "echo"',
        "entry 1 ('x'): kinds: unknown kind 'eks'",
    ),
    (
        'name = "x"\nkey = "A"\nkinds = ["ecs"]\ncommand = "echo {service}"',
        "entry 1 ('x'): command: unknown placeholder {service}",
    ),
    (
        'name = "x"\nkey = "A"\nkinds = ["lambda"]\ncommand = "echo {cluster}"',
        "entry 1 ('x'): command: {cluster} has no value on lambda rows",
    ),
    (
        'name = "x"\nkey = "A"\nkinds = ["ecs"]\ncommand = "echo"\nmutates = "no"',
        "entry 1 ('x'): mutates: expected true or false, got 'no'",
    ),
    (
        'name = "x"\nkey = "A"\nkinds = ["ecs"]\ncommand = "echo {pw}"\n'
        'params = [{ name = "pw", secret = true }]',
        "entry 1 ('x'): params: pw: secret values cannot be put on a command line",
    ),
    (
        'name = "force-deploy"\nkey = "A"\nkinds = ["ecs"]\ncommand = "echo"',
        "entry 1 ('force-deploy'): name: a built-in action has it",
    ),
    (
        'name = "x"\nkey = "A"\nkinds = ["ecs"]\ncommand = "echo \'{name}"',
        "entry 1 ('x'): command: No closing quotation",
    ),
]


@pytest.mark.parametrize(("entry", "fault"), BAD_ENTRIES)
def test_a_bad_entry_exits_2_naming_file_entry_and_fault(
    tmp_path: Path, entry: str, fault: str
) -> None:
    listed = _run(tmp_path, f"[[actions]]\n{entry}\n", "action", "--list")
    assert listed.returncode == 2
    assert listed.stderr.strip().splitlines() == [
        f"shipdeck: error: {tmp_path / 'config.toml'}: [[actions]] {fault}"
        + listed.stderr.strip().split(fault, 1)[1]
    ]
    assert "Traceback" not in listed.stderr


def test_every_bad_entry_is_named_and_the_good_ones_are_not(tmp_path: Path) -> None:
    config = (
        GOOD
        + '[[actions]]\nname = "one"\nkey = "B"\nkinds = ["ecs"]\ncommand = "echo {nope}"\n'
        + '[[actions]]\nname = "two"\nkey = "C"\nkinds = []\ncommand = "echo"\n'
    )
    listed = _run(tmp_path, config, "action", "--list")
    assert listed.returncode == 2
    lines = listed.stderr.strip().splitlines()
    assert len(lines) == 2
    assert "entry 4 ('one'): command: unknown placeholder {nope}" in lines[0]
    assert "entry 5 ('two'): kinds: expected a list of kind names" in lines[1]
    assert "say-hello" not in listed.stderr


def test_account_and_image_come_from_a_fresh_read(world: WorldProcess, tmp_path: Path) -> None:
    planned = _run(tmp_path, GOOD, "--region", REGION, "action", "where-is", TARGET)
    assert planned.returncode == 0, planned.stderr
    image = "123456789012.dkr.ecr.ap-southeast-1.amazonaws.com/query-service:latest"
    assert f"echo 123456789012 {image} query-service-cluster" in planned.stdout
