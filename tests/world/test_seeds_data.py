"""seeds.yaml holds the documented facts of the four incidents (no world needed)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from demo.model import Scenario
from demo.scenario import load_scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "demo" / "scenarios"

NOVA_NEWEST = {
    "auth-service": ("latest", 62_289_492, "2025-11-11T04:39:26"),
    "user-service": ("latest", 65_497_694, "2025-11-11T04:39:24"),
    "content-service": ("main-4514bb69c2497aa8be5618bc67cd026bbf29e792", 57_854_962,
                        "2025-11-11T04:40:01"),
    "feed-service": ("459aa29d23b384f04716ef42d8de9f85f1da4c65", 55_520_661,
                     "2025-11-11T01:44:57"),
    "media-service": ("main-4514bb69c2497aa8be5618bc67cd026bbf29e792", 64_904_470,
                      "2025-11-11T04:40:37"),
    "messaging-service": ("main-4514bb69c2497aa8be5618bc67cd026bbf29e792", 69_259_579,
                          "2025-11-11T04:41:16"),
    "search-service": ("main-4514bb69c2497aa8be5618bc67cd026bbf29e792", 59_472_085,
                       "2025-11-11T04:41:55"),
    "streaming-service": ("main-4514bb69c2497aa8be5618bc67cd026bbf29e792", 51_787_993,
                          "2025-11-11T04:42:31"),
    "graphql-gateway": ("main-4514bb69c2497aa8be5618bc67cd026bbf29e792", 44_602_278,
                        "2025-11-11T04:43:07"),
    "notification-service": ("main", 47_112_829, "2025-11-08T10:40:29"),
    "events-service": ("ad82d6c35dcc97af79055ac7f3ce00094d52f292", 43_857_125,
                       "2025-11-08T10:40:41"),
    "cdn-service": ("ad82d6c35dcc97af79055ac7f3ce00094d52f292", 53_041_011,
                    "2025-11-08T10:41:59"),
}  # fmt: skip
BUILDCACHE = {
    "feed-service": 1_225_557_261,
    "media-service": 1_236_070_629,
    "messaging-service": 1_277_099_998,
    "search-service": 1_173_857_665,
    "streaming-service": 1_072_324_404,
    "graphql-gateway": 1_199_557_638,
}


@pytest.fixture(scope="module")
def seeds() -> Scenario:
    """The incident world as data."""
    return load_scenario(SCENARIOS / "seeds.yaml")


def test_nova_newest_images_match_the_table(seeds: Scenario) -> None:
    repos = {r.name.removeprefix("nova/"): r for r in seeds.ecr if r.name.startswith("nova/")}
    assert set(repos) == set(NOVA_NEWEST)
    for service, (tag, size, pushed) in NOVA_NEWEST.items():
        repo = repos[service]
        assert repo.region == "ap-northeast-1" and repo.lifecycle_policy is None
        image = next(i for i in repo.images if tag in i.tags)
        assert image.size == size, service
        assert image.pushed_at == datetime.fromisoformat(pushed).replace(tzinfo=UTC)
        has_latest = any("latest" in i.tags for i in repo.images)
        assert has_latest == (service not in ("notification-service", "events-service",
                                              "cdn-service"))  # fmt: skip


def test_buildcache_sizes(seeds: Scenario) -> None:
    caches = {r.name.removeprefix("nova/"): i.size for r in seeds.ecr for i in r.images
              if "buildcache" in i.tags}  # fmt: skip
    assert caches == BUILDCACHE


def test_other_systems_are_in_their_regions(seeds: Scenario) -> None:
    regions = {r.name: r.region for r in seeds.ecr}
    assert regions["mangoo-backend"] == regions["mangoo-frontend"] == "us-east-1"
    assert regions["query-service"] == "ap-southeast-1"
    assert regions["hr-chatbot-backend"] == regions["hr-chatbot-frontend"] == "ap-northeast-1"
    hr = [r for r in seeds.ecr if r.name.startswith("hr-chatbot")]
    assert all(r.scan_on_push and r.encryption == "AES256" for r in hr)
    nova = next(p for p in seeds.codebuild if p.name == "nova-ecr-build")
    assert (nova.compute_type, nova.concurrent_build_limit) == ("BUILD_GENERAL1_LARGE", None)
    assert nova.tags["aws:cloudformation:stack-name"] == "nova-codebuild-stack"
    clusters = {c.name: c.region for c in seeds.ecs}
    assert clusters == {
        "query-service-cluster": "ap-southeast-1",
        "hr-chatbot-cluster": "ap-northeast-1",
        "mangoo-cluster": "us-east-1",
    }
    assert seeds.regions == ("ap-northeast-1", "ap-southeast-1", "us-east-1")


def test_deployment_table(seeds: Scenario) -> None:
    assert seeds.kubernetes is not None
    table = {d.name: (sum(g.count for g in d.pods if g.state == "Running"), d.replicas)
             for d in seeds.kubernetes.deployments}  # fmt: skip
    assert table == {
        "auth-service": (3, 3), "content-service": (3, 3), "feed-service": (3, 3),
        "media-service": (1, 1), "messaging-service": (1, 2), "notification-service": (3, 4),
        "cdn-service": (3, 4), "events-service": (0, 4), "user-service": (0, 4),
        "graphql-gateway": (2, 4),
    }  # fmt: skip


def test_minimal_scenario_loads() -> None:
    minimal = load_scenario(SCENARIOS / "minimal.yaml")
    assert minimal.regions == ("ap-northeast-1",)
    assert minimal.kubernetes is not None and minimal.kubernetes.deployments[0].replicas == 2
