"""Load a scenario data file (YAML) into a typed :class:`~demo.model.Scenario`.

The format is documented in ``docs/scenario.md``. Every problem is reported as a
:class:`ScenarioError` whose text is one line: file, field path, what is wrong.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from demo import scenario_sections as sections
from demo.accounts import extra_accounts
from demo.model import (
    BUILD_PHASES,
    BUILD_STATUSES,
    BuildRecord,
    BuildRun,
    CodeBuildProject,
    EcrImage,
    EcrRepository,
    PhaseRecord,
    Quota,
    QuotaRequestPacing,
    QuotaService,
    Scenario,
    WorldSettings,
)
from demo.scenario_reader import Node, ScenarioError

__all__ = ["ScenarioError", "load_scenario"]

SCENARIO_DIR = Path(__file__).parent / "scenarios"
_TOP_LEVEL = {
    "world",
    "ecr",
    "codebuild",
    "service_quotas",
    "ecs",
    "lambda",
    "secrets",
    "logs",
    "alarms",
    "metrics",
    "kubernetes",
    "accounts",
}
MAX_BYTES = 16 * 1024 * 1024
"""A scenario file larger than this is refused at once (a world of 1,000s of resources is
a few MB); reading a larger one would hold the world's start for minutes."""
MAX_DEPTH = 32
"""Mappings and lists nested deeper than this are refused (no scenario needs more than a
handful; a file nested thousands deep would exhaust the parser's recursion)."""
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's, when it is built in

# Share of each layer in an image whose layers are not listed (base image first).
_LAYER_SHARES = (0.46, 0.22, 0.13, 0.08, 0.05, 0.03, 0.02, 0.01)


def _check_depth(text: str, source: str) -> None:
    """Refuse nesting deeper than ``MAX_DEPTH`` before building anything (the parser's
    events come one at a time, so this cannot recurse)."""
    depth = 0
    for event in yaml.parse(text, Loader=_LOADER):
        if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                mark = event.start_mark
                where = f"line {mark.line + 1} column {mark.column + 1}: " if mark else ""
                raise ScenarioError(source, "", f"{where}nested more than {MAX_DEPTH} levels deep")
        elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            depth -= 1


def load_scenario(path: Path | str, now: datetime | None = None) -> Scenario:
    """Read and check a scenario file; relative times are anchored at ``now``."""
    path = Path(path)
    source = path.name
    anchor = (now or datetime.now(UTC)).replace(microsecond=0)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ScenarioError(
                source,
                "",
                f"the file is {size / 2**20:.1f} MiB; a scenario may be at most "
                f"{MAX_BYTES / 2**20:.0f} MiB",
            )
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        reason = err.strerror if isinstance(err, OSError) and err.strerror else str(err)
        raise ScenarioError(source, "", f"cannot read the file: {reason}") from None
    try:
        _check_depth(text, source)
        data = yaml.load(text, Loader=_LOADER)  # a safe loader: libyaml's or the Python one
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        where = f"line {mark.line + 1} column {mark.column + 1}: " if mark is not None else ""
        raise ScenarioError(source, "", f"{where}YAML syntax error: {problem}") from None
    if not isinstance(data, dict):
        raise ScenarioError(source, "", "expected a mapping at the top of the file")
    # Top-level keys starting with "x-" hold YAML anchors for reuse (as in compose files).
    data = {k: v for k, v in data.items() if not str(k).startswith("x-")}
    root = Node(data, "", source, anchor)
    root.check_keys(_TOP_LEVEL)
    world = _world(root.require("world"))
    repositories = tuple(_repository(n) for n in root.get("ecr").items())
    projects = tuple(
        _project(n, world.speed) for n in root.get("codebuild").get("projects").items()
    )
    quotas = tuple(_quota_service(n) for n in root.get("service_quotas").get("services").items())
    pacing = _pacing(root.get("service_quotas").get("requests"), world.speed)
    # Parsed before `logs`, whose live streams may name a function or a service.
    clusters = tuple(sections.ecs_cluster(n) for n in root.get("ecs").items())
    functions = tuple(sections.function(n, repositories) for n in root.get("lambda").items())
    scenario = Scenario(
        source=source,
        loaded_at=anchor,
        world=world,
        ecr=repositories,
        codebuild=projects,
        quotas=quotas,
        quota_requests=pacing,
        ecs=clusters,
        functions=functions,
        secrets=tuple(sections.secret(n) for n in root.get("secrets").items()),
        logs=tuple(
            sections.log_group(n, world.speed, functions, clusters)
            for n in root.get("logs").items()
        ),
        alarms=tuple(sections.alarm(n) for n in root.get("alarms").items()),
        metrics=tuple(
            sections.metric_series(n, world.speed, functions, clusters)
            for n in root.get("metrics").items()
        ),
        kubernetes=sections.kubernetes(
            root.get("kubernetes"), world.default_region, world.account_id
        ),
        accounts=extra_accounts(root.get("accounts"), world.account_id, _repository),
    )
    root.get("codebuild").check_keys({"projects"})
    root.get("service_quotas").check_keys({"services", "requests"})
    regions = {world.default_region}
    for group in (
        scenario.ecr,
        scenario.codebuild,
        scenario.ecs,
        scenario.functions,
        scenario.secrets,
        scenario.logs,
        scenario.alarms,
        scenario.metrics,
    ):
        regions.update(item.region for item in group)
    for account in scenario.accounts:
        regions.update(r.region for r in account.ecr)
        regions.update(c.region for c in account.ecs)
    return Scenario(**{**scenario.__dict__, "regions": tuple(sorted(regions))})


