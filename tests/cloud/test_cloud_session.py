"""What a person sees when the profile, a region or the kube context is wrong, and sharing."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from cloud.reuse import ReadCache
from cloud.session import CloudConfigError, CloudSession

KUBECONFIG = """\
apiVersion: v1
kind: Config
current-context: nova-eks
clusters:
- name: nova
  cluster: {server: "http://127.0.0.1:1"}
- name: local
  cluster: {server: "http://127.0.0.1:2"}
users:
- name: dev
  user: {token: "not-a-secret"}
contexts:
- name: nova-eks
  context: {cluster: nova, user: dev}
- name: kind-local
  context: {cluster: local, user: dev}
"""


def _profiles(home: Path) -> None:
    (home / "aws-config").write_text(
        "[profile alpha]\nregion = ap-northeast-1\n[profile beta]\nregion = us-west-2\n"
    )


def test_unknown_profile_names_the_known_ones(clean_env: Path) -> None:
    _profiles(clean_env)
    with pytest.raises(CloudConfigError) as raised:
        CloudSession(profile="gamma").validate()
    assert str(raised.value) == "unknown AWS profile 'gamma' (known: alpha, beta)"


def test_unknown_region(clean_env: Path) -> None:
    with pytest.raises(CloudConfigError) as raised:
        CloudSession(regions=["ap-northeast-1", "mars-north-1"]).validate()
    message = str(raised.value)
    assert message.startswith("unknown AWS region 'mars-north-1'")
    assert "\n" not in message


def test_regions_default_to_profile_then_env_then_us_east_1(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _profiles(clean_env)
    assert CloudSession(profile="alpha").regions == ("ap-northeast-1",)
    assert CloudSession().regions == ("us-east-1",)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    assert CloudSession().regions == ("eu-west-1",)
    assert CloudSession(regions=["us-east-1", "ap-southeast-1"]).regions == (
        "us-east-1",
        "ap-southeast-1",
    )


def test_no_kubeconfig_means_no_kubernetes(clean_env: Path) -> None:
    session = CloudSession()
    session.validate()
    assert session.kube_context is None
    assert session.kube_api() is None


def test_kube_context_resolves_and_validates(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = clean_env / "kubeconfig"
    path.write_text(KUBECONFIG)
    monkeypatch.setenv("KUBECONFIG", str(path))
    assert CloudSession().kube_context == "nova-eks"
    chosen = CloudSession(kube_context="kind-local")
    chosen.validate()
    assert chosen.kube_context == "kind-local"
    api = chosen.kube_api()
    assert api is not None
    assert api.configuration.host == "http://127.0.0.1:2"
    assert chosen.kube_api() is api
    with pytest.raises(CloudConfigError) as raised:
        CloudSession(kube_context="prod").validate()
    assert str(raised.value) == (
        f"kube context 'prod' not found in {path} (known: nova-eks, kind-local)"
    )


def test_unreadable_kubeconfig(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = clean_env / "kubeconfig"
    path.write_text("contexts: [this is: not: yaml")
    monkeypatch.setenv("KUBECONFIG", str(path))
    with pytest.raises(CloudConfigError) as raised:
        CloudSession().validate()
    assert str(raised.value).startswith(f"cannot read kubeconfig {path}: ")
    assert "\n" not in str(raised.value)


def test_missing_context_without_kubeconfig_names_the_path(clean_env: Path) -> None:
    with pytest.raises(CloudConfigError) as raised:
        CloudSession(kube_context="nova-eks").validate()
    assert str(raised.value) == (
        f"kube context 'nova-eks' requested but no kubeconfig at {clean_env / 'no-kubeconfig'}"
    )


def test_one_client_per_service_and_region_across_threads(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4566")
    session = CloudSession(regions=["ap-northeast-1"])
    assert session.endpoint_url == "http://127.0.0.1:4566"
    with ThreadPoolExecutor(max_workers=8) as pool:
        clients = list(pool.map(lambda _: session.client("ecr", "ap-northeast-1"), range(32)))
    assert len({id(c) for c in clients}) == 1
    assert session.client("ecr", "us-east-1") is not clients[0]
    config = clients[0].meta.config
    # botocore counts max_attempts=4 as 4 retries: 5 attempts in all.
    assert config.retries == {"mode": "standard", "total_max_attempts": 5}
    assert (config.connect_timeout, config.read_timeout) == (3, 10)
    assert clients[0].meta.endpoint_url == "http://127.0.0.1:4566"


def test_read_cache_runs_one_load_for_simultaneous_callers() -> None:
    now = [0.0]
    cache = ReadCache(clock=lambda: now[0])  # time stands still until the test moves it
    calls: list[int] = []
    asked = threading.Semaphore(0)

    def load() -> int:
        calls.append(1)
        for _ in range(4):  # the load runs until all four callers have asked
            assert asked.acquire(timeout=30)
        return len(calls)

    def ask(_: int) -> int:
        asked.release()
        return cache.get("services", load, max_age=0.0)

    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(ask, range(4)))
    assert answers == [1, 1, 1, 1]
    assert calls == [1]
    now[0] += 5.0
    for _ in range(4):
        asked.release()
    assert cache.get("services", load, max_age=10.0) == 1
    assert cache.get("services", load, max_age=0.0) == 2
