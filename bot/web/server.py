"""Runs the ASGI application with uvicorn: in the foreground (`wegwijs serve`) or beside other
work in the same event loop (the try-it command and tests, on a port chosen before start-up)."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Iterator
from types import TracebackType
from typing import Any, Self

import uvicorn


def config(app: Any, *, host: str, port: int, **overrides: Any) -> uvicorn.Config:
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "lifespan": "on",  # starts and stops the components (the Telegram bot, the dashboard)
        "log_config": None,  # keep our logging set-up
        "access_log": False,  # request lines would carry the secret webhook path
        "proxy_headers": True,
        "timeout_graceful_shutdown": 10,
    }
    options.update(overrides)
    return uvicorn.Config(app, **options)


async def serve(app: Any, *, host: str, port: int) -> None:
    """Until SIGINT or SIGTERM (uvicorn's own signal handling)."""
    await uvicorn.Server(config(app, host=host, port=port)).serve()


def bind(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """A listening socket; with port 0 the system picks a free one (see `getsockname()`)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    sock.listen(1024)
    sock.setblocking(False)
    return sock


class _Background(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield  # the host process keeps its own Ctrl-C handling


class BackgroundServer:
    """`async with BackgroundServer(app, sock):` serves on an already bound socket, lifespan on."""

    def __init__(self, app: Any, sock: socket.socket) -> None:
        host, port = sock.getsockname()[:2]
        self.url = f"http://{host}:{port}"
        self._sock = sock
        self._server = _Background(config(app, host=host, port=port))
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Self:
        self._task = asyncio.create_task(self._server.serve(sockets=[self._sock]))
        while not self._server.started:
            if self._task.done():
                self._task.result()
                raise RuntimeError("the web server stopped during start-up")
            await asyncio.sleep(0.005)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._server.should_exit = True
        if self._task is not None:
            await self._task
