"""What ``:profile``, ``:region`` and ``:ctx`` offer and check (``cloud.scopes``), on real
config files and a moto server: the AWS config and credentials files where the
environment says, the kubeconfig's contexts, and a scope refused with one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from cloud.scopes import aws_profiles, kube_contexts, open_scope, open_scopes, region_names
from cloud.session import CloudConfigError

KUBECONFIG = """\
apiVersion: v1
kind: Config
current-context: prod
clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
users: [{name: u, user: {token: t}}]
contexts:
  - {name: prod, context: {cluster: c, user: u}}
  - {name: staging, context: {cluster: c, user: u}}
"""


def test_profiles_come_from_both_files_where_the_environment_says(clean_env: Path) -> None:
    (clean_env / "aws-config").write_text(
        "[default]\nregion = us-east-1\n[profile prod]\nregion = eu-west-1\n", encoding="utf-8"
    )
    (clean_env / "aws-credentials").write_text(
        "[ci]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = x\n", encoding="utf-8"
    )
    assert aws_profiles() == ["ci", "default", "prod"]


def test_regions_and_contexts_on_offer(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert {"us-east-1", "ap-northeast-1", "eu-west-1"} <= set(region_names())
    # Keys work in one partition: China and GovCloud only for a console already there.
    assert not any(r.startswith(("cn-", "us-gov-", "us-iso")) for r in region_names())
    assert region_names(["ap-northeast-1"]) == region_names()
    china = region_names(["cn-north-1"])
    assert "cn-northwest-1" in china and "us-east-1" not in china
    assert kube_contexts() == []  # no kubeconfig: nothing to offer, not an error
    kubeconfig = clean_env / "kubeconfig"
    kubeconfig.write_text(KUBECONFIG, encoding="utf-8")
    monkeypatch.setenv("KUBECONFIG", str(kubeconfig))
    assert kube_contexts() == ["prod", "staging"]
    kubeconfig.write_text("contexts: [unclosed", encoding="utf-8")
    with pytest.raises(CloudConfigError, match="cannot read kubeconfig"):
        kube_contexts()


def test_open_scope_checks_the_credentials(
    clean_env: Path, moto_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    (clean_env / "aws-config").write_text(
        "[profile good]\nregion = us-east-1\naws_access_key_id = AKIAEXAMPLE\n"
        "aws_secret_access_key = x\n[profile empty]\nregion = us-east-1\n",
        encoding="utf-8",
    )
    session, account = open_scope("good", ("us-east-1",), None)
    assert session.profile == "good" and account == "123456789012"
    with pytest.raises(CloudConfigError, match=r"^profile 'empty': no credentials"):
        open_scope("empty", ("us-east-1",), None)
    with pytest.raises(CloudConfigError, match="unknown AWS profile 'gone'"):
        open_scope("gone", ("us-east-1",), None)
    with pytest.raises(CloudConfigError, match="unknown AWS region 'mars-1'"):
        open_scope("good", ("mars-1",), None)
    with pytest.raises(CloudConfigError, match="kube context 'prod' requested but no kubeconfig"):
        open_scope("good", ("us-east-1",), "prod")


def test_open_scopes_opens_every_profile_or_none(
    clean_env: Path, moto_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    (clean_env / "aws-config").write_text(
        "[profile a]\nregion = us-east-1\naws_access_key_id = AKIAEXAMPLE\n"
        "aws_secret_access_key = x\n[profile b]\nregion = us-east-1\n"
        "aws_access_key_id = AKIAEXAMPLE2\naws_secret_access_key = y\n",
        encoding="utf-8",
    )
    sessions, accounts = open_scopes(["a", "b"], ("eu-west-1",), None)
    assert [s.profile for s in sessions.all] == ["a", "b"] and sessions.tags == ("a", "b")
    assert all(s.regions == ("eu-west-1",) for s in sessions.all)
    assert accounts == {"a": "123456789012", "b": "123456789012"}
    one, accounts = open_scopes(["b"], ("us-east-1",), None)
    assert not one.several and one.primary.profile == "b" and accounts == {"": "123456789012"}
    with pytest.raises(CloudConfigError, match="unknown AWS profile 'gone'"):
        open_scopes(["a", "gone"], ("us-east-1",), None)
    with pytest.raises(CloudConfigError, match="AWS profile 'a' is given twice"):
        open_scopes(["a", "a"], ("us-east-1",), None)
