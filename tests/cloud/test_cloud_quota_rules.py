"""The CodeBuild concurrency arithmetic a person would otherwise do by hand."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from cloud.codebuild_reads import RegionProjects
from cloud.findings import diagnose
from cloud.quotas import (
    blocked_reason,
    concurrency_quota,
    effective_concurrency,
    explain_concurrency,
)
from cloud.records import Flag, Severity
from cloud.service_quotas import quota_records
from tests.findings import records
from tests.findings.records import build, phase, quota, ref, snapshot

if TYPE_CHECKING:
    from types_boto3_codebuild.type_defs import BuildTypeDef, ProjectTypeDef
    from types_boto3_service_quotas.type_defs import (
        RequestedServiceQuotaChangeTypeDef,
        ServiceQuotaTypeDef,
    )

LARGE = "L-4DDC4A99"


def test_quota_codes_for_compute_types() -> None:
    large = concurrency_quota("LINUX_CONTAINER", "BUILD_GENERAL1_LARGE")
    assert large is not None
    assert (large.code, large.name) == (
        LARGE,
        "Concurrently running builds for Linux/Large environment",
    )
    medium = concurrency_quota("LINUX_CONTAINER", "BUILD_GENERAL1_MEDIUM")
    assert medium is not None
    assert medium.code == "L-2DC20C30"
    assert concurrency_quota("LINUX_CONTAINER", "BUILD_UNHEARD_OF") is None


def test_effective_concurrency() -> None:
    assert effective_concurrency(None) == 0
    assert effective_concurrency(0.0) == 0
    assert effective_concurrency(15.0) == 15
    assert effective_concurrency(15.0, None) == 15
    assert effective_concurrency(15.0, 2) == 2
    assert effective_concurrency(15.0, 0) == 0
    assert effective_concurrency(15.0, -1) == 0
    assert effective_concurrency(None, 5) == 0


def test_nova_is_blocked_with_the_sentence_from_the_incident() -> None:
    quota = concurrency_quota("LINUX_CONTAINER", "BUILD_GENERAL1_LARGE")
    assert quota is not None
    reason = blocked_reason(quota, applied=None, default=15.0, project_limit=None)
    assert (reason.effective_concurrency, reason.queue_capacity) == (0, 0)
    assert (reason.applied_value, reason.default_value) == (None, 15.0)
    assert reason.explanation == (
        "No applied value for L-4DDC4A99 (AWS default 15): effective concurrency 0, "
        "queue 5 x 0 = 0 — every StartBuild is refused with "
        "'Cannot have more than 0 builds in queue for the account'."
    )
    nova = records.project("nova-ecr-build", blocked=reason)
    (flag,) = diagnose(snapshot(projects=[nova])).flags(ref(nova))
    assert (flag.code, flag.severity) == ("builds-blocked", Severity.CRITICAL)
    assert flag.text == (
        "cannot start builds: no applied value for L-4DDC4A99, effective concurrency 0"
    )


def test_project_limit_zero_blocks_even_with_quota() -> None:
    text = explain_concurrency(LARGE, 15.0, 15.0, project_limit=0)
    assert text.startswith("Project concurrentBuildLimit is 0: effective concurrency 0")
    assert explain_concurrency(LARGE, 15.0, 15.0, project_limit=2) == (
        "Applied value 15 for L-4DDC4A99 (AWS default 15): effective concurrency 2, "
        "capped by the project concurrentBuildLimit 2, queue 5 x 2 = 10."
    )


def _shown(flags: tuple[Flag, ...]) -> list[tuple[str, Severity, str]]:
    return [(f.code, f.severity, f.text) for f in flags]


DOCKER = phase("BUILD", "FAILED", "COMMAND_EXECUTION_ERROR: docker: command not found")
TIMEOUT = phase("BUILD", "TIMED_OUT", "BUILD_TIMED_OUT: timed out")


def test_recent_failures_flag_the_project_by_cause() -> None:
    builds = (  # newest first
        build(6, "IN_PROGRESS"),
        build(5, "FAILED", DOCKER),
        build(4, "SUCCEEDED"),
        build(3, "FAILED", DOCKER),
        build(2, "TIMED_OUT", TIMEOUT),
        build(1, "SUCCEEDED"),
    )
    mangoo = records.project("p", recent_builds=builds)
    # The newest finished build's failure is a warning; older ones are history.
    assert _shown(diagnose(snapshot(projects=[mangoo])).flags(ref(mangoo))) == [
        ("build-failure", Severity.WARNING, "docker: command not found (2 of the last 6 builds)"),
        ("build-failure", Severity.INFO, "build timed out (1 of the last 6 builds)"),
    ]
    mostly_fine = records.project(
        "p",
        recent_builds=(
            build(5, "SUCCEEDED"),
            build(4, "SUCCEEDED"),
            build(3, "FAILED", DOCKER),
            build(2, "SUCCEEDED"),
        ),
    )
    assert [
        f.severity for f in diagnose(snapshot(projects=[mostly_fine])).flags(ref(mostly_fine))
    ] == [Severity.INFO]
    healthy = records.project("p", recent_builds=(build(2, "SUCCEEDED"), build(1, "SUCCEEDED")))
    assert diagnose(snapshot(projects=[healthy])).flags(ref(healthy)) == ()


def _quota(code: str, name: str, value: float) -> ServiceQuotaTypeDef:
    return {
        "ServiceCode": "codebuild",
        "QuotaCode": code,
        "QuotaName": name,
        "Value": value,
        "Unit": "None",
        "Adjustable": True,
    }


def test_quota_rows_merge_defaults_with_applied_values() -> None:
    large_name = "Concurrently running builds for Linux/Large environment"
    medium_name = "Concurrently running builds for Linux/Medium environment"
    defaults = [
        _quota(LARGE, large_name, 15.0),
        _quota("L-2DC20C30", medium_name, 15.0),
        _quota("L-ACCF6C0D", "Build projects", 5000.0),
    ]
    applied = [_quota("L-2DC20C30", medium_name, 20.0)]
    project: ProjectTypeDef = {
        "name": "nova-ecr-build",
        "environment": {
            "type": "LINUX_CONTAINER",
            "image": "aws/codebuild/standard:7.0",
            "computeType": "BUILD_GENERAL1_LARGE",
        },
    }
    running: BuildTypeDef = {"id": "nova-ecr-build:1", "buildStatus": "IN_PROGRESS"}
    request: RequestedServiceQuotaChangeTypeDef = {
        "Id": "req-1",
        "ServiceCode": "codebuild",
        "QuotaCode": LARGE,
        "DesiredValue": 15.0,
        "Status": "PENDING",
        "Created": datetime(2025, 11, 11, tzinfo=UTC),
    }
    usage = RegionProjects((project,), {"nova-ecr-build": (running,)})
    rows = {
        r.quota_code: r
        for r in quota_records("ap-northeast-1", applied, defaults, [request], usage)
    }
    large = rows[LARGE]
    assert (large.applied_value, large.default_value, large.effective_value) == (None, 15.0, 0.0)
    assert (large.queue_capacity, large.running_builds) == (0, 1)
    assert large.explanation is not None
    assert large.explanation.startswith("No applied value for L-4DDC4A99 (AWS default 15)")
    assert large.explanation.endswith("Used by nova-ecr-build.")
    assert large.used_by == ("nova-ecr-build",)
    assert [r.request_id for r in large.requests] == ["req-1"]
    medium = rows["L-2DC20C30"]
    assert (medium.applied_value, medium.effective_value, medium.queue_capacity) == (
        20.0,
        20.0,
        100,
    )
    assert medium.used_by == ()
    projects = rows["L-ACCF6C0D"]
    assert (projects.effective_value, projects.queue_capacity) == (5000.0, None)
    # The project that cannot build flags the quota row that blocks it, and only that row.
    large_quota = concurrency_quota("LINUX_CONTAINER", "BUILD_GENERAL1_LARGE")
    assert large_quota is not None
    nova = records.project(
        "nova-ecr-build",
        blocked=blocked_reason(large_quota, applied=None, default=15.0, project_limit=None),
    )
    diagnosis = diagnose(snapshot(projects=[nova], quotas=list(rows.values())))
    assert _shown(diagnosis.flags(ref(large))) == [
        (
            "builds-blocked",
            Severity.CRITICAL,
            "effective concurrency 0: nova-ecr-build cannot start builds",
        )
    ]
    assert diagnosis.flags(ref(medium)) == diagnosis.flags(ref(projects)) == ()


def test_a_quota_whose_every_build_slot_is_taken_is_flagged() -> None:
    full = quota("L-2DC20C30", effective_value=2.0, running_builds=2, used_by=("mangoo",))
    assert _shown(diagnose(snapshot(quotas=[full])).flags(ref(full))) == [
        ("builds-at-capacity", Severity.INFO, "2 of 2 build slots in use")
    ]
    room = quota("L-2DC20C30", effective_value=2.0, running_builds=1, used_by=("mangoo",))
    assert diagnose(snapshot(quotas=[room])).flags(ref(room)) == ()
