"""A small HTTP proxy between shipdeck's clients and the demo world that breaks chosen answers.

Every request is forwarded to ``upstream`` unless a ``Fault`` matches it: a
substring of ``"METHOD PATH TARGET"`` (``TARGET`` is the ``X-Amz-Target``
header of AWS JSON calls, e.g. ``Logs_20140328.FilterLogEvents``), for the next
``times`` requests or for every one. A fault answers in place of the world
(5xx, throttling, an HTML page, a reset, a delay) or spoils the world's answer
(bytes that are not UTF-8, a body cut short, a stream cut mid-way).
``refuse()`` closes the port: connection refused, as an API server that is down.
Streams (live tail, a followed pod log) are relayed as they come.
"""

from __future__ import annotations

import http.client
import json
import socket
import struct
import threading
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Literal
from urllib.parse import urlsplit

FaultKind = Literal[
    "status", "throttle", "html", "reset", "delay", "non-utf8", "truncate", "cut", "empty-object"
]
_HOP_HEADERS = {"connection", "keep-alive", "transfer-encoding", "content-length", "host"}
_ERROR_CODES = {500: "InternalFailure", 502: "BadGateway", 503: "ServiceUnavailableException"}
HTML_PAGE = (
    b"<!DOCTYPE html><html><head><title>500 Internal Server Error</title></head>"
    b"<body><h1>Internal Server Error</h1><p>The server encountered an internal error."
    b"</p><script>alert(1)</script></body></html>"
)


class _QuietServer(ThreadingHTTPServer):
    """A server that does not print the errors of connections it hung up on purpose."""

    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """Connections reset by a fault end here, silently."""


@dataclass
class Fault:
    """What to break: requests whose ``"METHOD PATH TARGET"`` contains ``match``."""

    kind: FaultKind
    match: str
    times: int | None = None  # None: every matching request
    status: int = 500  # "status": the HTTP status answered
    seconds: float = 0.0  # "delay": how long before forwarding
    keep: float = 0.5  # "truncate" / "cut": the share of the body that gets through


