"""Turn a failed AWS or Kubernetes call into a FetchError a person can read in one line.

Neither botocore nor kubernetes is imported here: an exception is recognised by
its class names, so classifying never pays for an import the fetch did not need.
"""

from __future__ import annotations

import json
import sys

from cloud.answers import MALFORMED_CODE, problem_of
from cloud.records import ErrorKind, FetchError

_MAX_MESSAGE = 240

_THROTTLED_PREFIXES = ("Throttling", "TooManyRequests", "RequestLimitExceeded", "SlowDown")
_THROTTLED_CODES = {
    "RequestThrottled",
    "RequestThrottledException",
    "ProvisionedThroughputExceeded",
}
_DENIED_PREFIXES = ("AccessDenied", "UnauthorizedOperation", "Forbidden")
_EXPIRED_PREFIXES = ("ExpiredToken", "RequestExpired")
_EXPIRED_CODES = {
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "InvalidSignatureException",
    "SignatureDoesNotMatch",
    "UnauthorizedException",  # SSO: "Session token not found or invalid"
}
_NOT_FOUND_SUFFIXES = ("NotFoundException", "NotFound", "NoSuchEntity", "NoSuchResourceException")

_NO_CREDENTIALS = {"NoCredentialsError", "PartialCredentialsError", "CredentialRetrievalError"}
_EXPIRED_LOCAL = {
    "TokenRetrievalError",
    "SSOTokenLoadError",
    "UnauthorizedSSOTokenError",
    "SSOError",
    "PendingAuthorizationExpiredError",
    "RefreshWithMFAUnsupportedError",
}
_UNREACHABLE = {
    "EndpointConnectionError",
    "ConnectTimeoutError",
    "ReadTimeoutError",
    "ConnectionClosedError",
    "ProxyConnectionError",
    "HTTPClientError",
    "SSLError",
    "MaxRetryError",
    "NewConnectionError",
    "ProtocolError",
    "TimeoutError",
    "ConnectionError",
    "ConnectionRefusedError",
    "ConnectionResetError",
}


class MalformedAnswer(ValueError):
    """An answer that was read but cannot be understood (not JSON, cut short, fields missing)."""


_MALFORMED = {
    "MalformedAnswer",
    "ResponseParserError",
    "UnicodeDecodeError",
    "JSONDecodeError",
    "ParserError",  # botocore.eventstream: a frame cut short or failing its checksum
}
_MISSING_FIELD = {"KeyError", "IndexError", "TypeError"}


def classify(exc: BaseException, service: str, region: str) -> FetchError:
    """A FetchError for ``exc`` raised while reading ``service`` in ``region`` (or kube context)."""
    kind, message = _kind_and_message(exc)
    return FetchError(service=service, region=region, kind=kind, message=_one_line(message))


def recoverable_errors() -> tuple[type[BaseException], ...]:
    """The exception types a fetcher turns into FetchErrors instead of raising.

    Everything the SDKs raise for a failed call (and OSError for sockets and
    files); programming errors such as KeyError still surface as bugs.
    """
    found: list[type[BaseException]] = [OSError, TimeoutError, MalformedAnswer, UnicodeError]
    for module, names in (
        ("botocore.exceptions", ("BotoCoreError", "ClientError")),
        ("botocore.eventstream", ("ParserError",)),  # a live-tail stream cut or garbled
        ("kubernetes.client.exceptions", ("OpenApiException",)),
        ("kubernetes.config.config_exception", ("ConfigException",)),
        ("urllib3.exceptions", ("HTTPError",)),
    ):
        loaded = sys.modules.get(module)
        for name in names:
            kind = getattr(loaded, name, None) if loaded is not None else None
            if isinstance(kind, type) and issubclass(kind, BaseException):
                found.append(kind)
    return tuple(found)


def _class_names(exc: BaseException) -> set[str]:
    return {cls.__name__ for cls in type(exc).__mro__}


def _kind_and_message(exc: BaseException) -> tuple[ErrorKind, str]:
    names = _class_names(exc)
    if "ClientError" in names:
        return _client_error(exc)
    if "ApiException" in names:
        return _kube_api_error(exc)
    if names & _NO_CREDENTIALS:
        return ErrorKind.NO_CREDENTIALS, str(exc)
    if names & _EXPIRED_LOCAL:
        return ErrorKind.EXPIRED_CREDENTIALS, str(exc)
    if names & _UNREACHABLE:
        return ErrorKind.UNREACHABLE, _unreachable_message(exc)
    if "ConfigException" in names:
        return ErrorKind.NO_CREDENTIALS, f"kubeconfig: {exc}"
    if names & _MALFORMED:
        return ErrorKind.MALFORMED, _malformed_message(exc)
    if names & _MISSING_FIELD:
        return ErrorKind.MALFORMED, f"the answer lacks a field the reader needs ({exc!r})"
    return ErrorKind.OTHER, f"{type(exc).__name__}: {exc}"


