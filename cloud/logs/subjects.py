"""What a person asked to see the log of: a build, log groups, an ECS service, a function, a pod.

Each subject says how it is titled, how its lines are labelled, which service
and region its failures belong to, and how its stream opens. The kind registry
(``cloud.model.kinds``) says which subject a row's record has; the console's log
screen, its reader process and ``shipdeck tail`` open the same subjects.
"""

from __future__ import annotations

import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING

from cloud.logs.records import LogBatch, LogEvent, LogTarget

if TYPE_CHECKING:
    from cloud.records import PodRecord
    from cloud.session import CloudSession

DEFAULT_SINCE_MS = 60 * 60 * 1000  # groups, services and functions: the last hour

Labeller = Callable[[LogEvent], str]


def _no_label(event: LogEvent) -> str:
    return ""


def _hour_ago() -> int:
    return int(time.time() * 1000) - DEFAULT_SINCE_MS


class LogSubject(ABC):
    """A log a person follows; frozen dataclasses, so they cross a process pipe as they are."""

    @abstractmethod
    def title(self) -> str:
        """What the border says the lines are of."""

    @abstractmethod
    def scope(self) -> tuple[str, str]:
        """(service, region or context) that a failure of this log is classified under."""

    def labeller(self) -> tuple[Labeller, bool]:
        """How each line is labelled, and whether the labels are worth showing."""
        return _no_label, False

    @abstractmethod
    def open(self, session: CloudSession, stop: threading.Event) -> Iterator[LogBatch]:
        """The transport's batches (resolving the subject may raise: call it in the thread)."""

    def history_targets(self, session: CloudSession) -> tuple[LogTarget, ...] | None:
        """The CloudWatch targets older lines are read from (None: no paging, e.g. a pod).

        Resolving may call the service (a build's stream, a service's containers):
        call it in a thread; it raises as ``open`` does.
        """
        return None

    def pinned(self, now_ms: int) -> LogSubject:
        """The same log with its start fixed (the last hour before ``now_ms`` when it has
        none), so a view knows where its first line may be and pages before it."""
        if getattr(self, "since_ms", 0) is None and self.pages_history:
            return self.resumed(now_ms - DEFAULT_SINCE_MS)
        return self

    @property
    def pages_history(self) -> bool:
        """Whether older lines can be read on demand (CloudWatch subjects)."""
        return False

    def resumed(self, since_ms: int) -> LogSubject:
        """The same log from ``since_ms`` on (inclusive): where a restarted reader picks up.

        Lines of that very millisecond come again; the caller drops the ones it has.
        """
        if any(f.name == "since_ms" for f in fields(self)):  # type: ignore[arg-type]
            return replace(self, since_ms=since_ms)  # type: ignore[type-var]
        return self


@dataclass(frozen=True)
class BuildSource(LogSubject):
    """A CodeBuild build: all of its log, followed while it runs."""

    region: str
    build_id: str  # "project:uuid"
    since_ms: int = 0  # all of it

    def title(self) -> str:
        """``build mangoo-build-deploy:... (us-east-1)``."""
        return f"build {self.build_id} ({self.region})"

    def scope(self) -> tuple[str, str]:
        """CodeBuild in the build's region."""
        return "codebuild", self.region

    @property
    def pages_history(self) -> bool:
        """A build's log is in CloudWatch."""
        return True

    def history_targets(self, session: CloudSession) -> tuple[LogTarget, ...] | None:
        """The build's stream (None while CodeBuild has not made it)."""
        from cloud.logs.sources import build_logs

        target = build_logs(session.client, self.region, self.build_id).target
        return (target,) if target is not None else None

    def open(self, session: CloudSession, stop: threading.Event) -> Iterator[LogBatch]:
        """The build's log, followed until the build completes."""
        from cloud.logs.sources import tail_build

        return tail_build(
            session.client,
            self.region,
            self.build_id,
            since_ms=self.since_ms,
            follow=True,
            stop=stop,
        )


def short_names(groups: tuple[tuple[str, str], ...]) -> dict[str, str]:
    """A label per group: its last path part when that is unique, else the whole name."""
    last = {group: group.rstrip("/").rpartition("/")[2] or group for _, group in groups}
    taken = list(last.values())
    return {group: name if taken.count(name) == 1 else group for group, name in last.items()}


@dataclass(frozen=True)
class GroupsSource(LogSubject):
    """CloudWatch log groups, merged by time; several are told apart by a label."""

    groups: tuple[tuple[str, str], ...]  # (region, group name)
    since_ms: int | None = None  # None: the last hour

    def title(self) -> str:
        """The first three group names, and how many more."""
        names = ", ".join(group for _, group in self.groups[:3])
        more = f" +{len(self.groups) - 3}" if len(self.groups) > 3 else ""
        return f"{names}{more}"

    def scope(self) -> tuple[str, str]:
        """CloudWatch Logs in the first group's region."""
        return "logs", self.groups[0][0] if self.groups else ""

    def labeller(self) -> tuple[Labeller, bool]:
        """Several groups: each line says which."""
        if len(self.groups) <= 1:
            return _no_label, False
        names = short_names(self.groups)
        return (lambda event: names.get(event.group, event.group)), True

    @property
    def pages_history(self) -> bool:
        """Log groups are CloudWatch's."""
        return True

    def history_targets(self, session: CloudSession) -> tuple[LogTarget, ...] | None:
        """The groups themselves."""
        return tuple(LogTarget(region, group) for region, group in self.groups)

    def open(self, session: CloudSession, stop: threading.Event) -> Iterator[LogBatch]:
        """The groups merged by time, followed."""
        from cloud.logs.tail import tail_logs

        targets = [LogTarget(region, group) for region, group in self.groups]
        start = _hour_ago() if self.since_ms is None else self.since_ms
        return tail_logs(session.client, targets, since_ms=start, follow=True, stop=stop)


