"""Assemble the running world: moto + gateway, the Kubernetes API, seeding, the clock."""

from __future__ import annotations

import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from moto.server import ThreadedMotoServer

from demo.accounts import AccountRouter, seed_accounts
from demo.aws_clients import ClientPool, LogSink
from demo.clock import Step, WorldClock
from demo.codebuild import BuildService
from demo.conditions import RunningState
from demo.ecr_view import EcrView
from demo.ecs_rollout import EcsRollouts
from demo.ecs_view import EcsView
from demo.gateway import Gateway, Upstream
from demo.kube import KubeWorld
from demo.lambda_view import UPDATE_PATH, function_updated
from demo.live_traffic import LiveLogs, Throttle
from demo.log_patterns import ROUTES as LOG_PATTERN_ROUTES
from demo.metrics import MetricWorld
from demo.model import Scenario
from demo.paging import Pager
from demo.profiles import write_aws_config
from demo.quotas import QuotaBook
from demo.reconcile import Reconciler
from demo.registry import RegistryMirror, start_registry, write_console_config
from demo.seed_aws import AwsSeeder

log = logging.getLogger(__name__)
# SigV4 signing names of the services seeded in the background (see AwsSeeder.seed).
SEEDED_SERVICES = (
    "iam",
    "secretsmanager",
    "codebuild",
    "ecr",
    "logs",
    "lambda",
    "monitoring",
    "ecs",
    "ec2",
)


