"""A scenario at any scale S, for large-account tests and ``bench/scale.py``.

``python -m demo.scale --scale 10 > large.yaml`` writes a world of its own names
(the "orbit" company) in three regions: 30·S ECR repositories of 8 images, 3·S
CodeBuild projects of 20 builds, 10·S ECS services, 5·S Lambda functions and
20·S Kubernetes deployments of 3 pods. A few percent of each Nova-style problem is
mixed in (``PROBLEM_SHARE``, at least one of each), so the incidents still have to
be found among thousands of healthy rows. The same S always gives the same file.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from typing import Any

import yaml

REGIONS = ("us-east-1", "ap-northeast-1", "eu-west-1")
REGISTRY_REGION = "us-east-1"
ACCOUNT = "210987654321"
TEAMS = ("atlas", "comet", "delta", "ember", "flux", "gale", "helix", "ion", "jade", "kite")
NAMESPACES = tuple(f"orbit-{team}" for team in TEAMS)
IMAGES_PER_REPOSITORY = 8
BUILDS_PER_PROJECT = 20
PODS_PER_DEPLOYMENT = 3
SERVICES_PER_CLUSTER = 25
PROBLEM_SHARE = 0.04
"""Share of each kind's rows that carry each of its problems (at least one row each)."""
BLOCKED_COMPUTE = "BUILD_GENERAL1_2XLARGE"
"""The compute type whose concurrency quota has no applied value (the Nova trap)."""
BLOCKED_QUOTA = "L-0397D009"
# Parts many rows share, written once in the file (YAML anchors) and read once: a
# scenario at S=30 has tens of thousands of them, and the world's start reads it.
PASSED_PHASES = [
    {"type": "DOWNLOAD_SOURCE", "duration": 8},
    {"type": "INSTALL", "duration": 35},
    {"type": "BUILD", "duration": 241},
    {"type": "POST_BUILD", "duration": 40},
]
FAILED_PHASES = [
    {"type": "DOWNLOAD_SOURCE", "duration": 8},
    {"type": "INSTALL", "duration": 35},
    {
        "type": "BUILD",
        "duration": 187,
        "status": "FAILED",
        "status_code": "COMMAND_EXECUTION_ERROR",
        "message": "Error while executing command: cargo build --release. Reason: exit status 101",
        "output": ["error[E0425]: cannot find value `config` in this scope"],
    },
]
RUNNING_TASKS = [{"status": "RUNNING", "started": "-5h", "count": 2}]
RUNNING_PODS = [{"state": "Running", "count": PODS_PER_DEPLOYMENT, "started": "-6h"}]
HEALTHY_LINES = ["START RequestId: 1f0e", "[INFO] handled in 120 ms", "END RequestId: 1f0e"] * 3
TIMEOUT_LINES = ["START RequestId: 9b2c", "Task timed out after 30.03 seconds"] * 3
LIFECYCLE_POLICY = {
    "rules": [
        {
            "rulePriority": 1,
            "description": "expire untagged images after 7 days",
            "selection": {
                "tagStatus": "untagged",
                "countType": "sinceImagePushed",
                "countUnit": "days",
                "countNumber": 7,
            },
            "action": {"type": "expire"},
        }
    ]
}


def counts(scale: int) -> dict[str, int]:
    """How many of each resource a world at ``scale`` holds."""
    return {
        "repositories": 30 * scale,
        "images": 30 * scale * IMAGES_PER_REPOSITORY,
        "projects": 3 * scale,
        "builds": 3 * scale * BUILDS_PER_PROJECT,
        "services": 10 * scale,
        "functions": 5 * scale,
        "deployments": 20 * scale,
        "pods": 20 * scale * PODS_PER_DEPLOYMENT,
    }


def _sha(*parts: object) -> str:
    return hashlib.sha1("|".join(map(str, parts)).encode()).hexdigest()


def _problem_rows(total: int, kinds: tuple[str, ...]) -> dict[int, str]:
    """Which rows (by index) carry which problem: each kind on ``PROBLEM_SHARE`` of them,
    spread over the whole range so they land in every region and team."""
    each = max(1, round(total * PROBLEM_SHARE))
    chosen: dict[int, str] = {}
    slots = each * len(kinds)
    if slots > total:
        raise ValueError(f"{total} rows cannot carry {slots} problems")
    for n in range(slots):
        index = (n * total) // slots + (total // slots) // 2
        chosen[index] = kinds[n % len(kinds)]
    return chosen


