"""Findings about Lambda functions: failed updates, errors since the last image change, timeouts."""

from __future__ import annotations

import re
from collections.abc import Sequence

from cloud.findings.images import ecr_region
from cloud.findings.model import Finding, Fix, LogLine, Snapshot
from cloud.records import LambdaFunctionRecord, Severity
from cloud.workloads import parse_image

_ERROR = re.compile(r"\[ERROR\]|\bERROR\b|Traceback|Exception|Task timed out", re.IGNORECASE)
_TIMEOUT = re.compile(r"Task timed out after ([\d.]+) seconds")
_DATABASE = re.compile(
    r"connection to server .* failed|could not connect to server|database connection failed|"
    r"OperationalError|Can't connect to MySQL",
    re.IGNORECASE,
)


def previous_tag(function: LambdaFunctionRecord, snapshot: Snapshot) -> str | None:
    """The tag of the image pushed before the one the function runs (its rollback target)."""
    if not function.image_uri:
        return None
    ref = parse_image(function.image_uri)
    region = ecr_region(ref) or function.region
    images = snapshot.images.get((region, ref.path))
    if not images or not ref.tag:
        return None
    index = next((i for i, image in enumerate(images) if ref.tag in image.tags), None)
    if index is None:
        return None
    older = next((image for image in images[index + 1 :] if image.tags), None)
    return older.tags[0] if older else None


def _rollback(function: LambdaFunctionRecord, snapshot: Snapshot) -> tuple[Fix, ...]:
    tag = previous_tag(function, snapshot)
    if tag is None:
        return ()
    return (
        Fix(
            "rollback-lambda",
            f"lambda:{function.name}",
            {"tag": tag},
            function.region,
            f"runs the image tagged {tag} again",
        ),
    )


def function_findings(function: LambdaFunctionRecord, snapshot: Snapshot) -> list[Finding]:
    """Findings of one function from its state and its recent log lines."""
    where, region = f"lambda:{function.name}", function.region
    base = f"{region}:{function.name}"
    findings: list[Finding] = []
    if function.state == "Failed" or function.last_update_status == "Failed":
        findings.append(
            Finding(
                id=f"lambda-update-failed:{base}",
                kind="lambda-update-failed",
                severity=Severity.CRITICAL,
                title=f"{function.name}: last update failed",
                where=where,
                region=region,
                evidence=(
                    f"state {function.state}, last update {function.last_update_status}",
                    function.last_update_reason or "no reason given",
                    f"image {function.image_uri or '(zip)'}",
                ),
                cause="The function could not be updated to its new code or image.",
                fixes=_rollback(function, snapshot),
            )
        )
    lines = snapshot.function_logs.get((region, function.name), ())
    changed = function.last_modified
    after = [line for line in lines if changed and line.at and line.at >= changed]
    errors_after = [line for line in after if _ERROR.search(line.text)]
    if errors_after:
        findings.append(
            Finding(
                id=f"lambda-errors-after-update:{base}",
                kind="lambda-errors-after-update",
                severity=Severity.CRITICAL,
                title=f"{function.name}: errors since the update at {changed:%H:%M:%S}",
                where=where,
                region=region,
                evidence=(
                    f"image {function.image_uri}",
                    *(_clip(line.text) for line in errors_after[:3]),
                ),
                cause="The new code or image fails where the one before did not.",
                fixes=_rollback(function, snapshot),
            )
        )
        return findings
    findings.extend(_log_findings(function, lines, where, base))
    return findings


def _log_findings(
    function: LambdaFunctionRecord, lines: Sequence[LogLine], where: str, base: str
) -> list[Finding]:
    findings: list[Finding] = []
    timeouts = [line for line in lines if _TIMEOUT.search(line.text)]
    if timeouts:
        limit = function.timeout_seconds
        findings.append(
            Finding(
                id=f"lambda-timeouts:{base}",
                kind="lambda-timeouts",
                severity=Severity.WARNING,
                title=f"{function.name}: {len(timeouts)} invocation(s) timed out",
                where=where,
                region=function.region,
                evidence=(f"timeout {limit} s", *(_clip(line.text) for line in timeouts[:2])),
                cause=(
                    f"Requests run past the function's {limit} s timeout; behind API Gateway "
                    "(29 s integration limit) callers get 504 even sooner."
                ),
            )
        )
    database = [line for line in lines if _DATABASE.search(line.text)]
    if database:
        findings.append(
            Finding(
                id=f"lambda-database-unreachable:{base}",
                kind="lambda-database-unreachable",
                severity=Severity.WARNING,
                title=f"{function.name}: database connections fail",
                where=where,
                region=function.region,
                evidence=tuple(_clip(line.text) for line in database[:2]),
                cause=(
                    "The function cannot reach its database: check its VPC subnets and security "
                    "groups, the database's state, and the credentials secret."
                ),
            )
        )
    return findings


def _clip(text: str) -> str:
    return " ".join(text.split())[:200]
