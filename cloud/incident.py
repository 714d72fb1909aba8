"""``IncidentModel``: the one current truth of a console, replaced whole as parts land.

Worker threads ``merge`` freshly read parts in; the snapshot and its diagnosis
are recomputed under a lock (two reads landing at once never lose each other's
parts) and replaced as one immutable ``ModelState``, which the UI thread reads
without locking. Every screen draws from the same state: the panes' rows and
flags, the details, the findings.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

from cloud.findings import Diagnosis, diagnose, links_only
from cloud.model.kinds import KINDS, kind
from cloud.model.ref import ResourceRef
from cloud.model.snapshot import EXTRAS, EXTRAS_OF, Snapshot
from cloud.records import Fetched, FetchError


@dataclass(frozen=True)
class ModelState:
    """One version of the model: the snapshot, its diagnosis, and records by ref."""

    version: int = 0
    snapshot: Snapshot = field(default_factory=Snapshot)
    diagnosis: Diagnosis = field(default_factory=Diagnosis)

    @cached_property
    def _by_ref(self) -> dict[ResourceRef, Any]:
        found: dict[ResourceRef, Any] = {}
        for spec in KINDS:
            for record in self.snapshot.records(spec.name):
                found[spec.ref(record)] = record
        return found

    def record(self, ref: ResourceRef) -> Any | None:
        """The record ``ref`` names, as last read (None when it is not, or no longer, there)."""
        return self._by_ref.get(ref)

    def arriving(self, kinds: Iterable[str]) -> bool:
        """Whether a first read of one of ``kinds`` has rows to show before it ends."""
        return any(self.snapshot.arriving(name) for name in kinds)

    def read(self, kinds: Iterable[str]) -> bool:
        """Whether every kind of ``kinds`` (and the extras it needs) has been read."""
        return all(
            self.snapshot.has(name) and all(self.snapshot.has(e) for e in EXTRAS_OF.get(name, ()))
            for name in kinds
        )

    @cached_property
    def complete(self) -> bool:
        """Every kind and extra read at least once: the findings can be believed."""
        return self.read(spec.name for spec in KINDS)

    def read_at(self, kinds: Iterable[str]) -> datetime | None:
        """When the oldest of ``kinds`` was read (None if one never was)."""
        times = [self.snapshot.read_at(name) for name in kinds]
        if not times or any(t is None for t in times):
            return None
        return min(t for t in times if t is not None)

    def errors_of(self, kinds: Iterable[str]) -> tuple[FetchError, ...]:
        """The read errors of ``kinds`` and their extras."""
        names = [n for k in kinds for n in (k, *EXTRAS_OF.get(k, ()))]
        return self.snapshot.errors_of(names)


class IncidentModel:
    """The console's model: ``state`` is always a whole, consistent ``ModelState``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.state = ModelState()

    def merge(self, parts: Mapping[str, Fetched[Any]]) -> ModelState:
        """Put freshly read ``parts`` in (any thread); the new state is returned and kept."""
        for name in parts:
            if name not in EXTRAS:
                kind(name)  # an unknown part name is a bug: raise here, not later
        with self._lock:
            snapshot = self.state.snapshot.with_parts(parts)
            draft = ModelState(self.state.version + 1, snapshot)
            # The rules judge the whole account: until it is read, only its links are made.
            diagnosis = diagnose(snapshot) if draft.complete else links_only(snapshot)
            state = ModelState(draft.version, snapshot, diagnosis)
            self.state = state
        return state

    def merge_early(self, name: str, part: Fetched[Any]) -> ModelState | None:
        """What the first read of kind ``name`` has listed so far (any thread).

        Kept only while the kind has never been read whole; the diagnosis is not
        remade (no finding is drawn from half a part). None when it was ignored.
        """
        kind(name)
        with self._lock:
            if self.state.snapshot.has(name):
                return None
            snapshot = self.state.snapshot.with_early(name, part)
            state = ModelState(self.state.version + 1, snapshot, self.state.diagnosis)
            self.state = state
        return state
