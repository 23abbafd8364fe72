"""The dashboard as a component of `wegwijs serve`: pages for staff, trainers and admins, the
JSON API, and the branch settings laid over libraries.yml (refreshed from the database).

It is mounted into the one ASGI application next to Telegram's webhook (bot/web/app.py), with
its own middleware (security headers) and error pages. Messages to participants go through the
Telegram channel's notifier when the webhook component runs in the same process (`connect`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from bot.app import App
from bot.appointments import overrides
from bot.notify import Notifier
from bot.settings import Settings
from bot.store.audit import AuditLog
from bot.store.branch_settings import BranchSettingsStore
from bot.store.classes import ClassStore
from bot.store.insight import InsightStore
from bot.store.notes import NoteStore
from bot.store.staff_accounts import StaffAccounts
from bot.web.auth import Sessions, load_secret_key
from bot.web.rendering import Templates
from bot.web.security import SecurityHeaders
from bot.web.site import Services, http_error

log = logging.getLogger(__name__)

STATIC = Path(__file__).with_name("static")
MAX_BODY = 256 * 1024
REFRESH_SECONDS = 30.0
"""How often branch settings changed by another process are picked up."""


def dashboard_routes() -> list[BaseRoute]:
    from bot.web import admin, api, insight, login, staff, trainer

    return [
        *login.routes(),
        *staff.routes(),
        *trainer.routes(),
        *insight.routes(),
        *admin.routes(),
        *api.routes(),
    ]


class Dashboard:
    name = "dashboard"

    def __init__(self, app: App, settings: Settings, *, notifier: Notifier | None = None) -> None:
        self.app = app
        self.settings = settings
        self.services = Services(
            app=app,
            settings=settings,
            templates=Templates(),
            accounts=StaffAccounts(app.db),
            audit=AuditLog(app.db),
            classes=ClassStore(app.db),
            notes=NoteStore(app.db),
            branches=BranchSettingsStore(app.db),
            insight=InsightStore(app.db),
        )
        if notifier is not None:
            self.services.notifier = notifier
        self.services.bot_username = self._bot_username
        self.services.after_branch_change = self.reload
        self._telegram: Any = None
        self._version: tuple[Any, ...] | None = None
        self._refresher: asyncio.Task[None] | None = None
        self.asgi = Starlette(
            routes=[
                *dashboard_routes(),
                Mount("/static", app=StaticFiles(directory=STATIC), name="static"),
            ],
            middleware=[Middleware(SecurityHeaders)],
            exception_handlers={HTTPException: http_error},
            max_body_size=MAX_BODY,
        )
        self.asgi.state.services = self.services

    @property
    def routes(self) -> Sequence[BaseRoute]:
        # After the webhook's and /healthz in the outer app: everything else is the dashboard's.
        return [Mount("", app=self.asgi)]

    def connect(self, components: Sequence[Any]) -> None:
        """Use the Telegram channel of this process to reach participants."""
        for component in components:
            bot = getattr(component, "bot", None)
            notifier = getattr(bot, "notifier", None)
            if notifier is not None:
                self.services.notifier = notifier
                self._telegram = bot
                log.info("dashboard messages go out through %s", component.name)

    def _bot_username(self) -> str | None:
        if self._telegram is not None:
            with contextlib.suppress(Exception):
                username = self._telegram.application.bot.username
                if username:
                    return str(username)
        return os.environ.get("TELEGRAM_BOT_USERNAME") or None

    async def start(self) -> None:
        key = await load_secret_key(
            self.settings.secret_key, self.services.accounts, self.app.clock
        )
        self.services.sessions = Sessions(key, self.services.accounts, self.app.clock)
        await self.refresh()
        self._refresher = asyncio.create_task(self._refresh_forever(), name="branch-settings")

    async def stop(self) -> None:
        if self._refresher is not None:
            self._refresher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._refresher

    async def refresh(self) -> None:
        """Lay the branch settings from the database over libraries.yml, when they changed
        (e.g. in another process)."""
        if await self.services.branches.version() != self._version:
            await self.reload()

    async def reload(self) -> None:
        """Lay the branch settings over libraries.yml now (after a change made here)."""
        found = await self.services.branches.load()
        overrides.install(self.app.content, found)
        self._version = found.version

    async def _refresh_forever(self) -> None:
        while True:
            await asyncio.sleep(REFRESH_SECONDS)
            try:
                await self.refresh()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("could not refresh the branch settings")


async def component(app: App, settings: Settings) -> Dashboard:
    """The factory in bot.web.app.COMPONENTS: the dashboard is always there."""
    return Dashboard(app, settings)