class ScaleScenario:
    """Builds the scenario document (a dict ready for YAML) for one scale."""

    def __init__(self, scale: int, page_size: int | None = None) -> None:
        if scale < 1:
            raise ValueError("the scale must be at least 1")
        self.scale = scale
        self.page_size = page_size
        self.n = counts(scale)
        self._repository_problems = _problem_rows(
            self.n["repositories"], ("missing-latest", "buildcache-bloat")
        )
        # Repositories in the registry region: healthy ones back the deployments, the
        # ones without `latest` back the deployments whose new pod cannot pull.
        registry = [
            i for i in range(self.n["repositories"]) if self._repository_region(i) == REGIONS[0]
        ]
        self._healthy_images = [i for i in registry if i not in self._repository_problems]
        self._unpullable = [
            i for i in registry if self._repository_problems.get(i) == "missing-latest"
        ]
        # What each generated row is, for tests and the bench: kind -> {name: problem}.
        self.problems: dict[str, dict[str, str]] = {}

    def _mark(self, kind: str, name: str, problem: str | None) -> None:
        if problem is not None:
            self.problems.setdefault(kind, {})[name] = problem

    # -- sections ----------------------------------------------------------------------------
    def document(self) -> dict[str, Any]:
        """The whole scenario."""
        world: dict[str, Any] = {
            "name": f"orbit at scale {self.scale}",
            "account_id": ACCOUNT,
            "default_region": REGISTRY_REGION,
            "tick_seconds": 1,
        }
        if self.page_size is not None:
            world["page_size"] = self.page_size
        functions, function_logs = self._functions()
        return {
            "world": world,
            "ecr": self._repositories(),
            "codebuild": {"projects": self._projects()},
            "service_quotas": self._quotas(),
            "ecs": self._clusters(),
            "lambda": functions,
            "logs": function_logs,
            "kubernetes": self._kubernetes(),
        }

    def _service_name(self, index: int) -> str:
        return f"{TEAMS[index % len(TEAMS)]}-svc-{index:04d}"

    def _repository_region(self, index: int) -> str:
        # Half in the registry region: those back the Kubernetes images, and so do the
        # ones with a problem (a missing `latest` is what the failing pods pull).
        if index % 2 == 0 or index in self._repository_problems:
            return REGIONS[0]
        return REGIONS[1 + index // 2 % 2]

    def _image(self, index: int, tag: str) -> str:
        """The image reference of repository ``index`` with ``tag``, in its region."""
        region = self._repository_region(index)
        return f"{ACCOUNT}.dkr.ecr.{region}.amazonaws.com/orbit/{self._service_name(index)}:{tag}"

    def _repositories(self) -> list[dict[str, Any]]:
        total = self.n["repositories"]
        problems = self._repository_problems
        repositories = []
        for index in range(total):
            name = f"orbit/{self._service_name(index)}"
            problem = problems.get(index)
            self._mark("ecr", name, problem)
            images = []
            for age in range(IMAGES_PER_REPOSITORY):
                sha = _sha(name, age)
                tags = [f"main-{sha[:12]}", sha]
                if age == 0:
                    tags.append("main")
                    if problem != "missing-latest":
                        tags.append("latest")
                if age == IMAGES_PER_REPOSITORY - 1:
                    tags = []  # an untagged manifest, as every busy repository has
                size = 40_000_000 + (int(sha[:6], 16) % 30_000_000)
                if problem == "buildcache-bloat" and age == 1:
                    tags, size = ["buildcache"], 1_100_000_000 + int(sha[:5], 16)
                images.append({"tags": tags, "size": size, "pushed": f"-{age * 9 + 2}h"})
            repositories.append(
                {
                    "name": name,
                    "region": self._repository_region(index),
                    "scan_on_push": True,
                    "lifecycle_policy": LIFECYCLE_POLICY,
                    "images": images,
                }
            )
        return repositories

    def _projects(self) -> list[dict[str, Any]]:
        total = self.n["projects"]
        problems = _problem_rows(total, ("failing-builds", "quota-blocked"))
        projects = []
        for index in range(total):
            name = f"orbit-{self._service_name(index)}-build"
            problem = problems.get(index)
            self._mark("codebuild", name, problem)
            builds = []
            for number in range(1, BUILDS_PER_PROJECT + 1):  # oldest first, as CodeBuild lists
                age_hours = (BUILDS_PER_PROJECT - number) * 6 + 1
                failing = (problem == "failing-builds" and number > BUILDS_PER_PROJECT - 6) or (
                    problem is None and number % 17 == 0
                )
                builds.append(
                    {
                        "number": number,
                        "start": f"-{age_hours}h",
                        "resolved_source_version": _sha(name, number),
                        "phases": FAILED_PHASES if failing else PASSED_PHASES,
                    }
                )
            region = REGIONS[index % len(REGIONS)]
            if problem == "quota-blocked":
                region = REGISTRY_REGION  # where the blocked quota lives
            projects.append(
                {
                    "name": name,
                    "region": region,
                    "source": {
                        "type": "GITHUB",
                        "location": f"https://github.com/orbit/{self._service_name(index)}.git",
                    },
                    "environment": {
                        "compute_type": BLOCKED_COMPUTE
                        if problem == "quota-blocked"
                        else "BUILD_GENERAL1_MEDIUM",
                        "image": "aws/codebuild/standard:7.0",
                        "privileged_mode": True,
                    },
                    "service_role": "orbit-codebuild-role",
                    "builds": builds,
                }
            )
        return projects

    def _quotas(self) -> dict[str, Any]:
        applied: dict[str, float | None] = dict.fromkeys(REGIONS, 20.0)
        return {
            "services": [
                {
                    "service_code": "codebuild",
                    "service_name": "AWS CodeBuild",
                    "quotas": [
                        {
                            "code": "L-2DC20C30",
                            "name": "Concurrently running builds for Linux/Medium environment",
                            "default": 20,
                            "compute_type": "BUILD_GENERAL1_MEDIUM",
                            "adjustable": True,
                            "applied": applied,
                        },
                        {
                            "code": BLOCKED_QUOTA,
                            "name": "Concurrently running builds for Linux/2XLarge environment",
                            "default": 15,
                            "compute_type": BLOCKED_COMPUTE,
                            "adjustable": True,
                            "applied": {**applied, REGISTRY_REGION: None},
                        },
                    ],
                }
            ]
        }

    def _clusters(self) -> list[dict[str, Any]]:
        total = self.n["services"]
        problems = _problem_rows(total, ("oom-killed", "image-missing"))
        clusters: dict[tuple[str, str], dict[str, Any]] = {}
        for index in range(total):
            region = REGIONS[index % len(REGIONS)]
            number = index // len(REGIONS) // SERVICES_PER_CLUSTER
            cluster = clusters.setdefault(
                (region, str(number)),
                {
                    "region": region,
                    "cluster": f"orbit-{region}-{number}",
                    "task_definitions": [],
                    "services": [],
                },
            )
            name = self._service_name(index)
            problem = problems.get(index)
            self._mark("ecs", name, problem)
            tag = "v404" if problem == "image-missing" else "latest"
            cluster["task_definitions"].append(
                {
                    "family": name,
                    "cpu": 256,
                    "memory": 512,
                    "containers": [
                        {
                            "name": "app",
                            "image": self._image(index, tag),
                            "port": 8080,
                            "log_group": f"/ecs/{name}",
                        }
                    ],
                }
            )
            service: dict[str, Any] = {
                "name": name,
                "task_definition": f"{name}:1",
                "desired": 2,
                "tasks": RUNNING_TASKS,
            }
            if problem == "oom-killed":
                service["memory_needed"] = 1024
                service["tasks"] = [
                    {"status": "RUNNING", "started": "-20m"},
                    {
                        "status": "STOPPED",
                        "started": "-1h",
                        "stopped": "-25m",
                        "stop_code": "EssentialContainerExited",
                        "stopped_reason": "Essential container in task exited",
                        "containers": {
                            "app": {
                                "exit_code": 137,
                                "reason": "OutOfMemoryError: Container killed due to memory usage",
                            }
                        },
                    },
                ]
            elif problem == "image-missing":
                service["tasks"] = [
                    {
                        "status": "STOPPED",
                        "started": None,
                        "stopped": "-10m",
                        "count": 2,
                        "stop_code": "TaskFailedToStart",
                        "stopped_reason": "CannotPullContainerError: pull image manifest has "
                        f"been retried 5 time(s): orbit/{name}:{tag}: not found",
                    }
                ]
            cluster["services"].append(service)
        return list(clusters.values())

    def _functions(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        total = self.n["functions"]
        problems = _problem_rows(total, ("timeouts",))
        functions, logs = [], []
        for index in range(total):
            name = f"orbit-{TEAMS[index % len(TEAMS)]}-fn-{index:04d}"
            region = REGIONS[index % len(REGIONS)]
            problem = problems.get(index)
            self._mark("lambda", name, problem)
            functions.append(
                {
                    "name": name,
                    "region": region,
                    "memory": 512,
                    "timeout": 30,
                    "image": self._image(index, "main"),
                    "role": "orbit-lambda-role",
                    "last_modified": "-2d",
                }
            )
            lines = TIMEOUT_LINES if problem == "timeouts" else HEALTHY_LINES
            logs.append(
                {
                    "group": f"/aws/lambda/{name}",
                    "region": region,
                    "retention_days": 14,
                    "streams": [
                        {
                            "name": "2025/11/11/[$LATEST]0a1b2c",
                            "start": "-40m",
                            "every": "5m",
                            "lines": lines,
                        }
                    ],
                }
            )
        return functions, logs

    def _kubernetes(self) -> dict[str, Any]:
        total = self.n["deployments"]
        problems = _problem_rows(total, ("crash-loop", "image-pull"))
        deployments = []
        for index in range(total):
            name = f"{TEAMS[index % len(TEAMS)]}-api-{index:04d}"
            problem = problems.get(index)
            self._mark("k8s", name, problem)
            runs = self._healthy_images[index % len(self._healthy_images)]
            deployment: dict[str, Any] = {
                "name": name,
                "namespace": NAMESPACES[index % len(NAMESPACES)],
                "image": f"orbit/{self._service_name(runs)}:latest",
                "pods": RUNNING_PODS,
                "log": [f" INFO {name}: listening on 0.0.0.0:8080"],
            }
            if problem == "crash-loop":
                deployment.update(
                    requires_env=["DATABASE_URL"],
                    crash_log=[
                        "thread 'main' panicked at src/config.rs:41:9:",
                        "DATABASE_URL must be set: NotPresent",
                    ],
                    pods=[
                        {
                            "state": "CrashLoopBackOff",
                            "count": PODS_PER_DEPLOYMENT,
                            "restarts": 14,
                            "started": "-1h",
                        }
                    ],
                )
            elif problem == "image-pull":
                # `latest` is missing from its repository: the running pods keep the
                # image they pulled before, the new one cannot pull it (Nova's cdn-service).
                missing = self._unpullable[index % len(self._unpullable)] if self._unpullable else 0
                deployment["image"] = f"orbit/{self._service_name(missing)}:" + (
                    "latest" if self._unpullable else "v404"
                )
                deployment["pods"] = [
                    {"state": "Running", "count": PODS_PER_DEPLOYMENT - 1, "started": "-6h"},
                    {"state": "ImagePullBackOff", "count": 1, "started": "-15m"},
                ]
            deployments.append(deployment)
        return {
            "context": "orbit",
            "registry_region": REGISTRY_REGION,
            "namespaces": list(NAMESPACES),
            "deployments": deployments,
        }


def scenario_text(scale: int, page_size: int | None = None) -> str:
    """The scenario file for ``scale`` as YAML text."""
    document = ScaleScenario(scale, page_size).document()
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    header = f"# Generated by `python -m demo.scale --scale {scale}` (docs/scenario.md).\n"
    return header + yaml.dump(document, Dumper=dumper, sort_keys=False, width=120)


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m demo.scale``."""
    parser = argparse.ArgumentParser(prog="python -m demo.scale", description=__doc__)
    parser.add_argument("--scale", type=int, required=True, help="S: 1 is 68 top-level rows")
    parser.add_argument(
        "--page-size", type=int, default=None, help="the world's page size for list calls"
    )
    args = parser.parse_args(argv)
    if args.scale < 1:
        parser.error("--scale must be at least 1")
    sys.stdout.write(scenario_text(args.scale, args.page_size))
    return 0


if __name__ == "__main__":
    sys.exit(main())
