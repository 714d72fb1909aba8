"""ECS and Lambda remediations: redeploy, roll back, scale, resize, point at an older image."""

from __future__ import annotations

import shlex
from datetime import UTC, datetime
from typing import Any

from actions.bounds import ECS_CPU_UNITS, ECS_DESIRED_COUNT, ECS_MEMORY_MIB
from actions.model import (
    Action,
    ActionError,
    Change,
    Check,
    Choices,
    Danger,
    Outcome,
    Param,
    Plan,
)
from cloud.model.ref import ResourceRef
from cloud.text import human


def _split(action: Action) -> tuple[str, str]:
    cluster, slash, service = action.target.partition("/")
    if not slash or not cluster or not service:
        raise ActionError(f"{action.name}: target must be ecs:CLUSTER/SERVICE")
    return cluster, service


def _service(action: Action) -> dict[str, Any]:
    cluster, service = _split(action)
    client = action.session.client("ecs", action.region)
    found = client.describe_services(cluster=cluster, services=[service]).get("services", [])
    if not found or found[0].get("status") == "INACTIVE":
        raise ActionError(f"{action.name}: no ECS service {action.target} in {action.region}")
    answer: dict[str, Any] = found[0]
    return answer


def _td_name(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]


def _ecs(action: Action) -> str:
    cluster, service = _split(action)
    return f"--region {action.region} --cluster {cluster} --service {service}"


