"""Several AWS profiles in one model: each profile's parts tagged, joined into one snapshot.

A console or ``doctor`` given ``--profile a --profile b`` reads each profile
with its own session, in parallel, into a snapshot of its own; the rules judge
each profile's snapshot alone (an alarm of one account never explains a
service of another, a repository of one is never "missing" because another
account lacks it). What every screen reads is one snapshot and one diagnosis:
the profiles' parts joined record by record, each record, error, finding, mark
and fix tagged with its profile (``ResourceRef.profile``), so a row says which
account it lives in and an action on it picks that profile's session.

With a single profile the tag is "" and nothing here changes a record: the
written forms, ids and audit entries of a one-profile console stay as they were.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from cloud.findings import Diagnosis
from cloud.findings.model import Finding, Mark
from cloud.model.ref import ResourceRef
from cloud.model.snapshot import Snapshot
from cloud.records import Fetched, Flag

KUBE_PARTS = ("k8s", "pod-logs")
"""Parts read from the kube context, not an AWS account: read once, with the first profile."""


def tag_part(part: Fetched[Any], profile: str) -> Fetched[Any]:
    """``part`` with every record and error saying it was read with ``profile``."""
    if not profile:
        return part
    records = tuple(
        replace(r, profile=profile) if getattr(r, "profile", None) == "" else r
        for r in part.records
    )
    errors = tuple(replace(e, profile=profile) if not e.profile else e for e in part.errors)
    return Fetched(records, errors, part.fetched_at)


def tag_parts(parts: Mapping[str, Fetched[Any]], profile: str) -> dict[str, Fetched[Any]]:
    """Every part of ``parts`` tagged with ``profile``."""
    return {name: tag_part(part, profile) for name, part in parts.items()}


def _joined(parts: list[Fetched[Any]]) -> Fetched[Any]:
    if len(parts) == 1:
        return parts[0]
    times: list[datetime] = [p.fetched_at for p in parts if p.fetched_at is not None]
    return Fetched(
        tuple(r for p in parts for r in p.records),
        tuple(e for p in parts for e in p.errors),
        min(times) if times else None,  # as old as its oldest profile's read
    )


def join_snapshots(snapshots: Mapping[str, Snapshot]) -> Snapshot:
    """One snapshot of every profile's (tagged) parts.

    A part is whole once every profile that reads it has read it (Kubernetes parts
    only the first profile reads); until then what the profiles have so far is its
    ``early`` records, drawn with "more coming…", never judged.
    """
    if len(snapshots) == 1:
        return next(iter(snapshots.values()))
    profiles = list(snapshots)
    names = {name for s in snapshots.values() for name in (*s.parts, *s.early)}
    parts: dict[str, Fetched[Any]] = {}
    early: dict[str, Fetched[Any]] = {}
    for name in sorted(names):
        readers = profiles[:1] if name in KUBE_PARTS else profiles
        whole = [snapshots[p].parts[name] for p in readers if name in snapshots[p].parts]
        if len(whole) == len(readers):
            parts[name] = _joined(whole)
            continue
        so_far = [
            snapshots[p].parts[name] if name in snapshots[p].parts else snapshots[p].early[name]
            for p in readers
            if name in snapshots[p].parts or name in snapshots[p].early
        ]
        early[name] = _joined(so_far)
    return Snapshot(parts, early)


def _ref(ref: ResourceRef, profile: str) -> ResourceRef:
    return ref.in_profile(profile)


def _finding(finding: Finding, profile: str) -> Finding:
    return replace(
        finding,
        id=f"{profile}/{finding.id}",
        ref=_ref(finding.ref, profile),
        fixes=tuple(replace(fix, ref=_ref(fix.ref, profile)) for fix in finding.fixes),
        marks=tuple(Mark(_ref(m.ref, profile), m.text) for m in finding.marks),
    )


def tag_diagnosis(diagnosis: Diagnosis, profile: str) -> Diagnosis:
    """``diagnosis`` of one profile's snapshot with every ref and id saying ``profile``."""
    if not profile:
        return diagnosis
    renamed = {f.id: f"{profile}/{f.id}" for f in diagnosis.findings}
    return Diagnosis(
        findings=tuple(_finding(f, profile) for f in diagnosis.findings),
        errors=tuple(replace(e, profile=profile) if not e.profile else e for e in diagnosis.errors),
        flags_by_ref={
            _ref(ref, profile): tuple(
                Flag(f.code, f.severity, f.text, renamed.get(f.finding or "", f.finding))
                for f in flags
            )
            for ref, flags in diagnosis.flags_by_ref.items()
        },
        deployers_by_ref={_ref(r, profile): d for r, d in diagnosis.deployers_by_ref.items()},
    )


def join_diagnoses(diagnoses: list[Diagnosis]) -> Diagnosis:
    """One diagnosis of several profiles' (tagged) diagnoses, findings in the usual order."""
    if len(diagnoses) == 1:
        return diagnoses[0]
    from cloud.findings.model import sort_key

    return Diagnosis(
        findings=tuple(sorted((f for d in diagnoses for f in d.findings), key=sort_key)),
        errors=tuple(e for d in diagnoses for e in d.errors),
        flags_by_ref={r: f for d in diagnoses for r, f in d.flags_by_ref.items()},
        deployers_by_ref={r: u for d in diagnoses for r, u in d.deployers_by_ref.items()},
    )