def _world(node: Node) -> WorldSettings:
    node.check_keys(
        {
            "name",
            "account_id",
            "default_region",
            "access_key_id",
            "secret_access_key",
            "tick_seconds",
            "speed",
            "throttle",
            "page_size",
        }
    )
    account = node.get("account_id").string("123456789012")
    if not (account.isdigit() and len(account) == 12):
        raise node.get("account_id").fail(f"expected 12 digits, got {account!r}")
    tick = node.get("tick_seconds").seconds(0.5)
    if os.environ.get("SHIPDECK_WORLD_TICK"):
        tick = _env_number("SHIPDECK_WORLD_TICK", node.source)
    if tick <= 0:
        raise node.get("tick_seconds").fail("must be greater than 0")
    speed = node.get("speed").number(1.0)
    if os.environ.get("SHIPDECK_WORLD_SPEED"):
        speed = _env_number("SHIPDECK_WORLD_SPEED", node.source)
    if speed <= 0:
        raise node.get("speed").fail("must be greater than 0")
    rate, services = _throttle(node.get("throttle"))
    page_size = node.get("page_size").optional_integer()
    if page_size is not None and page_size < 1:
        raise node.get("page_size").fail(f"expected a number of items above 0, got {page_size}")
    return WorldSettings(
        name=node.get("name").string("incident world"),
        account_id=account,
        default_region=node.get("default_region").string("ap-northeast-1"),
        access_key_id=node.get("access_key_id").string("AKIASHIPDECKDEMO0001"),
        secret_access_key=node.get("secret_access_key").string("shipdeck-demo-secret-key"),
        tick_seconds=tick,
        speed=speed,
        throttle_rate=rate,
        throttle_services=services,
        page_size=page_size,
    )


def _throttle(node: Node) -> tuple[float, tuple[str, ...]]:
    """``throttle: {rate: 0.3, services: [logs]}``, or ``SHIPDECK_WORLD_THROTTLE=0.3:logs,ecr``."""
    rate: float = 0.0
    services: tuple[str, ...] = ()
    if node.value is not None:
        node.check_keys({"rate", "services"})
        rate = node.get("rate").number(0.0)
        services = tuple(node.get("services").strings())
    raw = os.environ.get("SHIPDECK_WORLD_THROTTLE")
    if raw:
        number, _, names = raw.partition(":")
        try:
            rate = float(number)
        except ValueError:
            raise ScenarioError(
                node.source, "", f"SHIPDECK_WORLD_THROTTLE: expected RATE[:SERVICES], got {raw!r}"
            ) from None
        services = tuple(n for n in names.split(",") if n)
    if not 0.0 <= rate < 1.0:
        raise node.get("rate").fail(f"expected a share from 0 to below 1, got {rate}")
    return rate, services


def _env_number(name: str, source: str) -> float:
    try:
        return float(os.environ[name])
    except ValueError:
        raise ScenarioError(
            source, "", f"{name}: expected a number, got {os.environ[name]!r}"
        ) from None


