"""A real HTTP front for an AWS endpoint that refuses, drops or garbles the calls of chosen regions.

Tests point ``AWS_ENDPOINT_URL`` here to see one region fail (access denied, a
connection that dies, or an answer our code cannot make sense of) while the
others are forwarded, untouched, to moto or the demo world. The region is read
from the SigV4 credential scope.
"""

from __future__ import annotations

import http.client
import json
import re
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/([a-z0-9-]+)/")

Rewrite = Callable[[str, bytes], bytes]
"""(operation, e.g. ``AmazonEC2ContainerRegistry_V20150921.DescribeImages``, answer) -> answer."""


class RegionGate:
    """Forward to ``upstream``, except regions in ``denied`` (403) and ``dropped`` (no answer).

    A region in ``rewrites`` gets the upstream answer passed through its rewrite first.
    """

    def __init__(self, upstream: str) -> None:
        parts = urlsplit(upstream)
        self.upstream_host = parts.hostname or "127.0.0.1"
        self.upstream_port = parts.port or 80
        self.denied: set[str] = set()
        self.dropped: set[str] = set()
        self.rewrites: dict[str, Rewrite] = {}
        gate = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # no 40 ms delayed-ACK stall on kept-alive calls

            def _relay(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                found = _SCOPE.search(self.headers.get("Authorization", ""))
                region = found.group(1) if found else ""
                if region in gate.dropped:
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                if region in gate.denied:
                    payload = json.dumps(
                        {
                            "__type": "AccessDeniedException",
                            "message": f"User is not authorized to call this in {region}",
                        }
                    ).encode()
                    self.send_response(403)
                    self.send_header("Content-Type", "application/x-amz-json-1.1")
                    self.send_header("x-amzn-ErrorType", "AccessDeniedException")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                upstream = http.client.HTTPConnection(
                    gate.upstream_host, gate.upstream_port, timeout=30
                )
                headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
                headers["Host"] = f"{gate.upstream_host}:{gate.upstream_port}"
                upstream.request(self.command, self.path, body=body, headers=headers)
                answer = upstream.getresponse()
                data = answer.read()
                rewrite = gate.rewrites.get(region)
                if rewrite is not None:
                    data = rewrite(self.headers.get("X-Amz-Target", ""), data)
                self.send_response(answer.status, answer.reason)
                for key, value in answer.getheaders():
                    if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                upstream.close()

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _relay

            def log_message(self, format: str, *args: object) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """The gate's endpoint URL."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> None:
        """Serve in a background thread."""
        self._thread.start()

    def stop(self) -> None:
        """Stop serving."""
        self._server.shutdown()
        self._server.server_close()
