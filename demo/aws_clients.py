"""boto3 clients for the world's own calls to moto, and a CloudWatch Logs writer."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from functools import partial
from typing import Any

import boto3
import botocore.config
from botocore.exceptions import ClientError

from demo import moto_direct

_CONFIG = botocore.config.Config(
    retries={"max_attempts": 2, "mode": "standard"}, max_pool_connections=16
)


def _name_account(account: str, request: Any, **_: Any) -> None:
    request.headers["x-moto-account-id"] = account


class ClientPool:
    """One client per (service, region), created once and shared (clients are thread-safe)."""

    def __init__(
        self, endpoint: str, access_key: str, secret_key: str, account: str | None = None
    ) -> None:
        self.endpoint = endpoint
        self._session = boto3.session.Session(
            aws_access_key_id=access_key, aws_secret_access_key=secret_key
        )
        if account is not None:  # a world of several accounts names its own on each call
            self._session.events.register("before-sign", partial(_name_account, account))
        self._clients: dict[tuple[str, str], Any] = {}
        # Creating clients from one session is not thread-safe, using them is.
        self._lock = threading.Lock()

    def get(self, service: str, region: str) -> Any:
        """The client for ``service`` in ``region``."""
        key = (service, region)
        client = self._clients.get(key)
        if client is None:
            with self._lock:
                client = self._clients.get(key)
                if client is None:
                    client = self._session.client(
                        service, region_name=region, endpoint_url=self.endpoint, config=_CONFIG
                    )  # type: ignore[call-overload]
                    self._clients[key] = client
        return client


NOW = "{{now}}"


def stamped(text: str, at: datetime) -> str:
    """``text`` with every ``{{now}}`` as ``at`` in ISO 8601 to the millisecond (UTC)."""
    if NOW not in text:
        return text
    when = at.astimezone(UTC)
    return text.replace(NOW, f"{when:%Y-%m-%dT%H:%M:%S}.{when.microsecond // 1000:03d}Z")


class LogSink:
    """Writes events to CloudWatch Logs (moto), creating groups and streams on demand.

    While ``direct_account`` is set (the world is seeding, no client is let in yet) the
    events go straight into moto's backend for that account (``demo.moto_direct``);
    otherwise through the API, like any client's.
    """

    def __init__(self, clients: ClientPool) -> None:
        self._clients = clients
        self._known: set[tuple[str, str, str]] = set()
        self._lock = threading.Lock()
        self.direct_account: str | None = None
        self._direct_lock = threading.Lock()

    def write(
        self, region: str, group: str, stream: str, events: list[tuple[datetime, str]]
    ) -> None:
        """Append ``events`` (time, message) to ``group``/``stream``.

        ``{{now}}`` in a message becomes its time (``2025-11-11T05:12:44.118Z``), so a
        JSON line's own ``timestamp`` field is the time it was written.
        """
        events = [(at, stamped(text, at)) for at, text in events]
        account = self.direct_account
        if account is not None:
            ordered = sorted(events, key=lambda e: e[0])
            batch = [
                {"timestamp": int(at.timestamp() * 1000), "message": text} for at, text in ordered
            ]
            with self._direct_lock, self._lock:
                self._known.add((region, group, stream))
                moto_direct.write_log_events(account, region, group, stream, batch)
            return
        logs = self._clients.get("logs", region)
        key = (region, group, stream)
        with self._lock:
            fresh = key not in self._known
            self._known.add(key)
        if fresh:
            self._ensure(logs, group, stream)
        if not events:
            return
        ordered = sorted(events, key=lambda e: e[0])
        batch = [{"timestamp": int(at.timestamp() * 1000), "message": text} for at, text in ordered]
        for start in range(0, len(batch), 5000):
            logs.put_log_events(
                logGroupName=group, logStreamName=stream, logEvents=batch[start : start + 5000]
            )

    @staticmethod
    def _ensure(logs: Any, group: str, stream: str) -> None:
        for create, kwargs in (
            (logs.create_log_group, {"logGroupName": group}),
            (logs.create_log_stream, {"logGroupName": group, "logStreamName": stream}),
        ):
            try:
                create(**kwargs)
            except ClientError as err:
                if err.response["Error"]["Code"] != "ResourceAlreadyExistsException":
                    raise
