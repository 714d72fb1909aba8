"""A scenario that cannot be used says so in one line."""

from __future__ import annotations

import itertools
import json
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
    # Only what it was doing: no ready line, no traceback.
    assert [json.loads(line) for line in done.stdout.splitlines()] == [
        {"progress": "reading the scenario seeds.yaml"}
    ]
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


def test_a_file_nested_thousands_deep_is_one_line_at_once(tmp_path: Path) -> None:
    depth = 5000
    path = _write(tmp_path, "world: {}\nx-deep: " + "[" * depth + "]" * depth + "\n")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    text = str(caught.value)
    assert text.startswith("seeds.yaml: line 2 column ") and "\n" not in text
    assert "nest" in text  # "nested more than 32 levels" or libyaml's "maximum nesting depth"


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    from demo.scenario import MAX_BYTES

    path = tmp_path / "seeds.yaml"
    with path.open("wb") as handle:
        handle.truncate(MAX_BYTES + 1)  # sparse: the limit is checked on the size alone
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert str(caught.value) == "seeds.yaml: the file is 16.0 MiB; a scenario may be at most 16 MiB"


def test_any_account_id_seeds_a_world_of_that_account(tmp_path: Path) -> None:
    """CodeBuild refuses a service role of another account: moto must answer as the scenario's."""
    import boto3

    seeds = (ROOT / "demo" / "scenarios" / "seeds.yaml").read_text(encoding="utf-8")
    path = _write(
        tmp_path, seeds.replace('account_id: "123456789012"', 'account_id: "210987654321"')
    )
    steps: list[str] = []
    with start_world(path, state_dir=tmp_path / "state", on_progress=steps.append) as world:
        assert world.account_id == "210987654321"
        assert steps and steps[0].startswith("reading the scenario")
        codebuild = boto3.client(
            "codebuild",
            endpoint_url=world.aws_endpoint,
            region_name="ap-northeast-1",
            aws_access_key_id=world.access_key_id,
            aws_secret_access_key=world.secret_access_key,
        )
        # The gateway holds CodeBuild's calls until it is seeded: this waits on that, no sleep.
        projects = codebuild.batch_get_projects(names=["nova-ecr-build"])["projects"]
        assert projects[0]["serviceRole"].startswith("arn:aws:iam::210987654321:role/")
        sts = boto3.client(
            "sts",
            endpoint_url=world.aws_endpoint,
            region_name="ap-northeast-1",
            aws_access_key_id=world.access_key_id,
            aws_secret_access_key=world.secret_access_key,
        )
        assert sts.get_caller_identity()["Account"] == "210987654321"
        assert world.running  # seeding did not kill it


def test_history_writes_the_lines_in_a_loop_before_the_start(tmp_path: Path) -> None:
    path = _write(tmp_path, _FIXABLE.format(stream="history: 30s"))
    stream = load_scenario(path).logs[0].streams[0]
    times = [event.at for event in stream.events]
    assert len(times) == 11, "ten older lines, then the first at its start"
    assert all(b - a == times[1] - times[0] for a, b in itertools.pairwise(times))
    assert (times[1] - times[0]).total_seconds() == 3
    assert {event.message for event in stream.events} == {"[ERROR] boom"}


def test_history_without_lines_is_one_line(tmp_path: Path) -> None:
    text = _FIXABLE.format(stream="history: 30s").replace('lines: ["[ERROR] boom"], ', "")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(_write(tmp_path, text))
    assert str(caught.value) == (
        "seeds.yaml: logs[0].streams[0].history: history repeats lines: give lines and every"
    )


def test_another_accounts_live_stream_is_one_line(tmp_path: Path) -> None:
    text = """\
world: {}
accounts:
  - profile: other
    account_id: "210987654321"
    access_key_id: AKIAOTHERACCOUNT0001
    secret_access_key: other-secret
    logs:
      - group: /ecs/other
        region: us-east-1
        streams:
          - {name: s, start: -1m, every: 5s, lines: ["up"], live: true}
"""
    with pytest.raises(ScenarioError) as caught:
        load_scenario(_write(tmp_path, text))
    assert str(caught.value) == (
        "seeds.yaml: accounts[0].logs[0].streams[0].live: another account's streams hold "
        "events, none live"
    )
