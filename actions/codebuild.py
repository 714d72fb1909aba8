"""CodeBuild remediations: start a build, lift the project limit, ask for quota."""

from __future__ import annotations

import shlex
from typing import Any

from actions.bounds import QUOTA_VALUE
from actions.model import Action, ActionError, Change, Check, Danger, Outcome, Param, Plan
from cloud.findings.model import Fix
from cloud.model.ref import ResourceRef
from cloud.records import ProjectRecord
from cloud.text import human


def read_project(action: Action) -> dict[str, Any]:
    """The target CodeBuild project as BatchGetProjects returns it (fresh)."""
    client = action.session.client("codebuild", action.region)
    projects = client.batch_get_projects(names=[action.target]).get("projects", [])
    if not projects:
        where = f"{action.target!r} in {action.region}"
        raise ActionError(f"{action.name}: no CodeBuild project {where}")
    project: dict[str, Any] = projects[0]
    return project


def read_concurrency(action: Action, project: dict[str, Any]) -> tuple[str | None, float | None]:
    """The concurrency quota code of the project's compute type and its applied value."""
    from botocore.exceptions import ClientError

    from cloud.quotas import concurrency_quota

    env = project.get("environment", {})
    quota = concurrency_quota(env.get("type", ""), env.get("computeType", ""))
    if quota is None:
        return None, None
    client = action.session.client("service-quotas", action.region)
    try:
        value = client.get_service_quota(ServiceCode="codebuild", QuotaCode=quota.code)
    except ClientError as exc:
        code = exc.response["Error"]["Code"]
        if code in {"NoSuchResourceException", "ResourceNotFoundException"}:
            return quota.code, None
        raise ActionError(f"{action.name}: service quotas: {exc}") from exc
    applied = value.get("Quota", {}).get("Value")
    return quota.code, float(applied) if applied is not None else None


class StartBuild(Action):
    """Start a build of the project (optionally a source version and env overrides)."""

    name = "start-build"
    title = "Start a build"
    danger = Danger.SAFE
    target_kind = "codebuild"
    params = (Param("source-version", "branch, tag or commit (default: the project's)"),)

    @classmethod
    def defaults(cls, record: Any, selected: object = None) -> dict[str, str]:
        """The project's default source version; no overrides."""
        return {"source-version": "", "env": ""}

    def _overrides(self) -> list[dict[str, str]]:
        return [
            {"name": key.removeprefix("env."), "value": value, "type": "PLAINTEXT"}
            for key, value in sorted(self.values.items())
            if key.startswith("env.")
        ]

    def _plan(self) -> Plan:
        project = read_project(self)
        code, applied = read_concurrency(self, project)
        limit = project.get("concurrentBuildLimit")
        # The account's effective concurrency is its applied value; none applied means 0.
        can_start = code is None or bool(applied and applied > 0)
        source = self.values.get("source-version")
        command = f"aws codebuild start-build --region {self.region} --project-name {self.target}"
        if source:
            command += f" --source-version {shlex.quote(source)}"
        overrides = self._overrides()
        if overrides:
            command += " --environment-variables-override " + " ".join(
                f"name={o['name']},value={shlex.quote(o['value'])},type=PLAINTEXT"
                for o in overrides
            )
        checks = (
            Check("project exists", True, project.get("arn", self.target)),
            Check(
                "project limit allows builds",
                limit is None or int(limit) > 0,
                f"concurrentBuildLimit = {human(limit, 'none (no project limit)')}",
            ),
            Check(
                "account concurrency > 0",
                can_start,
                f"{code}: applied value {human(applied)}",
            ),
        )
        env_text = ", ".join(f"{o['name']}={o['value']}" for o in overrides)
        changes = (
            Change(
                self.target,
                "builds",
                "",
                "new build"
                + (f" of {source}" if source else "")
                + (f" ({env_text})" if env_text else ""),
            ),
        )
        return self._new_plan(
            f"start a build of {self.target}",
            checks=checks,
            changes=changes,
            commands=(command,),
            fingerprint=(("limit", str(limit)), ("applied", str(applied))),
        )

    def _apply(self, plan: Plan) -> Outcome:
        from botocore.exceptions import ClientError

        args: dict[str, Any] = {"projectName": self.target}
        if self.values.get("source-version"):
            args["sourceVersion"] = self.values["source-version"]
        if self._overrides():
            args["environmentVariablesOverride"] = self._overrides()
        client = self.session.client("codebuild", self.region)
        try:
            build = client.start_build(**args)["build"]
        except ClientError as exc:
            error = exc.response["Error"]
            return Outcome(False, f"{error.get('Code')}: {error.get('Message')}")
        return Outcome(True, f"started {build['id']}")


