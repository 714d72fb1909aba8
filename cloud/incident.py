"""``IncidentModel``: the one current truth of a console, replaced whole as parts land.

Worker threads ``merge`` freshly read parts in; the snapshot and its diagnosis
are recomputed under a lock (two reads landing at once never lose each other's
parts) and replaced as one immutable ``ModelState``, which the UI thread reads
without locking. Every screen draws from the same state: the panes' rows and
flags, the details, the findings.

With several AWS profiles (``IncidentModel(("a", "b"))``) each profile's parts
are merged into a snapshot of its own and judged alone; the state's
``snapshot`` and ``diagnosis`` join them, every record and finding tagged with
its profile (``cloud.accounts``). One model, one state, rows of both.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

from cloud.accounts import (
    KUBE_PARTS,
    join_diagnoses,
    join_snapshots,
    tag_diagnosis,
    tag_parts,
)
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
    by_profile: Mapping[str, Snapshot] = field(default_factory=dict)
    """Each profile's own snapshot ("" alone with a single profile); ``snapshot`` joins them."""

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
    """The console's model: ``state`` is always a whole, consistent ``ModelState``.

    ``profiles`` are the AWS profiles shown together, first one first; the
    default, ``("",)``, is the one profile of a console that shows one.
    """

    def __init__(self, profiles: tuple[str, ...] = ("",)) -> None:
        self._lock = threading.Lock()
        self.profiles = profiles or ("",)
        self._snapshots: dict[str, Snapshot] = {p: Snapshot() for p in self.profiles}
        self._diagnoses: dict[str, Diagnosis] = {p: Diagnosis() for p in self.profiles}
        self.state = ModelState(by_profile=dict(self._snapshots))

    @property
    def several(self) -> bool:
        """Whether several profiles are shown (rows then say their account)."""
        return len(self.profiles) > 1

    def _profile(self, profile: str | None) -> str:
        found = self.profiles[0] if profile is None else profile
        if found not in self._snapshots:
            raise KeyError(f"profile {found!r} is not one of {self.profiles}")
        return found

    def _publish(self, profile: str, snapshot: Snapshot, diagnosis: Diagnosis | None) -> ModelState:
        """Under the lock: keep ``profile``'s snapshot (and diagnosis), make the joined state."""
        self._snapshots[profile] = snapshot
        if diagnosis is not None:
            self._diagnoses[profile] = tag_diagnosis(diagnosis, profile)
        joined = join_snapshots(self._snapshots)
        state = ModelState(
            self.state.version + 1,
            joined,
            join_diagnoses([self._diagnoses[p] for p in self.profiles]),
            dict(self._snapshots),
        )
        self.state = state
        return state

    def merge(self, parts: Mapping[str, Fetched[Any]], profile: str | None = None) -> ModelState:
        """Put freshly read ``parts`` of ``profile`` (default: the first) in (any thread);
        the new state is returned and kept."""
        for name in parts:
            if name not in EXTRAS:
                kind(name)  # an unknown part name is a bug: raise here, not later
        with self._lock:
            profile = self._profile(profile)
            if self.several:
                parts = tag_parts(parts, profile)
                if profile != self.profiles[0]:  # the kube context is read once, by the first
                    parts = {n: p for n, p in parts.items() if n not in KUBE_PARTS}
            snapshot = self._snapshots[profile].with_parts(parts)
            own = ModelState(snapshot=snapshot)
            # The rules judge the whole account: until it is read, only its links are made.
            complete = own.read(spec.name for spec in KINDS if self._reads(profile, spec.name))
            diagnosis = diagnose(snapshot) if complete else links_only(snapshot)
            return self._publish(profile, snapshot, diagnosis)

    def _reads(self, profile: str, name: str) -> bool:
        return profile == self.profiles[0] or name not in KUBE_PARTS

    def merge_early(
        self, name: str, part: Fetched[Any], profile: str | None = None
    ) -> ModelState | None:
        """What the first read of kind ``name`` has listed so far (any thread).

        Kept only while the kind has never been read whole; the diagnosis is not
        remade (no finding is drawn from half a part). None when it was ignored.
        """
        kind(name)
        with self._lock:
            profile = self._profile(profile)
            if not self._reads(profile, name):
                return None
            own = self._snapshots[profile]
            if own.has(name):
                return None
            if self.several:
                part = tag_parts({name: part}, profile)[name]
            return self._publish(profile, own.with_early(name, part), None)
