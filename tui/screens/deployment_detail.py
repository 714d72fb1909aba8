"""A Kubernetes deployment: pods, why they are not ready, their events, a crashing pod's log."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.binding import BindingType

from cloud.records import ContainerStateRecord, DeploymentRecord, PodRecord
from tui.action_flow import RemediationHost
from tui.context import ConsoleContext
from tui.formatting import flag_lines, timestamp
from tui.messages import DetailFetched, LogTailRead
from tui.remediations import K8S_KEYS, bindings
from tui.screens.detail import DetailScreen, error_section
from widgets.detail_view import DetailSection

_CRASHING = ("CrashLoopBackOff", "Error", "OOMKilled")


def crashing_pod(deployment: DeploymentRecord) -> tuple[PodRecord, str] | None:
    """The first pod whose container keeps dying, and that container's name."""
    for pod in deployment.pods:
        for container in pod.containers:
            if container.reason in _CRASHING or (
                not container.ready and container.last_exit_code not in (None, 0)
            ):
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

    BINDINGS: ClassVar[list[BindingType]] = bindings(K8S_KEYS)
    remediation_keys = K8S_KEYS

    def __init__(self, context: ConsoleContext, record: DeploymentRecord) -> None:
        self.record = record
        self.title_text = f"deployment {record.namespace}/{record.name}  ({record.context})"
        self.log_tail: LogTailRead | None = None
        super().__init__(context)

    def remediation_record(self) -> object | None:
        """The resource this screen is about."""
        return self.current

    def log_subject(self) -> object | None:
        """``l`` follows this resource's log (as last read)."""
        return self.current

    @work(thread=True, exclusive=True, group="detail", exit_on_error=False)
    def load(self) -> None:
        """Read the deployment with its pods and events (in a thread)."""
        from cloud.inventory import fetch_deployment_detail

        r = self.record
        fetched = fetch_deployment_detail(self.context.session, r.namespace, r.name)
        self.post_message(DetailFetched("deployment", fetched))

    @work(thread=True, exclusive=True, group="log-tail", exit_on_error=False)
    def load_log_tail(self, pod: str, container: str) -> None:
        """Read the previous container's last lines (in a thread); failures are shown in place."""
        from cloud.inventory import fetch_pod_log_tail

        namespace = self.record.namespace
        try:
            text = fetch_pod_log_tail(
                self.context.session, namespace, pod, container=container, previous=True, lines=50
            )
        except Exception as exc:  # noqa: BLE001 - any failure is shown in the log section
            self.post_message(LogTailRead(pod, container, "", error=f"{type(exc).__name__}: {exc}"))
            return
        self.post_message(LogTailRead(pod, container, text))

    @property
    def current(self) -> DeploymentRecord:
        """The freshest record: the detail once read, else the one from the pane."""
        fetched = self.parts.get("deployment")
        if fetched is not None and fetched.records:
            found = fetched.records[0]
            if isinstance(found, DeploymentRecord):
                return found
        return self.record

    def show(self) -> None:
        """Redraw; once the pods are known, read the log of a crashing one."""
        super().show()
        if "deployment" in self.parts and self.log_tail is None:
            crashing = crashing_pod(self.current)
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
            DetailSection("flags", fields=flag_lines(d.flags), empty="nothing to act on"),
            DetailSection(
                f"pods ({len(d.pods)})",
                columns=("POD", "CONTAINER", "PHASE", "READY", "RESTARTS", "STATE / LAST EXIT"),
                rows=pod_rows(d.pods),
                empty="no pods" if fetched else "loading…",
            ),
        ]
        sections.append(self._log_section())
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

    def _log_section(self) -> DetailSection:
        tail = self.log_tail
        if tail is None:
            crashing = crashing_pod(self.current) if "deployment" in self.parts else None
            empty = "reading…" if crashing else "no crashing pod"
            return DetailSection("log tail", empty=empty)
        title = f"log tail of {tail.pod} ({tail.container}, previous container)"
        if tail.error:
            return DetailSection(title, text=Text(tail.error, style="red"))
        return DetailSection(title, text=Text(tail.text.rstrip() or "(empty log)"), empty="")
