"""Build-level CodeBuild actions (stop, retry) and the support-case draft."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from actions.codebuild import read_concurrency, read_project
from actions.model import Action, ActionError, Change, Check, Danger, Outcome, Param, Plan
from actions.paths import open_private, private_dir, state_dir
from cloud.records import BuildRecord
from cloud.text import human


def _build(action: Action, build_id: str) -> dict[str, Any]:
    client = action.session.client("codebuild", action.region)
    builds = client.batch_get_builds(ids=[build_id]).get("builds", [])
    if not builds:
        raise ActionError(f"{action.name}: no build {build_id!r} in {action.region}")
    build: dict[str, Any] = builds[0]
    if build.get("projectName") != action.target:
        raise ActionError(f"{action.name}: build {build_id} is not of project {action.target}")
    return build


def _chosen(record: Any, selected: object) -> BuildRecord | None:
    """The build row selected in a project's detail, else the project's last build."""
    if isinstance(selected, BuildRecord):
        return selected
    last = getattr(record, "last_build", None)
    return last if isinstance(last, BuildRecord) else None


class StopBuild(Action):
    """Stop a running build."""

    name = "stop-build"
    title = "Stop a running build"
    danger = Danger.RISKY
    target_kind = "codebuild"
    params = (Param("build", "the build id (PROJECT:UUID)", required=True),)

    @classmethod
    def applies_to(cls, record: Any, selected: object = None) -> bool:
        """A running build: the one selected in the project's detail, else the last."""
        build = _chosen(record, selected)
        return build is not None and build.status == "IN_PROGRESS"

    @classmethod
    def defaults(cls, record: Any, selected: object = None) -> dict[str, str]:
        """That build."""
        build = _chosen(record, selected)
        return {"build": build.build_id} if build is not None else {}

    def _plan(self) -> Plan:
        build = _build(self, self.values["build"])
        status = str(build.get("buildStatus"))
        running = status == "IN_PROGRESS"
        return self._new_plan(
            f"stop {build['id']} ({human(build.get('currentPhase'), 'phase unknown')})",
            checks=(Check("build is running", running, status),),
            changes=(Change(build["id"], "status", status, "STOPPED"),) if running else (),
            commands=(f"aws codebuild stop-build --region {self.region} --id {build['id']}",),
            fingerprint=(("status", status),),
        )

    def _apply(self, plan: Plan) -> Outcome:
        self.session.client("codebuild", self.region).stop_build(id=self.values["build"])
        return Outcome(True, f"{self.values['build']} stopping")


class RetryBuild(Action):
    """Run a finished build again with the same settings."""

    name = "retry-build"
    title = "Retry a build"
    danger = Danger.SAFE
    target_kind = "codebuild"
    params = (Param("build", "the build id (PROJECT:UUID)", required=True),)

    @classmethod
    def applies_to(cls, record: Any, selected: object = None) -> bool:
        """A finished build: the one selected in the project's detail, else the last."""
        build = _chosen(record, selected)
        return build is not None and build.status != "IN_PROGRESS"

    @classmethod
    def defaults(cls, record: Any, selected: object = None) -> dict[str, str]:
        """That build."""
        build = _chosen(record, selected)
        return {"build": build.build_id} if build is not None else {}

    def _plan(self) -> Plan:
        build = _build(self, self.values["build"])
        status = str(build.get("buildStatus"))
        return self._new_plan(
            f"retry {build['id']} (was {status})",
            checks=(Check("build has finished", status != "IN_PROGRESS", status),),
            changes=(Change(self.target, "builds", "", f"retry of {build['id']}"),),
            commands=(f"aws codebuild retry-build --region {self.region} --id {build['id']}",),
            fingerprint=(("status", status),),
        )

    def _apply(self, plan: Plan) -> Outcome:
        from botocore.exceptions import ClientError

        client = self.session.client("codebuild", self.region)
        try:
            build = client.retry_build(id=self.values["build"])["build"]
        except ClientError as exc:
            error = exc.response["Error"]
            return Outcome(False, f"{error.get('Code')}: {error.get('Message')}")
        return Outcome(True, f"started {build['id']}")


