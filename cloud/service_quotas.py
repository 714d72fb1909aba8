"""The quotas pane: CodeBuild quotas per region, applied vs default vs what is enforced."""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from cloud.arrivals import Arrivals, Early
from cloud.codebuild_reads import RegionProjects, read_region_projects
from cloud.fanout import Job, attempt, gather
from cloud.quotas import (
    CODEBUILD,
    CONCURRENCY_CODES,
    QUEUE_FACTOR,
    concurrency_quota,
    effective_concurrency,
    explain_concurrency,
    number,
    quotas_client,
)
from cloud.records import Fetched, FetchError, QuotaRecord, QuotaRequestRecord, UsageMetric
from cloud.session import CloudSession

if TYPE_CHECKING:
    from types_boto3_service_quotas.type_defs import (
        RequestedServiceQuotaChangeTypeDef,
        ServiceQuotaTypeDef,
    )

T = TypeVar("T")

OPEN_REQUEST_STATUSES = frozenset({"PENDING", "CASE_OPENED"})
SHARED_MAX_AGE = 10.0


def fetch_quotas(session: CloudSession, early: Early | None = None) -> Fetched[QuotaRecord]:
    """CodeBuild quotas of every region, with running builds, queue and open requests.

    ``early`` hears each region's quotas as soon as their values are read (``partial``:
    the running builds, read from CodeBuild, come after).
    """
    arrivals: Arrivals[QuotaRecord] = Arrivals(early)
    jobs = [
        Job("service-quotas", region, partial(_region_quotas, session, region, arrivals))
        for region in session.regions
    ]
    found = gather(jobs)
    arrivals.close()
    return found


def _region_quotas(
    session: CloudSession, region: str, arrivals: Arrivals[QuotaRecord]
) -> Fetched[QuotaRecord]:
    client = quotas_client(session, region)

    def listed(operation: str) -> list[ServiceQuotaTypeDef]:
        found: list[ServiceQuotaTypeDef] = []
        for page in client.get_paginator(operation).paginate(ServiceCode=CODEBUILD):  # type: ignore[call-overload]
            found.extend(page.get("Quotas", []))
        return found

    def requests() -> list[RequestedServiceQuotaChangeTypeDef]:
        found: list[RequestedServiceQuotaChangeTypeDef] = []
        paginator = client.get_paginator("list_requested_service_quota_change_history")
        for page in paginator.paginate(ServiceCode=CODEBUILD):
            found.extend(page.get("RequestedQuotas", []))
        return found

    with ThreadPoolExecutor(max_workers=4, thread_name_prefix="shipdeck-quota") as pool:
        applied_f = pool.submit(
            attempt, partial(listed, "list_service_quotas"), "service-quotas", region
        )
        default_f = pool.submit(
            attempt, partial(listed, "list_aws_default_service_quotas"), "service-quotas", region
        )
        requests_f = pool.submit(attempt, requests, "service-quotas", region)
        usage_f = pool.submit(
            attempt,
            partial(read_region_projects, session, region, SHARED_MAX_AGE),
            "codebuild",
            region,
        )
        errors: list[FetchError] = []
        applied = _value_or_error(applied_f.result(), errors)
        if applied is None:
            # Without the applied values every quota would wrongly read as "none applied".
            return Fetched((), tuple(errors))
        defaults = _value_or_error(default_f.result(), errors) or []
        open_requests = [
            r
            for r in _value_or_error(requests_f.result(), errors) or []
            if r.get("Status") in OPEN_REQUEST_STATUSES
        ]
        if not usage_f.done():  # the values are in; the running builds take longer
            arrivals.listed(
                ((r.region, r.quota_code), replace(r, partial=True))
                for r in quota_records(region, applied, defaults, open_requests, None)
            )
        usage = _value_or_error(usage_f.result(), errors)
    records = quota_records(region, applied, defaults, open_requests, usage)
    return Fetched(tuple(records), tuple(errors))


def _value_or_error(outcome: T | FetchError, errors: list[FetchError]) -> T | None:
    if isinstance(outcome, FetchError):
        errors.append(outcome)
        return None
    return outcome


