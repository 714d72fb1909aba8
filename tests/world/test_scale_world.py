"""A generated world at a small scale: the generator's counts and problems, the world's
pages, and shipdeck reading every item across them over real HTTP."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from kubernetes import config as k8s_config

from cli.world import ProgressLine
from cloud.findings import find
from cloud.model.builder import read_snapshot
from cloud.session import CloudSession
from demo.launcher import WorldProcess
from demo.scale import PROBLEM_SHARE, REGIONS, ScaleScenario, counts, scenario_text
from demo.scenario import load_scenario
from tests.support import running_world

PAGE = 3  # the world's page size here: every list of more than 3 items takes pages
PROBLEMS = {
    "ecr": {"missing-latest", "buildcache-bloat"},
    "codebuild": {"failing-builds", "quota-blocked"},
    "ecs": {"oom-killed", "image-missing"},
    "lambda": {"timeouts"},
    "k8s": {"crash-loop", "image-pull"},
}


@pytest.mark.parametrize("scale", [1, 2])
def test_the_generator_makes_the_counts_of_its_scale(scale: int, tmp_path: Path) -> None:
    path = tmp_path / f"scale{scale}.yaml"
    path.write_text(scenario_text(scale), encoding="utf-8")
    scenario = load_scenario(path)  # a valid scenario file: the world's own reader takes it
    n = counts(scale)
    assert len(scenario.ecr) == n["repositories"] == 30 * scale
    assert {len(r.images) for r in scenario.ecr} == {8}
    assert len(scenario.codebuild) == n["projects"] == 3 * scale
    assert {len(p.builds) for p in scenario.codebuild} == {20}
    assert sum(len(c.services) for c in scenario.ecs) == 10 * scale
    assert len(scenario.functions) == 5 * scale
    assert scenario.kubernetes is not None
    assert len(scenario.kubernetes.deployments) == 20 * scale
    assert {d.replicas for d in scenario.kubernetes.deployments} == {3}
    assert set(scenario.regions) == set(REGIONS)
    names = [r.name for r in scenario.ecr] + [f.name for f in scenario.functions]
    assert not any(name.startswith("nova") for name in names)  # its own names


@pytest.mark.parametrize("scale", [1, 4])
def test_each_problem_is_a_few_percent_of_its_kind(scale: int) -> None:
    generated = ScaleScenario(scale)
    generated.document()
    n = counts(scale)
    totals = {
        "ecr": n["repositories"],
        "codebuild": n["projects"],
        "ecs": n["services"],
        "lambda": n["functions"],
        "k8s": n["deployments"],
    }
    for kind, problems in PROBLEMS.items():
        marked = generated.problems[kind]
        assert set(marked.values()) == problems, kind
        for problem in problems:
            share = sum(1 for p in marked.values() if p == problem) / totals[kind]
            # At least one of each; a few percent where the kind has rows enough.
            assert share <= max(PROBLEM_SHARE * 1.5, 1 / totals[kind]), (kind, problem)


def test_the_same_scale_gives_the_same_file() -> None:
    assert scenario_text(2) == scenario_text(2)
    assert "page_size: 7" in scenario_text(1, page_size=7)


def test_a_progress_line_is_rewritten_in_place_on_a_terminal() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    line = ProgressLine(terminal)
    line("seeding 10 of 20 resources")
    line("seeding 20 of 20 resources")
    line.done("ready, seeded in 1.0s")
    shown = terminal.getvalue()
    assert shown.count("\n") == 1  # one line, rewritten
    assert shown.endswith("\r\x1b[K# world: ready, seeded in 1.0s\n")
    piped = io.StringIO()
    quiet = ProgressLine(piped)
    quiet("seeding 1 of 2 resources")
    quiet.done("ready")
    assert piped.getvalue() == ""


# --- a world of the generated scenario, paged 3 items at a time ----------------------------


@pytest.fixture(scope="module")
def paged_world(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[WorldProcess, list[str]]]:
    folder = tmp_path_factory.mktemp("scale")
    path = folder / "scale1.yaml"
    path.write_text(scenario_text(1, page_size=PAGE), encoding="utf-8")
    steps: list[str] = []
    with running_world(path, point=False, on_progress=steps.append, timeout=60) as world:
        yield world, steps


@pytest.fixture
def world(paged_world: tuple[WorldProcess, list[str]]) -> WorldProcess:
    return paged_world[0]


def _client(world: WorldProcess, service: str, region: str) -> Any:
    return boto3.client(
        service,  # type: ignore[call-overload]
        region_name=region,
        endpoint_url=world.aws_endpoint,
        aws_access_key_id=world.access_key_id,
        aws_secret_access_key=world.secret_access_key,
    )


def test_the_world_says_how_seeding_goes_before_it_is_ready(
    paged_world: tuple[WorldProcess, list[str]],
) -> None:
    world, steps = paged_world
    seeding = [s for s in steps if s.startswith("seeding ")]
    assert seeding, steps
    assert seeding[-1].startswith("seeding ") and " of " in seeding[-1]
    done, _, total = (
        seeding[-1].removeprefix("seeding ").removesuffix(" resources").partition(" of ")
    )
    assert done == total  # the last line says all of it is in
    assert world.seeded_seconds > 0


def test_aws_lists_come_in_pages_of_the_scenario_size(world: WorldProcess) -> None:
    region = "us-east-1"
    ecr = _client(world, "ecr", region)
    repositories = ecr.describe_repositories()
    assert len(repositories["repositories"]) == PAGE and repositories.get("nextToken")
    name = repositories["repositories"][0]["repositoryName"]
    images = ecr.describe_images(repositoryName=name)
    assert len(images["imageDetails"]) == PAGE and images.get("nextToken")
    everything = [
        d
        for page in ecr.get_paginator("describe_images").paginate(repositoryName=name)
        for d in page["imageDetails"]
    ]
    assert len({d["imageDigest"] for d in everything}) == 8
    codebuild = _client(world, "codebuild", region)
    project = codebuild.list_projects()["projects"][0]
    builds = codebuild.list_builds_for_project(projectName=project)
    assert len(builds["ids"]) == PAGE and builds.get("nextToken")
    lambdas = _client(world, "lambda", region)
    functions = lambdas.list_functions(MaxItems=1)  # two in this region
    assert len(functions["Functions"]) == 1 and functions.get("NextMarker")
    rest = lambdas.list_functions(Marker=functions["NextMarker"])
    assert len(rest["Functions"]) == 1 and not rest.get("NextMarker")
    ecs = _client(world, "ecs", region)
    cluster = ecs.list_clusters()["clusterArns"][0]
    services = ecs.list_services(cluster=cluster)
    assert len(services["serviceArns"]) == PAGE and services.get("nextToken")  # of four
    logs = _client(world, "logs", region)
    group = f"/aws/codebuild/{project}"
    events = logs.filter_log_events(logGroupName=group)
    assert len(events["events"]) == PAGE and events.get("nextToken")


def test_kubernetes_lists_come_in_pages_when_asked_with_a_limit(world: WorldProcess) -> None:
    loader: Any = k8s_config.new_client_from_config
    api = loader(config_file=world.kubeconfig, context=world.kube_context)
    from kubernetes import client as k8s

    core: Any = k8s.CoreV1Api(api)
    first = core.list_pod_for_all_namespaces(limit=500)
    assert len(first.items) == PAGE and first.metadata._continue
    names = [p.metadata.name for p in first.items]
    token = first.metadata._continue
    while token:
        page = core.list_pod_for_all_namespaces(limit=500, _continue=token)
        names += [p.metadata.name for p in page.items]
        token = page.metadata._continue
    assert len(names) == len(set(names)) == counts(1)["pods"]
    assert len(core.list_pod_for_all_namespaces().items) == counts(1)["pods"]  # no limit: all


def test_shipdeck_reads_every_item_across_the_pages_and_finds_each_problem(
    world: WorldProcess, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name, value in world.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    session = CloudSession(regions=world.regions, kube_context=world.kube_context)
    snapshot = read_snapshot(session)
    assert snapshot.errors == ()
    n = counts(1)
    repositories = snapshot.records("ecr")
    assert len(repositories) == n["repositories"]
    assert sum(r.image_count for r in repositories) == n["images"]
    projects = snapshot.records("codebuild")
    assert len(projects) == n["projects"]
    assert {len(p.recent_builds) for p in projects} == {10}  # the ten newest, over 4 pages
    assert {p.last_build.number for p in projects if p.last_build} == {20}
    assert len(snapshot.records("ecs")) == n["services"]
    assert len(snapshot.records("lambda")) == n["functions"]
    deployments = snapshot.records("k8s")
    assert len(deployments) == n["deployments"]
    assert sum(len(d.pods) for d in deployments) == n["pods"]
    generated = ScaleScenario(1)
    generated.document()
    findings = find(snapshot)
    named = {f.ref.name for f in findings} | {m.ref.name for f in findings for m in f.marks}
    for kind, rows in generated.problems.items():
        for name in rows:
            assert any(n == name or n.endswith("/" + name) for n in named), (kind, name)
    serious = [f for f in findings if f.severity.value != "info"]
    assert len(serious) <= sum(len(rows) for rows in generated.problems.values())
