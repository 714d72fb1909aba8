"""CodeBuild concurrency quotas: which quota governs a project, and what it really allows.

CodeBuild enforces, per account and region, a concurrency quota per environment
and compute type; the build queue holds five times that number. A quota with
no applied value for the account enforces 0, whatever its AWS default says —
which is how an account ends up with "Cannot have more than 0 builds in queue".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from cloud.errors import client_error_code
from cloud.records import BlockedReason

if TYPE_CHECKING:
    from types_boto3_service_quotas import ServiceQuotasClient

    from cloud.session import CloudSession

CODEBUILD = "codebuild"
QUEUE_FACTOR = 5
REFUSAL = "Cannot have more than 0 builds in queue for the account"


@dataclass(frozen=True)
class ConcurrencyQuota:
    """The Service Quotas entry limiting builds of one environment and compute type."""

    code: str
    name: str


def _q(code: str, label: str) -> ConcurrencyQuota:
    return ConcurrencyQuota(code, f"Concurrently running builds for {label} environment")


# (environmentType, computeType) -> quota, as listed by Service Quotas for service code codebuild.
CONCURRENCY_QUOTAS: dict[tuple[str, str], ConcurrencyQuota] = {
    ("LINUX_CONTAINER", "BUILD_GENERAL1_SMALL"): _q("L-9D07B6EF", "Linux/Small"),
    ("LINUX_CONTAINER", "BUILD_GENERAL1_MEDIUM"): _q("L-2DC20C30", "Linux/Medium"),
    ("LINUX_CONTAINER", "BUILD_GENERAL1_LARGE"): _q("L-4DDC4A99", "Linux/Large"),
    ("LINUX_CONTAINER", "BUILD_GENERAL1_XLARGE"): _q("L-04E5CA62", "Linux/XLarge"),
    ("LINUX_CONTAINER", "BUILD_GENERAL1_2XLARGE"): _q("L-0397D009", "Linux/2XLarge"),
    ("ARM_CONTAINER", "BUILD_GENERAL1_SMALL"): _q("L-5ED1D25B", "ARM/Small"),
    ("ARM_CONTAINER", "BUILD_GENERAL1_LARGE"): _q("L-596BEAB4", "ARM/Large"),
    ("LINUX_GPU_CONTAINER", "BUILD_GENERAL1_SMALL"): _q("L-F1FE1B52", "Linux GPU Small"),
    ("LINUX_GPU_CONTAINER", "BUILD_GENERAL1_LARGE"): _q("L-D906BEE7", "Linux GPU Large"),
    ("WINDOWS_CONTAINER", "BUILD_GENERAL1_MEDIUM"): _q("L-B4157408", "Windows/Medium"),
    ("WINDOWS_CONTAINER", "BUILD_GENERAL1_LARGE"): _q("L-4135EDF8", "Windows/Large"),
    ("WINDOWS_SERVER_2019_CONTAINER", "BUILD_GENERAL1_MEDIUM"): _q(
        "L-ECF1B2A0", "Windows Server 2019/Medium"
    ),
    ("WINDOWS_SERVER_2019_CONTAINER", "BUILD_GENERAL1_LARGE"): _q(
        "L-2C3490D7", "Windows Server 2019/Large"
    ),
    ("LINUX_LAMBDA_CONTAINER", "BUILD_LAMBDA_1GB"): _q("L-03FBB1ED", "Linux Lambda/1GB"),
    ("LINUX_LAMBDA_CONTAINER", "BUILD_LAMBDA_2GB"): _q("L-1DFDD5F9", "Linux Lambda/2GB"),
    ("LINUX_LAMBDA_CONTAINER", "BUILD_LAMBDA_4GB"): _q("L-39DB2B0B", "Linux Lambda/4GB"),
    ("LINUX_LAMBDA_CONTAINER", "BUILD_LAMBDA_8GB"): _q("L-049948E0", "Linux Lambda/8GB"),
    ("LINUX_LAMBDA_CONTAINER", "BUILD_LAMBDA_10GB"): _q("L-E692F494", "Linux Lambda/10GB"),
    ("ARM_LAMBDA_CONTAINER", "BUILD_LAMBDA_1GB"): _q("L-FD92223D", "ARM Lambda/1GB"),
    ("ARM_LAMBDA_CONTAINER", "BUILD_LAMBDA_2GB"): _q("L-DE99852F", "ARM Lambda/2GB"),
    ("ARM_LAMBDA_CONTAINER", "BUILD_LAMBDA_4GB"): _q("L-72045165", "ARM Lambda/4GB"),
    ("ARM_LAMBDA_CONTAINER", "BUILD_LAMBDA_8GB"): _q("L-546A802A", "ARM Lambda/8GB"),
    ("ARM_LAMBDA_CONTAINER", "BUILD_LAMBDA_10GB"): _q("L-36AF3CA5", "ARM Lambda/10GB"),
}

CONCURRENCY_CODES: frozenset[str] = frozenset(q.code for q in CONCURRENCY_QUOTAS.values())


def concurrency_quota(environment_type: str, compute_type: str) -> ConcurrencyQuota | None:
    """The quota limiting concurrent builds for this environment and compute type, if known."""
    return CONCURRENCY_QUOTAS.get((environment_type, compute_type))


def effective_concurrency(applied: float | None, project_limit: int | None = None) -> int:
    """Builds CodeBuild will run at once: the applied value (0 when none), capped by the project.

    A project ``concurrentBuildLimit`` <= 0 allows nothing; None means no project limit.
    """
    allowed = max(int(applied), 0) if applied is not None else 0
    if project_limit is not None:
        allowed = 0 if project_limit <= 0 else min(allowed, project_limit)
    return allowed


def number(value: float | None) -> str:
    """``15.0`` as ``15``, ``2.5`` as ``2.5``, None as ``unknown``."""
    if value is None:
        return "unknown"
    return str(int(value)) if float(value).is_integer() else str(value)


def blocked_reason(
    quota: ConcurrencyQuota,
    applied: float | None,
    default: float | None,
    project_limit: int | None,
) -> BlockedReason:
    """The quota arithmetic for one project, with the sentence a person reads."""
    effective = effective_concurrency(applied, project_limit)
    return BlockedReason(
        quota_code=quota.code,
        quota_name=quota.name,
        applied_value=applied,
        default_value=default,
        effective_concurrency=effective,
        queue_capacity=QUEUE_FACTOR * effective,
        project_limit=project_limit,
        explanation=explain_concurrency(quota.code, applied, default, project_limit),
    )


def explain_concurrency(
    code: str, applied: float | None, default: float | None, project_limit: int | None = None
) -> str:
    """One sentence: why the effective concurrency for ``code`` is what it is."""
    effective = effective_concurrency(applied, project_limit)
    queue = f"queue {QUEUE_FACTOR} x {effective} = {QUEUE_FACTOR * effective}"
    account = effective_concurrency(applied)
    if account <= 0:
        if applied is None:
            cause = f"No applied value for {code} (AWS default {number(default)})"
        else:
            cause = f"Applied value of {code} is {number(applied)} (AWS default {number(default)})"
        return (
            f"{cause}: effective concurrency 0, {queue} — every StartBuild is refused "
            f"with '{REFUSAL}'."
        )
    if project_limit is not None and project_limit <= 0:
        return (
            f"Project concurrentBuildLimit is {project_limit}: effective concurrency 0 although "
            f"{code} allows {account} — every StartBuild of this project is refused."
        )
    capped = ""
    if project_limit is not None and project_limit < account:
        capped = f", capped by the project concurrentBuildLimit {project_limit}"
    return (
        f"Applied value {number(applied)} for {code} (AWS default {number(default)}): "
        f"effective concurrency {effective}{capped}, {queue}."
    )


@dataclass(frozen=True)
class QuotaValues:
    """What Service Quotas says about one quota: the account's applied value and the default."""

    code: str
    name: str | None
    applied: float | None  # None: no applied value for the account
    default: float | None