def _layers(node: Node) -> tuple[int, ...]:
    layers_node = node.get("layers")
    if layers_node.value is not None:
        layers = tuple(n.integer() for n in layers_node.items())
        if not layers or any(size <= 0 for size in layers):
            raise layers_node.fail("expected a non-empty list of positive integers")
        size_node = node.get("size")
        if size_node.value is not None and size_node.integer() != sum(layers):
            raise size_node.fail(f"is {size_node.integer()} but the layers sum to {sum(layers)}")
        return layers
    size = node.require("size").integer()
    count = node.get("layer_count").integer(6)
    if size <= 0 or not 1 <= count <= len(_LAYER_SHARES):
        raise node.fail(f"size must be > 0 and layer_count 1..{len(_LAYER_SHARES)}")
    shares = _LAYER_SHARES[:count]
    parts = [max(1, int(size * share / sum(shares))) for share in shares[1:]]
    return (size - sum(parts), *parts)


def _repository(node: Node) -> EcrRepository:
    node.check_keys(
        {
            "region",
            "name",
            "scan_on_push",
            "encryption",
            "tag_mutability",
            "lifecycle_policy",
            "created",
            "images",
        }
    )
    images = []
    seen: set[str] = set()
    for image_node in node.get("images").items():
        image_node.check_keys({"tags", "size", "layers", "layer_count", "pushed"})
        tags = image_node.get("tags").strings()
        for tag_node, tag in zip(image_node.get("tags").items(), tags, strict=False):
            if tag in seen:
                raise tag_node.fail(f"tag {tag!r} is already used by another image")
            seen.add(tag)
        images.append(EcrImage(tags, _layers(image_node), image_node.require("pushed").time()))
    policy = node.get("lifecycle_policy")
    return EcrRepository(
        region=node.require("region").string(),
        name=node.require("name").string(),
        scan_on_push=node.get("scan_on_push").boolean(False),
        encryption=node.get("encryption").choice(("AES256", "KMS"), "AES256"),
        tag_mutability=node.get("tag_mutability").choice(("MUTABLE", "IMMUTABLE"), "MUTABLE"),
        lifecycle_policy=policy.mapping() if policy.value is not None else None,
        created_at=node.get("created").time(node.anchor - timedelta(days=30)),
        images=tuple(images),
    )


def _phases(node: Node, start: datetime) -> tuple[PhaseRecord, ...]:
    raw: list[tuple[Node, str]] = []
    for phase_node in node.items():
        phase_node.check_keys({"type", "status", "duration", "status_code", "message", "output"})
        raw.append((phase_node, phase_node.require("type").choice(BUILD_PHASES)))
    if not raw:
        raise node.fail("a build needs at least one phase")
    names = [name for _, name in raw]
    lead = [p for p in ("SUBMITTED", "QUEUED", "PROVISIONING") if p not in names]
    tail = [p for p in ("FINALIZING", "COMPLETED") if p not in names]
    defaults = {"SUBMITTED": 0.6, "QUEUED": 1.2, "PROVISIONING": 22.0, "FINALIZING": 2.0}
    phases: list[PhaseRecord] = []
    clock = start

    def add(
        name: str,
        status: str,
        duration: float,
        code: str | None,
        message: str | None,
        output: tuple[str, ...],
    ) -> None:
        nonlocal clock
        phases.append(PhaseRecord(name, status, clock, duration, code, message, output))
        clock += timedelta(seconds=duration)

    for name in lead:
        add(name, "SUCCEEDED", defaults[name], None, None, ())
    for phase_node, name in raw:
        add(
            name,
            phase_node.get("status").choice(BUILD_STATUSES, "SUCCEEDED"),
            phase_node.get("duration").seconds(1.0),
            phase_node.get("status_code").optional_string(),
            phase_node.get("message").optional_string(),
            phase_node.get("output").strings(),
        )
    for name in tail:
        add(name, "SUCCEEDED", defaults.get(name, 0.0), None, None, ())
    return tuple(phases)


def _build(node: Node, project_version: str) -> BuildRecord:
    node.check_keys(
        {
            "number",
            "status",
            "source_version",
            "resolved_source_version",
            "initiator",
            "start",
            "phases",
            "environment_overrides",
        }
    )
    start = node.require("start").time()
    phases = _phases(node.require("phases"), start)
    failed = [p.status for p in phases if p.status != "SUCCEEDED"]
    return BuildRecord(
        number=node.require("number").integer(),
        status=node.get("status").choice(BUILD_STATUSES, failed[0] if failed else "SUCCEEDED"),
        source_version=node.get("source_version").string(project_version),
        resolved_source_version=node.get("resolved_source_version").string("0" * 40),
        initiator=node.get("initiator").string("GitHub-Hookshot/8a1b2c3"),
        start=start,
        phases=phases,
        environment_overrides=node.get("environment_overrides").string_map(),
    )


