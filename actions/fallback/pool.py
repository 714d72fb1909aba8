"""The bounded pool of build workers: N services at a time, each observable and cancellable.

Listeners (both optional, both called on worker threads, so they must be
quick and thread-safe; a console posts a message and returns):

- ``on_status(ServiceStatus)``: once per change of a row (state, step, push
  progress at most twice a second);
- ``on_line(service, text)``: once per output line. A console should not
  post one message per line: give the pool an :class:`OutputFeed` instead
  and drain it in batches every ~100 ms (``feed.drain()``).

A cancelled or failed service leaves no tag behind: nothing is pushed before
the build has succeeded, and if a push was cut short (or one tag of several
failed), what landed is put back as it was (``TagGuard``). Because the engine
may still finish a manifest upload it had sent when the connection was cut,
the check is made again after a short settle time.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

from actions.fallback.job import BuildCancelled, BuildFailed, JobControl, ServiceJob
from actions.fallback.registry import EcrLogin, RegistryError, Snapshot, TagGuard
from actions.fallback.sdk_builder import Builder
from actions.fallback.status import OutputFeed, ServiceState, ServiceStatus

UNDO_SETTLE = 1.0  # seconds between the checks for tags landing after a cut push


class BuildPool:
    """Runs ``jobs`` on ``parallel`` worker threads: ``start()``, then ``wait()``/``cancel()``."""

    def __init__(
        self,
        jobs: Sequence[ServiceJob],
        *,
        builder: Builder,
        login: EcrLogin,
        guard: TagGuard,
        parallel: int = 2,
        feed: OutputFeed | None = None,
        on_status: Callable[[ServiceStatus], None] | None = None,
        on_line: Callable[[str, str], None] | None = None,
    ) -> None:
        if parallel < 1:
            raise ValueError("parallel must be at least 1")
        self.jobs = {job.service: job for job in jobs}
        self.parallel = parallel
        self.feed = feed
        self._builder = builder
        self._login = login
        self._guard = guard
        self._on_status = on_status
        self._on_line = on_line
        self._controls = {
            job.service: JobControl(job.service, self._publish, self._emit) for job in jobs
        }
        self._executor: ThreadPoolExecutor | None = None
        self._done = threading.Event()
        self._remaining = len(jobs)
        self._count_lock = threading.Lock()
        self.started_at = 0.0
        self.ended_at = 0.0

    # --- observing ------------------------------------------------------------

    def statuses(self) -> tuple[ServiceStatus, ...]:
        """Every row now, in the recipe's order."""
        return tuple(control.status for control in self._controls.values())

    def status(self, service: str) -> ServiceStatus:
        """One row now."""
        return self._control(service).status

    @property
    def finished(self) -> bool:
        """Every service is done, failed or cancelled."""
        return self._done.is_set()

    @property
    def all_pushed(self) -> bool:
        """Every service is done (pushed)."""
        return all(s.state is ServiceState.DONE for s in self.statuses())

    # --- running --------------------------------------------------------------

    def start(self) -> None:
        """Start the workers (returns at once)."""
        if self._executor is not None:
            raise RuntimeError("the pool was already started")
        self.started_at = time.monotonic()
        if not self.jobs:
            self._finish()
            return
        self._executor = ThreadPoolExecutor(self.parallel, thread_name_prefix="fallback-build")
        for service in self.jobs:
            self._executor.submit(self._work, service)
        self._executor.shutdown(wait=False)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until every service finished (or ``timeout``); True when all finished."""
        return self._done.wait(timeout)

    def run(self) -> tuple[ServiceStatus, ...]:
        """Start, wait for the end, and return the rows."""
        self.start()
        self.wait()
        return self.statuses()

    def cancel(self, service: str) -> bool:
        """Cancel one service (queued: at once; building/pushing: cut). False if finished."""
        return self._control(service).cancel()

    def cancel_all(self) -> None:
        """Cancel every service not finished yet."""
        for control in self._controls.values():
            control.cancel()

    # --- workers --------------------------------------------------------------

    def _work(self, service: str) -> None:
        control = self._controls[service]
        try:
            if control.cancelled or control.status.state.finished:
                return
            self._run_job(self.jobs[service], control)
        except Exception as exc:  # noqa: BLE001 - a worker must not die unseen: the row shows it
            error = f"internal error: {type(exc).__name__}: {exc}"
            control.line(error)
            control.update(state=ServiceState.FAILED, error=error, detail="")
        finally:
            with self._count_lock:
                self._remaining -= 1
                last = self._remaining == 0
            if last:
                self._finish()

    def _run_job(self, job: ServiceJob, control: JobControl) -> None:
        before: Snapshot | None = None
        host = ""

        def note_tags() -> None:
            nonlocal before, host
            host = self._login.credentials().host
            try:
                before = self._guard.snapshot(job.repository, job.tags)
            except RegistryError as exc:
                raise RegistryError(f"cannot read the current tags before pushing: {exc}") from exc

        try:
            control.update(state=ServiceState.BUILDING)
            digest = self._builder.run(job, control, self._login.credentials, note_tags)
            self._finish_pushed(job, control, digest)
        except BuildCancelled:
            problem = self._undo(job, control, host, before)
            control.update(state=ServiceState.CANCELLED, error=problem, detail="")
        except (BuildFailed, RegistryError) as exc:
            problem = self._undo(job, control, host, before)
            error = str(exc) + (f"; {problem}" if problem else "")
            control.line(f"failed: {error}")
            control.update(state=ServiceState.FAILED, error=error, detail="")

    def _finish_pushed(self, job: ServiceJob, control: JobControl, digest: str) -> None:
        host = self._login.credentials().host
        size = 0
        try:
            manifest = self._guard.api.manifest(job.repository, job.tags[0])
        except RegistryError as exc:
            control.line(f"pushed, but could not read the manifest back: {exc}")
            manifest = None
        if manifest is not None:
            digest = digest or manifest.digest
            size = manifest.image_size
        images = job.references(host)
        control.line(f"pushed {', '.join(images)} {digest}")
        control.update(state=ServiceState.DONE, digest=digest, size=size, images=images, detail="")

    def _undo(
        self, job: ServiceJob, control: JobControl, host: str, before: Snapshot | None
    ) -> str:
        """Put the service's tags back as they were; '' when fine, else what went wrong."""
        if before is None:
            return ""  # nothing was pushed yet
        undone: list[str] = []
        try:
            # Twice: the engine may complete a manifest upload it had already sent.
            undone += self._guard.undo(job.repository, host, before)
            time.sleep(UNDO_SETTLE)
            undone += self._guard.undo(job.repository, host, before)
        except RegistryError as exc:
            control.line(f"could not undo the push: {exc}")
            return f"tags may remain: {exc}"
        for what in undone:
            control.line(f"undo: {job.repository}:{what}")
        return ""

    # --- plumbing -------------------------------------------------------------

    def _control(self, service: str) -> JobControl:
        try:
            return self._controls[service]
        except KeyError:
            known = ", ".join(self._controls)
            raise KeyError(f"no service {service!r} in this build (known: {known})") from None

    def _publish(self, status: ServiceStatus) -> None:
        if self._on_status is not None:
            self._on_status(status)

    def _emit(self, service: str, text: str) -> None:
        if self.feed is not None:
            self.feed.put(service, text)
        if self._on_line is not None:
            self._on_line(service, text)

    def _finish(self) -> None:
        self.ended_at = time.monotonic()
        self._done.set()
