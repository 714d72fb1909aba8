"""Findings about Lambda functions: failed updates, errors since the last image change, timeouts."""

from __future__ import annotations

import re
from collections.abc import Sequence

from cloud.findings.images import ecr_region
from cloud.findings.model import Finding, Fix, Mark
from cloud.model.ref import ResourceRef
from cloud.model.snapshot import Snapshot
from cloud.records import LambdaFunctionRecord, LogLine, Severity
from cloud.text import cut
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
    repo = next(
        (r for r in snapshot.repositories if r.region == region and r.name == ref.path), None
    )
    if repo is None or not repo.images or not ref.tag:
        return None
    images = repo.images
    index = next((i for i, image in enumerate(images) if ref.tag in image.tags), None)
    if index is None:
        return None
    older = next((image for image in images[index + 1 :] if image.tags), None)
    return older.tags[0] if older else None


def _rollback(
    function: LambdaFunctionRecord, here: ResourceRef, snapshot: Snapshot
) -> tuple[Fix, ...]:
    tag = previous_tag(function, snapshot)
    if tag is None:
        return ()
    return (Fix("rollback-lambda", here, {"tag": tag}, f"runs the image tagged {tag} again"),)


def function_findings(function: LambdaFunctionRecord, snapshot: Snapshot) -> list[Finding]:
    """Findings of one function from its state and its recent log lines."""
    here = ResourceRef("lambda", function.name, function.region)
    base = f"{function.region}:{function.name}"
    findings: list[Finding] = []
    if function.state == "Failed" or function.last_update_status == "Failed":
        reason = function.last_update_reason or "no reason given"
        findings.append(
            Finding(
                id=f"lambda-update-failed:{base}",
                kind="lambda-update-failed",
                severity=Severity.CRITICAL,
                title=f"{function.name}: last update failed",
                ref=here,
                evidence=(
                    f"state {function.state}, last update {function.last_update_status}",
                    reason,
                    f"image {function.image_uri or '(zip)'}",
                ),
                cause="The function could not be updated to its new code or image.",
                fixes=_rollback(function, here, snapshot),
                marks=(Mark(here, f"last update failed: {reason}"),),
            )
        )
    lines = snapshot.function_log(function.region, function.name)
    changed = function.last_modified
    timed = [line for line in lines if line.at is not None]
    if changed is not None and timed and timed[0].at is not None and timed[0].at < changed:
        # The update falls inside the log window: the lines before it are the old code's.
        before = [line for line in lines if line.at is not None and line.at < changed]
        after = [line for line in lines if line.at is None or line.at >= changed]
        errors_before = [line for line in before if _ERROR.search(line.text)]
        errors_after = [line for line in after if _ERROR.search(line.text)]
        if errors_after and not errors_before:
            findings.append(_errors_after_update(function, here, base, errors_after, snapshot))
            return findings
        lines = tuple(after)  # what the code running now wrote; the rest is history
    findings.extend(_log_findings(function, lines, here, base, _rollback(function, here, snapshot)))
    return findings


def _errors_after_update(
    function: LambdaFunctionRecord,
    here: ResourceRef,
    base: str,
    errors: Sequence[LogLine],
    snapshot: Snapshot,
) -> Finding:
    changed = function.last_modified
    when = f"{changed:%Y-%m-%d %H:%M:%S} UTC" if changed else "unknown"
    return Finding(
        id=f"lambda-errors-after-update:{base}",
        kind="lambda-errors-after-update",
        severity=Severity.CRITICAL,
        title=f"{function.name}: errors since its last update",
        ref=here,
        evidence=(
            f"image {function.image_uri}",
            f"last update {when}; no error in its log before it",
            *(_clip(line.text) for line in errors[:3]),
        ),
        cause="The new code or image fails where the one before did not.",
        fixes=_rollback(function, here, snapshot),
        marks=(Mark(here, "errors in its log since its last update"),),
    )


def _log_findings(
    function: LambdaFunctionRecord,
    lines: Sequence[LogLine],
    here: ResourceRef,
    base: str,
    rollback: tuple[Fix, ...],
) -> list[Finding]:
    """Timeouts and database failures in the log of the code that runs now."""
    findings: list[Finding] = []
    timeouts = [line for line in lines if _TIMEOUT.search(line.text)]
    if timeouts:
        limit = function.timeout_seconds
        title = f"invocations time out past {limit} s"
        findings.append(
            Finding(
                id=f"lambda-timeouts:{base}",
                kind="lambda-timeouts",
                severity=Severity.WARNING,
                title=f"{function.name}: {title}",
                ref=here,
                evidence=(
                    f"timeout {limit} s; {len(timeouts)} timed out in the last hour",
                    *(_clip(line.text) for line in timeouts[:2]),
                ),
                cause=(
                    f"Requests run past the function's {limit} s timeout; behind API Gateway "
                    "(29 s integration limit) callers get 504 even sooner."
                ),
                fixes=rollback,
                marks=(Mark(here, f"invocations time out (timeout {limit} s)"),),
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
                ref=here,
                evidence=tuple(_clip(line.text) for line in database[:2]),
                cause=(
                    "The function cannot reach its database: check its VPC subnets and security "
                    "groups, the database's state, and the credentials secret."
                ),
                fixes=rollback,
                marks=(Mark(here, "database connections fail"),),
            )
        )
    return findings


def _clip(text: str) -> str:
    return cut(" ".join(text.split()), 200)
