"""Helpers for the world tests: boto3 clients for the world, polling."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

import boto3

from demo.launcher import WorldProcess
from tests.support import until

T = TypeVar("T")


def eventually(probe: Callable[[], T | None], timeout: float = 45.0) -> T:
    """Poll until ``probe`` returns something truthy."""
    seen: list[T] = []

    def got() -> bool:
        value = probe()
        if value:
            seen.append(value)
        return bool(value)

    if not until(got, timeout, every=0.1):
        raise AssertionError("the world did not get there in time")
    return seen[-1]


@dataclass(frozen=True)
class StartWindow:
    """The test's clock before starting a world and once it was ready.

    The world anchors relative scenario times (``-1d6h``) at the whole second it
    loaded its scenario, which lies in ``[before - 1 s, ready]``.
    """

    before: datetime
    ready: datetime

    def holds(self, at: datetime, relative: timedelta) -> bool:
        """Whether ``at`` is a time the world may have made of ``relative`` (e.g. -1d6h)."""
        return self.before - timedelta(seconds=1) + relative <= at <= self.ready + relative


class Clients:
    """boto3 clients for the world, one per (service, region)."""

    def __init__(self, world: WorldProcess) -> None:
        self._world = world
        self._session = boto3.session.Session(
            aws_access_key_id=world.access_key_id, aws_secret_access_key=world.secret_access_key
        )
        self._cache: dict[tuple[str, str], Any] = {}

    def __call__(self, service: str, region: str = "ap-northeast-1") -> Any:
        key = (service, region)
        if key not in self._cache:
            self._cache[key] = self._session.client(  # type: ignore[call-overload]
                service, region_name=region, endpoint_url=self._world.aws_endpoint
            )
        return self._cache[key]
