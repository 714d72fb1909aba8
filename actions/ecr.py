"""ECR remediations: retag ``latest``, delete a bloated tag, lifecycle policy, scanning."""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from actions.model import (
    Action,
    ActionError,
    Change,
    Check,
    Danger,
    Outcome,
    Param,
    Plan,
)


@dataclass(frozen=True)
class _Image:
    digest: str
    tags: tuple[str, ...]
    size: int
    pushed: datetime | None


def _client(action: Action) -> Any:
    return action.session.client("ecr", action.region)


def _images(action: Action) -> list[_Image]:
    """Every image of the target repository, newest first."""
    from botocore.exceptions import ClientError

    images: list[_Image] = []
    try:
        pages = (
            _client(action).get_paginator("describe_images").paginate(repositoryName=action.target)
        )
        for page in pages:
            for detail in page["imageDetails"]:
                images.append(
                    _Image(
                        digest=detail["imageDigest"],
                        tags=tuple(detail.get("imageTags", ())),
                        size=int(detail.get("imageSizeInBytes", 0)),
                        pushed=detail.get("imagePushedAt"),
                    )
                )
    except ClientError as exc:
        raise ActionError(f"{action.name}: {exc.response['Error'].get('Message', exc)}") from exc
    oldest = datetime.min.replace(tzinfo=UTC)
    images.sort(key=lambda i: i.pushed or oldest, reverse=True)
    return images


def _short(digest: str) -> str:
    return digest.split(":", 1)[-1][:12]


def _size(size: int) -> str:
    return f"{size / 1e9:.2f} GB" if size >= 1e9 else f"{size / 1e6:.1f} MB"


def _r(action: Action) -> str:
    return f"--region {action.region} --repository-name {shlex.quote(action.target)}"


class RetagLatest(Action):
    """Put ``latest`` (or another tag) on an existing image: the manifest, pushed again."""

    name = "retag-latest"
    title = "Put latest on an existing image"
    danger = Danger.SAFE
    target_kind = "ecr"
    params = (
        Param("source", "tag of the image to retag (default: the newest image)"),
        Param("tag", "the tag to put on it", default="latest"),
    )

    @classmethod
    def defaults(cls, record: Any, selected: object = None) -> dict[str, str]:
        """The newest image (left empty), tagged latest."""
        return {"source": "", "tag": "latest"}

    def _plan(self) -> Plan:
        images = _images(self)
        tag = self.values["tag"]
        wanted = self.values.get("source")
        if wanted:
            source = next((i for i in images if wanted in i.tags), None)
        else:
            source = next((i for i in images if i.tags and "buildcache" not in i.tags), None)
        current = next((i for i in images if tag in i.tags), None)
        source_label = wanted or (source.tags[0] if source else "(none)")
        checks = (
            Check("repository has images", bool(images), f"{len(images)} images"),
            Check(
                "source image exists",
                source is not None,
                f"{source_label} -> {_short(source.digest)}" if source else f"no image {wanted!r}",
            ),
            Check(
                "source is not a build cache",
                source is None or "buildcache" not in source.tags,
                "a buildcache image is not runnable",
            ),
        )
        changes: tuple[Change, ...] = ()
        if source is not None and (current is None or current.digest != source.digest):
            before = f"{_short(current.digest)}" if current else "(absent)"
            changes = (Change(f"{self.target}:{tag}", "image", before, _short(source.digest)),)
        commands = (
            f"MANIFEST=$(aws ecr batch-get-image {_r(self)} "
            f"--image-ids imageTag={shlex.quote(source_label)} "
            "--query 'images[0].imageManifest' --output text)",
            f"aws ecr put-image {_r(self)} --image-tag {shlex.quote(tag)} "
            '--image-manifest "$MANIFEST"',
        )
        summary = (
            f"{self.target}:{tag} already points at {_short(source.digest)}"
            if source is not None and not changes
            else f"tag {source_label} of {self.target} as {tag}"
        )
        return self._new_plan(
            summary,
            checks=checks,
            changes=changes,
            commands=commands,
            fingerprint=(
                ("source", source.digest if source else ""),
                ("current", current.digest if current else ""),
            ),
            internals={"digest": source.digest if source else ""},
        )

    def _apply(self, plan: Plan) -> Outcome:
        if plan.changes_nothing:
            return Outcome(True, plan.summary)
        client = _client(self)
        digest = plan.internals["digest"]
        found = client.batch_get_image(
            repositoryName=self.target,
            imageIds=[{"imageDigest": digest}],
            acceptedMediaTypes=[
                "application/vnd.docker.distribution.manifest.v2+json",
                "application/vnd.oci.image.manifest.v1+json",
                "application/vnd.docker.distribution.manifest.list.v2+json",
                "application/vnd.oci.image.index.v1+json",
            ],
        )
        if not found.get("images"):
            raise ActionError(f"{self.name}: image {_short(digest)} is gone")
        image = found["images"][0]
        extra: dict[str, str] = {}
        if image.get("imageManifestMediaType"):
            extra["imageManifestMediaType"] = image["imageManifestMediaType"]
        client.put_image(
            repositoryName=self.target,
            imageManifest=image["imageManifest"],
            imageTag=self.values["tag"],
            **extra,
        )
        return Outcome(True, f"{self.target}:{self.values['tag']} -> {_short(digest)}")


