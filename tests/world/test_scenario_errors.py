"""A scenario that cannot be used says so in one line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from demo.launcher import start_world
from demo.scenario import ScenarioError, load_scenario

ROOT = Path(__file__).resolve().parents[2]


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "seeds.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_wrong_type_names_file_field_and_fault(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """
world: {account_id: "123456789012"}
ecr:
  - {name: a, region: ap-northeast-1, images: [{tags: [x], size: 1, pushed: -1h}]}
  - {name: b, region: ap-northeast-1, images: [{tags: [y], size: 1, pushed: -1h}]}
  - {name: c, region: ap-northeast-1, images: [{tags: [z], size: big, pushed: -1h}]}
""",
    )
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert str(caught.value) == "seeds.yaml: ecr[2].images[0].size: expected an integer, got 'big'"


def test_yaml_syntax_error_has_a_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "world:\n  name: [unclosed\n")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    text = str(caught.value)
    assert text.startswith("seeds.yaml: line ") and "\n" not in text


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match=r"^nope\.yaml: cannot read the file"):
        load_scenario(tmp_path / "nope.yaml")


def test_serve_exits_2_with_one_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "world: {tick_seconds: fast}\n")
    done = subprocess.run(
        [sys.executable, "-m", "demo", "serve", "--scenario", str(path)],
        check=False,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.strip().splitlines() == [
        "seeds.yaml: world.tick_seconds: expected a duration like 90 or 1m30s, got 'fast'"
    ]


def test_launcher_raises_scenario_error(tmp_path: Path) -> None:
    path = _write(tmp_path, "world: {}\nkubernetes: {namespaces: [a], deployments: [{}]}\n")
    with pytest.raises(ScenarioError) as caught:
        start_world(path, state_dir=tmp_path / "state", timeout=30)
    assert (
        str(caught.value) == "seeds.yaml: kubernetes.deployments[0].pods: required field is missing"
    )


_FIXABLE = """
world: {{}}
lambda:
  - name: api
    region: ap-northeast-1
    image: 123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/api:v2
logs:
  - group: /aws/lambda/api
    region: ap-northeast-1
    streams:
      - {{name: s, start: -1m, every: 3s, lines: ["[ERROR] boom"], {stream}}}
"""


@pytest.mark.parametrize(
    ("stream", "error"),
    [
        (
            "live: true, while: {lambda: nope, image: x}",
            "logs[0].streams[0].while.lambda: no function 'nope' in ap-northeast-1 "
            "in this scenario",
        ),
        (
            "live: true, while: {lambda: api}",
            "logs[0].streams[0].while: give what the resource runs while broken: "
            "image, task_definition or memory_below",
        ),
        (
            "live: true, while: {lambda: api, ecs_service: c/s, image: x}",
            "logs[0].streams[0].while: name one subject: lambda (a function) or ecs_service "
            "(cluster/service)",
        ),
        (
            "live: true, while: {ecs_service: c/s, memory_below: 1024}",
            "logs[0].streams[0].while.ecs_service: no ECS service (cluster/service) 'c/s' in "
            "ap-northeast-1 in this scenario",
        ),
        (
            "while: {lambda: api, image: x}",
            "logs[0].streams[0].while: only a live stream (live: true) changes when fixed",
        ),
        (
            "live: true, healthy_lines: [ok]",
            "logs[0].streams[0].healthy_lines: healthy lines need a while: condition that ends",
        ),
        (
            "live: true, while: {lambda: api, memory_below: 0}",
            "logs[0].streams[0].while.memory_below: expected a number of MiB above 0, got 0",
        ),
    ],
)
def test_a_stream_condition_names_what_it_waits_for(
    tmp_path: Path, stream: str, error: str
) -> None:
    path = _write(tmp_path, _FIXABLE.format(stream=stream))
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert str(caught.value) == f"seeds.yaml: {error}"