def _ecs_label(event: LogEvent) -> str:
    # Streams are prefix/container/task-id: the container and a short task id.
    parts = event.stream.split("/")
    return f"{parts[-2]}/{parts[-1][:8]}" if len(parts) >= 2 else event.stream


@dataclass(frozen=True)
class EcsSource(LogSubject):
    """Every awslogs container of an ECS service."""

    region: str
    cluster: str
    service: str
    since_ms: int | None = None

    def title(self) -> str:
        """``ecs cluster/service (region)``."""
        return f"ecs {self.cluster}/{self.service} ({self.region})"

    def scope(self) -> tuple[str, str]:
        """ECS in the service's region."""
        return "ecs", self.region

    def labeller(self) -> tuple[Labeller, bool]:
        """Each line says its container and task."""
        return _ecs_label, True

    @property
    def pages_history(self) -> bool:
        """awslogs containers write to CloudWatch."""
        return True

    def history_targets(self, session: CloudSession) -> tuple[LogTarget, ...] | None:
        """The service's awslogs containers."""
        from cloud.logs.sources import ecs_targets

        return ecs_targets(session.client, self.region, self.cluster, self.service)

    def open(self, session: CloudSession, stop: threading.Event) -> Iterator[LogBatch]:
        """The service's containers' streams, followed."""
        from cloud.logs.sources import ecs_targets
        from cloud.logs.tail import tail_logs

        found = ecs_targets(session.client, self.region, self.cluster, self.service)
        start = _hour_ago() if self.since_ms is None else self.since_ms
        return tail_logs(session.client, list(found), since_ms=start, follow=True, stop=stop)


@dataclass(frozen=True)
class LambdaSource(LogSubject):
    """A Lambda function's log group."""

    region: str
    function: str
    since_ms: int | None = None

    def title(self) -> str:
        """``lambda name (region)``."""
        return f"lambda {self.function} ({self.region})"

    def scope(self) -> tuple[str, str]:
        """Lambda in the function's region."""
        return "lambda", self.region

    @property
    def pages_history(self) -> bool:
        """A function logs to CloudWatch."""
        return True

    def history_targets(self, session: CloudSession) -> tuple[LogTarget, ...] | None:
        """The function's group."""
        from cloud.logs.sources import lambda_target

        return (lambda_target(session.client, self.region, self.function),)

    def open(self, session: CloudSession, stop: threading.Event) -> Iterator[LogBatch]:
        """The function's group, followed."""
        from cloud.logs.sources import lambda_target
        from cloud.logs.tail import tail_logs

        target = lambda_target(session.client, self.region, self.function)
        start = _hour_ago() if self.since_ms is None else self.since_ms
        return tail_logs(session.client, [target], since_ms=start, follow=True, stop=stop)


@dataclass(frozen=True)
class PodSource(LogSubject):
    """A Kubernetes container's log; ``previous`` reads the last crashed one."""

    namespace: str
    pod: str
    container: str | None = None
    previous: bool = False
    since_ms: int | None = None  # None: all of it

    def title(self) -> str:
        """``pod ns/name container (previous)``."""
        where = f"{self.namespace}/{self.pod}" + (f" {self.container}" if self.container else "")
        return f"pod {where}" + (" (previous)" if self.previous else "")

    def scope(self) -> tuple[str, str]:
        """Kubernetes, for this pod."""
        return "kubernetes", f"{self.namespace}/{self.pod}"

    def open(self, session: CloudSession, stop: threading.Event) -> Iterator[LogBatch]:
        """The container's log, followed (reconnecting)."""
        from cloud.logs.kube import follow_pod

        api = session.kube_api()
        if api is None:
            raise LookupError("no kubeconfig: set KUBECONFIG or pick a context")
        return follow_pod(
            api,
            self.namespace,
            self.pod,
            self.container,
            previous=self.previous,
            follow=True,
            since_ms=self.since_ms,
            stop=stop,
        )


def pod_subject(pod: PodRecord, container: str | None = None) -> PodSource:
    """A pod's log: of a container that keeps dying, the previous (crashed) run."""
    for state in pod.containers:
        if container is not None and state.name != container:
            continue
        crashed = state.restart_count > 0 and not state.ready
        return PodSource(pod.namespace, pod.name, state.name, previous=crashed)
    return PodSource(pod.namespace, pod.name, container)
