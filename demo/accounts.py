"""More AWS accounts in one world: a second team's repositories and services, and its profile.

moto keeps every account apart (its backends are keyed by account id) and answers
a request as the account its ``x-moto-account-id`` header names. In a world with
``accounts:`` every call names its account: the world's own calls to moto and the
gateway's calls that no other account's key signed name the world's account; a
call signed with another account's key names that account, and only the world's
account-neutral routes look at it (ECS DescribeServices/DescribeTasks and ECR
DescribeImages, which match what they add by ARN or digest; AWS's default quota
values). Everything else the world adds (CodeBuild's builds, applied quotas and
requests, alarm history) models the world's own account: another account's calls
go to moto, and the Service Quotas lists moto lacks are answered as for an
account that never asked for a change.

The world writes an AWS config file with one profile per account (``world`` and
each entry's ``profile``), so ``shipdeck --demo --profile world --profile payments``
shows both accounts side by side.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from demo import scenario_sections as sections
from demo.model import EcrRepository, EcsCluster, LogGroup, Scenario
from demo.scenario_reader import Node

if TYPE_CHECKING:
    from collections.abc import Callable

    from demo.seed_aws import AwsSeeder

WORLD_PROFILE = "world"
"""The AWS profile of the world's own account in the config file the world writes."""
_KEY = re.compile(r"Credential=([A-Z0-9]+)/")
_SHARED_ROUTES = (
    "AmazonEC2ContainerServiceV20141113.DescribeServices",
    "AmazonEC2ContainerServiceV20141113.DescribeTasks",
    "AmazonEC2ContainerRegistry_V20150921.DescribeImages",
    "ServiceQuotasV20190624.ListAWSDefaultServiceQuotas",
    "ServiceQuotasV20190624.GetAWSDefaultServiceQuota",
)
"""Gateway routes that serve any account (they match what they add by ARN or digest, or
answer what is the same everywhere: AWS's default quota values)."""
_FRESH_ACCOUNT: dict[str, dict[str, list[object]]] = {
    "ServiceQuotasV20190624.ListServiceQuotas": {"Quotas": []},
    "ServiceQuotasV20190624.ListRequestedServiceQuotaChangeHistory": {"RequestedQuotas": []},
    "ServiceQuotasV20190624.ListRequestedServiceQuotaChangeHistoryByQuota": {"RequestedQuotas": []},
}
"""What moto lacks, answered as AWS answers an account that never changed a quota (its
defaults come from moto's ListAWSDefaultServiceQuotas)."""


@dataclass(frozen=True)
class ExtraAccount:
    """Another account of the world: its profile, credentials and resources."""

    profile: str
    account_id: str
    access_key_id: str
    secret_access_key: str
    ecr: tuple[EcrRepository, ...] = ()
    ecs: tuple[EcsCluster, ...] = ()
    logs: tuple[LogGroup, ...] = ()
    """Log groups with the events they hold (no live stream: the clock writes the world's)."""


def extra_accounts(
    node: Node, world_account: str, repository: Callable[[Node], EcrRepository]
) -> tuple[ExtraAccount, ...]:
    """The ``accounts:`` entries of a scenario (``repository`` parses an ``ecr`` entry)."""
    found: list[ExtraAccount] = []
    for entry in node.items():
        entry.check_keys(
            {"profile", "account_id", "access_key_id", "secret_access_key", "ecr", "ecs", "logs"}
        )
        account = entry.require("account_id").string()
        if not (account.isdigit() and len(account) == 12) or account == world_account:
            raise entry.get("account_id").fail(
                f"expected 12 digits other than the world's, got {account!r}"
            )
        profile = entry.require("profile").string()
        if profile == WORLD_PROFILE or any(a.profile == profile for a in found):
            raise entry.get("profile").fail(f"profile {profile!r} is already used")
        found.append(
            ExtraAccount(
                profile=profile,
                account_id=account,
                access_key_id=entry.require("access_key_id").string(),
                secret_access_key=entry.require("secret_access_key").string(),
                ecr=tuple(repository(n) for n in entry.get("ecr").items()),
                ecs=tuple(sections.ecs_cluster(n) for n in entry.get("ecs").items()),
                logs=tuple(_log_group(n) for n in entry.get("logs").items()),
            )
        )
    return tuple(found)


def _log_group(node: Node) -> LogGroup:
    group = sections.log_group(node)
    for stream, item in zip(group.streams, node.get("streams").items(), strict=True):
        if stream.live_every is not None:
            raise item.get("live").fail("another account's streams hold events, none live")
    return group


def aws_config(scenario: Scenario, accounts: tuple[ExtraAccount, ...]) -> str:
    """An AWS config file with one profile per account of the world."""
    world = scenario.world
    lines = [
        "# Written by the shipdeck demo world: one profile per account of the world.",
        f"[profile {WORLD_PROFILE}]",
        f"aws_access_key_id = {world.access_key_id}",
        f"aws_secret_access_key = {world.secret_access_key}",
        f"region = {world.default_region}",
    ]
    for account in accounts:
        lines += [
            "",
            f"[profile {account.profile}]",
            f"aws_access_key_id = {account.access_key_id}",
            f"aws_secret_access_key = {account.secret_access_key}",
            f"region = {world.default_region}",
        ]
    return "\n".join(lines) + "\n"


class AccountRouter:
    """Which account a call is for, by the access key that signed it."""

    def __init__(self, accounts: tuple[ExtraAccount, ...]) -> None:
        self._by_key = {a.access_key_id: a.account_id for a in accounts}

    def account(self, authorization: str) -> str | None:
        """The other account whose key signed the call; None for the world's own."""
        found = _KEY.search(authorization)
        return self._by_key.get(found.group(1)) if found else None

    @staticmethod
    def fresh(target: str | None) -> dict[str, list[object]] | None:
        """The answer of an account with no applied quota, for the calls moto lacks."""
        return _FRESH_ACCOUNT.get(target or "")

    @staticmethod
    def shared(target: str | None) -> bool:
        """Whether the gateway's route for ``target`` may serve another account."""
        return target in _SHARED_ROUTES


def _role_arn(account: str) -> Callable[[str], str]:
    def arn(name: str) -> str:
        return f"arn:aws:iam::{account}:role/{name}"

    return arn


def seed_accounts(
    accounts: tuple[ExtraAccount, ...], seeder: AwsSeeder, *, ecr: bool = True, ecs: bool = True
) -> None:
    """Put each other account's repositories and log groups (``ecr``) and services (``ecs``)
    straight into moto's backends. The world seeds the repositories first (a few, fast) and
    the services after its own (the first ECS call warms moto's EC2, the slow part)."""
    from demo.seed_ecs import EcsSeeder

    for account in accounts:
        if ecr:
            for repository in account.ecr:
                seeder.repository_in(account.account_id, repository)
            for group in account.logs:
                seeder.log_group_in(account.account_id, group)
        if not ecs:
            continue
        seeding = EcsSeeder(
            account.account_id, seeder.ecs_view, _role_arn(account.account_id), seeder.direct_lock
        )
        for cluster in account.ecs:
            seeding.seed_cluster(cluster)
