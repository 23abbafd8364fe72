"""A tiny HTTP server on 127.0.0.1 for speaking an outside service's protocol in tests.

It runs in its own thread (so the synchronous deep-translator classes and async httpx clients can
both talk to it), records every request, and answers with a function the test provides.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    def form(self) -> dict[str, list[str]]:
        return parse_qs(self.body.decode("utf-8"))


@dataclass
class Response:
    status: int = 200
    body: bytes | str | Any = b""
    content_type: str = "application/json"

    def encoded(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode("utf-8")
        return json.dumps(self.body, ensure_ascii=False).encode("utf-8")


Handler = Callable[[Request], Response]


@dataclass
class Loopback:
    url: str
    requests: list[Request] = field(default_factory=list)
    handler: Handler = lambda request: Response(404, {"error": "not found"})

    def answer(self, handler: Handler) -> None:
        self.handler = handler


@contextmanager
def serve(handler: Handler | None = None) -> Iterator[Loopback]:
    """Start a server on a free port of 127.0.0.1; stopped when the block ends."""
    loopback = Loopback(url="")
    if handler is not None:
        loopback.handler = handler

    class _Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _handle(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            request = Request(
                method=self.command,
                path=parts.path,
                query=parse_qs(parts.query),
                headers={k.lower(): v for k, v in self.headers.items()},
                body=self.rfile.read(length) if length else b"",
            )
            loopback.requests.append(request)
            response = loopback.handler(request)
            payload = response.encoded()
            try:
                self.send_response(response.status)
                self.send_header("Content-Type", response.content_type)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting (a timeout test): nothing to answer

        do_GET = do_POST = _handle

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    loopback.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield loopback
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
