"""PTB's HTTP requests to the Bot API over a small keep-alive HTTP/1.1 client of our own.

Measured in `wegwijs bench --only e2e`: with PTB's HTTPXRequest about half of the bot's CPU went
into httpx/httpcore for the three or four Bot API calls of a turn (the pool looks over every
connection for each request, the anyio stream builds its attributes for each look, headers and
body go out in two writes, parameters are form-encoded). Here a request is one write of a JSON
body on a pooled connection and the answer is parsed by httptools (uvicorn's C parser).

What it does not do goes to PTB's own HTTPXRequest: uploads (multipart, rare) and proxies (when
HTTP(S)_PROXY or ALL_PROXY is set; see `telegram_request`).
"""

from __future__ import annotations

import asyncio
import json
import select
import ssl
import time
import urllib.request
from collections.abc import Callable
from typing import Any, cast
from urllib.parse import urlsplit

import httptools
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, HTTPXRequest, RequestData

KEEPALIVE_EXPIRY = 5.0
"""Seconds an idle connection is kept (httpx's default): older ones may have been closed by the
server, and a request sent into a closing connection fails."""

_Origin = tuple[bool, str, int]


class _Connection(asyncio.Protocol):
    """One HTTP/1.1 connection; one request at a time."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self.idle_since = 0.0
        self._parser = httptools.HttpResponseParser(self)
        self._waiter: asyncio.Future[tuple[int, bytes]] | None = None
        self._body: list[bytes] = []
        self._keep_alive = True
        self._delimited = True
        """The answer has a Content-Length or is chunked (else it ends when the server closes)."""

    # -- asyncio.Protocol ---------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # A stream transport; not an asyncio.Transport subclass under uvloop (which uvicorn
        # picks by itself when it is installed), so no isinstance check here.
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        if self._waiter is None:
            self.close()  # nothing was asked: the connection is not in a known state
            return
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserError as error:
            self._fail(NetworkError(f"Invalid HTTP response from the Bot API: {error}"))
            self.close()

    def eof_received(self) -> bool | None:
        self.closed = True  # the server is done with this connection: never reuse it
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if not self._delimited and self._waiter is not None and exc is None:
            # An answer without a length ends where the connection does (RFC 9112, 6.3).
            self._keep_alive = False
            self._complete(self._parser.get_status_code())
            return
        self._fail(NetworkError("Server disconnected without sending a response."))

    # -- httptools callbacks ------------------------------------------------------------------
    def on_header(self, name: bytes, value: bytes) -> None:
        if name.lower() in (b"content-length", b"transfer-encoding"):
            self._delimited = True

    def on_headers_complete(self) -> None:
        if not self._delimited:
            self._keep_alive = False

    def on_body(self, body: bytes) -> None:
        self._body.append(body)

    def on_message_begin(self) -> None:
        self._delimited = False
        self._body = []

    def on_message_complete(self) -> None:
        status = self._parser.get_status_code()
        if 100 <= status < 200 and status != 101:
            return  # an interim answer (100 Continue): the real one follows on this request
        self._keep_alive = self._parser.should_keep_alive()
        self._delimited = True
        self._complete(status)

    def _complete(self, status: int) -> None:
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result((status, b"".join(self._body)))
        self._body = []

    # -- use ----------------------------------------------------------------------------------
    async def exchange(self, data: bytes, seconds: float | None) -> tuple[int, bytes]:
        """Send one request (a single write) and wait at most `seconds` for its answer."""
        assert self.transport is not None
        waiter = self._waiter = asyncio.get_running_loop().create_future()
        self._body = []
        self.transport.write(data)
        async with asyncio.timeout(seconds):
            return await waiter

    @property
    def reusable(self) -> bool:
        return not self.closed and self._keep_alive and self._waiter is None

    def still_open(self) -> bool:
        """Reusable, and the server has not closed it meanwhile: a FIN (or anything else) may
        be waiting unread on an idle socket before the loop has told us (httpcore checks the
        same). Writing into such a connection would fail the request."""
        if not self.reusable or self.transport is None or self.transport.is_closing():
            return False
        sock = self.transport.get_extra_info("socket")
        if sock is None:
            return True
        try:
            readable, _, _ = select.select([sock], [], [], 0)
        except (OSError, ValueError):
            return False
        return not readable

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()

    def _fail(self, error: Exception) -> None:
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_exception(error)


class BotApiRequest(BaseRequest):
    """A `telegram.request.BaseRequest` with at most `pool_size` connections at once."""

    def __init__(
        self,
        pool_size: int = 8,
        *,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._pool_size = pool_size
        self._clock = clock
        self._slots = asyncio.Semaphore(pool_size)
        self._idle: dict[_Origin, list[_Connection]] = {}
        self._tls: ssl.SSLContext | None = None
        self._shut = False
        """After shutdown() a request still under way closes its connection when it is done."""
        # Uploads (multipart bodies) are rare: PTB's own client does them.
        self._uploads = HTTPXRequest(
            connection_pool_size=min(pool_size, 4),
            read_timeout=read_timeout,
            write_timeout=write_timeout,
            connect_timeout=connect_timeout,
            pool_timeout=pool_timeout,
            media_write_timeout=media_write_timeout,
        )

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    @property
    def idle_connections(self) -> int:
        """Open connections waiting for the next request."""
        return sum(not c.closed for idle in self._idle.values() for c in idle)

    async def initialize(self) -> None:
        self._shut = False
        await self._uploads.initialize()

    async def shutdown(self) -> None:
        self._shut = True
        for connections in self._idle.values():
            for connection in connections:
                connection.close()
        self._idle.clear()
        await self._uploads.shutdown()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if request_data is not None and request_data.contains_files:
            return await self._uploads.do_request(
                url,
                method,
                request_data,
                read_timeout,
                write_timeout,
                connect_timeout,
                pool_timeout,
            )
        read = _given(read_timeout, self._read_timeout)
        write = _given(write_timeout, self._write_timeout)
        origin, data = self._message(url, method, request_data)
        try:
            async with asyncio.timeout(_given(pool_timeout, self._pool_timeout)):
                await self._slots.acquire()
        except TimeoutError:
            raise TimedOut(
                "Pool timeout: All connections in the connection pool are occupied. "
                "Request was *not* sent to Telegram."
            ) from None
        connection: _Connection | None = None
        try:
            connection = await self._connection(
                origin, _given(connect_timeout, self._connect_timeout)
            )
            timeout = None if read is None else read + (write or 0.0)
            try:
                status, body = await connection.exchange(data, timeout)
            except TimeoutError:
                raise TimedOut() from None
            if connection.reusable and not self._shut:
                connection.idle_since = self._clock()
                self._idle.setdefault(origin, []).append(connection)
                connection = None
            return status, body
        finally:
            if connection is not None:
                connection.close()  # failed or cancelled half-way: its state is unknown
            self._slots.release()

    def _message(
        self, url: str, method: str, request_data: RequestData | None
    ) -> tuple[_Origin, bytes]:
        tls, host, port, netloc, target = _split(url)
        head = f"{method} {target} HTTP/1.1\r\nHost: {netloc}\r\nUser-Agent: {self.USER_AGENT}\r\n"
        if request_data is None:
            return (tls, host, port), (head + "\r\n").encode()
        # Native JSON values (a keyboard is an object, not a JSON string in a form field).
        body = json.dumps(request_data.parameters, separators=(",", ":")).encode()
        head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        return (tls, host, port), head.encode() + body

    async def _connection(self, origin: _Origin, seconds: float | None) -> _Connection:
        idle = self._idle.get(origin)
        now = self._clock()
        while idle:
            connection = idle.pop()  # the most recently used: least likely closed by the server
            if now - connection.idle_since < KEEPALIVE_EXPIRY and connection.still_open():
                return connection
            connection.close()
        tls, host, port = origin
        context = self._context() if tls else None
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(seconds):
                _, connection = await loop.create_connection(
                    _Connection,
                    host,
                    port,
                    ssl=context,
                    server_hostname=host if tls else None,
                    **_happy_eyeballs(loop),
                )
        except TimeoutError:
            raise TimedOut("Connect timeout") from None
        except OSError as error:
            raise NetworkError(f"Could not connect to the Bot API: {error}") from error
        return connection

    def _context(self) -> ssl.SSLContext:
        if self._tls is None:
            import certifi  # what httpx trusts too

            self._tls = ssl.create_default_context(cafile=certifi.where())
        return self._tls


def _happy_eyeballs(loop: asyncio.AbstractEventLoop) -> dict[str, Any]:
    """Happy Eyeballs, as httpx does, so a dead IPv6 route does not cost the connect timeout;
    asyncio's own loop has it (uvloop's create_connection takes no such arguments)."""
    if isinstance(loop, asyncio.BaseEventLoop):
        return {"happy_eyeballs_delay": 0.25, "interleave": 1}
    return {}


def _given(value: ODVInput[float], default: float | None) -> float | None:
    return default if isinstance(value, DefaultValue) else value


def _split(url: str) -> tuple[bool, str, int, str, str]:
    """(tls, host to connect to, port, Host header, request target) of an http(s) URL."""
    parts = urlsplit(url)
    tls = parts.scheme == "https"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise NetworkError(f"Not an http(s) URL: {parts.scheme}://{parts.hostname}")
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    netloc = parts.netloc.rpartition("@")[2]
    return tls, parts.hostname, parts.port or (443 if tls else 80), netloc, target


def proxy_configured() -> bool:
    """True when the environment names a proxy (httpx, and so PTB's default, would use it)."""
    proxies = urllib.request.getproxies_environment()
    return any(proxies.get(kind) for kind in ("http", "https", "all"))


def telegram_request(pool_size: int, **timeouts: Any) -> BaseRequest:
    """Our client; PTB's own when a proxy is configured (ours does not speak to proxies)."""
    if proxy_configured():
        return HTTPXRequest(connection_pool_size=pool_size, **timeouts)
    return BotApiRequest(pool_size, **timeouts)
