"""``ResourceRef``: how every part of shipdeck names one resource.

A finding's fixes, an action's target, the audit log, the console's rows and
the command line all name a resource the same way: its kind (a name of the
kind registry: ``ecr``, ``codebuild``, ``ecs``, ``lambda``, ``k8s``,
``quota``), its name within that kind, and where it lives (an AWS region, or
the kube context for Kubernetes). ``KIND:NAME`` is only its written form on
the command line and in JSON.
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

    @property
    def target(self) -> str:
        """``ecr:nova/cdn-service``: the written form ``shipdeck action`` takes."""
        return f"{self.kind}:{self.name}"

    @property
    def label(self) -> str:
        """``nova/cdn-service (ap-northeast-1)``, for titles."""
        return f"{self.name} ({self.scope})" if self.scope else self.name

    @property
    def leaf(self) -> str:
        """The last part of the name: ``cdn-service`` of ``nova-backend/cdn-service``."""
        return self.name.rsplit("/", 1)[-1]

    def __str__(self) -> str:
        return f"{self.target}@{self.scope}" if self.scope else self.target

    @classmethod
    def parse(cls, text: str, scope: str, kinds: tuple[str, ...]) -> ResourceRef:
        """``ecr:nova/cdn-service`` in ``scope``; ``kinds`` are the kinds a target may name."""
        kind, colon, name = text.partition(":")
        if not colon or kind not in kinds or not name:
            raise BadRef(f"target {text!r} must be KIND:NAME with KIND one of {', '.join(kinds)}")
        return cls(kind, name, scope)
