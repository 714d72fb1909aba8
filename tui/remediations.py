"""Which remediation each pane and detail offers, on which key, and what a row makes its target.

Declared once here: the key, the footer label and the binding id
(``action.<name>``) of every action; panes and detail screens take their
``BINDINGS`` from these tables, the help screen and the keymap read them
through ``tui.keys``, and the command palette offers whatever is enabled.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from textual.binding import Binding, BindingType

from cloud.records import (
    BuildRecord,
    DeploymentRecord,
    EcsServiceRecord,
    LambdaFunctionRecord,
    ProjectRecord,
    QuotaRecord,
    RepositoryRecord,
)


@dataclass(frozen=True)
class RemediationKey:
    """An action of the catalogue on a key."""

    action: str  # the catalogue name, e.g. "retag-latest"
    key: str
    label: str  # short, for the footer

    @property
    def binding_id(self) -> str:
        """``action.retag-latest``: what a keymap names."""
        return f"action.{self.action}"

    def binding(self) -> Binding:
        """The binding a pane or detail screen declares."""
        return Binding(self.key, f"remediate({self.action!r})", self.label, id=self.binding_id)


REPOSITORY_KEYS: tuple[RemediationKey, ...] = (
    RemediationKey("retag-latest", "t", "Retag"),
    RemediationKey("delete-tag", "D", "Delete tag"),
    RemediationKey("put-lifecycle-policy", "L", "Lifecycle"),
    RemediationKey("enable-scan-on-push", "S", "Scan on push"),
    RemediationKey("scan-image", "x", "Scan"),
)
BUILD_KEYS: tuple[RemediationKey, ...] = (
    RemediationKey("start-build", "s", "Start"),
    RemediationKey("remove-build-limit", "u", "Unlimit"),
    RemediationKey("request-quota-increase", "Q", "Quota"),
    RemediationKey("draft-support-case", "c", "Case"),
    RemediationKey("stop-build", "X", "Stop"),
    RemediationKey("retry-build", "R", "Retry"),
)
ECS_KEYS: tuple[RemediationKey, ...] = (
    RemediationKey("force-deploy", "F", "Redeploy"),
    RemediationKey("rollback-service", "B", "Rollback"),
    RemediationKey("scale-service", "plus,equals_sign", "Scale"),
    RemediationKey("resize-task", "M", "Resize"),
)
LAMBDA_KEYS: tuple[RemediationKey, ...] = (RemediationKey("rollback-lambda", "B", "Rollback"),)
K8S_KEYS: tuple[RemediationKey, ...] = (
    RemediationKey("restart-rollout", "R", "Restart"),
    RemediationKey("set-image", "I", "Image"),
    RemediationKey("scale-deployment", "plus,equals_sign", "Scale"),
    RemediationKey("wire-secret-env", "W", "Secret"),
    RemediationKey("delete-pod", "P", "Del pod"),
)
SERVICE_KEYS: tuple[RemediationKey, ...] = ECS_KEYS + LAMBDA_KEYS + K8S_KEYS
QUOTA_KEYS: tuple[RemediationKey, ...] = (
    RemediationKey("request-quota-increase", "Q", "Increase"),
)


def long_description(binding_id: str | None, description: str, *, label: bool = True) -> str:
    """``Retag: Put latest on an existing image`` for an action's binding (help, palette).

    Without ``label`` only the catalogue's title (the help table is narrow).
    """
    if binding_id is None or not binding_id.startswith("action."):
        return description
    from actions.catalogue import CATALOGUE

    found = CATALOGUE.get(binding_id.removeprefix("action."))
    if found is None:
        return description
    return f"{description}: {found.title}" if label else found.title


def bindings(keys: tuple[RemediationKey, ...]) -> list[BindingType]:
    """The bindings of a scope, for a class's ``BINDINGS``."""
    return [key.binding() for key in keys]


@dataclass(frozen=True)
class Target:
    """What an action acts on for one row, and what the form starts with."""

    action: str
    target: str  # "ecr:nova/cdn-service", as ``shipdeck action`` takes it
    region: str | None
    label: str  # for titles: "nova/cdn-service (ap-northeast-1)"
    defaults: Mapping[str, str] = field(default_factory=dict)
    panes: tuple[str, ...] = ()  # the panes to read again after an apply
    record: object = None


_MISSING_ENV = re.compile(
    r"\b([A-Z][A-Z0-9_]{2,})\b(?: environment variable)?(?: must be set| is not set| not set"
    r"| is missing| missing)"
)


def missing_env(record: DeploymentRecord) -> str | None:
    """The variable a crashing deployment says it lacks (from its flags), e.g. CLICKHOUSE_URL."""
    for flag in record.flags:
        found = _MISSING_ENV.search(flag.text)
        if found:
            return found.group(1)
    return None


def crashing_or_first_pod(record: DeploymentRecord) -> str | None:
    """The pod to offer first for deletion: a not-ready one, else the first."""
    for pod in record.pods:
        if pod.problem is not None:
            return pod.name
    return record.pods[0].name if record.pods else None


