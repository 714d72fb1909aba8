"""Every way a call fails reads as one line with the right kind."""

from __future__ import annotations

import pytest
from botocore.exceptions import (
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    SSOTokenLoadError,
)
from kubernetes.client.exceptions import ApiException
from urllib3.exceptions import MaxRetryError, NewConnectionError

from cloud.errors import classify, recoverable_errors
from cloud.records import ErrorKind


def _client_error(code: str, message: str = "something went wrong") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, "DescribeRepositories")


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("ThrottlingException", ErrorKind.THROTTLED),
        ("Throttling", ErrorKind.THROTTLED),
        ("TooManyRequestsException", ErrorKind.THROTTLED),
        ("RequestLimitExceeded", ErrorKind.THROTTLED),
        ("AccessDeniedException", ErrorKind.ACCESS_DENIED),
        ("AccessDenied", ErrorKind.ACCESS_DENIED),
        ("UnauthorizedOperation", ErrorKind.ACCESS_DENIED),
        ("NotAuthorizedException", ErrorKind.ACCESS_DENIED),
        ("ExpiredTokenException", ErrorKind.EXPIRED_CREDENTIALS),
        ("ExpiredToken", ErrorKind.EXPIRED_CREDENTIALS),
        ("RequestExpired", ErrorKind.EXPIRED_CREDENTIALS),
        ("InvalidClientTokenId", ErrorKind.EXPIRED_CREDENTIALS),
        ("UnrecognizedClientException", ErrorKind.EXPIRED_CREDENTIALS),
        ("RepositoryNotFoundException", ErrorKind.NOT_FOUND),
        ("NoSuchResourceException", ErrorKind.NOT_FOUND),
        ("ValidationException", ErrorKind.OTHER),
    ],
)
def test_client_error_codes(code: str, kind: ErrorKind) -> None:
    error = classify(_client_error(code), "ecr", "ap-northeast-1")
    assert error.kind is kind
    assert error.message == f"DescribeRepositories: {code}: something went wrong"


def test_line_names_service_region_and_kind() -> None:
    error = classify(
        _client_error("AccessDeniedException", "User: arn:aws:iam::1:user/x is not\nauthorized"),
        "ecr",
        "ap-southeast-1",
    )
    assert error.line() == (
        "ecr ap-southeast-1: access denied: DescribeRepositories: AccessDeniedException: "
        "User: arn:aws:iam::1:user/x is not authorized"
    )


def test_local_credential_problems() -> None:
    assert classify(NoCredentialsError(), "ecr", "r").kind is ErrorKind.NO_CREDENTIALS
    expired = SSOTokenLoadError(error_msg="The SSO session has expired")
    assert classify(expired, "ecr", "r").kind is ErrorKind.EXPIRED_CREDENTIALS


def test_network_failures_are_unreachable() -> None:
    down = EndpointConnectionError(endpoint_url="https://ecr.ap-northeast-1.amazonaws.com/")
    assert classify(down, "ecr", "r").kind is ErrorKind.UNREACHABLE
    slow = ConnectTimeoutError(endpoint_url="https://ecr.ap-northeast-1.amazonaws.com/")
    assert classify(slow, "ecr", "r").kind is ErrorKind.UNREACHABLE
    refused = MaxRetryError(
        pool=None,  # type: ignore[arg-type]
        url="/api/v1/pods",
        reason=NewConnectionError(None, "Failed to establish a new connection: refused"),  # type: ignore[arg-type]
    )
    error = classify(refused, "kubernetes", "nova-eks")
    assert error.kind is ErrorKind.UNREACHABLE
    assert "refused" in error.message
    assert len(error.message) <= 240


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (401, ErrorKind.ACCESS_DENIED),
        (403, ErrorKind.ACCESS_DENIED),
        (404, ErrorKind.NOT_FOUND),
        (429, ErrorKind.THROTTLED),
        (500, ErrorKind.OTHER),
    ],
)
def test_kubernetes_statuses(status: int, kind: ErrorKind) -> None:
    exc = ApiException(status=status, reason="Reason")
    exc.body = '{"kind":"Status","message":"pods is forbidden: User \\"dev\\" cannot list"}'
    error = classify(exc, "kubernetes", "nova-eks")
    assert error.kind is kind
    assert error.message.startswith(f"HTTP {status} pods is forbidden")


def test_recoverable_errors_cover_the_sdks_but_not_bugs() -> None:
    kinds = recoverable_errors()
    assert isinstance(_client_error("X"), kinds)
    assert isinstance(ApiException(status=500), kinds)
    assert isinstance(EndpointConnectionError(endpoint_url="x"), kinds)
    assert not isinstance(KeyError("x"), kinds)