def quota_records(
    region: str,
    applied: Iterable[ServiceQuotaTypeDef],
    defaults: Iterable[ServiceQuotaTypeDef],
    requests: Iterable[RequestedServiceQuotaChangeTypeDef],
    usage: RegionProjects | None,
) -> list[QuotaRecord]:
    """Merge applied and default quotas by code into rows, flagged where builds cannot run."""
    applied_by = {q["QuotaCode"]: q for q in applied if "QuotaCode" in q}
    default_by = {q["QuotaCode"]: q for q in defaults if "QuotaCode" in q}
    users, running = _usage_by_code(usage)
    records: list[QuotaRecord] = []
    for code in sorted(set(applied_by) | set(default_by)):
        mine = applied_by.get(code)
        base = default_by.get(code)
        either: dict[str, Any] = {**(base or {}), **(mine or {})}
        applied_value = mine.get("Value") if mine else None
        default_value = base.get("Value") if base else None
        is_concurrency = code in CONCURRENCY_CODES
        if is_concurrency:
            effective: float = effective_concurrency(applied_value)
            explanation = explain_concurrency(code, applied_value, default_value)
        elif applied_value is not None:
            effective = applied_value
            explanation = f"Applied value {number(applied_value)} is enforced."
        else:
            effective = default_value or 0.0
            explanation = f"No applied value; the AWS default {number(default_value)} applies."
        used_by = users.get(code, ())
        if used_by:
            explanation += f" Used by {', '.join(used_by)}."
        records.append(
            QuotaRecord(
                service_code=str(either.get("ServiceCode") or CODEBUILD),
                quota_code=code,
                name=str(either.get("QuotaName") or code),
                region=region,
                applied_value=applied_value,
                default_value=default_value,
                effective_value=float(effective),
                unit=either.get("Unit"),
                adjustable=bool(either.get("Adjustable", False)),
                running_builds=(
                    running.get(code, 0) if is_concurrency and usage is not None else None
                ),
                queue_capacity=QUEUE_FACTOR * int(effective) if is_concurrency else None,
                explanation=explanation,
                requests=tuple(_request(r, region) for r in requests if r.get("QuotaCode") == code),
                used_by=used_by,
                usage_metric=_usage_metric(either.get("UsageMetric")),
            )
        )
    records.sort(key=lambda r: r.name)
    return records


def _usage_metric(answer: Any) -> UsageMetric | None:
    """Service Quotas' UsageMetric, when it names a metric."""
    if not isinstance(answer, dict) or not answer.get("MetricName"):
        return None
    dimensions = answer.get("MetricDimensions") or {}
    return UsageMetric(
        namespace=str(answer.get("MetricNamespace") or "AWS/Usage"),
        metric=str(answer["MetricName"]),
        dimensions=tuple((str(k), str(v)) for k, v in dimensions.items())
        if isinstance(dimensions, dict)
        else (),
        statistic=str(answer.get("MetricStatisticRecommendation") or "Maximum"),
    )


def _usage_by_code(
    usage: RegionProjects | None,
) -> tuple[dict[str, tuple[str, ...]], dict[str, int]]:
    users: dict[str, list[str]] = {}
    running: dict[str, int] = {}
    if usage is None:
        return {}, {}
    for project in usage.projects:
        environment = project.get("environment", {})
        quota = concurrency_quota(
            str(environment.get("type", "")), str(environment.get("computeType", ""))
        )
        name = project.get("name", "")
        if quota is None or not name:
            continue
        users.setdefault(quota.code, []).append(name)
        in_progress = sum(
            1 for b in usage.builds.get(name, ()) if b.get("buildStatus") == "IN_PROGRESS"
        )
        running[quota.code] = running.get(quota.code, 0) + in_progress
    return {code: tuple(names) for code, names in users.items()}, running


def _request(request: RequestedServiceQuotaChangeTypeDef, region: str) -> QuotaRequestRecord:
    return QuotaRequestRecord(
        request_id=request.get("Id", ""),
        service_code=request.get("ServiceCode", CODEBUILD),
        quota_code=request.get("QuotaCode", ""),
        region=region,
        desired_value=float(request.get("DesiredValue", 0.0)),
        status=str(request.get("Status", "")),
        created=request.get("Created"),
        case_id=request.get("CaseId"),
    )