def quotas_client(session: CloudSession, region: str) -> ServiceQuotasClient:
    """The session's Service Quotas client for ``region``, typed."""
    return cast("ServiceQuotasClient", session.client("service-quotas", region))


def read_quota_values(session: CloudSession, region: str, code: str) -> QuotaValues:
    """GetServiceQuota and GetAWSDefaultServiceQuota for a CodeBuild quota.

    An answer without a value, or NoSuchResourceException, means no applied value.
    Other errors are raised for the caller to classify.
    """
    client = quotas_client(session, region)
    name: str | None = None
    applied: float | None = None
    default: float | None = None
    try:
        quota = client.get_service_quota(ServiceCode=CODEBUILD, QuotaCode=code).get("Quota", {})
        applied = quota.get("Value")
        name = quota.get("QuotaName")
    except client.exceptions.NoSuchResourceException:
        applied = None
    try:
        answer = client.get_aws_default_service_quota(ServiceCode=CODEBUILD, QuotaCode=code)
        default = answer.get("Quota", {}).get("Value")
        name = name or answer.get("Quota", {}).get("QuotaName")
    except client.exceptions.NoSuchResourceException:
        default = None
    return QuotaValues(code, name, applied, default)


def is_missing_quota(exc: BaseException) -> bool:
    """True for the Service Quotas answer "no such quota" (as opposed to a failed call)."""
    return client_error_code(exc) == "NoSuchResourceException"
