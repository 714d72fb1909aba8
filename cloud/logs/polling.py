"""Follow one log group with FilterLogEvents: from a watermark, paged, without gaps or duplicates.

Each pass asks for every event at or after the newest timestamp seen so far.
Events at exactly that millisecond may have been shown already, so the poller
keeps the ids of the boundary millisecond only (not of everything it has
shown): memory stays bounded however long the stream runs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from cloud.errors import classify, recoverable_errors
from cloud.logs.limits import Backoff, TokenBucket, pause
from cloud.logs.records import LogEvent, LogStatus, LogTarget, StatusKind
from cloud.records import ErrorKind

if TYPE_CHECKING:
    from types_boto3_logs import CloudWatchLogsClient
    from types_boto3_logs.type_defs import (
        FilterLogEventsRequestTypeDef,
        FilterLogEventsResponseTypeDef,
    )

ClientFactory = Callable[[str, str], Any]
"""``(service, region) -> boto3 client``; ``CloudSession.client`` is one."""

MAX_THROTTLE_RETRIES = 8  # then the pass ends with an error and the next pass resumes

PassItem = list[LogEvent] | LogStatus


class GroupPoller:
    """Reads one LogTarget with FilterLogEvents, pass after pass, each event exactly once."""

    def __init__(
        self,
        client: CloudWatchLogsClient,
        target: LogTarget,
        limiter: TokenBucket,
        *,
        start_ms: int,
        end_ms: int | None = None,
        pattern: str | None = None,
        page_limit: int | None = None,
        stop: threading.Event | None = None,
        backoff: Callable[[], Backoff] = Backoff,
    ) -> None:
        self._client = client
        self.target = target
        self._limiter = limiter
        self._end_ms = end_ms
        self._pattern = pattern
        self._page_limit = page_limit
        self._stop = stop
        self._backoff = backoff
        self._watermark = start_ms
        self._boundary: set[tuple[str, str]] = set()  # (stream, eventId) at the watermark ms
        self.calls = 0
        """FilterLogEvents calls made (throttled ones included)."""
        self._failed_token: str | None = None

    @property
    def watermark_ms(self) -> int:
        """The newest timestamp read so far (or the start, before anything was read)."""
        return self._watermark

    def _request(self, token: str | None) -> FilterLogEventsRequestTypeDef:
        request: FilterLogEventsRequestTypeDef = {
            "logGroupName": self.target.group,
            "startTime": self._watermark,
            "interleaved": True,
        }
        if self._end_ms is not None:
            request["endTime"] = self._end_ms
        if self.target.streams:
            request["logStreamNames"] = list(self.target.streams)
        elif self.target.stream_prefix:
            request["logStreamNamePrefix"] = self.target.stream_prefix
        if self._pattern:
            request["filterPattern"] = self._pattern
        if self._page_limit:
            request["limit"] = self._page_limit
        if token:
            request["nextToken"] = token
        return request

    def read_pass(self) -> Iterator[PassItem]:
        """One pass from the watermark to the newest event: lists of new events, and statuses.

        Errors never escape: throttling is retried with backoff, anything else
        ends the pass with an ERROR status and the next pass resumes from the
        watermark.
        """
        floor, seen = self._watermark, self._boundary
        top, top_ids = floor, set(seen)
        backoff = self._backoff()
        shown = self.target.shown
        recoverable = recoverable_errors()
        # One page is always on its way while the last one is used: the next call goes
        # out as soon as its token is known, so the consumer's work (parsing, drawing)
        # overlaps with the service's, as the API allows (same calls, same limiter).
        ahead = ThreadPoolExecutor(max_workers=1, thread_name_prefix="shipdeck-page")
        try:
            pending = ahead.submit(self._call, None)
            while True:
                try:
                    page = pending.result()
                except recoverable as exc:
                    error = classify(exc, "logs", self.target.region)
                    if error.kind is ErrorKind.THROTTLED and backoff.attempt < MAX_THROTTLE_RETRIES:
                        delay = backoff.next_delay()
                        text = f"throttled; retrying in {delay:.1f}s"
                        yield LogStatus(StatusKind.THROTTLED, shown, text, error)
                        if not pause(delay, self._stop):
                            return
                        pending = ahead.submit(self._call, self._failed_token)
                        continue
                    yield LogStatus(StatusKind.ERROR, shown, error.line(), error)
                    return
                if page is None:  # stopped while waiting for the limiter
                    return
                backoff.reset()
                token = page.get("nextToken")
                if token and not self._stopped():
                    pending = ahead.submit(self._call, token)
                fresh: list[LogEvent] = []
                add = fresh.append
                for raw in page.get("events", ()):
                    stamp = raw.get("timestamp", 0)
                    stream = raw.get("logStreamName", "")
                    event_id = raw.get("eventId", "")
                    if stamp <= top:
                        if stamp < floor or (stamp == floor and (stream, event_id) in seen):
                            continue
                        if stamp == top:
                            top_ids.add((stream, event_id))  # the boundary ms: remember ids
                    else:  # the common case in a time-ordered page: a new newest ms
                        top = stamp
                        top_ids.clear()
                        top_ids.add((stream, event_id))
                    add(
                        LogEvent(
                            stamp,
                            raw.get("ingestionTime"),
                            shown,
                            stream,
                            raw.get("message", ""),
                            event_id,
                        )
                    )
                if fresh:
                    yield fresh
                if not token or self._stopped():
                    return
        finally:
            ahead.shutdown(wait=False, cancel_futures=True)
            self._watermark, self._boundary = top, top_ids

    def _call(self, token: str | None) -> FilterLogEventsResponseTypeDef | None:
        """One FilterLogEvents call once the limiter allows it (None: stopped meanwhile)."""
        if not self._limiter.acquire(self._stop):
            return None
        self.calls += 1
        self._failed_token = token  # a throttled call is retried with the same token
        return self._client.filter_log_events(**self._request(token))

    def _stopped(self) -> bool:
        return self._stop is not None and self._stop.is_set()
