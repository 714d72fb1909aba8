"""Scenario sections for running things: ECS, Lambda, secrets, logs, alarms, Kubernetes."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from demo.k8s_objects import split_image
from demo.model import (
    POD_STATES,
    Alarm,
    Deployment,
    EcrRepository,
    EcsCluster,
    EcsContainer,
    EcsContainerState,
    EcsService,
    EcsTask,
    EcsTaskDefinition,
    EnvSource,
    Kubernetes,
    KubeSecret,
    LambdaFunction,
    LogEvent,
    LogGroup,
    LogStream,
    MetricSeries,
    MetricShape,
    PodGroup,
    Secret,
    ServiceEvent,
    StreamCondition,
)
from demo.scenario_reader import Node


def _container(node: Node) -> EcsContainer:
    node.check_keys(
        {
            "name",
            "image",
            "port",
            "environment",
            "log_group",
            "log_stream_prefix",
            "health_check",
            "essential",
        }
    )
    return EcsContainer(
        name=node.require("name").string(),
        image=node.require("image").string(),
        port=node.get("port").optional_integer(),
        environment=node.get("environment").string_map(),
        log_group=node.get("log_group").optional_string(),
        log_stream_prefix=node.get("log_stream_prefix").optional_string(),
        health_check=node.get("health_check").optional_string(),
        essential=node.get("essential").boolean(True),
    )


def _task_definition(node: Node) -> EcsTaskDefinition:
    node.check_keys({"family", "cpu", "memory", "execution_role", "task_role", "containers"})
    containers = tuple(_container(n) for n in node.require("containers").items())
    if not containers:
        raise node.get("containers").fail("a task definition needs at least one container")
    return EcsTaskDefinition(
        family=node.require("family").string(),
        cpu=node.require("cpu").integer(),
        memory=node.require("memory").integer(),
        execution_role=node.get("execution_role").string("ecsTaskExecutionRole"),
        task_role=node.get("task_role").optional_string(),
        containers=containers,
    )


def _task(node: Node, default_definition: str) -> EcsTask:
    node.check_keys(
        {
            "status",
            "task_definition",
            "started",
            "stopped",
            "stop_code",
            "stopped_reason",
            "containers",
            "count",
        }
    )
    status = node.get("status").choice(("RUNNING", "STOPPED"), "RUNNING")
    containers = {}
    for name, c in node.get("containers").entries():
        c.check_keys({"exit_code", "reason"})
        containers[name] = EcsContainerState(
            c.get("exit_code").optional_integer(), c.get("reason").optional_string()
        )
    return EcsTask(
        status=status,
        task_definition=node.get("task_definition").string(default_definition),
        started_at=node.get("started").time() if node.get("started").value is not None else None,
        stopped_at=node.get("stopped").time() if status == "STOPPED" else None,
        stop_code=node.get("stop_code").optional_string(),
        stopped_reason=node.get("stopped_reason").optional_string(),
        containers=containers,
    )


def _service(node: Node, families: dict[str, int]) -> EcsService:
    node.check_keys(
        {
            "name",
            "task_definition",
            "desired",
            "launch_type",
            "created",
            "deployed",
            "tasks",
            "events",
            "memory_needed",
        }
    )
    definition_node = node.require("task_definition")
    definition = definition_node.string()
    family, _, revision = definition.partition(":")
    known = families.get(family, 0)
    if not known or (revision and not (revision.isdigit() and 1 <= int(revision) <= known)):
        raise definition_node.fail(f"no task definition {definition!r} in this cluster")
    tasks: list[EcsTask] = []
    for task_node in node.get("tasks").items():
        task = _task(task_node, definition)
        tasks.extend([task] * task_node.get("count").integer(1))
    events = []
    for e in node.get("events").items():
        e.check_keys({"at", "message"})
        events.append(ServiceEvent(e.require("at").time(), e.require("message").string()))
    created = node.get("created").time(node.anchor - timedelta(days=14))
    return EcsService(
        name=node.require("name").string(),
        task_definition=definition,
        desired=node.require("desired").integer(),
        launch_type=node.get("launch_type").choice(("FARGATE", "EC2"), "FARGATE"),
        created_at=created,
        tasks=tuple(tasks),
        events=tuple(sorted(events, key=lambda ev: ev.at, reverse=True)),
        deployed_at=node.get("deployed").time(created),
        memory_needed=_positive(node.get("memory_needed")),
    )


def _positive(node: Node) -> int | None:
    value = node.optional_integer()
    if value is not None and value <= 0:
        raise node.fail(f"expected a number of MiB above 0, got {value}")
    return value


def ecs_cluster(node: Node) -> EcsCluster:
    """An ``ecs`` entry: one cluster in one region."""
    node.check_keys({"region", "cluster", "task_definitions", "services"})
    definitions = tuple(_task_definition(n) for n in node.get("task_definitions").items())
    families: dict[str, int] = {}
    for definition in definitions:
        families[definition.family] = families.get(definition.family, 0) + 1
    return EcsCluster(
        region=node.require("region").string(),
        name=node.require("cluster").string(),
        task_definitions=definitions,
        services=tuple(_service(n, families) for n in node.get("services").items()),
    )


def function(node: Node, repositories: tuple[EcrRepository, ...] = ()) -> LambdaFunction:
    """A ``lambda`` entry: a container-image function.

    ``last_modified`` defaults to the push time of the function's image when the
    scenario's ECR holds that tag, else to the world's start.
    """
    node.check_keys(
        {
            "region",
            "name",
            "image",
            "memory",
            "timeout",
            "role",
            "environment",
            "description",
            "last_modified",
        }
    )
    image = node.require("image").string()
    return LambdaFunction(
        region=node.require("region").string(),
        name=node.require("name").string(),
        image=image,
        memory=node.get("memory").integer(128),
        timeout=node.get("timeout").integer(3),
        role=node.get("role").string("lambda-execution-role"),
        environment=node.get("environment").string_map(),
        description=node.get("description").string(""),
        last_modified=node.get("last_modified").time(
            image_pushed_at(image, repositories) or node.anchor
        ),
    )


def image_pushed_at(reference: str, repositories: tuple[EcrRepository, ...]) -> datetime | None:
    """When the scenario pushed the image ``reference`` names (None if it is not in its ECR)."""
    parts = split_image(reference)
    if parts is None:
        return None
    region, name, tag = parts
    pushed = [
        image.pushed_at
        for repo in repositories
        if (repo.region, repo.name) == (region, name)
        for image in repo.images
        if tag in image.tags
    ]
    return max(pushed, default=None)


def secret(node: Node) -> Secret:
    """A ``secrets`` entry; a mapping value is stored as JSON, like the console does."""
    node.check_keys({"region", "name", "description", "value"})
    value = node.require("value")
    text = json.dumps(value.string_map()) if isinstance(value.value, dict) else value.string()
    return Secret(
        node.require("region").string(),
        node.require("name").string(),
        node.get("description").string(""),
        text,
    )


def _condition(
    node: Node,
    region: str,
    functions: tuple[LambdaFunction, ...],
    clusters: tuple[EcsCluster, ...],
) -> StreamCondition:
    """A stream's ``while``: one subject (``lambda`` or ``ecs_service``) and its tests."""
    node.check_keys({"lambda", "ecs_service", "region", "image", "task_definition", "memory_below"})
    region = node.get("region").string(region)
    kinds = [kind for kind in ("lambda", "ecs_service") if node.get(kind).value is not None]
    if len(kinds) != 1:
        raise node.fail("name one subject: lambda (a function) or ecs_service (cluster/service)")
    kind = kinds[0]
    subject = node.get(kind)
    name = subject.string()
    if kind == "lambda":
        known = {f.name for f in functions if f.region == region}
        if node.get("task_definition").value is not None:
            raise node.get("task_definition").fail("only an ecs_service runs task definitions")
    else:
        known = {f"{c.name}/{s.name}" for c in clusters if c.region == region for s in c.services}
    if name not in known:
        what = "function" if kind == "lambda" else "ECS service (cluster/service)"
        raise subject.fail(f"no {what} {name!r} in {region} in this scenario")
    condition = StreamCondition(
        kind=kind,
        region=region,
        name=name,
        image=node.get("image").optional_string(),
        task_definition=node.get("task_definition").optional_string(),
        memory_below=_positive(node.get("memory_below")),
    )
    if (condition.image, condition.task_definition, condition.memory_below) == (None,) * 3:
        raise node.fail(
            "give what the resource runs while broken: image, task_definition or memory_below"
        )
    return condition


