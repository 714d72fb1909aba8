"""Lambda functions: image, size, timeout and whether the last update worked.

ListFunctions leaves out the image URI and the state fields, so each function is
read with GetFunction (in parallel). Environment variables are never copied.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, cast

from cloud.fanout import Job, gather, parallel_map
from cloud.records import Fetched, LambdaFunctionRecord
from cloud.session import CloudSession

if TYPE_CHECKING:
    from types_boto3_lambda import LambdaClient
    from types_boto3_lambda.type_defs import GetFunctionResponseTypeDef


def lambda_client(session: CloudSession, region: str) -> LambdaClient:
    """The session's Lambda client for ``region``, typed."""
    return cast("LambdaClient", session.client("lambda", region))


def fetch_functions(session: CloudSession) -> Fetched[LambdaFunctionRecord]:
    """Every Lambda function of every region."""
    return gather(
        [
            Job("lambda", region, partial(region_functions, session, region))
            for region in session.regions
        ]
    )


def region_functions(session: CloudSession, region: str) -> list[LambdaFunctionRecord]:
    """Every Lambda function of ``region``."""
    client = lambda_client(session, region)
    names: list[str] = []
    for page in client.get_paginator("list_functions").paginate():
        names.extend(f["FunctionName"] for f in page.get("Functions", []) if "FunctionName" in f)

    def read(name: str) -> GetFunctionResponseTypeDef:
        return client.get_function(FunctionName=name)

    return [function_record(region, answer) for answer in parallel_map(read, names)]


_LAMBDA_TIME = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:?\d\d)?$")


def parse_lambda_time(text: str | None) -> datetime | None:
    """Lambda's ``2025-11-11T04:39:26.000+0000`` (any fraction, ``Z`` too) as a datetime."""
    found = _LAMBDA_TIME.match(text or "")
    if found is None:
        return None
    base, fraction, zone = found.groups()
    micro = (fraction or "0")[:6].ljust(6, "0")
    offset = "+00:00" if zone in (None, "Z") else zone
    if len(offset) == 5:
        offset = f"{offset[:3]}:{offset[3:]}"
    return datetime.fromisoformat(f"{base}.{micro}{offset}")


def function_record(region: str, answer: GetFunctionResponseTypeDef) -> LambdaFunctionRecord:
    """A LambdaFunctionRecord from GetFunction (configuration and code location)."""
    config = answer.get("Configuration", {})
    code = answer.get("Code", {})
    name = config.get("FunctionName", "")
    package = config.get("PackageType", "Zip")
    state = config.get("State")
    status = config.get("LastUpdateStatus")
    reason = config.get("LastUpdateStatusReason")
    return LambdaFunctionRecord(
        name=name,
        region=region,
        arn=config.get("FunctionArn", ""),
        package_type=package,
        image_uri=code.get("ImageUri") if package == "Image" else None,
        runtime=config.get("Runtime"),
        memory_mb=config.get("MemorySize"),
        timeout_seconds=config.get("Timeout"),
        state=state,
        last_update_status=status,
        last_update_reason=reason,
        last_modified=parse_lambda_time(config.get("LastModified")),
        log_group=config.get("LoggingConfig", {}).get("LogGroup") or f"/aws/lambda/{name}",
    )
