"""``ResourceRef``: how every part of shipdeck names one resource.

A finding's fixes, an action's target, the audit log, the console's rows and
the command line all name a resource the same way: its kind (a name of the
kind registry: ``ecr``, ``codebuild``, ``ecs``, ``lambda``, ``k8s``,
``quota``), its name within that kind, and where it lives (an AWS region, or
the kube context for Kubernetes). ``KIND:NAME`` is only its written form on
the command line and in JSON.

When one console shows several AWS profiles at once, ``profile`` says which
one a resource lives in (the same name may exist in both accounts); it is ""
with a single profile, so every written form and audit entry of a one-profile
console stays as it was.
"""

from __future__ import annotations

from dataclasses import dataclass


class BadRef(ValueError):
    """A written target that is not ``KIND:NAME``; ``str()`` is one line for the person."""


@dataclass(frozen=True, order=True)
class ResourceRef:
    """One resource: ``ResourceRef("ecr", "nova/cdn-service", "ap-northeast-1")``."""

    kind: str
    name: str
    scope: str  # an AWS region, or the kube context for Kubernetes kinds
    profile: str = ""  # the AWS profile it was read with, when several are shown; else ""

    @property
    def target(self) -> str:
        """``ecr:nova/cdn-service``: the written form ``shipdeck action`` takes."""
        return f"{self.kind}:{self.name}"

    @property
    def label(self) -> str:
        """``nova/cdn-service (ap-northeast-1)``, for titles (``(team-b ap-northeast-1)``
        when several profiles are shown)."""
        where = " ".join(part for part in (self.profile, self.scope) if part)
        return f"{self.name} ({where})" if where else self.name

    @property
    def leaf(self) -> str:
        """The last part of the name: ``cdn-service`` of ``nova-backend/cdn-service``."""
        return self.name.rsplit("/", 1)[-1]

    def __str__(self) -> str:
        text = f"{self.target}@{self.scope}" if self.scope else self.target
        return f"{self.profile}/{text}" if self.profile else text

    def in_profile(self, profile: str) -> ResourceRef:
        """The same resource, said to live in ``profile`` ("" for the only one)."""
        if profile == self.profile:
            return self
        return ResourceRef(self.kind, self.name, self.scope, profile)

    @classmethod
    def parse(cls, text: str, scope: str, kinds: tuple[str, ...], profile: str = "") -> ResourceRef:
        """``ecr:nova/cdn-service`` in ``scope``; ``kinds`` are the kinds a target may name."""
        kind, colon, name = text.partition(":")
        if not colon or kind not in kinds or not name:
            raise BadRef(f"target {text!r} must be KIND:NAME with KIND one of {', '.join(kinds)}")
        return cls(kind, name, scope, profile)
