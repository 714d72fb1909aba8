"""The incident model: one snapshot of the account that every screen and every command reads.

A snapshot is made of **parts**: one per resource kind (``ecr``, ``codebuild``,
``ecs``, ``lambda``, ``k8s``, ``quota``, ``alarm``) and one per extra the findings need
(``pod-logs``: crashing pods' log tails, ``build-logs``: the tails of the
recent failed builds, ``function-logs``: the last hour of each Lambda
function's log). Every part is a
``Fetched``: its records, its errors, and when it was read. A part never read is
absent, which is not the same as read and empty.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

from cloud.records import (
    AlarmRecord,
    BuildLogTail,
    DeploymentRecord,
    EcsServiceRecord,
    Fetched,
    FetchError,
    FunctionLog,
    LambdaFunctionRecord,
    LogLine,
    PodLogTail,
    ProjectRecord,
    QuotaRecord,
    RepositoryRecord,
)

POD_LOGS = "pod-logs"
BUILD_LOGS = "build-logs"
FUNCTION_LOGS = "function-logs"
EXTRAS = (POD_LOGS, BUILD_LOGS, FUNCTION_LOGS)
EXTRAS_OF: Mapping[str, tuple[str, ...]] = {
    "k8s": (POD_LOGS,),
    "codebuild": (BUILD_LOGS,),
    "lambda": (FUNCTION_LOGS,),
}
"""The extras each kind's records ask for."""

_EMPTY: Fetched[Any] = Fetched(())


@dataclass(frozen=True)
class Snapshot:
    """Parts by name; each with its records, errors and read time."""

    parts: Mapping[str, Fetched[Any]] = field(default_factory=dict)
    early: Mapping[str, Fetched[Any]] = field(default_factory=dict)
    """What a first read of a part has listed so far, until the part itself is in."""

    def part(self, name: str) -> Fetched[Any]:
        """The part ``name``, or an empty one never read (``fetched_at`` None)."""
        return self.parts.get(name, _EMPTY)

    def has(self, name: str) -> bool:
        """Whether part ``name`` was read (even if it failed)."""
        return name in self.parts

    def read_whole(self, name: str) -> bool:
        """Whether part ``name`` was read without any error: its absences can be trusted.

        A rule that concludes from something *missing* (no such repository) asks
        this first; a part that failed anywhere says nothing about what is absent.
        """
        return name in self.parts and not self.parts[name].errors

    def records(self, name: str) -> tuple[Any, ...]:
        """The records of part ``name``."""
        return self.part(name).records

    def read_at(self, name: str) -> datetime | None:
        """When part ``name`` was read, None when never."""
        return self.part(name).fetched_at

    def with_parts(self, parts: Mapping[str, Fetched[Any]]) -> Snapshot:
        """A new snapshot with ``parts`` replacing the parts of the same names."""
        early = {name: part for name, part in self.early.items() if name not in parts}
        return Snapshot({**self.parts, **parts}, early)

    def with_early(self, name: str, part: Fetched[Any]) -> Snapshot:
        """A new snapshot that knows what the first read of ``name`` has listed so far."""
        return Snapshot(self.parts, {**self.early, name: part})

    def arriving(self, name: str) -> bool:
        """Whether part ``name`` is being read for the first time and has listed records."""
        return name not in self.parts and name in self.early

    def shown_records(self, name: str) -> tuple[Any, ...]:
        """The records of part ``name``, or those its first read has listed so far.

        For drawing rows only: findings are made from whole parts (``records``).
        """
        if name in self.parts:
            return self.parts[name].records
        return self.early[name].records if name in self.early else ()

    @property
    def errors(self) -> tuple[FetchError, ...]:
        """Every error of every part: what could not be looked at."""
        return tuple(error for part in self.parts.values() for error in part.errors)

    def errors_of(self, names: Iterable[str]) -> tuple[FetchError, ...]:
        """The errors of the parts ``names``."""
        return tuple(error for name in names for error in self.part(name).errors)

    # --- the kinds, typed --------------------------------------------------------

    @property
    def repositories(self) -> tuple[RepositoryRecord, ...]:
        """ECR repositories."""
        return self.records("ecr")

    @property
    def projects(self) -> tuple[ProjectRecord, ...]:
        """CodeBuild projects."""
        return self.records("codebuild")

    @property
    def ecs_services(self) -> tuple[EcsServiceRecord, ...]:
        """ECS services."""
        return self.records("ecs")

    @property
    def functions(self) -> tuple[LambdaFunctionRecord, ...]:
        """Lambda functions."""
        return self.records("lambda")

    @property
    def deployments(self) -> tuple[DeploymentRecord, ...]:
        """Kubernetes deployments with their pods."""
        return self.records("k8s")

    @property
    def quotas(self) -> tuple[QuotaRecord, ...]:
        """Service quotas."""
        return self.records("quota")

    @property
    def alarms(self) -> tuple[AlarmRecord, ...]:
        """CloudWatch metric alarms."""
        return self.records("alarm")

    # --- the extras, by key --------------------------------------------------------

    @cached_property
    def _pod_logs(self) -> dict[tuple[str, str], str]:
        tails: tuple[PodLogTail, ...] = self.records(POD_LOGS)
        return {(t.namespace, t.pod): t.text for t in tails}

    @cached_property
    def _build_logs(self) -> dict[str, str]:
        tails: tuple[BuildLogTail, ...] = self.records(BUILD_LOGS)
        return {t.build_id: t.text for t in tails}

    @cached_property
    def _function_logs(self) -> dict[tuple[str, str], tuple[LogLine, ...]]:
        logs: tuple[FunctionLog, ...] = self.records(FUNCTION_LOGS)
        return {(log.region, log.function): log.lines for log in logs}

    def pod_log(self, namespace: str, pod: str) -> str | None:
        """The log tail read for a crashing pod, if one was read."""
        return self._pod_logs.get((namespace, pod))

    def build_log(self, build_id: str) -> str:
        """The tail of a failed build's log ("" when not read)."""
        return self._build_logs.get(build_id, "")

    def function_log(self, region: str, function: str) -> tuple[LogLine, ...]:
        """A function's recent log lines, oldest first."""
        return self._function_logs.get((region, function), ())
