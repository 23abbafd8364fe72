"""Receives Telegram's webhook POSTs inside our ASGI application (`wegwijs serve`).

The route is a secret path derived from the token and the secret, so strangers do not even find
it; each request must also carry the secret in `X-Telegram-Bot-Api-Secret-Token`. An accepted
update is handled once across all workers sharing the database and answered when it is done
(see once.py): Telegram then delivers again what a dying worker did not finish, and sends a
chat's next update only after the previous one, whichever worker gets it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import secrets
from collections.abc import Sequence

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from telegram import Update

from bot.app import App
from bot.channels.telegram.application import ALLOWED_UPDATES, TelegramBot, TelegramOptions
from bot.channels.telegram.once import BUSY_RETRY_AFTER, handle_once
from bot.observability import metrics
from bot.settings import Settings
from bot.store.updates import UpdateLedger, bot_id_of

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
_SECRET_SHAPE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


def webhook_path(token: str, secret: str) -> str:
    digest = hashlib.sha256(f"wegwijs-webhook:{token}:{secret}".encode()).hexdigest()
    return f"/telegram/{digest[:40]}"


class TelegramWebhook:
    name = "telegram-webhook"

    def __init__(
        self,
        app: App,
        settings: Settings,
        options: TelegramOptions | None = None,
        *,
        max_connections: int = 40,
        register: bool = True,
    ) -> None:
        if not settings.telegram_bot_token:
            raise ValueError("TELEGRAM_BOT_TOKEN is not set")
        if not settings.webhook_url:
            raise ValueError("WEBHOOK_URL is not set: the public https address of this server")
        secret = settings.webhook_secret
        if secret is None:
            # Set again on every start, so a fresh one per start works for a single server.
            secret = secrets.token_urlsafe(32)
            log.warning("WEBHOOK_SECRET is not set; using a random one for this run")
        if not _SECRET_SHAPE.match(secret):
            raise ValueError("WEBHOOK_SECRET may only hold A-Z, a-z, 0-9, _ and - (1-256 chars)")
        self.secret = secret
        self.path = webhook_path(settings.telegram_bot_token, secret)
        self.url = settings.webhook_url.rstrip("/") + self.path
        self.max_connections = max_connections
        self.bot = TelegramBot(app, settings, options, polling=False)
        self.received = 0
        self.register_webhook = register
        """False in the workers of `serve --workers N`: their parent registered it once."""
        self.ledger = UpdateLedger(app.db, bot_id_of(settings.telegram_bot_token))

    @property
    def routes(self) -> Sequence[BaseRoute]:
        return [Route(self.path, self.receive, methods=["POST"])]

    async def start(self) -> None:
        await self.bot.start()
        if self.register_webhook:
            await self._set_webhook()

    async def register(self) -> None:
        """Set the webhook and the command menu, without handling updates (once, at deploy)."""
        application = self.bot.application
        await application.initialize()
        try:
            await self.bot.channel.menu.publish()
            await self._set_webhook()
        finally:
            await application.shutdown()

    async def _set_webhook(self) -> None:
        await self.bot.application.bot.set_webhook(
            url=self.url,
            secret_token=self.secret,
            allowed_updates=list(ALLOWED_UPDATES),
            max_connections=self.max_connections,
        )
        log.info("webhook set; Telegram posts to %s<secret path>", self.url[: -len(self.path)])

    async def stop(self) -> None:
        # The webhook stays registered: Telegram keeps updates while we restart and sends them on.
        await self.bot.stop()

    async def receive(self, request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            metrics.error("webhook_rejected")
            return Response(status_code=403)
        try:
            data = json.loads(await request.body())
            if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
                raise ValueError("no update_id")
            update = Update.de_json(data, self.bot.application.bot)
        except (ValueError, TypeError, KeyError) as error:
            log.warning("webhook body is not an update: %s", error)
            return Response(status_code=400)
        self.received += 1
        status = await handle_once(self.ledger, self.bot, update, self.bot.app.clock)
        headers = {"Retry-After": BUSY_RETRY_AFTER} if status == 503 else None
        return Response(status_code=status, headers=headers)


async def component(app: App, settings: Settings) -> TelegramWebhook | None:
    """The factory in bot.web.app.COMPONENTS: the webhook when a token is configured."""
    if not settings.telegram_bot_token:
        return None
    options = TelegramOptions(
        publish_commands=settings.telegram_register,
        reminders_every=settings.reminders_every_seconds or None,
    )
    return TelegramWebhook(app, settings, options, register=settings.telegram_register)
