"""The one ASGI application `wegwijs serve` runs: Telegram's webhook, /healthz, and later the
staff dashboard. Each part is a `Component` (routes plus start/stop); add yours to COMPONENTS."""

from __future__ import annotations

import contextlib
import importlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Protocol

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from bot.app import App
from bot.settings import Settings

log = logging.getLogger(__name__)


class Component(Protocol):
    """A part of the web application: its routes, started and stopped with the server."""

    name: str

    @property
    def routes(self) -> Sequence[BaseRoute]: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


ComponentFactory = Callable[[App, Settings], Awaitable["Component | None"]]

COMPONENTS: list[str] = [
    "bot.channels.telegram.webhook:component",
    "bot.privacy.retention:component",
    "bot.web.dashboard:component",
]
"""`module:function` of every component factory; a factory returns None when not configured.
Strings, so this module imports neither PTB nor the dashboard until they are used."""


async def build_components(app: App, settings: Settings) -> list[Component]:
    components: list[Component] = []
    for spec in COMPONENTS:
        module, _, name = spec.partition(":")
        factory: ComponentFactory = getattr(importlib.import_module(module), name)
        component = await factory(app, settings)
        if component is not None:
            components.append(component)
    for component in components:
        # A component that needs another (the dashboard sends through Telegram's notifier)
        # finds it here, once all are built.
        connect = getattr(component, "connect", None)
        if connect is not None:
            connect(components)
    return components


def create_app(components: Sequence[Component] = (), routes: Sequence[BaseRoute] = ()) -> Starlette:
    """Starts the components in order when the server starts, stops them in reverse order."""

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        started: list[Component] = []
        try:
            for component in components:
                await component.start()
                started.append(component)
                log.info("%s started", component.name)
            yield
        finally:
            for component in reversed(started):
                try:
                    await component.stop()
                except Exception:
                    log.exception("%s did not stop cleanly", component.name)

    async def healthz(_: Request) -> JSONResponse:
        return JSONResponse({"status": "ok", "components": [c.name for c in components]})

    all_routes: list[BaseRoute] = [Route("/healthz", healthz, methods=["GET"])]
    for component in components:
        all_routes.extend(component.routes)
    all_routes.extend(routes)
    return Starlette(routes=all_routes, lifespan=lifespan)
