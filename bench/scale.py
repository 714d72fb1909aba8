"""Large accounts: shipdeck's full read of a generated world against a plain-script floor.

    .venv/bin/python bench/scale.py 1 10 30          # scales S (default: 1 10)
    .venv/bin/python bench/scale.py 10 --rounds 5

For each S: generate the scenario (``demo.scale``), start the world and note when
it was ready and fully seeded, then (after one warm-up read of each, not counted)
alternate, round by round:

- **shipdeck**: a fresh ``CloudSession`` and ``read_snapshot`` (every kind and the
  extras the findings read), the one read that ``doctor`` and the console use;
- **floor**: a plain boto3 + kubernetes script making the same list/describe calls
  with the same parallelism (6 kinds at once, regions in parallel, 8 threads per
  item fan-out), its own clients made fresh each round too, answers kept as dicts.

Prints each round, the medians, shipdeck/floor, and what both read (so they did the
same work). Figures only; nothing here is a test.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import boto3  # noqa: E402
import botocore.config  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402
from console_figures import measure, report  # noqa: E402

from demo.launcher import WorldProcess, start_world  # noqa: E402
from demo.scale import counts, scenario_text  # noqa: E402

T = TypeVar("T")
U = TypeVar("U")
KIND_THREADS = 6  # cloud.model.builder.READ_THREADS
ITEM_THREADS = 8  # cloud.fanout.parallel_map
RECENT_BUILDS = 10
FAILED = {"FAILED", "FAULT", "TIMED_OUT"}


def fan(read: Callable[[T], U], items: Iterable[T], threads: int = ITEM_THREADS) -> list[U]:
    todo = list(items)
    if len(todo) <= 1:
        return [read(i) for i in todo]
    with ThreadPoolExecutor(min(len(todo), threads)) as pool:
        return list(pool.map(read, todo))


_SESSION: list[boto3.session.Session] = []


def _floor_session() -> boto3.session.Session:
    """One boto3 session for every round: its service models are read from disk once, as
    shipdeck's process-wide loader reads them once (clients are still made each round)."""
    if not _SESSION:
        _SESSION.append(boto3.session.Session())
    return _SESSION[0]