def _date(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if isinstance(value, datetime) else str(value or "")


class ForceDeploy(Action):
    """Start a new deployment of the same task definition (pulls images again)."""

    name = "force-deploy"
    title = "Force a new deployment"
    danger = Danger.RISKY
    target_kind = "ecs"

    def _plan(self) -> Plan:
        service = _service(self)
        td = _td_name(service["taskDefinition"])
        return self._new_plan(
            f"redeploy {self.target} with {td}",
            checks=(Check("service is active", True, service.get("status", "")),),
            changes=(Change(self.target, "deployment", "current", f"new deployment of {td}"),),
            commands=(f"aws ecs update-service {_ecs(self)} --force-new-deployment",),
            fingerprint=(("td", service["taskDefinition"]),),
        )

    def _apply(self, plan: Plan) -> Outcome:
        cluster, service = _split(self)
        self.session.client("ecs", self.region).update_service(
            cluster=cluster, service=service, forceNewDeployment=True
        )
        return Outcome(True, f"new deployment of {self.target} started")


class RollbackService(Action):
    """Point the service at an earlier task-definition revision."""

    name = "rollback-service"
    title = "Roll back to a task-definition revision"
    danger = Danger.RISKY
    target_kind = "ecs"
    params = (Param("revision", "the revision number (default: the one before)"),)

    @classmethod
    def defaults(cls, record: Any, selected: object = None) -> dict[str, str]:
        """The revision before the current one."""
        _, _, number = record.task_definition.rpartition(":")
        return {"revision": str(int(number) - 1) if number.isdigit() else ""}

    @classmethod
    def choices(cls, session: Any, ref: ResourceRef, record: Any) -> Choices:
        """The family's revisions, newest first, with their images and dates."""
        from cloud.classify import short_image

        options = []
        for td in cls(session, ref, {}).revisions():
            images = ", ".join(
                short_image(c.get("image", "")) for c in td.get("containerDefinitions", [])
            )
            label = f"{td['family']}:{td['revision']}  {images}  {_date(td.get('registeredAt'))}"
            options.append((label.rstrip(), str(td["revision"])))
        return {"revision": tuple(options)}

    def revisions(self) -> list[dict[str, Any]]:
        """The family's revisions, newest first, with their images and dates."""
        service = _service(self)
        client = self.session.client("ecs", self.region)
        family = _td_name(service["taskDefinition"]).rsplit(":", 1)[0]
        arns = client.list_task_definitions(familyPrefix=family, sort="DESC").get(
            "taskDefinitionArns", []
        )
        described = []
        for arn in arns[:20]:
            td = client.describe_task_definition(taskDefinition=arn)["taskDefinition"]
            described.append(td)
        return described

    def _plan(self) -> Plan:
        service = _service(self)
        current = _td_name(service["taskDefinition"])
        family, _, number = current.rpartition(":")
        revisions = self.revisions()
        wanted = self.values.get("revision")
        target_rev = int(wanted) if wanted and wanted.isdigit() else int(number) - 1
        chosen = next((td for td in revisions if td.get("revision") == target_rev), None)
        images = (
            ", ".join(c.get("image", "") for c in chosen.get("containerDefinitions", []))
            if chosen
            else ""
        )
        notes = tuple(
            f"{td['family']}:{td['revision']} "
            f"{', '.join(c.get('image', '') for c in td.get('containerDefinitions', []))} "
            f"registered {human(td.get('registeredAt'), 'at an unknown time')}"
            for td in revisions
        )
        changes: tuple[Change, ...] = ()
        if chosen is not None and target_rev != int(number):
            changes = (Change(self.target, "task definition", current, f"{family}:{target_rev}"),)
        return self._new_plan(
            f"roll {self.target} back to {family}:{target_rev} ({images})",
            checks=(
                Check(
                    "revision exists",
                    chosen is not None,
                    f"{family}:{target_rev}",
                ),
                Check("differs from current", target_rev != int(number), current),
            ),
            changes=changes,
            commands=(
                f"aws ecs update-service {_ecs(self)} "
                f"--task-definition {shlex.quote(f'{family}:{target_rev}')}",
            ),
            notes=notes,
            fingerprint=(("td", service["taskDefinition"]),),
            internals={"td": f"{family}:{target_rev}"},
        )

    def _apply(self, plan: Plan) -> Outcome:
        cluster, service = _split(self)
        self.session.client("ecs", self.region).update_service(
            cluster=cluster, service=service, taskDefinition=plan.internals["td"]
        )
        return Outcome(True, f"{self.target} now deploys {plan.internals['td']}")


class ScaleService(Action):
    """Change the desired count of an ECS service."""

    name = "scale-service"
    title = "Scale an ECS service"
    danger = Danger.RISKY
    target_kind = "ecs"
    params = (Param("count", "the desired count", required=True, bounds=ECS_DESIRED_COUNT),)

    @classmethod
    def defaults(cls, record: Any, selected: object = None) -> dict[str, str]:
        """The desired count now."""
        return {"count": str(record.desired)}

    def _plan(self) -> Plan:
        service = _service(self)
        count = self.values["count"]
        if not count.isdigit():
            raise ActionError(f"{self.name}: count must be a whole number, got {count!r}")
        desired = int(service.get("desiredCount", 0))
        changes = (
            ()
            if desired == int(count)
            else (Change(self.target, "desired count", str(desired), count),)
        )
        return self._new_plan(
            f"scale {self.target} from {desired} to {count}",
            checks=(Check("service is active", True, service.get("status", "")),),
            changes=changes,
            commands=(f"aws ecs update-service {_ecs(self)} --desired-count {count}",),
            fingerprint=(("desired", str(desired)),),
        )

    def _apply(self, plan: Plan) -> Outcome:
        cluster, service = _split(self)
        self.session.client("ecs", self.region).update_service(
            cluster=cluster, service=service, desiredCount=int(self.values["count"])
        )
        return Outcome(True, f"{self.target} desired count {self.values['count']}")


_TD_KEYS = (
    "family",
    "taskRoleArn",
    "executionRoleArn",
    "networkMode",
    "containerDefinitions",
    "volumes",
    "placementConstraints",
    "requiresCompatibilities",
    "runtimePlatform",
)


class ResizeTask(Action):
    """Register a new revision with more memory/cpu and deploy it (the OOM fix)."""

    name = "resize-task"
    title = "New task-definition revision with more memory/cpu"
    danger = Danger.RISKY
    target_kind = "ecs"
    params = (
        Param("memory", "task memory in MiB, e.g. 1024", bounds=ECS_MEMORY_MIB),
        Param("cpu", "task cpu units, e.g. 512", bounds=ECS_CPU_UNITS),
    )

    @classmethod
    def defaults(cls, record: Any, selected: object = None) -> dict[str, str]:
        """Twice the memory, the same cpu."""
        memory = str(int(record.memory) * 2) if record.memory and record.memory.isdigit() else ""
        return {"memory": memory, "cpu": record.cpu or ""}

    def _plan(self) -> Plan:
        service = _service(self)
        client = self.session.client("ecs", self.region)
        td = client.describe_task_definition(taskDefinition=service["taskDefinition"])[
            "taskDefinition"
        ]
        memory = self.values.get("memory") or str(int(td.get("memory", "512")) * 2)
        cpu = self.values.get("cpu") or str(td.get("cpu", "256"))
        # Given values were checked when the action was made; the doubled memory is not.
        for label, value, bounds in (
            ("memory", memory, ECS_MEMORY_MIB),
            ("cpu", cpu, ECS_CPU_UNITS),
        ):
            problem = bounds.problem(value)
            if problem is not None:
                raise ActionError(f"{self.name}: {label} {value}: {problem}")
        name = _td_name(service["taskDefinition"])
        changes = []
        if str(td.get("memory")) != memory:
            changes.append(Change(name, "memory", str(td.get("memory")), memory))
        if str(td.get("cpu")) != cpu:
            changes.append(Change(name, "cpu", str(td.get("cpu")), cpu))
        if changes:
            changes.append(Change(self.target, "task definition", name, f"{td['family']}:next"))
        return self._new_plan(
            f"{td['family']}: memory {td.get('memory')} -> {memory}, cpu {td.get('cpu')} -> {cpu}",
            checks=(Check("task definition readable", True, name),),
            changes=tuple(changes),
            commands=(
                f"aws ecs describe-task-definition --region {self.region} --task-definition "
                f"{name} --query taskDefinition > td.json  # edit memory/cpu, drop read-only keys",
                f"aws ecs register-task-definition --region {self.region} "
                "--cli-input-json file://td.json",
                f"aws ecs update-service {_ecs(self)} --task-definition {td['family']}",
            ),
            fingerprint=(("td", service["taskDefinition"]),),
            internals={"td": {k: td[k] for k in _TD_KEYS if k in td}, "memory": memory, "cpu": cpu},
        )

    def _apply(self, plan: Plan) -> Outcome:
        if plan.changes_nothing:
            return Outcome(True, "the task definition already has that size")
        cluster, service = _split(self)
        client = self.session.client("ecs", self.region)
        spec = dict(plan.internals["td"])
        spec.update(memory=plan.internals["memory"], cpu=plan.internals["cpu"])
        registered = client.register_task_definition(**spec)["taskDefinition"]
        arn = registered["taskDefinitionArn"]
        client.update_service(cluster=cluster, service=service, taskDefinition=arn)
        return Outcome(True, f"{self.target} now deploys {_td_name(arn)}")


class RollbackLambda(Action):
    """Point an image-based Lambda function at an older tag of its repository."""

    name = "rollback-lambda"
    title = "Point a Lambda function at an older image tag"
    danger = Danger.RISKY
    target_kind = "lambda"
    params = (Param("tag", "the image tag to run, e.g. v0.5.0", required=True),)

    @classmethod
    def applies_to(cls, record: Any, selected: object = None) -> bool:
        """An image-based function."""
        return bool(record.package_type == "Image" and record.image_uri)

    @classmethod
    def defaults(cls, record: Any, selected: object = None) -> dict[str, str]:
        """The tag is chosen from the repository's (``choices``)."""
        return {"tag": ""}

    @classmethod
    def choices(cls, session: Any, ref: ResourceRef, record: Any) -> Choices:
        """The repository's tags, newest first; the running one marked, the one before first."""
        from cloud.inventory import fetch_images
        from cloud.workloads import parse_image

        image = parse_image(record.image_uri or "") if record is not None else None
        if image is None:
            return {}
        found = fetch_images(session, ref.scope, image.path).records
        oldest = datetime.min.replace(tzinfo=UTC)
        options: list[tuple[str, str]] = []
        for each in sorted(found, key=lambda i: i.pushed_at or oldest, reverse=True):
            for tag in each.tags:
                if tag == "buildcache":
                    continue
                running = "  (running now)" if tag == image.tag else ""
                pushed = f"  pushed {_date(each.pushed_at)}" if each.pushed_at else ""
                options.append((f"{tag}{pushed}{running}", tag))
        older = [v for _, v in options if v not in (image.tag, "latest")]
        values = [v for _, v in options]
        if image.tag in values:  # the newest tag older than the running one goes first
            index = values.index(image.tag)
            older = [v for v in values[index + 1 :] if v != "latest"] or older
        if older:
            first = next(o for o in options if o[1] == older[0])
            options.remove(first)
            options.insert(0, first)
        return {"tag": tuple(options)}

    def _plan(self) -> Plan:
        client = self.session.client("lambda", self.region)
        function = client.get_function(FunctionName=self.target)
        uri = function.get("Code", {}).get("ImageUri")
        if not uri:
            raise ActionError(f"{self.name}: {self.target} is not an image-based function")
        from cloud.workloads import parse_image

        ref = parse_image(uri)
        repository = ref.path
        repo_uri = f"{ref.host}/{ref.path}" if ref.host else ref.path
        tag = self.values["tag"]
        ecr = self.session.client("ecr", self.region)
        from botocore.exceptions import ClientError

        try:
            ecr.describe_images(repositoryName=repository, imageIds=[{"imageTag": tag}])
            exists = True
        except ClientError:
            exists = False
        new_uri = f"{repo_uri}:{tag}"
        changes = () if new_uri == uri else (Change(self.target, "image", uri, new_uri),)
        return self._new_plan(
            f"run {self.target} on {repository}:{tag}",
            checks=(Check("image tag exists", exists, f"{repository}:{tag}"),),
            changes=changes,
            commands=(
                f"aws lambda update-function-code --region {self.region} "
                f"--function-name {self.target} --image-uri {new_uri}",
            ),
            fingerprint=(("uri", uri),),
            internals={"uri": new_uri},
        )

    def _apply(self, plan: Plan) -> Outcome:
        if plan.changes_nothing:
            return Outcome(True, "the function already runs that image")
        self.session.client("lambda", self.region).update_function_code(
            FunctionName=self.target, ImageUri=plan.internals["uri"]
        )
        return Outcome(True, f"{self.target} now runs {plan.internals['uri']}")
