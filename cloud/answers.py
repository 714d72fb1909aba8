"""Check every AWS answer before botocore parses it: garbage is an error, never "nothing".

botocore raises ``UnicodeDecodeError`` on a body that is not UTF-8, and reads a
cut-short JSON body as ``{"message": ...}``: an answer with no records, which a
pane would show as empty and the rules would diagnose as "nothing there". An
HTML error page from a proxy or an emulator ends as a ClientError whose message
is the page. Here a client's ``before-parse`` hook looks at the raw body first;
a bad one is replaced by an error answer of our own code (``MALFORMED_CODE``)
with one readable sentence, and its ``needs-retry`` hook makes that answer a
5xx so botocore's standard retries try the call again like any transient
failure. When the retries are spent the call raises a ClientError that
``cloud.errors.classify`` names ``malformed response``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import partial
from typing import Any
from xml.sax.saxutils import escape

MALFORMED_CODE = "ShipdeckMalformedResponse"
_RETRYABLE_STATUS = 502  # what a bad answer counts as: a transient fault on the way
_JSON_PROTOCOLS = {"json", "rest-json"}
_XML_PROTOCOLS = {"query", "rest-xml", "ec2"}
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_PRINTABLE_TITLE = 80


def problem_of(body: bytes, status: int, protocol: str, required: str | None = None) -> str | None:
    """What is wrong with a raw answer, as one sentence; None when it can be parsed.

    ``required``: the member a successful answer must hold (a paginated call's
    result list); without it the answer would read as "none".
    """
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        return (
            f"HTTP {status}: the answer is not UTF-8 text "
            f"(byte 0x{body[exc.start]:02x} at offset {exc.start} of {len(body)})"
        )
    head = text.lstrip()[:512].lower()
    if head.startswith(("<!doctype html", "<html")) or "<html" in head:
        return f"HTTP {status}: an HTML page instead of an answer{_title(body)}"
    if protocol not in _JSON_PROTOCOLS or not text.strip():
        return None
    try:
        parsed = json.loads(text)
    except ValueError as exc:
        return (
            f"HTTP {status}: the answer is cut short or not JSON "
            f"({getattr(exc, 'msg', exc)} at character {getattr(exc, 'pos', '?')} of {len(text)})"
        )
    if not isinstance(parsed, dict):
        return f"HTTP {status}: the answer is JSON but not an object ({type(parsed).__name__})"
    if required is not None and 200 <= status < 300 and required not in parsed:
        return f"HTTP {status}: the answer lacks its list {required!r}"
    return None


def result_lists(loader: Any, service_name: str) -> dict[str, str]:
    """Each paginated operation's result list (its first plain ``result_key``), by operation.

    A successful page always holds it (empty when there is nothing); botocore
    itself reads an answer without it as an empty list.
    """
    try:
        pages = loader.load_service_model(service_name, "paginators-1")
    except Exception:  # noqa: BLE001 - no paginators for this service: nothing to require
        return {}
    lists: dict[str, str] = {}
    for operation, config in pages.get("pagination", {}).items():
        key = config.get("result_key")
        first = key[0] if isinstance(key, list) and key else key
        if isinstance(first, str) and first.isidentifier():
            lists[operation] = first
    return lists


def _title(body: bytes) -> str:
    found = _TITLE.search(body)
    if found is None:
        return ""
    words = " ".join(found.group(1).decode("utf-8", "replace").split())
    shown = "".join(c for c in words if c.isprintable())[:_PRINTABLE_TITLE]
    return f" ({shown})" if shown else ""


def _error_body(protocol: str, message: str) -> bytes:
    if protocol in _XML_PROTOCOLS:
        return (
            f"<ErrorResponse><Error><Code>{MALFORMED_CODE}</Code>"
            f"<Message>{escape(message)}</Message></Error></ErrorResponse>"
        ).encode()
    return json.dumps({"__type": MALFORMED_CODE, "message": message}).encode()


def check_answer(
    operation_model: Any = None,
    response_dict: dict[str, Any] | None = None,
    required: Mapping[str, str] | None = None,
    **_: Any,
) -> None:
    """botocore ``before-parse``: replace a bad body by an error answer of ``MALFORMED_CODE``."""
    if operation_model is None or response_dict is None:
        return
    body = response_dict.get("body")
    if not isinstance(body, bytes | bytearray) or operation_model.has_event_stream_output:
        return  # a stream is read (and checked) by its consumer
    if operation_model.has_streaming_output:
        return
    protocol = str(operation_model.service_model.resolved_protocol)
    status = int(response_dict.get("status_code") or 0)
    wanted = (required or {}).get(operation_model.name)
    problem = problem_of(bytes(body), status, protocol, wanted)
    if problem is None:
        return
    response_dict["status_code"] = status if status >= 500 else _RETRYABLE_STATUS
    response_dict["body"] = _error_body(protocol, problem)
    headers = response_dict.get("headers")
    if headers is not None:
        headers["x-amzn-errortype"] = MALFORMED_CODE
        headers["content-type"] = "text/xml" if protocol in _XML_PROTOCOLS else "application/json"


def mark_for_retry(response: Any = None, **_: Any) -> None:
    """botocore ``needs-retry``: a replaced answer is a 5xx, so the standard retries take it.

    The status botocore checks (for retrying and for raising) is the HTTP
    response's, which ``before-parse`` cannot reach; this hook runs first.
    """
    if not isinstance(response, tuple) or len(response) != 2:
        return
    http_response, parsed = response
    error = parsed.get("Error") if isinstance(parsed, dict) else None
    if not isinstance(error, dict) or error.get("Code") != MALFORMED_CODE:
        return
    if getattr(http_response, "status_code", 0) < _RETRYABLE_STATUS:
        http_response.status_code = _RETRYABLE_STATUS


def watch_answers(client: Any, loader: Any = None) -> Any:
    """Register the checks on a botocore ``client`` (idempotent); returns the client.

    With botocore's data ``loader``, a page without its result list is malformed too.
    """
    events = client.meta.events
    model = client.meta.service_model
    service = model.service_id.hyphenize()
    lists = result_lists(loader, model.service_name) if loader is not None else {}
    check = partial(check_answer, required=lists)
    events.register_first(f"before-parse.{service}", check, unique_id="shipdeck-answers")
    events.register_first(f"needs-retry.{service}", mark_for_retry, unique_id="shipdeck-retry")
    return client