def _stream(
    node: Node,
    speed: float,
    region: str,
    functions: tuple[LambdaFunction, ...],
    clusters: tuple[EcsCluster, ...],
) -> LogStream:
    node.check_keys(
        {"name", "events", "start", "every", "lines", "live", "while", "healthy_lines", "history"}
    )
    events = []
    for e in node.get("events").items():
        e.check_keys({"at", "message"})
        events.append(LogEvent(e.require("at").time(), e.require("message").string()))
    if node.get("lines").value is not None:
        at = node.require("start").time()
        step = timedelta(seconds=node.get("every").seconds(1.0))
        for line in node.get("lines").strings():
            events.append(LogEvent(at, line))
            at += step
    if node.get("history").value is not None:
        # Older lines for paging back: ``lines`` in a loop, ``every`` apart, for this long
        # before ``start`` (on the world's clock, like every other time of a scenario).
        if node.get("lines").value is None:
            raise node.get("history").fail("history repeats lines: give lines and every")
        span = timedelta(seconds=node.get("history").seconds(0.0))
        step = timedelta(seconds=node.get("every").seconds(1.0))
        looped = node.get("lines").strings()
        count = int(span / step)
        first = node.require("start").time() - step * count
        events.extend(LogEvent(first + step * i, looped[i % len(looped)]) for i in range(count))
    live = node.get("live").boolean(False)
    if live and node.get("lines").value is None:
        raise node.get("live").fail("a live stream needs lines (and every) to repeat")
    condition = None
    if node.get("while").value is not None:
        if not live:
            raise node.get("while").fail("only a live stream (live: true) changes when fixed")
        condition = _condition(node.get("while"), region, functions, clusters)
    if node.get("healthy_lines").value is not None and condition is None:
        raise node.get("healthy_lines").fail("healthy lines need a while: condition that ends")
    return LogStream(
        node.require("name").string(),
        tuple(sorted(events, key=lambda e: e.at)),
        live_every=node.get("every").seconds(1.0) / speed if live else None,
        live_lines=tuple(node.get("lines").strings()) if live else (),
        live_while=condition,
        healthy_lines=tuple(node.get("healthy_lines").strings()),
    )


