"""``fallback-build``: when CodeBuild cannot run, build the services here and push them to ECR.

An ordinary catalogue action on the CodeBuild project (``codebuild:NAME`` in
its region): its values (``services``, ``context``, ``parallel``,
``repository``, ``registry``, ``engine``) pick and adjust the recipe
(``actions.fallback.options``). The plan lists, per service, the image
references that will be pushed (with what each tag points at now), the
equivalent ``docker build``/``docker push`` lines and the ECR login line, and
checks the engine, the context, every Dockerfile, every repository and the
registry. ``apply()`` (after the model's read-only, freshness and precondition
checks) runs the :class:`BuildPool` and returns when every service is done,
failed or cancelled. Meanwhile, from any thread: ``steps()`` (one per
service), ``output()`` (their lines) and ``cancel(service)`` / ``cancel(None)``.
The Docker engine is the one the process's environment names (``DOCKER_HOST``,
the docker context), as for the docker CLI.
"""

from __future__ import annotations

import shlex
import threading
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from actions.fallback.engine import DockerEngine, EngineUnreachable, connect_engine
from actions.fallback.job import ServiceJob
from actions.fallback.options import PARAMS, FallbackOptions, recipe_for, settings_or_file
from actions.fallback.pool import BuildPool
from actions.fallback.recipe import recipe_to_toml, source_tag
from actions.fallback.registry import (
    EcrLogin,
    RegistryApi,
    RegistryCredentials,
    RegistryError,
    Snapshot,
    TagGuard,
)
from actions.fallback.status import OutputFeed, ServiceState, ServiceStatus
from actions.model import Action, ActionError, Change, Check, Danger, Outcome, Plan

if TYPE_CHECKING:
    from actions.audit import AuditLog
    from actions.fallback.sdk_builder import Builder
    from actions.progress import ProgressListener, StepStatus
    from cloud.model.ref import ResourceRef
    from cloud.settings import Settings

READ_WORKERS = 8
ENGINE_CHECK = "Docker engine reachable"
"""The name of the plan's check that an engine answered (its detail says where it looked)."""


