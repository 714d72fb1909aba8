"""``fallback-build``: when CodeBuild cannot run, build the services here and push them to ECR.

The plan lists, per service, the image references that will be pushed (with
what each tag points at now), the equivalent ``docker build``/``docker push``
lines and the ECR login line, and checks the engine, the context, every
Dockerfile, every repository and the registry. ``apply()`` (after the model's
read-only, freshness and precondition checks) runs the :class:`BuildPool` and
returns when every service is done, failed or cancelled; ``cancel()`` and
``cancel_all()`` may be called from another thread meanwhile.
"""

from __future__ import annotations

import shlex
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from actions.fallback.engine import DockerEngine, EngineUnreachable, connect_engine
from actions.fallback.job import ServiceJob
from actions.fallback.pool import BuildPool
from actions.fallback.recipe import Recipe, source_tag
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

READ_WORKERS = 8


class FallbackBuild(Action):
    """Build a recipe's services on the local Docker engine and push them to ECR, in parallel."""

    name = "fallback-build"
    title = "Build and push the images here (CodeBuild fallback)"
    danger = Danger.RISKY  # it moves tags such as latest that deployments pull
    target_kind = "codebuild"

    def __init__(
        self,
        session: Any,
        recipe: Recipe,
        *,
        region: str | None = None,
        read_only: bool = False,
        audit: AuditLog | None = None,
        registry: str | None = None,
        use_buildx: bool | None = None,
        environment: Mapping[str, str] | None = None,
        feed: OutputFeed | None = None,
        on_status: Callable[[ServiceStatus], None] | None = None,
        on_line: Callable[[str, str], None] | None = None,
    ) -> None:
        """``registry`` pushes to that host instead of ECR's proxyEndpoint (tests, a mirror)."""
        super().__init__(
            session,
            recipe.name,
            {},
            region=region or recipe.region,
            read_only=read_only,
            audit=audit,
        )
        self.recipe = recipe
        self.registry_override = registry
        self.use_buildx = use_buildx
        self.environment = dict(environment) if environment is not None else None
        self.feed = feed
        self.on_status = on_status
        self.on_line = on_line
        self.git_sha = source_tag(recipe.context) if recipe.context.is_dir() else "unknown"
        self.login = EcrLogin(self._ecr(), registry_override=registry)
        self.guard = TagGuard(RegistryApi(self.login.credentials), ecr_client=self._ecr())
        self.engine: DockerEngine | None = None
        self.pool: BuildPool | None = None
        self._pool_lock = threading.Lock()
        self._cancel_before_start: set[str] = set()
        self._cancel_all_before_start = False

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
            self.engine = connect_engine(self.environment, use_buildx=self.use_buildx)
            how = "buildx" if self.engine.buildx else "the SDK build API"
            checks.append(
                Check(
                    "Docker engine reachable",
                    True,
                    f"{self.engine.base_url} (docker {self.engine.server_version}, {how})",
                )
            )
        except EngineUnreachable as exc:
            self.engine = None
            checks.append(Check("Docker engine reachable", False, str(exc)))
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
            checks.extend(reads.map(self._repository_check, jobs))
            befores = list(reads.map(self._before, jobs)) if creds else ["no ECR login"] * len(jobs)
        host = creds.host if creds else "<registry>"
        changes: list[Change] = []
        for job, read in zip(jobs, befores, strict=True):
            if isinstance(read, str):
                checks.append(Check(f"{job.service}: registry readable", False, read))
            before = read if isinstance(read, dict) else {}
            for tag in job.tags:
                old = before.get(tag)
                changes.append(
                    Change(
                        f"{host}/{job.repository}:{tag}",
                        "image",
                        old.digest[:19] if old else "(absent)",
                        f"new build of {job.service} at {self.git_sha[:12]}",
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
            on_status=self.on_status,
            on_line=self.on_line,
        )
        with self._pool_lock:
            self.pool = pool
            if self._cancel_all_before_start:
                pool.cancel_all()
            for service in self._cancel_before_start:
                pool.cancel(service)
        pool.start()
        pool.wait()
        return Outcome(pool.all_pushed, summarize(pool.statuses()))

    def _builder(self, engine: DockerEngine) -> Builder:
        if engine.buildx:
            from actions.fallback.buildx_builder import BuildxBuilder

            return BuildxBuilder(self.environment)
        from actions.fallback.sdk_builder import SdkBuilder

        return SdkBuilder(engine)

    def cancel(self, service: str) -> bool:
        """Cancel one service (from any thread); before apply starts, it is skipped.

        False when the service is not in the recipe or has already finished.
        """
        if service not in self.recipe.services:
            return False
        with self._pool_lock:
            if self.pool is None:
                self._cancel_before_start.add(service)
                return True
            pool = self.pool
        return pool.cancel(service)

    def cancel_all(self) -> None:
        """Cancel every service not finished (from any thread)."""
        with self._pool_lock:
            if self.pool is None:
                self._cancel_all_before_start = True
                return
            pool = self.pool
        pool.cancel_all()


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