def log_group(
    node: Node,
    speed: float = 1.0,
    functions: tuple[LambdaFunction, ...] = (),
    clusters: tuple[EcsCluster, ...] = (),
) -> LogGroup:
    """A ``logs`` entry: a log group with streams (``while`` names functions or services)."""
    node.check_keys({"region", "group", "retention_days", "streams"})
    region = node.require("region").string()
    return LogGroup(
        region=region,
        name=node.require("group").string(),
        retention_days=node.get("retention_days").optional_integer(),
        streams=tuple(
            _stream(n, speed, region, functions, clusters) for n in node.get("streams").items()
        ),
    )


def alarm(node: Node) -> Alarm:
    """An ``alarms`` entry: a CloudWatch metric alarm."""
    node.check_keys(
        {
            "region",
            "name",
            "namespace",
            "metric",
            "threshold",
            "period",
            "evaluation_periods",
            "comparison",
            "dimensions",
            "state",
            "state_reason",
            "statistic",
        }
    )
    return Alarm(
        region=node.require("region").string(),
        name=node.require("name").string(),
        namespace=node.get("namespace").string("AWS/ECS"),
        metric=node.require("metric").string(),
        threshold=node.require("threshold").number(),
        period=node.get("period").integer(300),
        evaluation_periods=node.get("evaluation_periods").integer(1),
        comparison=node.get("comparison").string("GreaterThanThreshold"),
        dimensions=node.get("dimensions").string_map(),
        state=node.get("state").choice(("OK", "ALARM", "INSUFFICIENT_DATA"), "OK"),
        state_reason=node.get("state_reason").string("Scenario state"),
        statistic=node.get("statistic").choice(_STATISTICS, "Average"),
    )


_STATISTICS = ("Average", "Maximum", "Minimum", "Sum", "SampleCount")


def _shape(node: Node) -> MetricShape:
    """``healthy`` or ``incident`` of a series: ``{level, swing}`` or a climb."""
    node.check_keys({"level", "swing", "climb_to", "cycle", "since", "whole"})
    cycle = node.get("cycle").seconds(600.0)
    if cycle <= 0:
        raise node.get("cycle").fail("must be greater than 0")
    climb = node.get("climb_to")
    return MetricShape(
        level=node.require("level").number(),
        swing=abs(node.get("swing").number(0.0)),
        climb_to=climb.number() if climb.value is not None else None,
        cycle=cycle,
        whole=node.get("whole").boolean(False),
    )


