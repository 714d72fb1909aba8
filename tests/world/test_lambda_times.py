"""Lambda's LastModified is the scenario's, whatever the world's age; an update moves it to now."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from demo.scenario import load_scenario
from tests.support import running_world
from tests.world.helpers import Clients, StartWindow

NOVA = "ap-northeast-1"
REGISTRY = "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com"
LAMBDA_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000")
V060_PUSHED = -timedelta(days=1, hours=6)  # seeds.yaml: v0.6.0 pushed -1d6h, the last update


def _time(text: str) -> datetime:
    """Lambda's ``2025-11-11T04:39:26.000+0000``, checked and parsed."""
    assert LAMBDA_TIME.fullmatch(text), f"not Lambda's time format: {text!r}"
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f%z")


def _last_modified(aws: Clients, name: str) -> tuple[str, str, str]:
    """LastModified of ``name`` from GetFunction, GetFunctionConfiguration and ListFunctions."""
    lam = aws("lambda", NOVA)
    listed = [
        f["LastModified"]
        for page in lam.get_paginator("list_functions").paginate()
        for f in page["Functions"]
        if f["FunctionName"] == name
    ]
    assert len(listed) == 1
    return (
        lam.get_function(FunctionName=name)["Configuration"]["LastModified"],
        lam.get_function_configuration(FunctionName=name)["LastModified"],
        listed[0],
    )


def test_hr_chatbot_backend_was_last_updated_when_v060_was_pushed(
    aws: Clients, start_window: StartWindow
) -> None:
    got, config, listed = _last_modified(aws, "hr-chatbot-backend")
    assert got == config == listed
    at = _time(got)
    assert start_window.holds(at, V060_PUSHED), (at, start_window)
    pushed = aws("ecr", NOVA).describe_images(
        repositoryName="hr-chatbot-backend", imageIds=[{"imageTag": "v0.6.0"}]
    )["imageDetails"][0]["imagePushedAt"]
    assert at == pushed


SCENARIO = f"""
world: {{name: lambda times, default_region: {NOVA}}}
ecr:
  - name: app
    region: {NOVA}
    images:
      - {{tags: [v2], size: 2000000, pushed: -3d}}
      - {{tags: [v1], size: 1000000, pushed: -9d}}
lambda:
  - {{name: pinned, region: {NOVA}, image: "{REGISTRY}/app:v1",
     last_modified: 2025-11-11T04:39:26Z}}
  - {{name: from-image, region: {NOVA}, image: "{REGISTRY}/app:v2"}}
  - {{name: not-in-ecr, region: {NOVA}, image: "{REGISTRY}/other:v5"}}
"""


def test_last_modified_defaults_to_the_image_push_else_the_world_start(tmp_path: Path) -> None:
    path = tmp_path / "lambda.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    anchor = datetime(2025, 11, 20, 12, 0, 0, tzinfo=UTC)
    functions = {f.name: f for f in load_scenario(path, now=anchor).functions}
    assert functions["pinned"].last_modified == datetime(2025, 11, 11, 4, 39, 26, tzinfo=UTC)
    assert functions["from-image"].last_modified == anchor - timedelta(days=3)
    assert functions["not-in-ecr"].last_modified == anchor


def test_the_world_serves_them_and_an_update_moves_last_modified_to_now(tmp_path: Path) -> None:
    path = tmp_path / "lambda.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    before = datetime.now(UTC)
    with running_world(path, point=False, state_dir=tmp_path / "world", timeout=60) as world:
        window = StartWindow(before, datetime.now(UTC))
        aws = Clients(world)
        lam = aws("lambda", NOVA)
        pinned = _last_modified(aws, "pinned")
        assert set(pinned) == {"2025-11-11T04:39:26.000+0000"}
        seeded = _last_modified(aws, "from-image")
        assert len(set(seeded)) == 1
        assert window.holds(_time(seeded[0]), -timedelta(days=3))
        assert window.holds(_time(_last_modified(aws, "not-in-ecr")[0]), timedelta(0))

        called = datetime.now(UTC)
        answer = lam.update_function_code(FunctionName="from-image", ImageUri=f"{REGISTRY}/app:v1")
        answered = datetime.now(UTC)
        # Lambda's times have milliseconds: the stamp may be up to 1 ms before ``called``.
        assert called - timedelta(milliseconds=1) <= _time(answer["LastModified"]) <= answered
        assert set(_last_modified(aws, "from-image")) == {answer["LastModified"]}

        called = datetime.now(UTC)
        answer = lam.update_function_configuration(FunctionName="from-image", Timeout=31)
        assert called - timedelta(milliseconds=1) <= _time(answer["LastModified"])
        assert set(_last_modified(aws, "from-image")) == {answer["LastModified"]}
        assert _last_modified(aws, "pinned") == pinned  # the other function did not change
