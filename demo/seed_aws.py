"""Put the scenario's AWS resources into moto, over HTTP with boto3, in parallel."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from demo import moto_direct
from demo.aws_clients import ClientPool, LogSink, stamped
from demo.codebuild import BuildService
from demo.ecr_view import EcrView
from demo.ecs_view import EcsView
from demo.metrics import MetricWorld
from demo.model import (
    Alarm,
    EcrImage,
    EcrRepository,
    LambdaFunction,
    LogGroup,
    Scenario,
)
from demo.moto_state import set_function_last_modified, set_repository_created
from demo.seed_ecs import EcsSeeder

_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"


def _sha(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def image_manifest(repository: str, image: EcrImage) -> str:
    """A Docker v2 manifest whose layers have the scenario's sizes (digests are stable)."""
    seed = f"{repository}|{image.pushed_at.isoformat()}|{image.layers}"
    return json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": _MANIFEST,
            "config": {
                "mediaType": "application/vnd.docker.container.image.v1+json",
                "size": 7023 + len(image.layers) * 311,
                "digest": _sha(seed + "|config"),
            },
            "layers": [
                {
                    "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                    "size": size,
                    "digest": _sha(f"{seed}|{index}"),
                }
                for index, size in enumerate(image.layers)
            ],
        },
        separators=(",", ":"),
    )


class _Progress:
    """Says how seeding goes, at most twice a second (and always at the end)."""

    INTERVAL = 0.5

    def __init__(self, say: Callable[[str], None] | None) -> None:
        self._say = say
        self._last = 0.0

    def __call__(self, text: str, final: bool = False) -> None:
        now = time.monotonic()
        if self._say is not None and (final or now - self._last >= self.INTERVAL):
            self._last = now
            self._say(text)


