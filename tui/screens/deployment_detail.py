"""A Kubernetes deployment: pods, why they are not ready, their events, a crashing pod's log."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.binding import BindingType

from cloud.classify import crashing_container
from cloud.model.ref import ResourceRef
from cloud.records import ContainerStateRecord, DeploymentRecord, PodRecord
from tui.context.formatting import timestamp
from tui.context.messages import DetailFetched, LogTailRead
from tui.context.state import ConsoleContext
from tui.flows.action_keys import KIND_KEYS
from tui.flows.remediation import RemediationHost, bindings
from tui.screens.detail import DetailScreen, error_section
from widgets.detail_view import DetailSection


def crashing_pod(deployment: DeploymentRecord) -> tuple[PodRecord, str] | None:
    """The first pod whose container keeps dying, and that container's name."""
    for pod in deployment.pods:
        container = crashing_container(pod)
        if container is not None:
            return pod, container.name
    return None


def why_text(container: ContainerStateRecord) -> Text:
    """The waiting/terminated reason with its message, then the last termination."""
    text = Text()
    reason = container.reason or container.state
    text.append(reason, style="green" if container.ready else "bold red")
    if container.message:
        text.append(f": {container.message.strip()}")
    if container.last_exit_code is not None or container.last_reason:
        text.append("\nlast: ", style="dim")
        text.append(f"exit {container.last_exit_code} {container.last_reason or ''}".strip())
        if container.last_message:
            text.append(f": {container.last_message.strip()}", style="red")
    return text


def pod_rows(pods: tuple[PodRecord, ...]) -> tuple[tuple[str | Text, ...], ...]:
    """One row per container of each pod: ready, restarts, why it is not running."""
    return tuple(
        (
            pod.name,
            c.name,
            pod.phase,
            Text("yes" if c.ready else "no", style="green" if c.ready else "bold red"),
            str(c.restart_count),
            why_text(c),
        )
        for pod in pods
        for c in pod.containers
    )


class DeploymentDetail(RemediationHost, DetailScreen):
    """``kubectl describe`` for a deployment, its pods and ``logs --previous`` of a crashing one."""

    BINDINGS: ClassVar[list[BindingType]] = bindings(KIND_KEYS["k8s"])
    remediation_keys = KIND_KEYS["k8s"]

    def __init__(self, context: ConsoleContext, ref: ResourceRef) -> None:
        self.title_text = f"deployment {ref.name}  ({ref.scope})"
        self.log_tail: LogTailRead | None = None
        super().__init__(context, ref)

    def remediation_record(self) -> object | None:
        """The resource this screen is about."""
        return self.current

    def log_subject(self) -> object | None:
        """``l`` follows this resource's log (as last read)."""
        return self.current

    @work(
        thread=True,
        exclusive=True,
        group="detail",
        exit_on_error=False,
        description="read the deployment's pods and events",
    )
    def load(self) -> None:
        """Read the deployment with its pods and events (in a thread)."""
        from cloud.inventory import fetch_deployment_detail

        assert self.ref is not None
        namespace, _, name = self.ref.name.partition("/")
        fetched = fetch_deployment_detail(self.context.session, namespace, name)
        self.post_message(DetailFetched("deployment", fetched))

    @work(
        thread=True,
        exclusive=True,
        group="log-tail",
        exit_on_error=False,
        description="read a crashing pod's log",
    )
    def load_log_tail(self, pod: str, container: str) -> None:
        """Read the previous container's last lines (in a thread); failures are shown in place."""
        from cloud.inventory import fetch_pod_log_tail

        assert self.ref is not None
        namespace = self.ref.name.partition("/")[0]
        try:
            text = fetch_pod_log_tail(
                self.context.session, namespace, pod, container=container, previous=True, lines=50
            )
        except Exception as exc:  # noqa: BLE001 - any failure is shown in the log section
            self.post_message(LogTailRead(pod, container, "", error=f"{type(exc).__name__}: {exc}"))
            return
        self.post_message(LogTailRead(pod, container, text))

    @property
    def current(self) -> DeploymentRecord | None:
        """The deployment as this screen's fetch read it (events), else as the model has it."""
        fetched = self.parts.get("deployment")
        if fetched is not None and fetched.records:
            found = fetched.records[0]
            if isinstance(found, DeploymentRecord):
                return found
        record = self.record_as(DeploymentRecord)
        return record

    def show(self) -> None:
        """Redraw; once the pods are known, read the log of a crashing one."""
        super().show()
        current = self.current
        if "deployment" in self.parts and self.log_tail is None and current is not None:
            crashing = crashing_pod(current)
            if crashing is not None:
                self.load_log_tail(crashing[0].name, crashing[1])

    @on(LogTailRead)
    def _log_read(self, message: LogTailRead) -> None:
        self.log_tail = message
        super().show()

    def action_refresh(self) -> None:
        """Read the deployment and the log again."""
        self.log_tail = None
        super().action_refresh()

    def sections(self) -> list[DetailSection]:
        """Deployment, flags, pods, log tail, events, env names."""
        d = self.current
        if d is None:
            return [DetailSection("deployment", empty="reading…")]
        fetched = self.parts.get("deployment")
        sections = error_section(fetched.errors) if fetched else []
        sections += [
            DetailSection(
                "deployment",
                fields=(
                    (
                        "ready",
                        f"{d.ready}/{d.desired} (updated {d.updated}, available {d.available})",
                    ),
                    ("images", "\n".join(d.images) or "—"),
                    ("context", d.context),
                ),
            ),
            self.flags_section(),
            DetailSection(
                f"pods ({len(d.pods)})",
                columns=("POD", "CONTAINER", "PHASE", "READY", "RESTARTS", "STATE / LAST EXIT"),
                rows=pod_rows(d.pods),
                empty="no pods" if fetched else "loading…",
            ),
        ]
        sections.append(self._log_section(d))
        events = [
            (timestamp(when), pod.name, kind, reason, message)
            for pod in d.pods
            for when, kind, reason, message in pod.events
        ]
        sections.append(
            DetailSection(
                "pod events",
                columns=("TIME", "POD", "TYPE", "REASON", "MESSAGE"),
                rows=tuple(
                    (
                        when,
                        pod,
                        Text(kind, style="yellow" if kind == "Warning" else ""),
                        reason,
                        msg,
                    )
                    for when, pod, kind, reason, msg in events[:30]
                ),
                empty="no events" if fetched else "loading…",
            )
        )
        sections.append(
            DetailSection(
                "environment (names only)",
                fields=tuple((c, ", ".join(names) or "—") for c, names in d.env_names),
                empty="no environment variables",
            )
        )
        return sections

    def _log_section(self, d: DeploymentRecord) -> DetailSection:
        tail = self.log_tail
        if tail is None:
            if "deployment" not in self.parts:
                return DetailSection("log tail", empty="reading…")
            empty = "reading…" if crashing_pod(d) else "no crashing pod"
            return DetailSection("log tail", empty=empty)
        title = f"log tail of {tail.pod} ({tail.container}, previous container)"
        if tail.error:
            return DetailSection(title, text=Text(tail.error, style="red"))
        return DetailSection(title, text=Text(tail.text.rstrip() or "(empty log)"), empty="")
