"""The log engine shared by the console and ``shipdeck tail``: pick a transport, merge, follow.

``tail_logs`` reads CloudWatch Logs targets from ``since_ms`` and, with
``follow``, keeps reading: through StartLiveTail where the endpoint offers it,
otherwise (or after a fallback) by polling FilterLogEvents. Either way the
caller gets an iterator of LogBatch in timestamp order, with status items for
errors, throttling, sampling, reconnects and transport changes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Literal

from cloud.logs.limits import SHARED_LIMITERS, RegionLimiters
from cloud.logs.livetail import LiveTail, live_tail_refusal
from cloud.logs.merge import BUSY_INTERVAL, IDLE_INTERVAL, poll_rounds
from cloud.logs.polling import ClientFactory, GroupPoller
from cloud.logs.records import LogBatch, LogStatus, LogTarget, StatusKind

if TYPE_CHECKING:
    from types_boto3_logs import CloudWatchLogsClient

TailMode = Literal["auto", "live", "poll"]
"""``auto``: live tail when following and the endpoint offers it; ``poll``: never."""


def tail_logs(
    clients: ClientFactory,
    targets: Sequence[LogTarget],
    *,
    since_ms: int,
    follow: bool = False,
    pattern: str | None = None,
    mode: TailMode = "auto",
    limiters: RegionLimiters = SHARED_LIMITERS,
    stop: threading.Event | None = None,
    keep_following: Callable[[], bool] | None = None,
    page_limit: int | None = None,
    busy_interval: float = BUSY_INTERVAL,
    idle_interval: float = IDLE_INTERVAL,
) -> Iterator[LogBatch]:
    """Batches of the targets' events from ``since_ms`` on, merged in timestamp order.

    Without ``follow`` it reads what exists now and ends. With ``follow`` it
    runs until ``stop`` is set, the consumer closes the iterator, or
    ``keep_following`` (asked between rounds) says the source has finished.
    """
    if not targets:
        return
    start_ms = since_ms
    recent = None
    if follow and mode != "poll":
        first: CloudWatchLogsClient = clients("logs", targets[0].region)
        refusal = live_tail_refusal(first, targets)
        if refusal is None:
            live = LiveTail(
                first,
                targets,
                limiters.for_region(targets[0].region),
                start_ms=since_ms,
                pattern=pattern,
                stop=stop,
                keep_following=keep_following,
                page_limit=page_limit,
            )
            yield from live.batches()
            if not live.fell_back or (stop is not None and stop.is_set()):
                return
            start_ms, recent = live.watermark_ms, live.recent
        else:
            label = ", ".join(t.shown for t in targets)
            status = LogStatus(StatusKind.MODE, label, f"polling: {refusal}")
            yield LogBatch((), (status,))
    pollers = [
        GroupPoller(
            clients("logs", target.region),
            target,
            limiters.for_region(target.region),
            start_ms=start_ms,
            pattern=pattern,
            page_limit=page_limit,
            stop=stop,
        )
        for target in targets
    ]
    rounds = poll_rounds(
        pollers,
        follow=follow,
        stop=stop,
        keep_following=keep_following,
        busy_interval=busy_interval,
        idle_interval=idle_interval,
    )
    yield from (recent.filter(rounds) if recent is not None else rounds)