def _project(node: Node, speed: float) -> CodeBuildProject:
    node.check_keys(
        {
            "region",
            "name",
            "description",
            "source",
            "source_version",
            "environment",
            "service_role",
            "log_group",
            "timeout_minutes",
            "queued_timeout_minutes",
            "concurrent_build_limit",
            "created",
            "tags",
            "run",
            "builds",
        }
    )
    source = node.require("source")
    source.check_keys({"type", "location", "buildspec"})
    env = node.require("environment")
    env.check_keys({"type", "compute_type", "image", "privileged_mode"})
    run = node.get("run")
    run.check_keys({"durations", "commands"})
    durations = {p: 2.0 for p in BUILD_PHASES if p != "COMPLETED"}
    for phase, value in run.get("durations").entries():
        if phase not in durations:
            raise value.fail(f"unknown phase (known: {', '.join(durations)})")
        durations[phase] = value.seconds()
    durations = {phase: seconds / speed for phase, seconds in durations.items()}
    commands = {phase: value.strings() for phase, value in run.get("commands").entries()}
    version = node.get("source_version").string("main")
    name = node.require("name").string()
    builds = tuple(_build(n, version) for n in node.get("builds").items())
    if len({b.number for b in builds}) != len(builds):
        raise node.get("builds").fail("build numbers must be unique")
    return CodeBuildProject(
        region=node.require("region").string(),
        name=name,
        description=node.get("description").string(""),
        source_type=source.get("type").string("GITHUB"),
        source_location=source.require("location").string(),
        buildspec=source.get("buildspec").string("buildspec.yml"),
        source_version=version,
        environment_type=env.get("type").string("LINUX_CONTAINER"),
        compute_type=env.get("compute_type").string("BUILD_GENERAL1_SMALL"),
        image=env.get("image").string("aws/codebuild/standard:7.0"),
        privileged_mode=env.get("privileged_mode").boolean(False),
        service_role=node.require("service_role").string(),
        log_group=node.get("log_group").string(f"/aws/codebuild/{name}"),
        timeout_minutes=node.get("timeout_minutes").integer(60),
        queued_timeout_minutes=node.get("queued_timeout_minutes").integer(480),
        concurrent_build_limit=node.get("concurrent_build_limit").optional_integer(),
        created_at=node.get("created").time(node.anchor - timedelta(days=7)),
        tags=node.get("tags").string_map(),
        run=BuildRun(durations, commands),
        builds=builds,
    )


def _usage_metric(node: Node) -> dict[str, Any] | None:
    """A quota's ``usage``: the CloudWatch metric that counts what it limits (AWS/Usage)."""
    if node.value is None:
        return None
    node.check_keys({"namespace", "metric", "dimensions", "statistic"})
    return {
        "MetricNamespace": node.get("namespace").string("AWS/Usage"),
        "MetricName": node.get("metric").string("ResourceCount"),
        "MetricDimensions": node.get("dimensions").string_map(),
        "MetricStatisticRecommendation": node.get("statistic").string("Maximum"),
    }


def _quota_service(node: Node) -> QuotaService:
    node.check_keys({"service_code", "service_name", "quotas"})
    quotas = []
    for q in node.get("quotas").items():
        q.check_keys(
            {"code", "name", "default", "adjustable", "unit", "compute_type", "applied", "usage"}
        )
        applied = {
            region: (None if v.value is None else v.number())
            for region, v in q.get("applied").entries()
        }
        quotas.append(
            Quota(
                code=q.require("code").string(),
                name=q.require("name").string(),
                default=q.require("default").number(),
                adjustable=q.get("adjustable").boolean(True),
                unit=q.get("unit").string("None"),
                compute_type=q.get("compute_type").optional_string(),
                applied=applied,
                usage_metric=_usage_metric(q.get("usage")),
            )
        )
    return QuotaService(
        node.require("service_code").string(), node.require("service_name").string(), tuple(quotas)
    )


def _pacing(node: Node, speed: float) -> QuotaRequestPacing:
    node.check_keys({"case_opened_after", "approved_after"})
    opened = node.get("case_opened_after").seconds(3.0)
    approved = node.get("approved_after").seconds(8.0)
    if approved < opened:
        raise node.get("approved_after").fail("must not be earlier than case_opened_after")
    return QuotaRequestPacing(opened / speed, approved / speed)
