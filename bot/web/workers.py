"""`wegwijs serve [--workers N]`: the web application in one process, or in N uvicorn workers.

With N workers the parent process first does what must happen once: it migrates the database
and registers the webhook and the command menu with Telegram. Then it binds the port and starts
N workers (uvicorn's supervisor restarts one that dies); each worker builds its own App without
migrating (`migrate=False`) and without registering (TELEGRAM_REGISTER=0). All state is in the
database, so it does not matter which worker gets which request; see docs/operations.md.

Metrics of all workers are added up through PROMETHEUS_MULTIPROC_DIR (a fresh temporary folder
unless it is set), which the parent empties before the workers start.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot import runtime
from bot.observability import multiprocess
from bot.observability.context import ASGIApp, Receive, RequestIdMiddleware, Scope, Send
from bot.settings import Settings

if TYPE_CHECKING:
    # Not at run time: bot.app brings the metrics, which must not exist before serve() has
    # prepared their folder.
    from starlette.applications import Starlette

    from bot.app import App
    from bot.clock import Clock

log = logging.getLogger(__name__)
WORKER_APP = "bot.web.workers:worker_app"


async def web_app(app: App, settings: Settings) -> Starlette:
    """The web application of one process: every component plus /readyz and /metrics."""
    from bot.observability import web
    from bot.web.app import build_components, create_app

    components = await build_components(app, settings)
    # First, so no catch-all route of another component (the dashboard's) hides them.
    components.insert(0, await web.component(app, settings))
    return create_app(components)


def serve(settings: Settings, workers: int, *, clock: Clock | None = None) -> None:
    """Serve until stopped. `clock` (one process only) lets a test run the real server at a
    chosen moment, so what it offers and sends does not depend on the hour it runs at."""
    if clock is not None and workers > 1:
        raise ValueError("a clock can only be given to a single-process server")
    # Before any metric exists in this process (this module imports them lazily for that).
    folder = multiprocess.multiprocess_dir()
    if workers <= 1:
        if folder is not None:
            multiprocess.prepare(folder)
        runtime.run(_serve_here(settings, clock))
        return
    if settings.telegram_bot_token and not settings.webhook_secret:
        # Each worker would make up its own secret (and its own secret path).
        raise SystemExit("WEBHOOK_SECRET must be set when serving with several workers")
    # Inherited by the workers (spawned, so they import prometheus_client afresh).
    multiprocess.prepare(folder or Path(tempfile.mkdtemp(prefix="wegwijs-metrics-")))
    asyncio.run(prepare(settings))
    os.environ["TELEGRAM_REGISTER"] = "0"
    _supervise(settings, workers)


async def _serve_here(settings: Settings, clock: Clock | None) -> None:
    from bot.app import build_app
    from bot.web.server import serve as run

    app = await build_app(settings, clock=clock)
    try:
        asgi = RequestIdMiddleware(await web_app(app, settings))
        await run(asgi, host=settings.host, port=settings.port)
    finally:
        await app.close()


async def prepare(settings: Settings) -> None:
    """Once per start, before any worker: migrate; register the webhook and command menu."""
    from bot.app import build_app

    app = await build_app(settings)  # migrates
    try:
        if settings.telegram_bot_token and settings.webhook_url and settings.telegram_register:
            from bot.channels.telegram.webhook import TelegramWebhook

            await TelegramWebhook(app, settings).register()
            log.info("webhook and command menu registered for all workers")
    finally:
        await app.close()


def _supervise(settings: Settings, workers: int) -> None:
    from uvicorn.supervisors import Multiprocess

    from bot.web.server import config

    # Each worker's loop is set up by uvicorn: the same choice as runtime.run's.
    options = config(
        WORKER_APP, host=settings.host, port=settings.port, factory=True, loop=runtime.loop_name()
    )
    options.workers = workers
    Multiprocess(options, sockets=[options.bind_socket()]).run()


def worker_app() -> ASGIApp:
    """uvicorn's factory in each worker process: settings from the environment, like the parent."""
    from bot.logs import setup_logging

    settings = Settings.from_env()
    setup_logging(settings.log_level, settings.log_json)
    return RequestIdMiddleware(WorkerApp(settings))


class WorkerApp:
    """Builds the App and the web application when the worker's lifespan starts (an App holds
    connections of this process's event loop), then hands every request to it."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._inner: Any = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if self._inner is None:  # a request before start-up finished: uvicorn does not send one
            raise RuntimeError("the worker has not started")
        await self._inner(scope, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        await receive()  # lifespan.startup
        stack = contextlib.AsyncExitStack()
        try:
            self._inner = await stack.enter_async_context(self._running())
        except Exception as error:
            log.exception("worker start-up failed")
            await stack.aclose()
            await send({"type": "lifespan.startup.failed", "message": repr(error)})
            return
        await send({"type": "lifespan.startup.complete"})
        await receive()  # lifespan.shutdown
        try:
            await stack.aclose()
        finally:
            from bot.observability import metrics

            metrics.mark_process_dead(os.getpid())
            await send({"type": "lifespan.shutdown.complete"})

    @contextlib.asynccontextmanager
    async def _running(self) -> AsyncIterator[Starlette]:
        from bot.app import build_app

        app = await build_app(self.settings, migrate=False)
        try:
            inner = await web_app(app, self.settings)
            # Start and stop the components (webhook, reminder and purge loops) as Starlette
            # does in a single process.
            async with inner.router.lifespan_context(inner):
                yield inner
        finally:
            await app.close()