def client_error_code(exc: BaseException) -> str:
    """The AWS error code of a botocore ClientError, "" for anything else."""
    response = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return ""
    error = response.get("Error") or {}
    return str(error.get("Code") or "")


def _client_error(exc: BaseException) -> tuple[ErrorKind, str]:
    code = client_error_code(exc)
    response = getattr(exc, "response", {}) or {}
    detail = str((response.get("Error") or {}).get("Message") or "").strip()
    operation = getattr(exc, "operation_name", "") or ""
    message = f"{code}: {detail}" if detail else code or str(exc)
    if code == MALFORMED_CODE:
        message = detail or "the answer could not be read"
    if operation:
        message = f"{operation}: {message}"
    return _kind_for_code(code), message


def _kind_for_code(code: str) -> ErrorKind:
    if code == MALFORMED_CODE:
        return ErrorKind.MALFORMED
    if code.startswith(_THROTTLED_PREFIXES) or code in _THROTTLED_CODES:
        return ErrorKind.THROTTLED
    if code.startswith(_DENIED_PREFIXES) or "NotAuthorized" in code:
        return ErrorKind.ACCESS_DENIED
    if code.startswith(_EXPIRED_PREFIXES) or code in _EXPIRED_CODES:
        return ErrorKind.EXPIRED_CREDENTIALS
    if code.endswith(_NOT_FOUND_SUFFIXES) or code.startswith("NoSuch"):
        return ErrorKind.NOT_FOUND
    return ErrorKind.OTHER


def _kube_api_error(exc: BaseException) -> tuple[ErrorKind, str]:
    status = int(getattr(exc, "status", 0) or 0)
    reason = str(getattr(exc, "reason", "") or "")
    message = reason
    body = getattr(exc, "body", None)
    if body:
        try:
            parsed = json.loads(body)
        except (TypeError, ValueError):
            parsed = None
            raw = body if isinstance(body, bytes) else str(body).encode("utf-8", "replace")
            problem = problem_of(raw, status, "json")
            if problem is not None:  # an HTML page or garbage instead of a Status
                return ErrorKind.MALFORMED, problem
        if isinstance(parsed, dict) and parsed.get("message"):
            message = str(parsed["message"])
    text = f"HTTP {status} {message}".strip() if status else message or str(exc)
    if status in (401, 403):
        return ErrorKind.ACCESS_DENIED, text
    if status == 404:
        return ErrorKind.NOT_FOUND, text
    if status == 429:
        return ErrorKind.THROTTLED, text
    if status == 0:
        return ErrorKind.UNREACHABLE, text
    return ErrorKind.OTHER, text


def malformed_errors() -> tuple[type[BaseException], ...]:
    """What reading a well-formed-looking answer raises when a field it needs is missing.

    A reader indexes the fields the API promises; an answer without them is a
    malformed answer of that service and region, not a crash of the console.
    """
    return (KeyError, IndexError, TypeError, UnicodeError, ValueError)


def malformed(exc: BaseException, service: str, region: str) -> FetchError:
    """A FetchError of kind ``malformed response`` for what a reader raised on a bad answer."""
    names = _class_names(exc)
    if names & _MISSING_FIELD:
        message = f"the answer lacks a field the reader needs ({type(exc).__name__}: {exc})"
    elif names & _MALFORMED:
        message = _malformed_message(exc)
    else:
        message = f"the answer holds a value the reader cannot use ({type(exc).__name__}: {exc})"
    return FetchError(service, region, ErrorKind.MALFORMED, _one_line(message))


def _malformed_message(exc: BaseException) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return f"the answer is not UTF-8 text (byte at offset {exc.start})"
    if type(exc).__name__ == "JSONDecodeError":
        return f"the answer is cut short or not JSON ({getattr(exc, 'msg', exc)})"
    return str(exc) or type(exc).__name__


def _unreachable_message(exc: BaseException) -> str:
    text = str(exc)
    # urllib3's MaxRetryError repeats the pool and object reprs; keep the cause.
    if "Caused by" in text:
        text = text.split("Caused by", 1)[1].strip(" ()")
        if "Failed to establish a new connection:" in text:
            text = "cannot connect: " + text.split("Failed to establish a new connection:", 1)[1]
    return text or type(exc).__name__


def _one_line(text: str) -> str:
    line = " ".join(text.split())
    if len(line) > _MAX_MESSAGE:
        line = line[: _MAX_MESSAGE - 1] + "…"
    return line
