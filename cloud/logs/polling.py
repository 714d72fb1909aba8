"""Follow one log group with FilterLogEvents: from a watermark, paged, without gaps or duplicates.

Each pass asks for every event at or after the newest timestamp seen so far.
Events at exactly that millisecond may have been shown already, so the poller
keeps the ids of the boundary millisecond only (not of everything it has
shown): memory stays bounded however long the stream runs.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
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

_NOTHING = object()  # read_pass is not waiting for a page
_CALLING = threading.local()  # the poller and token of the call this thread is making
_NEXT_TOKEN = re.compile(rb'"nextToken"\s*:\s*"((?:[^"\\]|\\.)*)"')
_RAW_PAGE_EVENT = "before-parse.cloudwatch-logs.FilterLogEvents"


def raw_next_token(body: bytes) -> str | None:
    """The ``nextToken`` of a raw FilterLogEvents response body, or None.

    Inside a JSON string every quote is escaped, and only a key is followed by a
    colon; this response has a key of that name at its top level only.
    """
    found = _NEXT_TOKEN.search(body)
    if found is None:
        return None
    try:
        token = json.loads(b'"' + found.group(1) + b'"')
    except ValueError:
        return None
    return token if isinstance(token, str) and token else None


def _on_raw_page(response_dict: dict[str, Any] | None = None, **_: Any) -> None:
    """botocore's ``before-parse`` hook: tell the poller whose call this is."""
    poller = getattr(_CALLING, "poller", None)
    if poller is None or response_dict is None or response_dict.get("status_code") != 200:
        return
    body = response_dict.get("body")
    if isinstance(body, bytes):
        poller.page_arrived(_CALLING.token, body)


def _listen_for_raw_pages(client: Any) -> None:
    """Register the raw-page hook on ``client`` (once: the id makes it idempotent)."""
    events = getattr(getattr(client, "meta", None), "events", None)
    if events is not None:
        events.register(_RAW_PAGE_EVENT, _on_raw_page, unique_id="shipdeck-raw-page")


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
        self._counting = threading.Lock()
        self._pages: ThreadPoolExecutor | None = None  # the calls of the pass under way
        self._awaited: object = _NOTHING  # the token of the page read_pass waits for
        self._sent_ahead: dict[str, Future[FilterLogEventsResponseTypeDef | None]] = {}
        _listen_for_raw_pages(client)

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
        # When the consumer is already waiting, the token is taken from the raw
        # response, so the call also overlaps botocore's parsing of the page.
        pages = ThreadPoolExecutor(max_workers=2, thread_name_prefix="shipdeck-page")
        self._pages = pages
        try:
            token: str | None = None
            pending = pages.submit(self._call, token)
            while True:
                self._awaited = token
                try:
                    page = pending.result()
                except recoverable as exc:
                    self._awaited = _NOTHING
                    error = classify(exc, "logs", self.target.region)
                    if error.kind is ErrorKind.THROTTLED and backoff.attempt < MAX_THROTTLE_RETRIES:
                        delay = backoff.next_delay()
                        text = f"throttled; retrying in {delay:.1f}s"
                        yield LogStatus(StatusKind.THROTTLED, shown, text, error)
                        if not pause(delay, self._stop):
                            return
                        pending = pages.submit(self._call, token)  # the same page again
                        continue
                    yield LogStatus(StatusKind.ERROR, shown, error.line(), error)
                    return
                self._awaited = _NOTHING
                if page is None:  # stopped while waiting for the limiter
                    return
                backoff.reset()
                token = page.get("nextToken")
                if token and not self._stopped():
                    sent = self._sent_ahead.pop(token, None)
                    pending = sent or pages.submit(self._call, token)
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
            self._awaited = _NOTHING
            for early in self._sent_ahead.values():
                early.cancel()
            self._sent_ahead.clear()
            self._pages = None
            pages.shutdown(wait=False, cancel_futures=True)
            self._watermark, self._boundary = top, top_ids

    def _call(self, token: str | None) -> FilterLogEventsResponseTypeDef | None:
        """One FilterLogEvents call once the limiter allows it (None: stopped meanwhile)."""
        if not self._limiter.acquire(self._stop):
            return None
        with self._counting:
            self.calls += 1
        _CALLING.poller, _CALLING.token = self, token
        try:
            return self._client.filter_log_events(**self._request(token))
        finally:
            _CALLING.poller = None

    def page_arrived(self, token: str | None, body: bytes) -> None:
        """A page's raw response is in (its call's thread, before botocore parses it).

        If the consumer is waiting for exactly this page, the next call goes out
        now with the token read from the raw JSON; ``read_pass`` uses that call
        only when botocore parses the same token. Otherwise nothing happens, so
        at most two pages are ever on their way ahead of the consumer.
        """
        pages = self._pages
        if pages is None or token != self._awaited or self._stopped():
            return
        following = raw_next_token(body)
        if following is None or following in self._sent_ahead:
            return
        with contextlib.suppress(RuntimeError):  # the pass has just ended
            self._sent_ahead[following] = pages.submit(self._call, following)

    def _stopped(self) -> bool:
        return self._stop is not None and self._stop.is_set()