class AwsSeeder:
    """Creates everything a scenario describes, recording what moto cannot hold."""

    def __init__(
        self,
        scenario: Scenario,
        clients: ClientPool,
        sink: LogSink,
        builds: BuildService,
        ecr_view: EcrView,
        ecs_view: EcsView,
        on_progress: Callable[[str], None] | None = None,
        metrics: MetricWorld | None = None,
    ) -> None:
        self.scenario = scenario
        self.metrics = metrics
        self.clients = clients
        self.sink = sink
        self.builds = builds
        self.ecr_view = ecr_view
        self.ecs_view = ecs_view
        self.cancelled = threading.Event()
        self.progress = _Progress(on_progress)
        self._direct = threading.Lock()  # held around each direct write to moto's backends

    @property
    def direct_lock(self) -> threading.Lock:
        """Held around each direct write to moto's backends (one thread at a time)."""
        return self._direct

    def cancel(self) -> None:
        """Skip the jobs not started yet (the world is stopping)."""
        self.cancelled.set()

    def _run(self, job: Callable[[Any], None], arg: Any) -> None:
        if not self.cancelled.is_set():
            job(arg)

    def seed(self, ready: Callable[[str], None] = lambda service: None) -> None:
        """Seed all of it; ``ready(service)`` is called as each service is complete.

        Service names are SigV4 signing names (``ecr``, ``ecs``, ``logs``, ``monitoring``...).
        ECS goes last: its first call imports and warms moto's EC2, the slowest part.
        """
        self.sink.direct_account = self.scenario.world.account_id
        try:
            self._seed(ready)
        finally:
            self.sink.direct_account = None

    def _seed(self, ready: Callable[[str], None]) -> None:
        s = self.scenario
        self._roles()
        ready("iam")
        for project in s.codebuild:
            self._project(project)
        for secret in s.secrets:
            self.clients.get("secretsmanager", secret.region).create_secret(
                Name=secret.name, Description=secret.description, SecretString=secret.value
            )
        ready("secretsmanager")
        jobs: list[tuple[tuple[str, ...], Callable[[Any], None], Any]] = []
        jobs += [(("ecr",), self._repository, r) for r in s.ecr]
        jobs += [(("codebuild", "logs"), self.builds.seed_project, p) for p in s.codebuild]
        jobs += [(("logs",), self._log_group, g) for g in s.logs]
        jobs += [(("lambda",), self._function, f) for f in s.functions]
        if s.alarms or s.metrics:
            jobs += [(("monitoring",), self._monitoring, s.alarms)]
        ecs = EcsSeeder(s.world.account_id, self.ecs_view, self._role_arn, self._direct)
        jobs += [(("ecs", "ec2"), ecs.seed_cluster, c) for c in s.ecs]
        pending: dict[str, int] = {}
        for services, _, _ in jobs:
            for service in services:
                pending[service] = pending.get(service, 0) + 1
        for service in ("codebuild", "ecr", "logs", "lambda", "monitoring", "ecs", "ec2"):
            if service not in pending:
                ready(service)
        with ThreadPoolExecutor(max_workers=4, thread_name_prefix="seed") as pool:
            futures = [(services, pool.submit(self._run, job, arg)) for services, job, arg in jobs]
            for done, (services, future) in enumerate(futures, start=1):
                future.result()  # re-raise the first seeding failure
                for service in services:
                    pending[service] -= 1
                    if pending[service] == 0:
                        ready(service)
                # ec2 is seeded with ecs (its default network): one name for both.
                left = sorted(n for n, count in pending.items() if count > 0 and n != "ec2")
                self.progress(
                    f"seeding {done:,} of {len(futures):,} resources"
                    + (f" ({', '.join(left)} to go)" if left else ""),
                    done == len(futures),
                )

    def _roles(self) -> None:
        names = {p.service_role for p in self.scenario.codebuild}
        names |= {f.role for f in self.scenario.functions}
        for cluster in self.scenario.ecs:
            for d in cluster.task_definitions:
                names |= {d.execution_role, *([d.task_role] if d.task_role else [])}
        iam = self.clients.get("iam", self.scenario.world.default_region)
        trust = json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
        )
        for name in sorted(names):
            iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust)

    def _role_arn(self, name: str) -> str:
        return f"arn:aws:iam::{self.scenario.world.account_id}:role/{name}"

    def _repository(self, repo: EcrRepository) -> None:
        self.repository_in(self.scenario.world.account_id, repo)

    def repository_in(self, account: str, repo: EcrRepository) -> None:
        """Create ``repo`` with its images in ``account`` (the world's, or another's)."""
        with self._direct:  # moto's backends are written from one thread at a time
            arn = moto_direct.create_repository(
                account,
                repo.region,
                repo.name,
                tag_mutability=repo.tag_mutability,
                scan_on_push=repo.scan_on_push,
                encryption=repo.encryption,
                lifecycle_policy=None
                if repo.lifecycle_policy is None
                else json.dumps(repo.lifecycle_policy),
            )
        set_repository_created(arn, repo.created_at)
        # Oldest first, so that moto lists images in push order like ECR.
        for image in sorted(repo.images, key=lambda i: i.pushed_at):
            manifest = image_manifest(repo.name, image)
            digest = _sha(manifest)
            with self._direct:
                moto_direct.put_image(
                    account,
                    repo.region,
                    repo.name,
                    manifest,
                    _MANIFEST,
                    digest,
                    image.tags or (None,),
                )
            self.ecr_view.remember(
                repo.region, repo.name, digest, image.size, image.pushed_at.timestamp()
            )

    def _project(self, project: Any) -> None:
        # The role exists (``_roles``): the check moto's CreateProject handler makes holds.
        moto_direct.create_project(
            self.scenario.world.account_id,
            project.region,
            project_name=project.name,
            description=project.description,
            project_source={
                "type": project.source_type,
                "location": project.source_location,
                "buildspec": project.buildspec,
                "gitCloneDepth": 1,
            },
            source_version=project.source_version,
            artifacts={"type": "NO_ARTIFACTS"},
            environment={
                "type": project.environment_type,
                "image": project.image,
                "computeType": project.compute_type,
                "privilegedMode": project.privileged_mode,
                "imagePullCredentialsType": "CODEBUILD",
            },
            service_role=self._role_arn(project.service_role),
            timeout=project.timeout_minutes,
            queued_timeout=project.queued_timeout_minutes,
            logs_config={"cloudWatchLogs": {"status": "ENABLED", "groupName": project.log_group}},
            tags=[{"key": k, "value": v} for k, v in project.tags.items()],
            cache=None,
            vpc_config=None,
        )

    def _log_group(self, group: LogGroup) -> None:
        # A CodeBuild history job may have created this group first.
        with self._direct:
            moto_direct.create_log_group(
                self.scenario.world.account_id, group.region, group.name, group.retention_days
            )
        for stream in group.streams:
            self.sink.write(
                group.region, group.name, stream.name, [(e.at, e.message) for e in stream.events]
            )

    def log_group_in(self, account: str, group: LogGroup) -> None:
        """Create ``group`` with its streams' events in another account (straight into moto)."""
        with self._direct:
            moto_direct.create_log_group(account, group.region, group.name, group.retention_days)
            for stream in group.streams:
                ordered = sorted(stream.events, key=lambda e: e.at)
                batch = [
                    {"timestamp": int(e.at.timestamp() * 1000), "message": stamped(e.message, e.at)}
                    for e in ordered
                ]
                moto_direct.write_log_events(account, group.region, group.name, stream.name, batch)

    def _function(self, fn: LambdaFunction) -> None:
        created = self.clients.get("lambda", fn.region).create_function(
            FunctionName=fn.name,
            PackageType="Image",
            Code={"ImageUri": fn.image},
            Role=self._role_arn(fn.role),
            MemorySize=fn.memory,
            Timeout=fn.timeout,
            Description=fn.description,
            Environment={"Variables": fn.environment},
        )
        # moto stamps the creation time; the scenario says when the function last changed.
        set_function_last_modified(created["FunctionArn"], fn.last_modified)

    def _monitoring(self, alarms: tuple[Alarm, ...]) -> None:
        """The alarms, then the metric series and what the alarms make of them."""
        for alarm in alarms:
            self._alarm(alarm)
        if self.metrics is not None:
            self.metrics.seed(time.time())

    def _alarm(self, alarm: Alarm) -> None:
        cloudwatch = self.clients.get("cloudwatch", alarm.region)
        cloudwatch.put_metric_alarm(
            AlarmName=alarm.name,
            Namespace=alarm.namespace,
            MetricName=alarm.metric,
            Statistic=alarm.statistic,
            Period=alarm.period,
            EvaluationPeriods=alarm.evaluation_periods,
            Threshold=alarm.threshold,
            ComparisonOperator=alarm.comparison,
            Dimensions=[{"Name": k, "Value": v} for k, v in alarm.dimensions.items()],
        )
        cloudwatch.set_alarm_state(
            AlarmName=alarm.name, StateValue=alarm.state, StateReason=alarm.state_reason
        )