def metric_series(
    node: Node,
    speed: float = 1.0,
    functions: tuple[LambdaFunction, ...] = (),
    clusters: tuple[EcsCluster, ...] = (),
) -> MetricSeries:
    """A ``metrics`` entry: a series the world writes, healthy or not (``while``)."""
    node.check_keys(
        {"region", "namespace", "metric", "dimensions", "unit", "every", "history"}
        | {"healthy", "incident", "while"}
    )
    region = node.require("region").string()
    every = node.get("every").seconds(60.0)
    if every <= 0:
        raise node.get("every").fail("must be greater than 0")
    incident = node.get("incident")
    condition = None
    if node.get("while").value is not None:
        if incident.value is None:
            raise node.get("while").fail("a while: condition needs an incident: shape")
        condition = _condition(node.get("while"), region, functions, clusters)
    return MetricSeries(
        region=region,
        namespace=node.require("namespace").string(),
        metric=node.require("metric").string(),
        dimensions=node.get("dimensions").string_map(),
        unit=node.get("unit").string("None"),
        every=every,
        live_every=every / speed,
        history=node.get("history").seconds(3 * 3600.0),
        healthy=_shape(node.require("healthy")),
        incident=_shape(incident) if incident.value is not None else None,
        since=incident.get("since").time() if incident.value is not None else None,
        live_while=condition,
    )


def _env(node: Node) -> dict[str, EnvSource]:
    env = {}
    for name, value in node.entries():
        if isinstance(value.value, dict):
            value.check_keys({"secret", "key"})
            env[name] = EnvSource(
                None, value.require("secret").string(), value.require("key").string()
            )
        else:
            env[name] = EnvSource(value.string(), None, None)
    return env


def _deployment(node: Node) -> Deployment:
    node.check_keys(
        {
            "name",
            "namespace",
            "image",
            "port",
            "env",
            "requires_env",
            "log",
            "crash_log",
            "exit_code",
            "created",
            "pods",
        }
    )
    pods = []
    for p in node.require("pods").items():
        p.check_keys({"state", "count", "restarts", "started", "image"})
        pods.append(
            PodGroup(
                state=p.require("state").choice(POD_STATES),
                count=p.get("count").integer(1),
                restarts=p.get("restarts").integer(0),
                started_at=p.get("started").time(node.anchor - timedelta(hours=3)),
                image=p.get("image").optional_string(),
            )
        )
    deployment = Deployment(
        name=node.require("name").string(),
        namespace=node.require("namespace").string(),
        image=node.require("image").string(),
        port=node.get("port").integer(8080),
        env=_env(node.get("env")),
        requires_env=node.get("requires_env").strings(),
        log=node.get("log").strings(),
        crash_log=node.get("crash_log").strings(),
        exit_code=node.get("exit_code").integer(101),
        created_at=node.get("created").time(node.anchor - timedelta(days=2)),
        pods=tuple(pods),
    )
    if any(g.state == "CrashLoopBackOff" for g in pods) and not deployment.crash_log:
        raise node.get("crash_log").fail("required when a pod is in CrashLoopBackOff")
    return deployment


def kubernetes(node: Node, default_region: str, account_id: str) -> Kubernetes | None:
    """The ``kubernetes`` section (None when the world has no cluster)."""
    if node.value is None:
        return None
    node.check_keys(
        {"context", "cluster_arn", "registry_region", "namespaces", "deployments", "secrets"}
    )
    namespaces = node.require("namespaces").strings()
    deployments = tuple(_deployment(n) for n in node.get("deployments").items())
    for index, d in enumerate(deployments):
        if d.namespace not in namespaces:
            where = node.get("deployments")
            raise Node(None, f"{where.path}[{index}].namespace", node.source, node.anchor).fail(
                f"namespace {d.namespace!r} is not in kubernetes.namespaces"
            )
    secrets = []
    for s in node.get("secrets").items():
        s.check_keys({"namespace", "name", "data"})
        secrets.append(
            KubeSecret(
                s.require("namespace").string(),
                s.require("name").string(),
                s.get("data").string_map(),
            )
        )
    context = node.get("context").string("nova")
    return Kubernetes(
        context=context,
        cluster_arn=node.get("cluster_arn").string(
            f"arn:aws:eks:{default_region}:{account_id}:cluster/{context}"
        ),
        registry_region=node.get("registry_region").string(default_region),
        namespaces=namespaces,
        deployments=deployments,
        secrets=tuple(secrets),
    )
