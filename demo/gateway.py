"""The world's AWS endpoint: a thin HTTP gateway in front of moto's server.

Requests for operations moto lacks (or answers differently from AWS) are served by
routes keyed on the ``X-Amz-Target`` header (JSON protocols) or on the method and
path (REST protocols such as Lambda's); everything else is forwarded to moto byte
for byte. The region and service come from the SigV4 credential scope.
"""

from __future__ import annotations

import http.client
import json
import logging
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol

_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/([a-z0-9-]+)/([a-z0-9-]+)/aws4_request")
_HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-connection",
    "transfer-encoding",
    "te",
    "upgrade",
    "expect",
    "content-length",
    "trailer",
}


@dataclass
class Call:
    """One AWS API request as received by the gateway."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    service: str
    region: str
    target: str | None

    def json(self) -> dict[str, Any]:
        """The JSON body of a JSON-protocol request."""
        if not self.body:
            return {}
        data = json.loads(self.body)
        return data if isinstance(data, dict) else {}


@dataclass
class Reply:
    """An HTTP answer."""

    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, data: Any, status: int = 200) -> Reply:
        """A JSON-protocol answer (AWS JSON 1.1)."""
        body = json.dumps(data, default=str).encode()
        return cls(status, body, {"Content-Type": "application/x-amz-json-1.1"})

    @classmethod
    def error(cls, code: str, message: str, status: int = 400) -> Reply:
        """A JSON-protocol error as AWS sends it."""
        reply = cls.json({"__type": code, "message": message, "Message": message}, status)
        reply.headers["x-amzn-ErrorType"] = code
        return reply

    def data(self) -> dict[str, Any]:
        """The JSON payload of this answer ({} when it is not JSON)."""
        try:
            parsed = json.loads(self.body or b"{}")
        except ValueError:
            return {}
        return parsed if isinstance(parsed, dict) else {}


class Pager(Protocol):
    """Answers list calls a page at a time (``demo.paging.Pager``)."""

    def forward(self, call: Call, upstream: Callable[[Call], Reply]) -> Callable[[Call], Reply]:
        """The forward to use for ``call``."""
        ...


class ApiError(Exception):
    """Raised by a route to answer with an AWS error."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


log = logging.getLogger(__name__)
GATE_TIMEOUT_SECONDS = 120.0
Forward = Callable[[Call], Reply]
Route = Callable[[Call, Forward], Reply]
# A hook sees every call first and may answer it instead of the route or moto. Fault
# injection plugs in here, e.g. ThrottlingException for 10 % of CodeBuild calls:
#   gateway.hooks.append(lambda call: Reply.error("ThrottlingException", "Rate exceeded")
#                        if call.service == "codebuild" and random.random() < 0.1 else None)
Hook = Callable[[Call], Reply | None]


