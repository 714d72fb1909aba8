"""A CodeBuild build as the world runs it: phases that advance with the clock, with logs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from demo import build_logs
from demo.build_logs import Line
from demo.model import BUILD_PHASES, BuildRecord

# Phases that still run after a buildspec phase failed (CodeBuild skips the others,
# except POST_BUILD after a BUILD failure).
_ALWAYS = ("UPLOAD_ARTIFACTS", "FINALIZING", "COMPLETED")


@dataclass
class Phase:
    """One entry of ``phases`` in BatchGetBuilds."""

    phase_type: str
    start: datetime
    end: datetime | None = None
    status: str | None = None
    code: str | None = None
    message: str | None = None

    def shape(self) -> dict[str, Any]:
        """AWS JSON shape of the phase."""
        data: dict[str, Any] = {"phaseType": self.phase_type, "startTime": self.start.timestamp()}
        if self.end is not None:
            data["endTime"] = self.end.timestamp()
            data["durationInSeconds"] = int((self.end - self.start).total_seconds())
            data["phaseStatus"] = self.status
            data["contexts"] = [{"statusCode": self.code or "", "message": self.message or ""}]
        return data


@dataclass
class Build:
    """A build of a project: recorded history or a live run driven by the clock."""

    build_id: str
    number: int
    region: str
    account: str
    project: dict[str, Any]
    source_version: str
    resolved_source_version: str
    initiator: str
    overrides: list[dict[str, str]]
    durations: dict[str, float]
    commands: dict[str, tuple[str, ...]]
    phases: list[Phase] = field(default_factory=list)
    status: str = "IN_PROGRESS"
    stop_requested: bool = False

    @property
    def uuid(self) -> str:
        """The part of the id after ``project:``; also the log stream name."""
        return self.build_id.split(":", 1)[1]

    @property
    def compute_type(self) -> str:
        """Compute type the build runs on."""
        return str(self.project.get("environment", {}).get("computeType", ""))

    @property
    def complete(self) -> bool:
        """True once the COMPLETED phase has started."""
        return bool(self.phases) and self.phases[-1].phase_type == "COMPLETED"

    @property
    def current(self) -> str:
        """The phase in progress."""
        return self.phases[-1].phase_type if self.phases else "SUBMITTED"

    @property
    def log_group(self) -> str:
        """CloudWatch group of the build's logs."""
        logs = self.project.get("logsConfig", {}).get("cloudWatchLogs", {})
        return str(logs.get("groupName") or f"/aws/codebuild/{self.project['name']}")

    # -- history ---------------------------------------------------------------------------
    def load_record(self, record: BuildRecord) -> list[Line]:
        """Fill this build from a recorded one; returns its log lines."""
        lines: list[Line] = []
        for p in record.phases:
            end = None if p.phase_type == "COMPLETED" else p.start + timedelta(seconds=p.duration)
            failing = p.message if p.status != "SUCCEEDED" else None
            self.phases.append(
                Phase(
                    p.phase_type,
                    p.start,
                    end,
                    None if end is None else p.status,
                    p.status_code,
                    p.message,
                )
            )
            lines.extend(self._enter_lines(p.phase_type, p.start, p.output, failing))
            if end is not None and p.phase_type in build_logs.CONTAINER_PHASES:
                lines.extend(
                    build_logs.completion_lines(
                        p.phase_type, end, p.status, p.status_code, p.message
                    )
                )
        self.status = record.status
        return lines

    # -- live --------------------------------------------------------------------------------
    def begin(self, now: datetime) -> None:
        """Submit the build."""
        self.phases.append(Phase("SUBMITTED", now))

    def advance(self, now: datetime, may_leave_queue: bool) -> list[Line]:
        """Move through every phase whose time is up; returns the log lines written."""
        lines: list[Line] = []
        while not self.complete:
            phase = self.phases[-1]
            due = phase.start + timedelta(seconds=self.durations.get(phase.phase_type, 1.0))
            if self.stop_requested and phase.phase_type not in ("FINALIZING",):
                due = min(due, now)
            if now < due or (
                phase.phase_type == "QUEUED" and not may_leave_queue and not self.stop_requested
            ):
                break
            # Only the phase the stop interrupted is STOPPED; FINALIZING still runs to the end.
            interrupted = self.stop_requested and phase.phase_type != "FINALIZING"
            status = "STOPPED" if interrupted else "SUCCEEDED"
            phase.end, phase.status = due, status
            if phase.phase_type in build_logs.CONTAINER_PHASES:
                lines.extend(build_logs.completion_lines(phase.phase_type, due, status, None, None))
            following = self._next_phase(phase.phase_type)
            self.phases.append(Phase(following, due))
            lines.extend(self._enter_lines(following, due, (), None))
            if following == "COMPLETED":
                self.status = "STOPPED" if self.stop_requested else "SUCCEEDED"
        return lines

    def _next_phase(self, phase: str) -> str:
        if self.stop_requested:
            return "FINALIZING" if phase != "FINALIZING" else "COMPLETED"
        return BUILD_PHASES[BUILD_PHASES.index(phase) + 1]

    def _enter_lines(
        self, phase: str, at: datetime, output: tuple[str, ...], failing: str | None
    ) -> list[Line]:
        if phase == "PROVISIONING":
            return []
        if phase == "DOWNLOAD_SOURCE":
            source = str(self.project.get("source", {}).get("location", ""))
            return build_logs.provisioning_lines(at, self.build_id, source)
        if phase not in build_logs.CONTAINER_PHASES:
            return []
        return build_logs.entering_lines(phase, at, self.commands.get(phase, ()), output, failing)

    # -- API shape -----------------------------------------------------------------------------
    def shape(self) -> dict[str, Any]:
        """The build as BatchGetBuilds returns it."""
        project = self.project
        name = project["name"]
        start = self.phases[0].start if self.phases else datetime.now(UTC)
        environment = dict(project.get("environment", {}))
        environment["environmentVariables"] = (
            list(environment.get("environmentVariables", [])) + self.overrides
        )
        group, stream = self.log_group, self.uuid
        data: dict[str, Any] = {
            "id": self.build_id,
            "arn": f"arn:aws:codebuild:{self.region}:{self.account}:build/{self.build_id}",
            "buildNumber": self.number,
            "startTime": start.timestamp(),
            "currentPhase": self.current,
            "buildStatus": self.status,
            "sourceVersion": self.source_version,
            "resolvedSourceVersion": self.resolved_source_version,
            "projectName": name,
            "phases": [p.shape() for p in self.phases],
            "source": project.get("source", {}),
            "secondarySources": [],
            "artifacts": {"location": ""},
            "cache": project.get("cache", {"type": "NO_CACHE"}),
            "environment": environment,
            "serviceRole": project.get("serviceRole", ""),
            "logs": {
                "groupName": group,
                "streamName": stream,
                "deepLink": f"https://console.aws.amazon.com/cloudwatch/home?region="
                f"{self.region}#logEvent:group={group};stream={stream}",
                "cloudWatchLogsArn": f"arn:aws:logs:{self.region}:{self.account}:log-group:"
                f"{group}:log-stream:{stream}",
                "cloudWatchLogs": {"status": "ENABLED", "groupName": group},
                "s3Logs": {"status": "DISABLED", "encryptionDisabled": False},
            },
            "timeoutInMinutes": project.get("timeoutInMinutes", 60),
            "queuedTimeoutInMinutes": project.get("queuedTimeoutInMinutes", 480),
            "buildComplete": self.complete,
            "initiator": self.initiator,
            "encryptionKey": project.get("encryptionKey", ""),
        }
        if self.complete:
            data["endTime"] = self.phases[-1].start.timestamp()
        return data