class FallbackBuild(Action):
    """Build a recipe's services on the local Docker engine and push them to ECR, in parallel.

    The recipe is ``settings.fallback[ref.name]`` (the config file's when
    ``settings`` is None); the images go to ECR in the recipe's ``region``, or
    else in the project's (``ref.scope``).
    """

    name = "fallback-build"
    title = "Build and push the images here (CodeBuild fallback)"
    danger = Danger.RISKY  # it moves tags such as latest that deployments pull
    target_kind = "codebuild"
    params = PARAMS
    long_running = True
    affects = ("ecr", "k8s", "ecs", "lambda")

    def __init__(
        self,
        session: Any,
        ref: ResourceRef,
        values: Mapping[str, str] | None = None,
        *,
        read_only: bool = False,
        audit: AuditLog | None = None,
        progress: ProgressListener | None = None,
        settings: Settings | None = None,
    ) -> None:
        """Check the values and find the recipe; BadParameter (one line) when they do not fit."""
        super().__init__(
            session,
            ref,
            values,
            read_only=read_only,
            audit=audit,
            progress=progress,
            settings=settings,
        )
        options = FallbackOptions.from_values(self.values)
        self.config = settings_or_file(settings)
        self.recipe = recipe_for(ref.name, options, self.config)
        self.region = self.recipe.region or ref.scope
        self.registry_override = options.registry
        self.use_buildx = options.use_buildx
        self.feed = OutputFeed()
        context = self.recipe.context
        self.git_sha = source_tag(context) if context.is_dir() else "unknown"
        self.login = EcrLogin(self._ecr(), registry_override=options.registry)
        self.guard = TagGuard(RegistryApi(self.login.credentials), ecr_client=self._ecr())
        self.engine: DockerEngine | None = None
        self.pool: BuildPool | None = None
        self._pool_lock = threading.Lock()
        self._cancel_before_start: set[str] = set()

    def _ecr(self) -> Any:
        return self.session.client("ecr", self.region)

    def jobs(self) -> list[ServiceJob]:
        """One job per service of the recipe, tags expanded."""
        recipe = self.recipe
        return [
            ServiceJob(
                service=service,
                context=recipe.context,
                dockerfile=recipe.dockerfile_for(service),
                platform=recipe.platform,
                repository=recipe.repository_for(service),
                tags=recipe.tags_for(service, self.git_sha),
            )
            for service in recipe.services
        ]

    # --- plan -----------------------------------------------------------------

    def _plan(self) -> Plan:
        jobs = self.jobs()
        checks: list[Check] = []
        try:
            self.engine = connect_engine(use_buildx=self.use_buildx)
            how = "buildx" if self.engine.buildx else "the SDK build API"
            checks.append(
                Check(
                    ENGINE_CHECK,
                    True,
                    f"{self.engine.base_url} (docker {self.engine.server_version}, {how})",
                )
            )
        except EngineUnreachable as exc:
            self.engine = None
            checks.append(Check(ENGINE_CHECK, False, str(exc)))
        context = self.recipe.context
        checks.append(Check("build context exists", context.is_dir(), str(context)))
        for job in jobs:
            path = context / job.dockerfile
            checks.append(
                Check(f"{job.service}: Dockerfile exists", path.is_file(), job.dockerfile)
            )
        creds: RegistryCredentials | None = None
        try:
            creds = self.login.credentials()
            where = " (override of ECR's proxyEndpoint)" if self.registry_override else ""
            checks.append(Check("ECR login", True, f"push to {creds.host}{where}"))
        except RegistryError as exc:
            checks.append(Check("ECR login", False, str(exc)))
        with ThreadPoolExecutor(READ_WORKERS, thread_name_prefix="fallback-plan") as reads:
            users = reads.submit(self._pullers)  # the workloads, read beside the repositories
            checks.extend(reads.map(self._repository_check, jobs))
            befores = list(reads.map(self._before, jobs)) if creds else ["no ECR login"] * len(jobs)
            tagged = list(reads.map(self._ecr_tags, jobs))
            pullers = users.result()
        host = creds.host if creds else "<registry>"
        changes: list[Change] = []
        for job, read, ecr in zip(jobs, befores, tagged, strict=True):
            if isinstance(read, str):
                checks.append(Check(f"{job.service}: registry readable", False, read))
            for tag in job.tags:
                changes.append(
                    Change(
                        f"{host}/{job.repository}:{tag}",
                        "image",
                        _now(tag, ecr, read if isinstance(read, dict) else None),
                        f"new build of {job.service} at {self.git_sha[:12]}"
                        + _pulled_by(pullers, job.repository, tag),
                    )
                )
        return self._new_plan(
            f"build {len(jobs)} services of {self.recipe.name} here and push them to {host}",
            checks=tuple(checks),
            changes=tuple(changes),
            commands=self._commands(jobs, host),
            notes=self._notes(),
            fingerprint=(
                ("git_sha", self.git_sha),
                ("engine", self.engine.base_url if self.engine else ""),
                ("registry", host),
            ),
        )

    def _pullers(self) -> dict[tuple[str, str], list[str]] | None:
        """Per (repository, tag), the workloads that run it now; None when unreadable."""
        from cloud.findings.links import read_image_uses
        from cloud.workloads import parse_image

        try:
            uses = read_image_uses(self.session)
        except Exception:  # noqa: BLE001 - the plan says it could not tell, and goes on
            return None
        found: dict[tuple[str, str], list[str]] = {}
        for use in uses:
            ref = parse_image(use.image)
            if ref.effective_tag is not None:
                found.setdefault((ref.path, ref.effective_tag), []).append(use.workload)
        return found

    def _repository_check(self, job: ServiceJob) -> Check:
        from botocore.exceptions import BotoCoreError, ClientError

        name = f"{job.service}: repository {job.repository} exists"
        try:
            self._ecr().describe_repositories(repositoryNames=[job.repository])
        except ClientError as exc:
            error = exc.response.get("Error", {})
            if error.get("Code") == "RepositoryNotFoundException":
                return Check(name, False, f"not found in {self.region}")
            return Check(name, False, f"{error.get('Code')}: {error.get('Message', '')}")
        except BotoCoreError as exc:
            return Check(name, False, str(exc))
        return Check(name, True, self.region)

    def _ecr_tags(self, job: ServiceJob) -> dict[str, str | None] | None:
        """What ECR's API says each tag of ``job`` points at (None: absent); None when it
        could not be read. ECR's answer is what a pull resolves: the registry host may not
        hold images pushed some other way (the demo world's seeded ones)."""
        from botocore.exceptions import BotoCoreError, ClientError

        found: dict[str, str | None] = {}
        for tag in job.tags:  # one tag a call: an answer names an image by any of its tags
            try:
                answer = self._ecr().batch_get_image(
                    repositoryName=job.repository, imageIds=[{"imageTag": tag}]
                )
            except (ClientError, BotoCoreError):
                return None
            images = answer.get("images", [])
            digest = images[0].get("imageId", {}).get("imageDigest") if images else None
            found[tag] = str(digest) if digest else None
        return found

    def _before(self, job: ServiceJob) -> Snapshot | str:
        try:
            return self.guard.snapshot(job.repository, job.tags)
        except RegistryError as exc:
            return str(exc)

    def _commands(self, jobs: list[ServiceJob], host: str) -> tuple[str, ...]:
        q = shlex.quote
        commands = [
            f"aws ecr get-login-password --region {self.region} | "
            f"docker login --username AWS --password-stdin {q(host)}",
            f"cd {q(str(self.recipe.context))}",
        ]
        buildx = self.engine is not None and self.engine.buildx
        for job in jobs:
            tags = " ".join(f"-t {q(ref)}" for ref in job.references(host))
            if buildx:
                commands.append(
                    f"docker buildx build --platform {job.platform} --progress=plain --push "
                    f"-f {q(job.dockerfile)} {tags} ."
                )
                continue
            commands.append(
                f"docker build --platform {job.platform} -f {q(job.dockerfile)} {tags} ."
            )
            commands.extend(f"docker push {q(ref)}" for ref in job.references(host))
        return tuple(commands)

    def _notes(self) -> tuple[str, ...]:
        notes = [
            f"{len(self.recipe.services)} services, {self.recipe.parallel} at a time; "
            "each can be cancelled",
            f"{{git_sha}} = {self.git_sha}"
            + (" (no git commit in the context)" if self.git_sha.startswith("local-") else ""),
            "nothing is pushed before a service's build succeeds; a cancelled or failed "
            "service's tags are put back as they were",
            "credentials are passed per push, never written to a docker config file",
        ]
        if self.recipe.name not in self.config.fallback:
            # Built from a folder: the recipe to keep in the config file, one line each.
            where = self.config.path or "config.toml"
            notes.append(f"no recipe in {where}; to keep this one, add:")
            notes.extend(f"  {line}" for line in recipe_to_toml(self.recipe).splitlines() if line)
        return tuple(notes)

    # --- apply ----------------------------------------------------------------

    def _apply(self, plan: Plan) -> Outcome:
        if self.engine is None:
            raise ActionError(f"{self.name}: no Docker engine")
        builder = self._builder(self.engine)
        pool = BuildPool(
            self.jobs(),
            builder=builder,
            login=self.login,
            guard=self.guard,
            parallel=self.recipe.parallel,
            feed=self.feed,
            on_status=self._status_changed,
            on_line=self._line_written,
        )
        with self._pool_lock:
            self.pool = pool
            for service in self._cancel_before_start:
                pool.cancel(service)
        pool.start()
        pool.wait()
        return Outcome(pool.all_pushed, summarize(pool.statuses()))

    def _builder(self, engine: DockerEngine) -> Builder:
        if engine.buildx:
            from actions.fallback.buildx_builder import BuildxBuilder

            return BuildxBuilder()
        from actions.fallback.sdk_builder import SdkBuilder

        return SdkBuilder(engine)

    def _status_changed(self, status: ServiceStatus) -> None:
        if self.progress is not None:
            self.progress.step(status.as_step())

    def _line_written(self, service: str, text: str) -> None:
        if self.progress is not None:
            self.progress.line(service, text)

    # --- progress and cancel (any thread) -------------------------------------

    def statuses(self) -> tuple[ServiceStatus, ...]:
        """Every service's row now, in the recipe's order (queued ones too, before apply)."""
        with self._pool_lock:
            pool = self.pool
            skipped = set(self._cancel_before_start)
        if pool is not None:
            return pool.statuses()
        return tuple(
            ServiceStatus(s, ServiceState.CANCELLED, detail="before it started")
            if s in skipped
            else ServiceStatus(s)
            for s in self.recipe.services
        )

    def steps(self) -> tuple[StepStatus, ...]:
        """One step per service of the recipe, keyed by the service's name."""
        return tuple(status.as_step() for status in self.statuses())

    def output(self) -> OutputFeed:
        """The build and push lines of every service (drain it in batches)."""
        return self.feed

    def cancel(self, key: str | None = None) -> bool:
        """Cancel the service ``key``, or every service not finished (None); from any thread.

        Before apply starts, the services are only marked: apply skips them.
        False when ``key`` is not a service of the recipe or nothing is left to cancel.
        """
        if key is not None and key not in self.recipe.services:
            return False
        wanted = self.recipe.services if key is None else (key,)
        with self._pool_lock:
            pool = self.pool
            if pool is None:
                fresh = set(wanted) - self._cancel_before_start
                self._cancel_before_start.update(wanted)
                return bool(fresh)
        cancelled = [pool.cancel(service) for service in wanted]
        return any(cancelled)