class Floor:
    """The same reads as shipdeck's, written plainly with boto3 and the kubernetes client."""

    def __init__(self, world: WorldProcess) -> None:
        self.world = world
        self.session = _floor_session()
        self.config = botocore.config.Config(
            retries={"max_attempts": 3, "mode": "standard"}, max_pool_connections=32
        )
        self.clients: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()
        # A region's projects and builds are read once for both the projects and the
        # quotas (their users), as shipdeck shares that read.
        self._codebuild: dict[str, Future[tuple[list[Any], dict[str, list[Any]]]]] = {}
        self._codebuild_pool = ThreadPoolExecutor(4)
        from kubernetes.config import new_client_from_config

        self.kube: Any = new_client_from_config(  # type: ignore[no-untyped-call]
            config_file=world.kubeconfig, context=world.kube_context
        )

    def client(self, service: str, region: str) -> Any:
        key = (service, region)
        with self._lock:
            return self._client_locked(key)

    def _client_locked(self, key: tuple[str, str]) -> Any:
        service, region = key
        if key not in self.clients:
            self.clients[key] = self.session.client(
                service,  # type: ignore[call-overload]
                region_name=region,
                endpoint_url=self.world.aws_endpoint,
                config=self.config,
            )
        return self.clients[key]

    def pages(self, service: str, region: str, operation: str, key: str, **kw: Any) -> list[Any]:
        found: list[Any] = []
        for page in self.client(service, region).get_paginator(operation).paginate(**kw):
            found.extend(page.get(key, []))
        return found

    # -- kinds -------------------------------------------------------------------------------
    def ecr(self) -> dict[str, int]:
        def region(name: str) -> tuple[int, int]:
            ecr = self.client("ecr", name)
            repos = self.pages("ecr", name, "describe_repositories", "repositories")

            def one(repo: dict[str, Any]) -> int:
                images = self.pages(
                    "ecr",
                    name,
                    "describe_images",
                    "imageDetails",
                    repositoryName=repo["repositoryName"],
                )
                with contextlib.suppress(ClientError):
                    ecr.get_lifecycle_policy(repositoryName=repo["repositoryName"])
                return len(images)

            return len(repos), sum(fan(one, repos))

        both = fan(region, self.world.regions, 16)
        return {"repositories": sum(r for r, _ in both), "images": sum(i for _, i in both)}

    def codebuild_region(self, region: str) -> tuple[list[Any], dict[str, list[Any]]]:
        with self._lock:
            found = self._codebuild.get(region)
            if found is None:
                found = self._codebuild[region] = self._codebuild_pool.submit(
                    self._read_codebuild_region, region
                )
        return found.result()

    def _read_codebuild_region(self, region: str) -> tuple[list[Any], dict[str, list[Any]]]:
        cb = self.client("codebuild", region)
        names = self.pages("codebuild", region, "list_projects", "projects", sortBy="NAME")
        projects = [
            p
            for start in range(0, len(names), 100)
            for p in cb.batch_get_projects(names=names[start : start + 100])["projects"]
        ]

        def recent(name: str) -> list[str]:
            ids: list[str] = []
            for page in cb.get_paginator("list_builds_for_project").paginate(
                projectName=name, sortOrder="DESCENDING"
            ):
                ids.extend(page["ids"])
                if len(ids) >= RECENT_BUILDS:
                    break
            return ids[:RECENT_BUILDS]

        per_project = dict(zip(names, fan(recent, names), strict=True))
        ids = [i for found in per_project.values() for i in found]
        builds = {
            b["id"]: b
            for start in range(0, len(ids), 100)
            for b in cb.batch_get_builds(ids=ids[start : start + 100])["builds"]
        }
        return projects, {n: [builds[i] for i in found] for n, found in per_project.items()}

    def codebuild(self) -> dict[str, int]:
        def region(name: str) -> tuple[int, int]:
            projects, builds = self.codebuild_region(name)
            quotas = self.client("service-quotas", name)
            codes = {"L-2DC20C30", "L-0397D009"} & {
                "L-0397D009"
                if p["environment"]["computeType"] == "BUILD_GENERAL1_2XLARGE"
                else "L-2DC20C30"
                for p in projects
            }

            def values(code: str) -> None:
                for call in (quotas.get_service_quota, quotas.get_aws_default_service_quota):
                    with contextlib.suppress(ClientError):
                        call(ServiceCode="codebuild", QuotaCode=code)

            fan(values, sorted(codes))
            failed = [
                b
                for found in builds.values()
                for b in found
                if b.get("buildStatus") in FAILED and b.get("logs", {}).get("streamName")
            ]
            logs = self.client("logs", name)

            def tail(build: dict[str, Any]) -> None:
                logs.get_log_events(
                    logGroupName=build["logs"]["groupName"],
                    logStreamName=build["logs"]["streamName"],
                    limit=40,
                    startFromHead=False,
                )

            fan(tail, failed)
            return len(projects), sum(len(b) for b in builds.values())

        both = fan(region, self.world.regions, 16)
        return {"projects": sum(p for p, _ in both), "builds": sum(b for _, b in both)}

    def quotas(self) -> dict[str, int]:
        def region(name: str) -> int:
            with ThreadPoolExecutor(4) as pool:
                applied, *_ = [
                    pool.submit(
                        self.pages, "service-quotas", name, call, key, ServiceCode="codebuild"
                    )
                    for call, key in (
                        ("list_service_quotas", "Quotas"),
                        ("list_aws_default_service_quotas", "Quotas"),
                        ("list_requested_service_quota_change_history", "RequestedQuotas"),
                    )
                ]
                pool.submit(self.codebuild_region, name)
                return len(applied.result())

        return {"quotas": sum(fan(region, self.world.regions, 16))}

    def ecs(self) -> dict[str, int]:
        def cluster(region: str, arn: str) -> int:
            ecs = self.client("ecs", region)
            services_arns = self.pages("ecs", region, "list_services", "serviceArns", cluster=arn)
            services = [
                s
                for start in range(0, len(services_arns), 10)
                for s in ecs.describe_services(
                    cluster=arn, services=services_arns[start : start + 10]
                )["services"]
            ]
            with ThreadPoolExecutor(2) as pool:
                stopped = pool.submit(
                    self.pages,
                    "ecs",
                    region,
                    "list_tasks",
                    "taskArns",
                    cluster=arn,
                    desiredStatus="STOPPED",
                )
                definitions = pool.submit(
                    fan,
                    lambda td: ecs.describe_task_definition(taskDefinition=td),
                    sorted({s["taskDefinition"] for s in services}),
                )
                tasks = stopped.result()
                definitions.result()
            for start in range(0, len(tasks), 100):
                ecs.describe_tasks(cluster=arn, tasks=tasks[start : start + 100])
            return len(services)

        def region(name: str) -> int:
            clusters = self.pages("ecs", name, "list_clusters", "clusterArns")
            return sum(cluster(name, c) for c in clusters)

        return {"services": sum(fan(region, self.world.regions, 16))}

    def functions(self) -> dict[str, int]:
        now = int(time.time() * 1000)

        def region(name: str) -> int:
            aws = self.client("lambda", name)
            names = [
                f["FunctionName"] for f in self.pages("lambda", name, "list_functions", "Functions")
            ]
            fan(lambda n: aws.get_function(FunctionName=n), names)
            logs = self.client("logs", name)

            def log(function: str) -> None:
                with contextlib.suppress(ClientError):
                    logs.filter_log_events(
                        logGroupName=f"/aws/lambda/{function}",
                        startTime=now - 3_600_000,
                        limit=500,
                    )

            fan(log, names)
            return len(names)

        return {"functions": sum(fan(region, self.world.regions, 16))}

    def kube_get(self, path: str, query: list[tuple[str, Any]]) -> bytes:
        method, url, headers, body, _ = self.kube.param_serialize(
            method="GET",
            resource_path=path,
            query_params=query,
            header_params={"Accept": "application/json, */*"},
            auth_settings=["BearerToken"],
        )
        response = self.kube.call_api(method, url, header_params=headers, body=body)
        data: bytes = response.read()
        return data

    def kubernetes(self) -> dict[str, int]:
        def listed(path: str) -> list[dict[str, Any]]:
            items: list[dict[str, Any]] = []
            token = None
            while True:
                query: list[tuple[str, Any]] = [("limit", 500)]
                if token:
                    query.append(("continue", token))
                body = json.loads(self.kube_get(path, query))
                items.extend(body.get("items", []))
                token = body.get("metadata", {}).get("continue")
                if not token:
                    return items

        with ThreadPoolExecutor(2) as pool:
            deployments_f = pool.submit(listed, "/apis/apps/v1/deployments")
            pods_f = pool.submit(listed, "/api/v1/pods")
            deployments, pods = deployments_f.result(), pods_f.result()
        crashing: dict[tuple[str, str], dict[str, Any]] = {}
        for pod in pods:
            for status in pod.get("status", {}).get("containerStatuses") or []:
                if status.get("state", {}).get("waiting", {}).get("reason") == "CrashLoopBackOff":
                    owner = pod["metadata"]["labels"].get("app", "")
                    crashing.setdefault((pod["metadata"]["namespace"], owner), pod)

        def log(pod: dict[str, Any]) -> int:
            meta = pod["metadata"]
            path = f"/api/v1/namespaces/{meta['namespace']}/pods/{meta['name']}/log"
            return len(self.kube_get(path, [("tailLines", 40), ("previous", "true")]))

        fan(log, crashing.values())
        return {"deployments": len(deployments), "pods": len(pods)}

    def read(self) -> dict[str, int]:
        kinds = (self.ecr, self.codebuild, self.quotas, self.ecs, self.functions, self.kubernetes)
        with ThreadPoolExecutor(KIND_THREADS) as pool:
            results = list(pool.map(lambda kind: kind(), kinds))
        self._codebuild_pool.shutdown()
        return {k: v for result in results for k, v in result.items()}