class World:
    """The incident world of one scenario, served on 127.0.0.1."""

    def __init__(self, scenario: Scenario, port: int = 0, state_dir: Path | None = None) -> None:
        self.scenario = scenario
        self._port = port
        self._owned_dir: tempfile.TemporaryDirectory[str] | None = None
        if state_dir is None:
            self._owned_dir = tempfile.TemporaryDirectory(prefix="shipdeck-world-")
            state_dir = Path(self._owned_dir.name)
        state_dir.mkdir(parents=True, exist_ok=True)
        self.state_dir = state_dir
        self._moto: ThreadedMotoServer | None = None
        self.gateway: Gateway | None = None
        self.kube: KubeWorld | None = None
        self.clock: WorldClock | None = None
        self._reconciler: Reconciler | None = None
        self.kubeconfig: Path | None = None
        self.startup_seconds = 0.0
        self.seeded_seconds = 0.0
        self.seed_error: Exception | None = None
        self._seeded = threading.Event()
        self._seeding: threading.Thread | None = None
        self._seeder: AwsSeeder | None = None
        self.registry: RegistryMirror | None = None
        self.config_path: Path | None = None
        self.aws_config: Path | None = None  # the profiles on the world's accounts

    def start(
        self,
        wait_for_seeding: bool = False,
        on_progress: Callable[[str], None] | None = None,
    ) -> dict[str, Any]:
        """Start the servers and return the ready information (see ``ready_line``).

        Seeding continues in the background; the gateway holds each service's calls
        until that service is seeded, so clients never see a half-made world.
        ``on_progress`` hears how seeding goes (a line at most twice a second).
        """
        began = time.monotonic()
        world = self.scenario.world
        # moto's werkzeug server logs every request; the console polls, so keep it quiet.
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
        # moto answers as account 123456789012 unless told otherwise: the scenario's account
        # must own what the world seeds (CodeBuild checks its service role's account).
        if self.scenario.accounts:
            # Every account is named per call (x-moto-account-id, demo.accounts): the
            # variable would pin every call to one.
            os.environ.pop("MOTO_ACCOUNT_ID", None)
        else:
            os.environ["MOTO_ACCOUNT_ID"] = world.account_id
        self._moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self._moto.start()
        host, moto_port = self._moto.get_host_and_port()
        clients = ClientPool(
            f"http://{host}:{moto_port}",
            world.access_key_id,
            world.secret_access_key,
            world.account_id if self.scenario.accounts else None,
        )
        sink = LogSink(clients)
        quotas = QuotaBook(self.scenario.quotas, self.scenario.quota_requests, world.account_id)
        builds = BuildService(
            clients, sink, quotas, world.account_id, self.scenario.codebuild, world.page_size
        )
        ecr_view, ecs_view = EcrView(clients), EcsView()
        rollouts = EcsRollouts(
            clients,
            ecs_view,
            ecr_view.image_exists,
            self.scenario.ecs,
            world.account_id,
            world.speed,
        )
        running = RunningState(world.account_id)
        metrics = MetricWorld(
            self.scenario.metrics, self.scenario.alarms, clients, world.account_id, running.holds
        )
        self.gateway = Gateway(Upstream(host, moto_port), port=self._port)
        self.gateway.pager = Pager(world.page_size)
        if self.scenario.accounts:
            router = AccountRouter(self.scenario.accounts)
            self.gateway.other_account = router.account
            self.gateway.shared_routes = router.shared
            self.gateway.other_answer = router.fresh
            self.gateway.own_account = world.account_id
        for routes in (
            quotas.routes(),
            builds.routes(),
            ecr_view.routes(),
            ecs_view.routes(),
            rollouts.routes(),
            metrics.routes(),
            LOG_PATTERN_ROUTES,
        ):
            self.gateway.add_routes(routes)
        self.gateway.add_path_route("lambda", "PUT", UPDATE_PATH, function_updated)
        self.gateway.gates = {service: threading.Event() for service in SEEDED_SERVICES}
        self.registry = start_registry(
            self.state_dir,
            self.gateway.url,
            clients,
            ecr_view,
            self.scenario,
            ecr_seeded=self.gateway.gates["ecr"],
        )
        if self.registry is not None:
            self.gateway.add_routes(self.registry.routes())
            self.gateway.hooks.append(self.registry.hook)
        if world.throttle_rate > 0:
            self.gateway.hooks.append(Throttle(world.throttle_rate, world.throttle_services))
        self.config_path = write_console_config(self.scenario, self.state_dir)
        self.aws_config = write_aws_config(self.scenario, self.state_dir)
        self.gateway.start()
        self._start_kube()
        seeder = AwsSeeder(
            self.scenario,
            clients,
            sink,
            builds,
            ecr_view,
            ecs_view,
            on_progress=on_progress,
            metrics=metrics,
        )
        steps: list[tuple[str, Step]] = [
            ("quotas", quotas.advance),
            ("codebuild", builds.advance),
            ("ecs", rollouts.advance),
            ("live logs", LiveLogs(self.scenario.logs, sink, running.holds).step),
            ("metrics", metrics.step),
        ]
        if self.kube is not None:
            self._reconciler = Reconciler(self.kube, ecr_view)
            steps.append(("kubernetes", self._reconciler.step))
        self.clock = WorldClock(world.tick_seconds, steps)
        self._seeder = seeder
        self._seeding = threading.Thread(
            target=self._seed, args=(seeder, began), name="seeding", daemon=True
        )
        self._seeding.start()
        self.startup_seconds = time.monotonic() - began
        if wait_for_seeding:
            self.wait_seeded()
        return self.ready_line()

    def _seed(self, seeder: AwsSeeder, began: float) -> None:
        gates = self.gateway.gates if self.gateway is not None else {}
        accounts = self.scenario.accounts
        held: list[str] = []

        def ready(service: str) -> None:
            if accounts and service == "ecs":
                held.append(service)  # the other accounts' services come after the world's
            elif service in gates:
                gates[service].set()

        try:
            seed_accounts(accounts, seeder, ecs=False)
            seeder.seed(ready)
            seed_accounts(accounts, seeder, ecr=False)
            for service in held:
                gates[service].set()
        except Exception as err:  # reported to the person, and the world stops
            if seeder.cancelled.is_set():
                return  # stopping while seeding: moto went away under a call
            log.exception("seeding the world failed")
            self.seed_error = err
            return
        finally:
            self.seeded_seconds = time.monotonic() - began
            for gate in gates.values():
                gate.set()  # never leave callers hanging; a failure is in the log
            self._seeded.set()
        log.info("world seeded in %.2fs", self.seeded_seconds)
        if self.clock is not None:
            self.clock.start()

    def seeded(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for seeding to end; whether it has."""
        return self._seeded.wait(timeout)

    def wait_seeded(self, timeout: float = 120.0) -> None:
        """Block until seeding is over; raise if it failed."""
        if not self._seeded.wait(timeout):
            raise TimeoutError("seeding the world took too long")
        if self.seed_error is not None:
            raise RuntimeError(f"seeding the world failed: {self.seed_error}")

    def _start_kube(self) -> None:
        cluster = self.scenario.kubernetes
        if cluster is None:
            return
        self.kube = KubeWorld(
            cluster, self.scenario.world.account_id, self.scenario.world.page_size
        )
        self.kube.start()
        self.kubeconfig = self.kube.write_kubeconfig(self.state_dir / "kubeconfig")

    def ready_line(self) -> dict[str, Any]:
        """What a client needs to use the world."""
        assert self.gateway is not None, "the world is not started"
        world = self.scenario.world
        return {
            "aws_endpoint": self.gateway.url,
            "kubeconfig": str(self.kubeconfig) if self.kubeconfig else None,
            "kube_context": self.scenario.kubernetes.context if self.scenario.kubernetes else None,
            "regions": list(self.scenario.regions),
            "default_region": world.default_region,
            "access_key_id": world.access_key_id,
            "secret_access_key": world.secret_access_key,
            "account_id": world.account_id,
            "registry": self.registry.registry.host if self.registry else None,
            "config": str(self.config_path) if self.config_path else None,
            "aws_config": str(self.aws_config) if self.aws_config else None,
        }

    def stop(self, *, leaving: bool = False) -> None:
        """Stop the clock, the servers, and remove the state directory if the world made it.

        ``leaving``: the process ends right after, so the in-process HTTP servers (the
        gateway, moto) are left to end with it rather than shut down one poll at a time
        (half a second); the registry, a process of its own, is always stopped.
        """
        if self.clock is not None:
            self.clock.stop()
        if self._seeding is not None and self._seeder is not None:
            self._seeder.cancel()
            self._seeding.join(timeout=3)  # let the jobs in flight end before moto stops
        if self._reconciler is not None:
            self._reconciler.close()
        if self.kube is not None:
            self.kube.stop()
        if self.registry is not None:
            self.registry.stop()
        if self.gateway is not None and not leaving:
            self.gateway.stop()
        if self._moto is not None and not leaving:
            self._moto.stop()
        if self._owned_dir is not None:
            self._owned_dir.cleanup()