class DeleteTag(Action):
    """Delete a tag such as ``buildcache``; refused when its image is in use."""

    name = "delete-tag"
    title = "Delete a tag (and its image when no other tag holds it)"
    danger = Danger.DESTRUCTIVE
    target_kind = "ecr"
    params = (Param("tag", "the tag to delete, e.g. buildcache", required=True),)

    @classmethod
    def defaults(cls, record: Any, selected: object = None) -> dict[str, str]:
        """The buildcache tag when the repository has one."""
        return {"tag": "buildcache" if record.buildcache_size_bytes is not None else ""}

    def _plan(self) -> Plan:
        from cloud.findings.links import read_image_uses
        from cloud.workloads import parse_image

        tag = self.values["tag"]
        images = _images(self)
        image = next((i for i in images if tag in i.tags), None)
        users: list[str] = []
        if image is not None:
            for use in read_image_uses(self.session):
                ref = parse_image(use.image)
                if ref.path != self.target:
                    continue
                if ref.digest == image.digest or (ref.effective_tag in image.tags):
                    users.append(use.workload)
        other_tags = tuple(t for t in image.tags if t != tag) if image else ()
        freed = image.size if image and not other_tags else 0
        checks = (
            Check("tag exists", image is not None, f"{self.target}:{tag}"),
            Check(
                "image is not tagged latest",
                image is None or "latest" not in image.tags,
                "the digest also carries latest" if image and "latest" in image.tags else "",
            ),
            Check(
                "image is not in use",
                not users,
                ", ".join(sorted(set(users))) if users else "no task, pod or function runs it",
            ),
        )
        changes: tuple[Change, ...] = ()
        if image is not None:
            after = (
                "(untagged; image kept for " + ", ".join(other_tags) + ")"
                if other_tags
                else (f"(deleted, {_size(freed)} freed)")
            )
            changes = (Change(f"{self.target}:{tag}", "image", _short(image.digest), after),)
        return self._new_plan(
            f"delete {self.target}:{tag}" + (f", freeing {_size(freed)}" if freed else ""),
            checks=checks,
            changes=changes,
            commands=(
                f"aws ecr batch-delete-image {_r(self)} --image-ids imageTag={shlex.quote(tag)}",
            ),
            notes=(f"bytes freed: {freed:,}",),
            fingerprint=(("digest", image.digest if image else ""), ("users", ",".join(users))),
            confirm_text=f"{self.target}:{tag}",
        )

    def _apply(self, plan: Plan) -> Outcome:
        answer = _client(self).batch_delete_image(
            repositoryName=self.target, imageIds=[{"imageTag": self.values["tag"]}]
        )
        failures = answer.get("failures", [])
        if failures:
            return Outcome(False, failures[0].get("failureReason", "delete failed"))
        return Outcome(True, plan.summary)


NOVA_LIFECYCLE_POLICY: dict[str, Any] = {
    "rules": [
        {
            "rulePriority": 1,
            "description": "Keep the last 10 images tagged main- or v",
            "selection": {
                "tagStatus": "tagged",
                "tagPrefixList": ["main-", "v"],
                "countType": "imageCountMoreThan",
                "countNumber": 10,
            },
            "action": {"type": "expire"},
        },
        {
            "rulePriority": 2,
            "description": "Expire untagged images after 7 days",
            "selection": {
                "tagStatus": "untagged",
                "countType": "sinceImagePushed",
                "countUnit": "days",
                "countNumber": 7,
            },
            "action": {"type": "expire"},
        },
    ]
}