def shipdeck_read(world: WorldProcess) -> dict[str, int]:
    from cloud.model.builder import read_snapshot
    from cloud.session import CloudSession

    session = CloudSession(regions=world.regions, kube_context=world.kube_context)
    snapshot = read_snapshot(session)
    if snapshot.errors:
        print(f"  shipdeck read errors: {[e.line() for e in snapshot.errors][:3]}")
    repositories = snapshot.records("ecr")
    deployments = snapshot.records("k8s")
    return {
        "repositories": len(repositories),
        "images": sum(r.image_count for r in repositories),
        "projects": len(snapshot.records("codebuild")),
        "services": len(snapshot.records("ecs")),
        "functions": len(snapshot.records("lambda")),
        "deployments": len(deployments),
        "pods": sum(len(d.pods) for d in deployments),
    }


def floor_read(world: WorldProcess) -> dict[str, int]:
    return Floor(world).read()


def timed(
    read: Callable[[WorldProcess], dict[str, int]], world: WorldProcess
) -> tuple[float, dict[str, int]]:
    began = time.perf_counter()
    seen = read(world)
    return time.perf_counter() - began, seen


def bench(
    scale: int, rounds: int, page_size: int | None, console: bool, idle_seconds: float
) -> None:
    folder = Path(tempfile.mkdtemp(prefix="shipdeck-scale-"))
    path = folder / f"scale{scale}.yaml"
    path.write_text(scenario_text(scale, page_size), encoding="utf-8")
    n = counts(scale)
    top = n["repositories"] + n["projects"] + n["services"] + n["functions"] + n["deployments"]
    every = top + n["images"] + n["builds"] + n["pods"]
    print(f"\n== S={scale}: {top:,} top-level / {every:,} resources ({path.stat().st_size:,} B)")
    began = time.perf_counter()
    world = start_world(path, timeout=60)
    ready = time.perf_counter() - began
    try:
        print(
            f"world: ready line after {ready:.1f} s (start to ready line), "
            f"seeded {world.seeded_seconds:.1f} s after the world started"
        )
        os.environ.update(world.env())
        os.environ["AWS_CONFIG_FILE"] = os.devnull
        os.environ.pop("AWS_PROFILE", None)
        for read in (floor_read, shipdeck_read):  # warm-up: models loaded, connections made
            timed(read, world)
        times: dict[str, list[float]] = {"floor": [], "shipdeck": []}
        seen: dict[str, dict[str, int]] = {}
        for index in range(rounds):
            order = [("floor", floor_read), ("shipdeck", shipdeck_read)]
            if index % 2:
                order.reverse()
            for name, read in order:
                seconds, seen[name] = timed(read, world)
                times[name].append(seconds)
            print(
                f"round {index + 1}: floor {times['floor'][-1]:.2f} s, "
                f"shipdeck {times['shipdeck'][-1]:.2f} s "
                f"({times['shipdeck'][-1] / times['floor'][-1]:.2f}x)"
            )
        floor, ours = statistics.median(times["floor"]), statistics.median(times["shipdeck"])
        ratio = ours / floor
        print(f"median: floor {floor:.2f} s, shipdeck {ours:.2f} s, shipdeck/floor {ratio:.2f}x")
        print(f"read by shipdeck: {seen['shipdeck']}")
        print(f"read by floor:    {seen['floor']}")
        if console:
            report(measure(world, idle_seconds), floor)
        doctor = [doctor_seconds() for _ in range(rounds)]
        print(
            f"doctor --json (a whole process, start-up included): median "
            f"{statistics.median(doctor):.2f} s, {statistics.median(doctor) / floor:.2f}x the floor"
        )
    finally:
        world.stop()


def doctor_seconds() -> float:
    """Wall time of ``shipdeck doctor --json`` against the world in the environment."""
    began = time.perf_counter()
    done = subprocess.run(
        [str(Path(sys.executable).parent / "shipdeck"), "doctor", "--json"],
        capture_output=True,
        check=False,
    )
    if done.returncode not in (0, 1, 3):
        print(f"  doctor exited {done.returncode}: {done.stderr.decode(errors='replace')[-300:]}")
    return time.perf_counter() - began


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("scales", nargs="*", type=int, default=[1, 10])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--page-size", type=int, default=None, help="the world's page size")
    parser.add_argument("--no-console", action="store_true", help="only the reads and doctor")
    parser.add_argument("--idle", type=float, default=60.0, help="seconds the console idles")
    args = parser.parse_args()
    for scale in args.scales:
        bench(scale, args.rounds, args.page_size, not args.no_console, args.idle)
    return 0


if __name__ == "__main__":
    sys.exit(main())
