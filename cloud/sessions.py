"""The sessions of one console or command: one per AWS profile shown, the first one first.

``shipdeck --profile a --profile b`` shows both accounts in one view. Each
profile has its own ``CloudSession`` (credentials, clients, regions); they share
the kube context, which the first one reads. A record, finding or action says
which profile it belongs to (``ResourceRef.profile``: "" when there is only
one), and ``for_profile`` hands back the session that acts on it.

This is the list a later in-console switch replaces whole: nothing else holds
sessions by profile.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from cloud.session import CloudConfigError, CloudSession

if TYPE_CHECKING:
    from cloud.model.snapshot import Snapshot
    from cloud.records import Fetched

KUBE_KINDS = ("k8s",)
"""Kinds read from the kube context: by the first profile only."""


def check_profiles(profiles: Sequence[str]) -> tuple[str, ...]:
    """The profiles asked for, in order; one given twice or empty is refused (one line)."""
    seen: list[str] = []
    for name in profiles:
        if not name.strip():
            raise CloudConfigError("an AWS profile name is empty")
        if name in seen:
            raise CloudConfigError(f"AWS profile {name!r} is given twice")
        seen.append(name)
    return tuple(seen)


class Sessions:
    """The profiles shown together and their sessions; ``tags`` are what refs carry."""

    def __init__(self, sessions: Sequence[CloudSession]) -> None:
        if not sessions:
            raise ValueError("at least one session")
        self.all: tuple[CloudSession, ...] = tuple(sessions)
        self.several = len(self.all) > 1
        # With one profile the tag is "" (the written forms of a one-profile console).
        self.tags: tuple[str, ...] = (
            tuple(s.profile or "default" for s in self.all) if self.several else ("",)
        )
        self._by_tag: dict[str, CloudSession] = dict(zip(self.tags, self.all, strict=True))

    @classmethod
    def of(
        cls, profiles: Sequence[str | None], regions: Sequence[str], context: str | None
    ) -> Sessions:
        """Unchecked sessions for ``profiles`` (``[None]``: the default credential chain)."""
        names = list(profiles) or [None]
        if len(names) > 1:
            check_profiles([n or "" for n in names])
        return cls([CloudSession(profile=p, regions=regions, kube_context=context) for p in names])

    @property
    def primary(self) -> CloudSession:
        """The first profile's session: the header's, the kube context's."""
        return self.all[0]

    def for_profile(self, tag: str) -> CloudSession:
        """The session of the profile a ref names ("" or unknown: the first one)."""
        return self._by_tag.get(tag, self.all[0])

    def validate(self) -> None:
        """Check every profile (the first failure raises CloudConfigError, one line)."""
        for session in self.all:
            session.validate()

    def kinds_of(self, tag: str, kinds: Iterable[str]) -> tuple[str, ...]:
        """The kinds of ``kinds`` profile ``tag`` reads (the kube context only by the first)."""
        first = tag == self.tags[0]
        return tuple(k for k in kinds if first or k not in KUBE_KINDS)

    def accounts(self) -> dict[str, str | None]:
        """Each profile's account id (STS, read in parallel; None where it cannot be read)."""
        found: dict[str, str | None] = {}
        threads = [
            threading.Thread(
                target=lambda t=tag, s=session: found.__setitem__(t, s.account_id()),
                name=f"shipdeck-account-{tag}",
            )
            for tag, session in zip(self.tags, self.all, strict=True)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return {tag: found.get(tag) for tag in self.tags}


def read_profiles(
    sessions: Sessions,
    kinds: Iterable[str] | None = None,
    *,
    previous: Mapping[str, Snapshot] | None = None,
    on_parts: Callable[[str, Mapping[str, Fetched[Any]]], None] | None = None,
    on_early: Callable[[str, str, Fetched[Any]], None] | None = None,
) -> dict[str, Snapshot]:
    """``read_snapshot`` for every profile at once, one thread each; snapshots by tag.

    ``on_parts(tag, parts)`` and ``on_early(tag, name, part)`` hear each profile's
    parts as they land. A profile whose reader raises keeps that exception for
    the caller after the others are done (the first one is raised).
    """
    from cloud.model.builder import read_snapshot
    from cloud.model.kinds import KIND_NAMES

    wanted = tuple(kinds) if kinds is not None else KIND_NAMES
    found: dict[str, Snapshot] = {}
    failed: list[BaseException] = []

    def one(tag: str, session: CloudSession) -> None:
        try:
            found[tag] = read_snapshot(
                session,
                sessions.kinds_of(tag, wanted),
                previous=(previous or {}).get(tag),
                on_parts=(lambda parts: on_parts(tag, parts)) if on_parts else None,
                on_early=(lambda name, part: on_early(tag, name, part)) if on_early else None,
            )
        except Exception as exc:  # noqa: BLE001 - raised below, once every profile ended
            failed.append(exc)

    if not sessions.several:
        one(sessions.tags[0], sessions.primary)
    else:
        threads = [
            threading.Thread(target=one, args=(tag, session), name=f"shipdeck-read-{tag}")
            for tag, session in zip(sessions.tags, sessions.all, strict=True)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    if failed:
        raise failed[0]
    return found