class DraftSupportCase(Action):
    """Write the AWS Support case for a blocked project as Markdown (nothing in AWS changes)."""

    name = "draft-support-case"
    title = "Draft an AWS Support case for a blocked project"
    danger = Danger.SAFE
    target_kind = "codebuild"
    mutates_cloud = False
    params = (Param("error", "the error text seen", default=""),)

    def _text(self) -> tuple[str, dict[str, str]]:
        project = read_project(self)
        env = project.get("environment", {})
        code, applied = read_concurrency(self, project)
        default = "unknown"
        if code is not None:
            from botocore.exceptions import ClientError

            client = self.session.client("service-quotas", self.region)
            try:
                value = client.get_aws_default_service_quota(
                    ServiceCode="codebuild", QuotaCode=code
                )
                default = f"{value['Quota']['Value']:g}"
            except ClientError as exc:
                default = f"unknown ({exc.response['Error'].get('Code')})"
        effective = int(applied) if applied else 0
        limit = project.get("concurrentBuildLimit")
        error = self.values.get("error") or (
            f"AccountLimitExceededException: Cannot have more than {effective * 5} builds "
            "in queue for the account"
        )
        facts = {
            "applied": "none" if applied is None else f"{applied:g}",
            "default": default,
            "effective": str(effective),
            "code": code or "unknown",
        }
        text = "\n".join(
            [
                f"# Enable CodeBuild concurrency in {self.region}",
                "",
                "- **Service**: CodeBuild",
                "- **Category**: Account and Billing",
                f"- **Subject**: Enable CodeBuild concurrency in {self.region}",
                f"- **Region**: {self.region}",
                f"- **Project**: {self.target} ({env.get('computeType')}, {env.get('type')})",
                "",
                "## Error",
                "",
                f"    {error}",
                "",
                "## Quota",
                "",
                f"- Quota code: {facts['code']}",
                f"- Applied value: {facts['applied']}",
                f"- AWS default value: {facts['default']}",
                f"- Effective concurrency: {facts['effective']} "
                f"(build queue = 5 x {facts['effective']} = {effective * 5})",
                "",
                "## Checks already done",
                "",
                f"- Project concurrentBuildLimit is {limit if limit is not None else 'not set'}"
                + (" (not <= 0)" if limit is None or int(limit) > 0 else " (<= 0!)"),
                "- No other builds are running for the project",
                f"- GetServiceQuota for {facts['code']} returns no applied value"
                if applied is None
                else f"- Applied value is {facts['applied']}",
                "",
                "## Request",
                "",
                f"Please apply the default concurrency ({facts['default']}) for "
                f"{facts['code']} to this account in {self.region}.",
                "",
            ]
        )
        return text, facts

    def _plan(self) -> Plan:
        text, facts = self._text()
        stamp = datetime.now(UTC).strftime("%Y%m%d")
        path = state_dir() / "support-cases" / f"{self.target}-{self.region}-{stamp}.md"
        return self._new_plan(
            f"draft a support case for {self.target} ({facts['code']})",
            checks=(Check("project readable", True, self.target),),
            changes=(Change(str(path), "file", "", f"{len(text.splitlines())} lines of Markdown"),),
            commands=(
                "open https://support.console.aws.amazon.com/support/home#/case/create "
                "and paste the draft",
            ),
            notes=tuple(text.splitlines()),
            fingerprint=tuple(sorted(facts.items())),
            internals={"path": str(path), "text": text},
        )

    def _apply(self, plan: Plan) -> Outcome:
        path = Path(plan.internals["path"])
        private_dir(path.parent.parent)  # the state directory
        private_dir(path.parent)
        with open_private(path) as out:
            out.write(plan.internals["text"])
        return Outcome(True, f"support case drafted in {path}")


class ScanImage(Action):
    """Start an image scan of a tag (basic scanning) and report its findings."""

    name = "scan-image"
    title = "Scan an image"
    danger = Danger.SAFE
    target_kind = "ecr"
    params = (Param("tag", "the tag to scan", default="latest"),)

    @classmethod
    def defaults(cls, record: Any, selected: object = None) -> dict[str, str]:
        """``latest`` when there is one, else the newest runtime tag."""
        newest = next((t for t in record.newest_tags if t != "buildcache"), "")
        return {"tag": "latest" if record.has_latest else newest}

    def _plan(self) -> Plan:
        from botocore.exceptions import ClientError

        client = self.session.client("ecr", self.region)
        tag = self.values["tag"]
        try:
            detail = client.describe_images(
                repositoryName=self.target, imageIds=[{"imageTag": tag}]
            )["imageDetails"][0]
        except ClientError as exc:
            raise ActionError(f"{self.name}: {self.target}:{tag}: {exc}") from exc
        status = detail.get("imageScanStatus", {}).get("status", "never scanned")
        return self._new_plan(
            f"scan {self.target}:{tag} (last scan: {status})",
            checks=(Check("image exists", True, detail["imageDigest"][:19]),),
            changes=(Change(f"{self.target}:{tag}", "scan", status, "IN_PROGRESS"),),
            commands=(
                f"aws ecr start-image-scan --region {self.region} --repository-name "
                f"{self.target} --image-id imageTag={tag}",
                f"aws ecr describe-image-scan-findings --region {self.region} "
                f"--repository-name {self.target} --image-id imageTag={tag}",
            ),
            fingerprint=(("digest", detail["imageDigest"]),),
        )

    def _apply(self, plan: Plan) -> Outcome:
        client = self.session.client("ecr", self.region)
        image = {"imageTag": self.values["tag"]}
        client.start_image_scan(repositoryName=self.target, imageId=image)
        findings = client.describe_image_scan_findings(repositoryName=self.target, imageId=image)
        counts = findings.get("imageScanFindings", {}).get("findingSeverityCounts", {})
        summary = ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "no findings"
        return Outcome(True, f"scan of {self.target}:{self.values['tag']}: {summary}")