def summarize(statuses: tuple[ServiceStatus, ...]) -> str:
    """One line: ``pushed 7 of 8; failed: feed-service (COPY failed: ...)``."""
    done = [s for s in statuses if s.state is ServiceState.DONE]
    failed = [s for s in statuses if s.state is ServiceState.FAILED]
    cancelled = [s for s in statuses if s.state is ServiceState.CANCELLED]
    text = f"pushed {len(done)} of {len(statuses)} services"
    if failed:
        text += "; failed: " + ", ".join(f"{s.service} ({s.error})" for s in failed)
    if cancelled:
        text += "; cancelled: " + ", ".join(s.service for s in cancelled)
    return text


def _pulled_by(pullers: dict[tuple[str, str], list[str]] | None, repository: str, tag: str) -> str:
    """`` · pulled by k8s nova-backend/cdn-service``: who runs the tag that moves."""
    if pullers is None:
        return " · who pulls it: unknown (the workloads could not be read)"
    users = sorted(set(pullers.get((repository, tag), [])))
    if not users:
        return " · no workload runs it"
    shown = ", ".join(users[:3]) + (f" (+{len(users) - 3})" if len(users) > 3 else "")
    return f" · pulled by {shown}"


def _now(tag: str, ecr: Mapping[str, str | None] | None, registry: Snapshot | None) -> str:
    """What ``tag`` points at before the build: ECR's answer, else the registry's; "(absent)"
    only when the one that answered says the tag is not there, "unknown" when neither did."""
    if ecr is not None:
        digest = ecr.get(tag)
        return digest[:19] if digest else "(absent)"
    if registry is None:
        return "unknown"
    old = registry.get(tag)
    return old.digest[:19] if old else "(absent)"
