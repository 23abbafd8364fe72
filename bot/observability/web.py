"""/readyz and /metrics: a web-app component of `wegwijs serve` (beside /healthz).

- /healthz (bot/web/app.py): the process is up. For the container's liveness check.
- /readyz: this worker can serve: the database answers and has the schema this code expects,
  and the content is loaded. Rasa and the translator are reported, never required (the
  built-in interpreter and "show the original" take over). 200 or 503, JSON either way.
- /metrics: Prometheus text format, summed over all workers (see metrics.py); with
  METRICS_TOKEN set it wants `Authorization: Bearer <token>`.
"""

from __future__ import annotations

import asyncio
import hmac
from collections.abc import Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.app import App
from bot.language.status import rasa_status, translator_status
from bot.observability import metrics
from bot.settings import Settings
from bot.store.health import database_status, expected_revision


class Operations:
    name = "operations"

    def __init__(self, app: App, settings: Settings) -> None:
        self.app = app
        self.metrics_token = settings.metrics_token
        self.expected = expected_revision(app.db)

    @property
    def routes(self) -> Sequence[BaseRoute]:
        return [
            Route("/readyz", self.readyz, methods=["GET"]),
            Route("/metrics", self.metrics, methods=["GET"]),
        ]

    async def start(self) -> None:
        pass

    async def stop(self) -> None:
        pass

    async def readiness(self) -> dict[str, Any]:
        database, rasa, translator = await asyncio.gather(
            database_status(self.app.db, self.expected),
            rasa_status(self.app.assistant.interpreter),
            translator_status(self.app.assistant.translator),
        )
        content = self.app.content
        ready = database["status"] == "ok" and bool(content.tasks)
        return {
            "status": "ready" if ready else "not_ready",
            "database": database,
            "content": {
                "tasks": len(content.tasks),
                "languages": [language.code for language in content.languages.languages],
            },
            "rasa": rasa,
            "translator": translator,
        }

    async def readyz(self, _: Request) -> JSONResponse:
        report = await self.readiness()
        return JSONResponse(report, status_code=200 if report["status"] == "ready" else 503)

    async def metrics(self, request: Request) -> Response:
        if self.metrics_token:
            given = request.headers.get("authorization", "")
            expected = f"Bearer {self.metrics_token}"
            if not hmac.compare_digest(given.encode(), expected.encode()):
                return Response(status_code=401, headers={"WWW-Authenticate": "Bearer"})
        return Response(metrics.render(), media_type=metrics.CONTENT_TYPE)


async def component(app: App, settings: Settings) -> Operations:
    return Operations(app, settings)