def expired_today(policy: dict[str, Any], images: list[_Image], now: datetime) -> list[_Image]:
    """The images a lifecycle policy would expire now (the rule types shipdeck writes)."""
    expired: dict[str, _Image] = {}
    for rule in sorted(policy.get("rules", []), key=lambda r: r.get("rulePriority", 0)):
        selection = rule.get("selection", {})
        status = selection.get("tagStatus")
        if status == "untagged":
            chosen = [i for i in images if not i.tags]
        elif status == "tagged":
            prefixes = tuple(selection.get("tagPrefixList", ()))
            chosen = [i for i in images if any(t.startswith(prefixes) for t in i.tags)]
        else:
            chosen = list(images)
        chosen = [i for i in chosen if i.digest not in expired]
        if selection.get("countType") == "imageCountMoreThan":
            victims = chosen[int(selection.get("countNumber", 0)) :]
        else:
            limit = now - timedelta(days=int(selection.get("countNumber", 0)))
            victims = [i for i in chosen if i.pushed is not None and i.pushed < limit]
        for image in victims:
            expired[image.digest] = image
    return list(expired.values())


class PutLifecyclePolicy(Action):
    """Set the Nova write-up's lifecycle policy (or the one given as JSON)."""

    name = "put-lifecycle-policy"
    title = "Put a lifecycle policy"
    danger = Danger.RISKY
    target_kind = "ecr"
    params = (Param("policy", "the policy JSON (default: keep 10 main-/v, untagged 7 days)"),)

    def _policy(self) -> dict[str, Any]:
        text = self.values.get("policy")
        if not text:
            return NOVA_LIFECYCLE_POLICY
        try:
            policy = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ActionError(f"{self.name}: policy is not JSON: {exc}") from exc
        if not isinstance(policy, dict) or not isinstance(policy.get("rules"), list):
            raise ActionError(f"{self.name}: policy needs a 'rules' list")
        return policy

    def _plan(self) -> Plan:
        from botocore.exceptions import ClientError

        policy = self._policy()
        text = json.dumps(policy, sort_keys=True)
        try:
            current = _client(self).get_lifecycle_policy(repositoryName=self.target)[
                "lifecyclePolicyText"
            ]
            current = json.dumps(json.loads(current), sort_keys=True)
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "LifecyclePolicyNotFoundException":
                raise ActionError(f"{self.name}: {exc}") from exc
            current = ""
        images = _images(self)
        victims = expired_today(policy, images, datetime.now(UTC))
        changes: tuple[Change, ...] = ()
        if current != text:
            changes = (
                Change(self.target, "lifecycle policy", "(none)" if not current else "other", text),
            )
        notes = tuple(
            f"would expire today: {_short(v.digest)} {','.join(v.tags) or '(untagged)'} "
            f"{_size(v.size)}"
            for v in victims
        ) or ("would expire nothing today",)
        return self._new_plan(
            f"lifecycle policy on {self.target}: {len(victims)} images would expire today",
            checks=(Check("repository readable", True, f"{len(images)} images"),),
            changes=changes,
            commands=(
                f"aws ecr put-lifecycle-policy {_r(self)} "
                f"--lifecycle-policy-text {shlex.quote(json.dumps(policy))}",
            ),
            notes=notes,
            fingerprint=(("policy", current),),
            internals={"text": json.dumps(policy)},
        )

    def _apply(self, plan: Plan) -> Outcome:
        if plan.changes_nothing:
            return Outcome(True, "the policy is already in place")
        _client(self).put_lifecycle_policy(
            repositoryName=self.target, lifecyclePolicyText=plan.internals["text"]
        )
        return Outcome(True, f"lifecycle policy set on {self.target}")


class EnableScanOnPush(Action):
    """Turn on image scanning at push time."""

    name = "enable-scan-on-push"
    title = "Enable scan on push"
    danger = Danger.SAFE
    target_kind = "ecr"

    def _plan(self) -> Plan:
        repos = _client(self).describe_repositories(repositoryNames=[self.target])["repositories"]
        on = bool(repos[0].get("imageScanningConfiguration", {}).get("scanOnPush"))
        changes = () if on else (Change(self.target, "scan on push", "off", "on"),)
        return self._new_plan(
            f"scan on push for {self.target}" + (" is already on" if on else ""),
            checks=(Check("repository exists", True, repos[0]["repositoryUri"]),),
            changes=changes,
            commands=(
                f"aws ecr put-image-scanning-configuration {_r(self)} "
                "--image-scanning-configuration scanOnPush=true",
            ),
            fingerprint=(("scanOnPush", str(on)),),
        )

    def _apply(self, plan: Plan) -> Outcome:
        _client(self).put_image_scanning_configuration(
            repositoryName=self.target, imageScanningConfiguration={"scanOnPush": True}
        )
        return Outcome(True, f"scan on push is on for {self.target}")
