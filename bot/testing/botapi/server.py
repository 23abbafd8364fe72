"""The ASGI app serving /bot<token>/<method> and /file/bot<token>/<path>, and its uvicorn runner."""

from __future__ import annotations

import asyncio
import contextlib
import re
import socket
import time
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Any, Self

import uvicorn
from starlette.types import Receive, Scope, Send

from .backend import Backend
from .client import Participant
from .control import PREFIX, ParticipantEndpoint
from .errors import NOT_FOUND, UNAUTHORIZED, BotApiError
from .faults import CallLog, Faults
from .methods import call, encode
from .params import read_params

DEFAULT_TOKEN = "123456789:TEST-wegwijs-token"
_TOKEN_SHAPE = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
_JSON = b"application/json"


class BotApiApp:
    """A bare ASGI app: the hot path is one dict lookup and a handler, no router or middleware."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self._bot_prefix = f"/bot{backend.token}/"
        self._file_prefix = f"/file/bot{backend.token}/"
        # Optional extra endpoints (the remote participant API); path prefix -> ASGI app.
        self.mounts: dict[str, Callable[[Scope, Receive, Send], object]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        path: str = scope["path"]
        if path.startswith(self._bot_prefix):
            method = path[len(self._bot_prefix) :]
            try:
                params = await read_params(scope, receive)
            except BotApiError as error:
                await _respond(send, error.error_code, encode(error.payload()), _JSON)
                return
            status, body, content_type = await call(self.backend, method, params)
            await _respond(send, status, body, content_type)
        elif path.startswith(self._file_prefix):
            stored = self.backend.state.files_by_path.get(path[len(self._file_prefix) :])
            if stored is None:
                await _respond(send, 404, encode(NOT_FOUND.payload()), _JSON)
            else:
                mime = (stored.mime_type or "application/octet-stream").encode()
                await _respond(send, 200, stored.content, mime)
        elif path.startswith("/bot"):
            # Telegram: 401 for a well-formed but wrong token, 404 for anything else.
            token = path[4:].split("/", 1)[0]
            wrong = UNAUTHORIZED if _TOKEN_SHAPE.match(token) else NOT_FOUND
            await _respond(send, wrong.error_code, encode(wrong.payload()), _JSON)
        else:
            for prefix, app in self.mounts.items():
                if path.startswith(prefix):
                    await app(scope, receive, send)  # type: ignore[misc]
                    return
            await _respond(send, 404, encode(NOT_FOUND.payload()), _JSON)


async def _respond(send: Send, status: int, body: bytes, content_type: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", content_type), (b"content-length", b"%d" % len(body))],
        }
    )
    await send({"type": "http.response.body", "body": body})


class _InProcessServer(uvicorn.Server):
    """uvicorn without its signal handlers (the test process keeps Ctrl-C) and with a stop that
    takes effect at once instead of at the next 0.1 s tick, which keeps fixtures fast."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self._exit_requested = asyncio.Event()

    def request_exit(self) -> None:
        self.should_exit = True
        self._exit_requested.set()

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        # uvicorn's own shutdown sleeps in 0.1 s steps; in tests every fixture pays for that.
        for server in self.servers:
            server.close()
        for connection in list(self.server_state.connections):
            connection.shutdown()
        state = self.server_state
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (self.config.timeout_graceful_shutdown or 2)
        # uvicorn offers no event for "all connections closed", so look often for a moment.
        while (state.connections or state.tasks) and loop.time() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.002)
        for task in list(state.tasks):
            task.cancel()
        for server in self.servers:
            await server.wait_closed()

    async def main_loop(self) -> None:
        counter = 0
        should_exit = await self.on_tick(counter)
        while not should_exit:
            counter = (counter + 1) % 864000
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._exit_requested.wait(), 0.1)
            should_exit = await self.on_tick(counter)


def uvicorn_config(app: BotApiApp, **kwargs: object) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        lifespan="off",
        access_log=False,
        log_config=None,  # leave the host process's logging alone
        log_level="warning",
        timeout_graceful_shutdown=2,
        backlog=2048,
        # Less per-request work: no proxy header rewriting, no Server/Date headers.
        proxy_headers=False,
        server_header=False,
        date_header=False,
        **kwargs,  # type: ignore[arg-type]
    )


class LoopbackServer:
    """Any ASGI app served by uvicorn on 127.0.0.1 inside the running event loop.

    Handy beside BotApiServer for a bot's webhook receiver in tests:
    `async with LoopbackServer(app) as receiver: receiver.url`.
    """

    def __init__(self, app: Any, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = app
        self.host = host
        self.port = port
        self._server: _InProcessServer | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def start(self) -> None:
        # proto=IPPROTO_TCP matters: asyncio only sets TCP_NODELAY on accepted sockets whose
        # proto says TCP, and without it every response stalls ~40 ms on delayed ACKs.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind((self.host, self.port))
        sock.listen(2048)
        sock.setblocking(False)
        self.port = sock.getsockname()[1]
        self._server = _InProcessServer(uvicorn_config(self.app))
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]))
        # Startup takes a few event-loop turns; yield until uvicorn says it is listening.
        while not self._server.started:
            if self._task.done():
                self._task.result()
                raise RuntimeError("the server stopped during startup")
            await asyncio.sleep(0.001)

    async def stop(self) -> None:
        if self._server is not None and self._task is not None:
            self._server.request_exit()
            await self._task
        self._server = None
        self._task = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()


class BotApiServer(LoopbackServer):
    """A fake Telegram Bot API on 127.0.0.1 for one bot token, run inside the current event loop.

    Use `async with BotApiServer() as server:` and point PTB at `server.base_url` and
    `server.base_file_url`. `server.participant` plays the people, `server.faults` injects
    failures and `server.calls` records every request.
    """

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Callable[[], float] = time.time,
        webhook_retry_delay: float = 0.05,
    ) -> None:
        self.token = token
        self.backend = Backend(token, clock=clock, webhook_retry_delay=webhook_retry_delay)
        self.bot_api = BotApiApp(self.backend)
        super().__init__(self.bot_api, host=host, port=port)
        self.participant = Participant(self.backend)
        # The participant API over HTTP, for a bot or benchmark in another process.
        self.bot_api.mounts[PREFIX] = ParticipantEndpoint(self.backend, self.participant)

    @property
    def faults(self) -> Faults:
        return self.backend.faults

    @property
    def calls(self) -> CallLog:
        return self.backend.calls

    @property
    def base_url(self) -> str:
        """For `Bot(base_url=...)` / `ApplicationBuilder().base_url(...)`."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.url}/file/bot"

    async def stop(self) -> None:
        # Release long polls and hanging calls first, so uvicorn's shutdown does not wait on them.
        await self.backend.close()
        await super().stop()
