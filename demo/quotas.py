"""Service Quotas for the services the scenario describes (moto only knows ``vpc``).

Like AWS, GetServiceQuota and ListServiceQuotas only return quotas that have an
*applied* value for the account; a quota without one (L-4DDC4A99 in
ap-northeast-1 in the Nova incident) answers ``NoSuchResourceException`` and is
absent from the list, while its AWS default stays visible through
GetAWSDefaultServiceQuota. Increase requests move PENDING -> CASE_OPENED ->
APPROVED on the world clock; approval applies the desired value.
"""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

from demo.gateway import ApiError, Call, Forward, Reply, Route
from demo.model import Quota, QuotaRequestPacing, QuotaService

_PREFIX = "ServiceQuotasV20190624."
NO_APPLIED_VALUE = "The request failed because the specified service quota does not exist."


class QuotaBook:
    """Applied values and increase requests, per region."""

    def __init__(
        self, services: tuple[QuotaService, ...], pacing: QuotaRequestPacing, account_id: str
    ) -> None:
        self._services = {s.service_code: s for s in services}
        self._pacing = pacing
        self._account = account_id
        self._lock = threading.Lock()
        self._applied: dict[tuple[str, str, str], float | None] = {}
        for service in services:
            for quota in service.quotas:
                for region, value in quota.applied.items():
                    self._applied[(region, service.service_code, quota.code)] = value
        self._requests: list[dict[str, Any]] = []

    # -- queries used by other parts of the world ------------------------------------------
    def applied(self, region: str, service_code: str, quota_code: str) -> float | None:
        """The applied value, or None when the account has none."""
        with self._lock:
            return self._applied.get((region, service_code, quota_code))

    def quota_for_compute_type(self, service_code: str, compute_type: str) -> Quota | None:
        """The concurrency quota that governs a CodeBuild compute type."""
        service = self._services.get(service_code)
        if service is None:
            return None
        return next((q for q in service.quotas if q.compute_type == compute_type), None)

    # -- clock ---------------------------------------------------------------------------------
    def advance(self, now: float) -> None:
        """Move open requests along; an approved request applies its value."""
        with self._lock:
            for request in self._requests:
                age = now - request["Created"]
                if request["Status"] == "PENDING" and age >= self._pacing.case_opened_after:
                    request.update(
                        Status="CASE_OPENED",
                        LastUpdated=now,
                        CaseId=str(17_000_000_000 + int(now) % 1_000_000_000),
                    )
                if request["Status"] == "CASE_OPENED" and age >= self._pacing.approved_after:
                    request.update(Status="APPROVED", LastUpdated=now)
                    key = (request["_region"], request["ServiceCode"], request["QuotaCode"])
                    self._applied[key] = float(request["DesiredValue"])

    # -- API ---------------------------------------------------------------------------------
    def routes(self) -> dict[str, Route]:
        """Gateway routes for the Service Quotas operations the world serves."""
        handlers = {
            "GetServiceQuota": self._get,
            "GetAWSDefaultServiceQuota": self._get_default,
            "ListServiceQuotas": self._list,
            "ListAWSDefaultServiceQuotas": self._list_default,
            "RequestServiceQuotaIncrease": self._request_increase,
            "GetRequestedServiceQuotaChange": self._get_request,
            "ListRequestedServiceQuotaChangeHistory": self._history,
            "ListRequestedServiceQuotaChangeHistoryByQuota": self._history,
        }
        return {_PREFIX + name: self._guard(handler) for name, handler in handlers.items()}

    def _guard(self, handler: Route) -> Route:
        def route(call: Call, forward: Forward) -> Reply:
            code = call.json().get("ServiceCode")
            if code is not None and code not in self._services:
                return forward(call)  # e.g. vpc, which moto knows
            return handler(call, forward)

        return route

    def _shape(
        self, region: str, service: QuotaService, quota: Quota, value: float, default: bool
    ) -> dict[str, Any]:
        account = "" if default else self._account
        return {
            "ServiceCode": service.service_code,
            "ServiceName": service.service_name,
            "QuotaArn": f"arn:aws:servicequotas:{region}:{account}:"
            f"{service.service_code}/{quota.code}",
            "QuotaCode": quota.code,
            "QuotaName": quota.name,
            "Value": value,
            "Unit": quota.unit,
            "Adjustable": quota.adjustable,
            "GlobalQuota": False,
            "QuotaAppliedAtLevel": "ACCOUNT",
            **({"UsageMetric": quota.usage_metric} if quota.usage_metric else {}),
        }

    def _find(self, body: dict[str, Any]) -> tuple[QuotaService, Quota]:
        service = self._services[body["ServiceCode"]]
        for quota in service.quotas:
            if quota.code == body.get("QuotaCode"):
                return service, quota
        raise ApiError("NoSuchResourceException", NO_APPLIED_VALUE)

    def _get(self, call: Call, _: Forward) -> Reply:
        service, quota = self._find(call.json())
        value = self.applied(call.region, service.service_code, quota.code)
        if value is None:
            raise ApiError("NoSuchResourceException", NO_APPLIED_VALUE)
        return Reply.json({"Quota": self._shape(call.region, service, quota, value, False)})

    def _get_default(self, call: Call, _: Forward) -> Reply:
        service, quota = self._find(call.json())
        return Reply.json({"Quota": self._shape(call.region, service, quota, quota.default, True)})

    def _list(self, call: Call, _: Forward) -> Reply:
        service = self._services[call.json()["ServiceCode"]]
        quotas = []
        for quota in service.quotas:
            value = self.applied(call.region, service.service_code, quota.code)
            if value is not None:
                quotas.append(self._shape(call.region, service, quota, value, False))
        return Reply.json({"Quotas": quotas})

    def _list_default(self, call: Call, _: Forward) -> Reply:
        service = self._services[call.json()["ServiceCode"]]
        return Reply.json(
            {
                "Quotas": [
                    self._shape(call.region, service, q, q.default, True) for q in service.quotas
                ]
            }
        )

    def _request_increase(self, call: Call, _: Forward) -> Reply:
        body = call.json()
        service, quota = self._find(body)
        desired = float(body["DesiredValue"])
        if not quota.adjustable:
            raise ApiError("IllegalArgumentException", f"Quota {quota.code} is not adjustable.")
        current = self.applied(call.region, service.service_code, quota.code) or 0.0
        if desired <= current:
            raise ApiError(
                "IllegalArgumentException",
                f"The desired value {desired} must be greater than the current value {current}.",
            )
        with self._lock:
            for request in self._requests:
                if (request["_region"], request["QuotaCode"]) == (
                    call.region,
                    quota.code,
                ) and request["Status"] in ("PENDING", "CASE_OPENED"):
                    raise ApiError(
                        "ResourceAlreadyExistsException",
                        "A request for this quota is already open.",
                    )
            now = time.time()
            request = {
                "Id": uuid.uuid4().hex,
                "CaseId": "",
                "ServiceCode": service.service_code,
                "ServiceName": service.service_name,
                "QuotaCode": quota.code,
                "QuotaName": quota.name,
                "DesiredValue": desired,
                "Status": "PENDING",
                "Created": now,
                "LastUpdated": now,
                "Requester": f"arn:aws:iam::{self._account}:root",
                "QuotaArn": f"arn:aws:servicequotas:{call.region}:{self._account}:"
                f"{service.service_code}/{quota.code}",
                "GlobalQuota": False,
                "Unit": quota.unit,
                "QuotaRequestedAtLevel": "ACCOUNT",
                "_region": call.region,
            }
            self._requests.append(request)
            return Reply.json({"RequestedQuota": _public(request)})

    def _get_request(self, call: Call, _: Forward) -> Reply:
        wanted = call.json()["RequestId"]
        with self._lock:
            for request in self._requests:
                if request["Id"] == wanted:
                    return Reply.json({"RequestedQuota": _public(request)})
        raise ApiError("NoSuchResourceException", f"Request {wanted} does not exist.")

    def _history(self, call: Call, _: Forward) -> Reply:
        body = call.json()
        with self._lock:
            found = [
                _public(r)
                for r in self._requests
                if r["_region"] == call.region
                and body.get("ServiceCode") in (None, r["ServiceCode"])
                and body.get("QuotaCode") in (None, r["QuotaCode"])
                and body.get("Status") in (None, r["Status"])
            ]
        return Reply.json({"RequestedQuotas": list(reversed(found))})


def _public(request: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in request.items() if not k.startswith("_")}