class FaultProxy:
    """A threaded HTTP proxy to ``upstream`` that injects the faults in ``add``."""

    def __init__(self, upstream: str) -> None:
        parts = urlsplit(upstream)
        self.upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self.injected: Counter[str] = Counter()
        """How many times each fault kind was injected."""
        self.requests: list[str] = []
        self._answered = threading.Condition()
        self.stopping = threading.Event()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: object) -> None:
                """Quiet."""

            def relay(self) -> None:
                proxy._relay(self)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = relay

        self._server = _QuietServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="fault-proxy", daemon=True
        )

    @property
    def url(self) -> str:
        """Where clients point: ``http://127.0.0.1:PORT``."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> FaultProxy:
        """Serve in a thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; delayed requests end now."""
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()

    def refuse(self) -> None:
        """Close the port: every connection is refused from now on."""
        self.stop()

    def add(self, fault: Fault) -> Fault:
        """Inject ``fault`` from the next matching request on."""
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        """Forward everything untouched again."""
        with self._lock:
            self._faults.clear()

    def count(self, match: str) -> int:
        """Requests answered so far whose key contains ``match``."""
        with self._answered:
            return sum(1 for key in self.requests if match in key)

    def wait_for(self, match: str, count: int, timeout: float = 30.0) -> bool:
        """Until ``count`` requests matching ``match`` were answered (False on timeout)."""
        with self._answered:
            return self._answered.wait_for(
                lambda: sum(1 for key in self.requests if match in key) >= count, timeout
            )

    def _take(self, key: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.match in key and (fault.times is None or fault.times > 0):
                    if fault.times is not None:
                        fault.times -= 1
                    self.injected[fault.kind] += 1
                    return fault
        return None

    # --- one request ----------------------------------------------------------------

    def _relay(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        target = handler.headers.get("X-Amz-Target", "")
        key = f"{handler.command} {handler.path} {target}"
        fault = self._take(key)
        try:
            self._answer(handler, body, fault)
        finally:
            with self._answered:
                self.requests.append(key)
                self._answered.notify_all()

    def _answer(self, handler: BaseHTTPRequestHandler, body: bytes, fault: Fault | None) -> None:
        kind = fault.kind if fault else None
        if fault is not None and kind == "delay" and self.stopping.wait(fault.seconds):
            return
        if fault is not None and kind in ("status", "throttle", "html"):
            _answer_instead(handler, fault)
            return
        if kind == "reset":
            _reset(handler)
            return
        upstream = http.client.HTTPConnection(*self.upstream, timeout=60)
        try:
            headers = {k: v for k, v in handler.headers.items() if k.lower() not in _HOP_HEADERS}
            headers["Host"] = f"{self.upstream[0]}:{self.upstream[1]}"
            upstream.request(handler.command, handler.path, body=body or None, headers=headers)
            answer = upstream.getresponse()
            if answer.getheader("Content-Length") is None and kind in (None, "cut"):
                _stream(handler, answer, fault)
                return
            payload = answer.read()
            if fault is not None:
                payload = _spoil(payload, fault)
                if kind == "cut":  # promise the whole body, send part of it, hang up
                    _send(handler, answer, payload, promised=len(payload) * 2)
                    _reset(handler)
                    return
            _send(handler, answer, payload)
        except OSError:
            _reset(handler)
        finally:
            upstream.close()


def _spoil(payload: bytes, fault: Fault) -> bytes:
    if fault.kind == "non-utf8":
        middle = len(payload) // 2
        return payload[:middle] + b"\xff\xfe\xc3\x28" + payload[middle:]
    if fault.kind in ("truncate", "cut"):
        return payload[: int(len(payload) * fault.keep)]
    if fault.kind == "empty-object":
        return b"{}"
    return payload


def _send(
    handler: BaseHTTPRequestHandler,
    answer: http.client.HTTPResponse,
    payload: bytes,
    promised: int | None = None,
) -> None:
    handler.send_response(answer.status, answer.reason)
    for name, value in answer.getheaders():
        if name.lower() not in _HOP_HEADERS:
            handler.send_header(name, value)
    handler.send_header("Content-Length", str(promised if promised is not None else len(payload)))
    handler.end_headers()
    handler.wfile.write(payload)
    handler.wfile.flush()


def _stream(
    handler: BaseHTTPRequestHandler, answer: http.client.HTTPResponse, fault: Fault | None
) -> None:
    """Relay a body of unknown length chunk by chunk; a "cut" fault hangs up part-way."""
    handler.send_response(answer.status, answer.reason)
    for name, value in answer.getheaders():
        if name.lower() not in _HOP_HEADERS:
            handler.send_header(name, value)
    handler.send_header("Transfer-Encoding", "chunked")
    handler.end_headers()
    budget = 4096 if fault is not None else None  # "cut": this many bytes, then the line drops
    sent = 0
    while True:
        chunk = answer.read1(65536)
        if not chunk:
            break
        if budget is not None and sent + len(chunk) > budget:
            chunk = chunk[: max(budget - sent, 1)]
            handler.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            handler.wfile.flush()
            _reset(handler)
            return
        handler.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        handler.wfile.flush()
        sent += len(chunk)
    handler.wfile.write(b"0\r\n\r\n")
    handler.wfile.flush()


def _answer_instead(handler: BaseHTTPRequestHandler, fault: Fault) -> None:
    if fault.kind == "html":
        status, payload, kind = 500, HTML_PAGE, "text/html"
    elif fault.kind == "throttle":
        status, kind = 400, "application/x-amz-json-1.1"
        payload = json.dumps({"__type": "ThrottlingException", "message": "Rate exceeded"}).encode()
    else:
        status, kind = fault.status, "application/x-amz-json-1.1"
        code = _ERROR_CODES.get(fault.status, "InternalFailure")
        payload = json.dumps({"__type": code, "message": "injected by the fault proxy"}).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", kind)
    handler.send_header("Content-Length", str(len(payload)))
    handler.end_headers()
    handler.wfile.write(payload)
    handler.wfile.flush()


def _reset(handler: BaseHTTPRequestHandler) -> None:
    """Hang up with a TCP reset (SO_LINGER 0), as a dropped connection does."""
    handler.close_connection = True
    sock = handler.connection
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()
    except OSError:
        pass