class RemoveBuildLimit(Action):
    """A project ``concurrentBuildLimit`` <= 0 blocks every build: make it unlimited."""

    name = "remove-build-limit"
    title = "Remove the project's concurrent build limit"
    danger = Danger.RISKY
    target_kind = "codebuild"

    def _plan(self) -> Plan:
        limit = read_project(self).get("concurrentBuildLimit")
        changes = (
            ()
            if limit is None
            else (Change(self.target, "concurrentBuildLimit", str(limit), "(unlimited)"),)
        )
        return self._new_plan(
            f"no concurrent build limit on {self.target}"
            + (" (already unlimited)" if limit is None else ""),
            checks=(Check("project exists", True, self.target),),
            changes=changes,
            commands=(
                f"aws codebuild update-project --region {self.region} --name {self.target} "
                "--concurrent-build-limit -1",
            ),
            fingerprint=(("limit", str(limit)),),
        )

    def _apply(self, plan: Plan) -> Outcome:
        if plan.changes_nothing:
            return Outcome(True, plan.summary)
        client = self.session.client("codebuild", self.region)
        client.update_project(name=self.target, concurrentBuildLimit=-1)
        return Outcome(True, f"{self.target}: concurrent build limit removed")


class RequestQuotaIncrease(Action):
    """Ask Service Quotas for a higher value (``quota:SERVICE/CODE``)."""

    name = "request-quota-increase"
    title = "Request a quota increase"
    danger = Danger.SAFE
    target_kind = "quota"
    params = (Param("value", "the desired value", required=True, bounds=QUOTA_VALUE),)

    @classmethod
    def fix_for(cls, record: object, selected: object = None) -> Fix | None:
        """On a quota row; on a blocked project's row, for the quota that blocks it."""
        if isinstance(record, ProjectRecord):
            blocked = record.blocked
            if blocked is None or not blocked.quota_code:
                return None
            value = f"{blocked.default_value:g}" if blocked.default_value else ""
            ref = ResourceRef(
                "quota", f"codebuild/{blocked.quota_code}", record.region, record.profile
            )
            return Fix(cls.name, ref, {"value": value})
        return super().fix_for(record, selected)

    @classmethod
    def applies_to(cls, record: Any, selected: object = None) -> bool:
        """An adjustable quota."""
        return bool(record.adjustable)

    @classmethod
    def defaults(cls, record: Any, selected: object = None) -> dict[str, str]:
        """The AWS default when the applied value is below it."""
        default, applied = record.default_value, record.applied_value
        if default and (applied is None or default > applied):
            return {"value": f"{default:g}"}
        return {"value": ""}

    def _codes(self) -> tuple[str, str]:
        service, _, code = self.target.partition("/")
        if not service or not code:
            raise ActionError(f"{self.name}: target must be quota:SERVICE/QUOTA_CODE")
        return service, code

    def _plan(self) -> Plan:
        from botocore.exceptions import ClientError

        service, code = self._codes()
        try:
            desired = float(self.values["value"])
        except ValueError as exc:
            raise ActionError(f"{self.name}: value must be a number") from exc
        client = self.session.client("service-quotas", self.region)
        try:
            applied = client.get_service_quota(ServiceCode=service, QuotaCode=code)["Quota"].get(
                "Value"
            )
        except ClientError:
            applied = None
        history = client.list_requested_service_quota_change_history_by_quota(
            ServiceCode=service, QuotaCode=code
        ).get("RequestedQuotas", [])
        open_requests = [r for r in history if r.get("Status") in {"PENDING", "CASE_OPENED"}]
        checks = (
            Check("desired value is positive", desired > 0, f"{desired:g}"),
            Check(
                "desired value is above the applied value",
                applied is None or desired > float(applied),
                f"{desired:g} > {'unknown' if applied is None else f'{applied:g}'}",
            ),
            Check(
                "no open request for this quota",
                not open_requests,
                ", ".join(f"{r['Id']} {r['Status']}" for r in open_requests) or "none open",
            ),
        )
        return self._new_plan(
            f"ask for {code} = {desired:g} in {self.region}",
            checks=checks,
            changes=(
                Change(
                    f"{service}/{code}",
                    "applied value",
                    "none" if applied is None else f"{applied:g}",
                    f"{desired:g} (after approval)",
                ),
            ),
            commands=(
                f"aws service-quotas request-service-quota-increase --region {self.region} "
                f"--service-code {service} --quota-code {code} --desired-value {desired:g}",
            ),
            fingerprint=(("open", ",".join(r["Id"] for r in open_requests)),),
            internals={"desired": desired},
        )

    def _apply(self, plan: Plan) -> Outcome:
        service, code = self._codes()
        client = self.session.client("service-quotas", self.region)
        answer = client.request_service_quota_increase(
            ServiceCode=service, QuotaCode=code, DesiredValue=plan.internals["desired"]
        )["RequestedQuota"]
        return Outcome(True, f"request {answer['Id']} is {answer['Status']}")
