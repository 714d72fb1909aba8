"""Follow log groups with StartLiveTail, reopening ended sessions without loss or duplicates.

A live-tail session streams lines ingested after it opened, up to 10 groups,
for at most 3 hours. When a session ends it is reopened and the gap is bridged
with FilterLogEvents from the newest timestamp seen. Live-tail lines carry no
eventId, so overlap between the bridge and the sessions is removed by content
(group, stream, timestamp, message) over a sliding window of recent lines.
When live tail cannot be used (limit of sessions reached, an endpoint that
lacks it or ends sessions at once) the caller falls back to polling.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from cloud.errors import classify, recoverable_errors
from cloud.logs.limits import TokenBucket
from cloud.logs.merge import one_round
from cloud.logs.polling import GroupPoller
from cloud.logs.records import LogBatch, LogEvent, LogStatus, LogTarget, StatusKind

if TYPE_CHECKING:
    from types_boto3_logs import CloudWatchLogsClient
    from types_boto3_logs.type_defs import (
        LiveTailSessionLogEventTypeDef,
        StartLiveTailRequestTypeDef,
    )

MAX_GROUPS_PER_SESSION = 10
SHORT_SESSION_SECONDS = 10.0  # a session that ends sooner is not a working live tail
SHORT_SESSIONS_BEFORE_FALLBACK = 2
RECENT_WINDOW_MS = 120_000
RECENT_MAX_KEYS = 200_000
_AWS_SUFFIXES = (".amazonaws.com", ".amazonaws.com.cn", ".api.aws")

ContentKey = tuple[str, str, int, str]


class RecentKeys:
    """Content keys of recently shown lines, forgotten once older than a window (bounded)."""

    def __init__(self, window_ms: int = RECENT_WINDOW_MS, max_keys: int = RECENT_MAX_KEYS) -> None:
        self._window = window_ms
        self._max = max_keys
        self._keys: set[ContentKey] = set()
        self._order: deque[ContentKey] = deque()
        self.newest_ms = 0

    def fresh(self, event: LogEvent) -> bool:
        """True (and remembered) the first time a line is offered; False for a repeat."""
        if event.timestamp_ms < self.newest_ms - self._window:
            return False  # older than anything the window vouches for: the bridge had it
        key = (event.group, event.stream, event.timestamp_ms, event.message)
        if key in self._keys:
            return False
        self._keys.add(key)
        self._order.append(key)
        self.newest_ms = max(self.newest_ms, event.timestamp_ms)
        horizon = self.newest_ms - self._window
        while self._order and (self._order[0][2] < horizon or len(self._order) > self._max):
            self._keys.discard(self._order.popleft())
        return True

    def keep_bridged(self, events: Sequence[LogEvent]) -> tuple[LogEvent, ...]:
        """``events`` (one page, oldest first) without repeats, remembering what may recur.

        Only a line no newer than everything remembered can be a repeat, so only
        those are looked up; lines of the page that share a key are distinct
        events (a bridge reads each eventId once) and all are kept. The page's
        last window is remembered in one go (older lines would be forgotten
        before the page is done): a long backfill costs a comparison per line
        and a key per remembered line, not a call per line.
        """
        if not events:
            return ()
        newest = self.newest_ms
        if events[0].timestamp_ms > newest:
            kept = tuple(events)
        else:
            known, oldest = self._keys, newest - self._window
            kept = tuple(
                e
                for e in events
                if e.timestamp_ms > newest
                or (
                    e.timestamp_ms >= oldest
                    and (e.group, e.stream, e.timestamp_ms, e.message) not in known
                )
            )
        if kept:
            self._remember(kept)
        return kept

    def _remember(self, kept: Sequence[LogEvent]) -> None:
        """Remember the keys of ``kept`` that are within the window of the newest line."""
        page_newest = max(e.timestamp_ms for e in kept)
        self.newest_ms = max(self.newest_ms, page_newest)
        horizon = self.newest_ms - self._window
        keys = [
            (e.group, e.stream, e.timestamp_ms, e.message)
            for e in kept
            if e.timestamp_ms >= horizon
        ]
        self._keys.update(keys)
        self._order.extend(keys)
        order, forget = self._order, self._keys.discard
        while order and (order[0][2] < horizon or len(order) > self._max):
            forget(order.popleft())

    def filter(self, batches: Iterable[LogBatch]) -> Iterator[LogBatch]:
        """Drop repeats from batches until lines are newer than everything remembered."""
        for batch in batches:
            if batch.events and batch.events[0].timestamp_ms > self.newest_ms:
                yield batch
                continue
            newest = self.newest_ms
            kept = tuple(e for e in batch.events if e.timestamp_ms > newest or self.fresh(e))
            if kept or batch.statuses:
                yield LogBatch(kept, batch.statuses)


def live_tail_refusal(client: CloudWatchLogsClient, targets: Sequence[LogTarget]) -> str | None:
    """Why live tail cannot follow ``targets`` with ``client``; None when it can be tried."""
    if not targets:
        return "no log groups"
    if len(targets) > MAX_GROUPS_PER_SESSION:
        return f"live tail takes at most {MAX_GROUPS_PER_SESSION} groups a session"
    if len({t.region for t in targets}) > 1:
        return "groups in several regions"
    if len(targets) > 1 and any(t.streams or t.stream_prefix for t in targets):
        return "live tail narrows to streams only for a single group"
    if not hasattr(client, "start_live_tail"):
        return "this botocore has no StartLiveTail"
    host = urlsplit(client.meta.endpoint_url).hostname or ""
    if not host.endswith(_AWS_SUFFIXES) and client.meta.config.inject_host_prefix:
        return (
            f"custom endpoint {host}: the client would prefix 'stream-' to its host "
            "(create it with Config(inject_host_prefix=False))"
        )
    return None


class LiveTail:
    """Batches from StartLiveTail sessions over ``targets`` (one region), bridged on reopen.

    After ``batches()`` returns, ``fell_back`` says whether polling should take
    over, from ``watermark_ms`` and filtering repeats through ``recent``.
    """

    def __init__(
        self,
        client: CloudWatchLogsClient,
        targets: Sequence[LogTarget],
        limiter: TokenBucket,
        *,
        start_ms: int,
        pattern: str | None = None,
        stop: threading.Event | None = None,
        keep_following: Callable[[], bool] | None = None,
        page_limit: int | None = None,
    ) -> None:
        self._client = client
        self._targets = tuple(targets)
        self._limiter = limiter
        self._start_ms = start_ms
        self._pattern = pattern
        self._stop = stop
        self._keep_following = keep_following
        self._page_limit = page_limit
        self._label = ", ".join(t.shown for t in self._targets)
        self.watermark_ms = start_ms
        self.recent = RecentKeys()
        self.fell_back = False

    def _stopped(self) -> bool:
        return self._stop is not None and self._stop.is_set()

    def _fallback(self, reason: str) -> LogBatch:
        self.fell_back = True
        return LogBatch((), (LogStatus(StatusKind.MODE, self._label, f"polling: {reason}"),))

    def _request(self) -> StartLiveTailRequestTypeDef:
        arns = [self._arn(t) for t in self._targets]
        request: StartLiveTailRequestTypeDef = {"logGroupIdentifiers": arns}
        only = self._targets[0]
        if only.streams:
            request["logStreamNames"] = list(only.streams)
        elif only.stream_prefix:
            request["logStreamNamePrefixes"] = [only.stream_prefix]
        if self._pattern:
            request["logEventFilterPattern"] = self._pattern
        return request

    def _arn(self, target: LogTarget) -> str:
        answer = self._client.describe_log_groups(logGroupNamePrefix=target.group)
        for group in answer.get("logGroups", ()):
            if group.get("logGroupName") == target.group:
                arn = group.get("logGroupArn") or group.get("arn", "").removesuffix(":*")
                if arn:
                    return arn
        raise LookupError(f"log group {target.group} not found in {target.region}")

    def batches(self) -> Iterator[LogBatch]:
        """Session after session until ``stop``, the source ends, or a fallback to polling."""
        recoverable: tuple[type[BaseException], ...] = (*recoverable_errors(), LookupError)
        region = self._targets[0].region
        try:
            request = self._request()
        except recoverable as exc:
            yield self._fallback(f"live tail not started: {_reason(exc, region)}")
            return
        by_arn = dict(zip(request["logGroupIdentifiers"], self._targets, strict=True))
        short_sessions = 0
        reopened_because: str | None = None
        while not self._stopped():
            if not self._limiter.acquire(self._stop):
                return
            opened = time.monotonic()
            try:
                response = self._client.start_live_tail(**request)
            except recoverable as exc:
                yield self._fallback(f"live tail refused: {_reason(exc, region)}")
                return
            if reopened_because is None:
                text = "live tail"
                yield LogBatch((), (LogStatus(StatusKind.MODE, self._label, text),))
            else:
                text = f"{reopened_because}; reopened and bridged the gap"
                yield LogBatch((), (LogStatus(StatusKind.RECONNECTED, self._label, text),))
            yield from self._bridge()
            stream = response["responseStream"]
            sampled = False
            finished = False
            try:
                for item in stream:
                    update = item.get("sessionUpdate")
                    if update is None:
                        continue
                    statuses: tuple[LogStatus, ...] = ()
                    now_sampled = bool(update.get("sessionMetadata", {}).get("sampled"))
                    if now_sampled != sampled:
                        sampled = now_sampled
                        text = "showing a sample of the lines" if sampled else "every line again"
                        statuses = (LogStatus(StatusKind.SAMPLED, self._label, text),)
                    events = self._fresh(update.get("sessionResults", ()), by_arn)
                    if events or statuses:
                        yield LogBatch(events, statuses)
                    if self._stopped():
                        return
                    if self._keep_following is not None and not self._keep_following():
                        finished = True
                        break
                reopened_because = "the live tail session ended"
            except recoverable as exc:
                reopened_because = f"live tail session ended: {_reason(exc, region)}"
            finally:
                stream.close()
            if finished:
                yield from self._bridge()
                return
            if time.monotonic() - opened < SHORT_SESSION_SECONDS:
                short_sessions += 1
            else:
                short_sessions = 0
            if short_sessions >= SHORT_SESSIONS_BEFORE_FALLBACK:
                yield self._fallback("live tail sessions of this endpoint end at once")
                return

    def _bridge(self) -> Iterator[LogBatch]:
        """FilterLogEvents from the watermark to now: the since window, or a reopen's gap."""
        pollers = [
            GroupPoller(
                self._client,
                target,
                self._limiter,
                start_ms=self.watermark_ms,
                pattern=self._pattern,
                page_limit=self._page_limit,
                stop=self._stop,
            )
            for target in self._targets
        ]
        for batch in one_round(pollers):
            kept = self.recent.keep_bridged(batch.events)
            if kept:
                self.watermark_ms = max(self.watermark_ms, kept[-1].timestamp_ms)
            if kept or batch.statuses:
                yield LogBatch(kept, batch.statuses)

    def _fresh(
        self,
        results: Iterable[LiveTailSessionLogEventTypeDef],
        by_arn: dict[str, LogTarget],
    ) -> tuple[LogEvent, ...]:
        events: list[LogEvent] = []
        for raw in results:
            stamp = raw.get("timestamp", 0)
            if stamp < self._start_ms:
                continue
            target = _target_of(raw.get("logGroupIdentifier", ""), by_arn)
            if target is None:
                continue  # another group's line: never shown under this one's name
            event = LogEvent(
                stamp,
                raw.get("ingestionTime"),
                target.shown,
                raw.get("logStreamName", ""),
                raw.get("message", ""),
                "",
            )
            if self.recent.fresh(event):
                events.append(event)
        events.sort(key=lambda e: e.timestamp_ms)
        if events:
            self.watermark_ms = max(self.watermark_ms, events[-1].timestamp_ms)
        return tuple(events)


def _target_of(identifier: str, by_arn: dict[str, LogTarget]) -> LogTarget | None:
    """The target a live-tail line belongs to (by ARN or by group name), None for another group.

    A session is asked for its groups only, but an endpoint may send more; a line
    is shown only under the group it says it is from.
    """
    arn = identifier.removesuffix(":*")
    found = by_arn.get(arn)
    if found is not None:
        return found
    name = arn.rpartition(":log-group:")[2] if ":log-group:" in arn else arn
    return next((t for t in by_arn.values() if t.group == name), None)


def _reason(exc: BaseException, region: str) -> str:
    if isinstance(exc, LookupError):
        return str(exc)
    return classify(exc, "logs", region).line()