class Upstream:
    """Forwards calls to moto's server."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port

    def __call__(self, call: Call) -> Reply:
        """Send ``call`` to moto unchanged and return its answer."""
        headers = {k: v for k, v in call.headers.items() if k.lower() not in _HOP_BY_HOP}
        headers["Content-Length"] = str(len(call.body))
        conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        try:
            conn.request(call.method, call.path, body=call.body or None, headers=headers)
            response = conn.getresponse()
            body = response.read()
            kept = {k: v for k, v in response.getheaders() if k.lower() not in _HOP_BY_HOP}
            if call.method == "HEAD":
                # No body came back, so keep the length moto announced for it.
                kept["Content-Length"] = response.getheader("Content-Length") or "0"
            return Reply(response.status, body, kept)
        finally:
            conn.close()


class Gateway:
    """The HTTP server in front of moto, with routes for what the world adds."""

    def __init__(self, upstream: Upstream, host: str = "127.0.0.1", port: int = 0) -> None:
        self.upstream = upstream
        self.routes: dict[str, Route] = {}
        self.path_routes: list[tuple[str, str, re.Pattern[str], Route]] = []
        self.hooks: list[Hook] = []
        # List calls are answered a page at a time, as AWS does (demo.paging).
        self.pager: Pager | None = None
        # Calls to a service wait while its gate is closed (the world is still seeding it).
        self.gates: dict[str, threading.Event] = {}
        # Another account of the world (demo.accounts): which one signed a call, by its
        # Authorization header, and the routes that may serve it (the rest model the
        # world's own account, so moto answers the other account's calls itself).
        self.other_account: Callable[[str], str | None] | None = None
        self.shared_routes: Callable[[str | None], bool] = lambda target: False
        self.other_answer: Callable[[str | None], Any] = lambda target: None
        self.own_account: str | None = None  # named on the world's own calls, with others
        gateway = self

        class Handler(_Handler):
            owner = gateway

        self._host = host
        self._server = ThreadingHTTPServer((host, port), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.25},
            name="aws-gateway",
            daemon=True,
        )

    @property
    def url(self) -> str:
        """Base URL clients use as ``endpoint_url``."""
        port = self._server.server_address[1]
        return f"http://{self._host}:{port}"

    def add_routes(self, routes: dict[str, Route]) -> None:
        """Serve these ``X-Amz-Target`` operations instead of forwarding them."""
        self.routes.update(routes)

    def add_path_route(self, service: str, method: str, path: str, route: Route) -> None:
        """Serve ``method`` calls of ``service`` whose path matches the regex ``path``."""
        self.path_routes.append((service, method, re.compile(path), route))

    def _route(self, call: Call) -> Route | None:
        if call.target:
            return self.routes.get(call.target)
        for service, method, path, route in self.path_routes:
            if (call.service, call.method) == (service, method) and path.match(call.path):
                return route
        return None

    def start(self) -> None:
        """Start serving in a background thread."""
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._server.shutdown()
        self._server.server_close()

    def dispatch(self, call: Call) -> Reply:
        """Answer one call: hooks first, then a route, else moto."""
        gate = self.gates.get(call.service)
        if gate is not None and not gate.wait(GATE_TIMEOUT_SECONDS):
            return Reply.error("ServiceUnavailableException", "the world is still starting", 503)
        account = (
            self.other_account(call.headers.get("Authorization", ""))
            if (self.other_account is not None)
            else None
        )
        if account is not None:
            return self._other(call, account)
        if self.own_account is not None:
            call.headers["x-moto-account-id"] = self.own_account
        for hook in self.hooks:
            reply = hook(call)
            if reply is not None:
                return reply
        route = self._route(call)
        try:
            forward = self.pager.forward(call, self.upstream) if self.pager else self.upstream
            if route is None:
                return forward(call)
            return route(call, forward)
        except ApiError as err:
            return Reply.error(err.code, err.message, err.status)
        except (ValueError, KeyError, TypeError) as err:
            # A malformed request body: AWS answers with a validation error, so do we.
            return Reply.error("ValidationException", f"Invalid request: {err}")
        except Exception as err:  # a fault of the world itself: logged, answered as AWS would
            log.exception("gateway: %s failed", call.target)
            return Reply.error("InternalFailure", f"the demo world failed: {err}", 500)

    def _other(self, call: Call, account: str) -> Reply:
        """A call of another account: moto answers as that account; shared routes only."""
        call.headers["x-moto-account-id"] = account
        answer = self.other_answer(call.target)
        if answer is not None:
            return Reply.json(answer)
        shared = call.target is not None and self.shared_routes(call.target)
        route = self.routes.get(call.target) if call.target is not None and shared else None
        try:
            forward = self.pager.forward(call, self.upstream) if self.pager else self.upstream
            return forward(call) if route is None else route(call, forward)
        except ApiError as err:
            return Reply.error(err.code, err.message, err.status)
        except (ValueError, KeyError, TypeError) as err:
            return Reply.error("ValidationException", f"Invalid request: {err}")


class _Handler(BaseHTTPRequestHandler):
    """Keep-alive request handler; speed matters, the console polls."""

    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; with Nagle on, the second waits for
    # the client's delayed ACK (~40 ms a call on a kept-alive connection).
    disable_nagle_algorithm = True
    owner: Gateway

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers carry nothing the world needs
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _handle(self) -> None:
        body = self._read_body()
        scope = _SCOPE.search(self.headers.get("Authorization", ""))
        call = Call(
            method=self.command,
            path=self.path,
            headers={k: v for k, v in self.headers.items()},
            body=body,
            region=scope.group(1) if scope else "us-east-1",
            service=scope.group(2) if scope else "",
            target=self.headers.get("X-Amz-Target"),
        )
        reply = self.owner.dispatch(call)
        self.send_response(reply.status)
        for key, value in reply.headers.items():
            if key.lower() not in _HOP_BY_HOP and key.lower() not in ("server", "date"):
                self.send_header(key, value)
        if self.command == "HEAD":
            # No body, but the length of the one a GET would return (moto announced it).
            payload, length = b"", reply.headers.get("Content-Length", "0")
        else:
            payload, length = reply.body, str(len(reply.body))
        self.send_header("Content-Length", length)
        self.end_headers()
        if payload:
            self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = _handle

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the per-request access log (the console polls constantly)."""
