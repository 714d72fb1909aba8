"""Run the reads of several regions (or services) at once; a failing one becomes a FetchError."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Generic, TypeVar

from cloud.errors import classify, malformed, malformed_errors, recoverable_errors
from cloud.records import Fetched, FetchError

T = TypeVar("T")
U = TypeVar("U")

MAX_THREADS = 16


@dataclass(frozen=True)
class Job(Generic[T]):
    """One independent read: which service and region it is, and the call that does it."""

    service: str
    region: str
    read: Callable[[], Sequence[T] | Fetched[T]]


def gather(jobs: Sequence[Job[T]]) -> Fetched[T]:
    """Run ``jobs`` in parallel threads; keep every record read and one error per failed job."""
    records: list[T] = []
    errors: list[FetchError] = []
    if jobs:
        with ThreadPoolExecutor(
            max_workers=min(len(jobs), MAX_THREADS), thread_name_prefix="shipdeck-read"
        ) as pool:
            outcomes = list(pool.map(_attempt, jobs))
        for part in outcomes:
            records.extend(part.records)
            errors.extend(part.errors)
    return Fetched(tuple(records), tuple(errors), datetime.now(UTC))


def _attempt(job: Job[T]) -> Fetched[T]:
    try:
        outcome = job.read()
    except recoverable_errors() as exc:
        return Fetched((), (classify(exc, job.service, job.region),))
    except malformed_errors() as exc:  # an answer without the fields its reader needs
        return Fetched((), (malformed(exc, job.service, job.region),))
    if isinstance(outcome, Fetched):
        return outcome
    return Fetched(tuple(outcome))


def parallel_map(read: Callable[[T], U], items: Iterable[T], threads: int = 8) -> list[U]:
    """``[read(item) for item in items]`` in threads, in order; the first failure is raised."""
    todo = list(items)
    if len(todo) <= 1:
        return [read(item) for item in todo]
    with ThreadPoolExecutor(
        max_workers=min(len(todo), threads), thread_name_prefix="shipdeck-each"
    ) as pool:
        return list(pool.map(read, todo))


def merge(parts: Iterable[Fetched[T]]) -> Fetched[T]:
    """One Fetched holding the records and errors of all ``parts``."""
    records: list[T] = []
    errors: list[FetchError] = []
    for part in parts:
        records.extend(part.records)
        errors.extend(part.errors)
    return Fetched(tuple(records), tuple(errors), datetime.now(UTC))


def attempt(read: Callable[[], T], service: str, region: str) -> T | FetchError:
    """``read()``, or the FetchError describing why it failed (AWS/Kubernetes/network errors)."""
    try:
        return read()
    except recoverable_errors() as exc:
        return classify(exc, service, region)
    except malformed_errors() as exc:
        return malformed(exc, service, region)