def _repository(action: str, r: RepositoryRecord) -> Target | None:
    defaults: dict[str, str] = {}
    if action == "retag-latest":
        defaults = {"source": "", "tag": "latest"}
    elif action == "delete-tag":
        defaults = {"tag": "buildcache" if r.buildcache_size_bytes is not None else ""}
    elif action == "scan-image":
        newest = next((t for t in r.newest_tags if t != "buildcache"), "")
        defaults = {"tag": "latest" if r.has_latest else newest}
    elif action not in ("put-lifecycle-policy", "enable-scan-on-push"):
        return None
    label = f"{r.name} ({r.region})"
    return Target(action, f"ecr:{r.name}", r.region, label, defaults, ("repositories",), r)


def _project(action: str, p: ProjectRecord, build: BuildRecord | None) -> Target | None:
    label = f"{p.name} ({p.region})"
    panes = ("builds", "quotas")
    if action in ("start-build", "remove-build-limit", "draft-support-case"):
        defaults = {"source-version": "", "env": ""} if action == "start-build" else {}
        return Target(action, f"codebuild:{p.name}", p.region, label, defaults, panes, p)
    if action == "request-quota-increase":
        blocked = p.blocked
        if blocked is None:
            return None
        wanted = blocked.default_value if blocked.default_value else None
        value = f"{wanted:g}" if wanted else ""
        target = f"quota:codebuild/{blocked.quota_code}"
        label = f"codebuild {blocked.quota_code} ({p.region})"
        return Target(action, target, p.region, label, {"value": value}, panes, p)
    if action in ("stop-build", "retry-build"):
        build = build or p.last_build
        if build is None:
            return None
        running = build.status == "IN_PROGRESS"
        if running != (action == "stop-build"):
            return None
        number = f"#{build.number}" if build.number is not None else build.build_id
        label = f"{p.name} {number} ({p.region})"
        defaults = {"build": build.build_id}
        return Target(action, f"codebuild:{p.name}", p.region, label, defaults, panes, p)
    return None


def _quota(action: str, q: QuotaRecord) -> Target | None:
    if action != "request-quota-increase" or not q.adjustable:
        return None
    value = ""
    if q.default_value and (q.applied_value is None or q.default_value > q.applied_value):
        value = f"{q.default_value:g}"
    label = f"{q.service_code} {q.quota_code} ({q.region})"
    target = f"quota:{q.service_code}/{q.quota_code}"
    return Target(action, target, q.region, label, {"value": value}, ("quotas", "builds"), q)


def _ecs(action: str, s: EcsServiceRecord) -> Target | None:
    defaults: dict[str, str] = {}
    if action == "scale-service":
        defaults = {"count": str(s.desired)}
    elif action == "resize-task":
        memory = str(int(s.memory) * 2) if s.memory and s.memory.isdigit() else ""
        defaults = {"memory": memory, "cpu": s.cpu or ""}
    elif action == "rollback-service":
        _, _, number = s.task_definition.rpartition(":")
        defaults = {"revision": str(int(number) - 1) if number.isdigit() else ""}
    elif action != "force-deploy":
        return None
    target = f"ecs:{s.cluster}/{s.name}"
    label = f"{s.cluster}/{s.name} ({s.region})"
    return Target(action, target, s.region, label, defaults, ("services",), s)


def _lambda(action: str, f: LambdaFunctionRecord) -> Target | None:
    if action != "rollback-lambda" or f.package_type != "Image" or not f.image_uri:
        return None
    label = f"{f.name} ({f.region})"
    defaults = {"tag": ""}
    return Target(action, f"lambda:{f.name}", f.region, label, defaults, ("services",), f)


def _deployment(action: str, d: DeploymentRecord) -> Target | None:
    defaults: dict[str, str] = {}
    if action == "scale-deployment":
        defaults = {"count": str(d.desired)}
    elif action == "set-image":
        defaults = {"image": d.images[0] if d.images else ""}
    elif action == "wire-secret-env":
        defaults = {"name": missing_env(d) or "", "secret": "", "key": "", "value": ""}
    elif action == "delete-pod":
        pod = crashing_or_first_pod(d)
        if pod is None:
            return None
        defaults = {"pod": pod}
    elif action != "restart-rollout":
        return None
    target = f"k8s:{d.namespace}/{d.name}"
    label = f"{d.namespace}/{d.name} ({d.context})"
    return Target(action, target, None, label, defaults, ("services",), d)


def target_for(action: str, record: object, build: BuildRecord | None = None) -> Target | None:
    """What ``action`` acts on for ``record`` (a row), or None when it does not apply to it.

    ``build`` is the build row selected in a project's detail (stop/retry act on it);
    without it they act on the project's last build.
    """
    if isinstance(record, RepositoryRecord):
        return _repository(action, record)
    if isinstance(record, ProjectRecord):
        return _project(action, record, build)
    if isinstance(record, QuotaRecord):
        return _quota(action, record)
    if isinstance(record, EcsServiceRecord):
        return _ecs(action, record)
    if isinstance(record, LambdaFunctionRecord):
        return _lambda(action, record)
    if isinstance(record, DeploymentRecord):
        return _deployment(action, record)
    return None
