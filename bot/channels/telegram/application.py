"""Builds the PTB Application around the assistant and runs it (long polling or fed by webhooks)."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application, TypeHandler

from bot.app import App
from bot.appointments.reminders import Reminders
from bot.channels.telegram.channel import ChannelOptions, TelegramChannel
from bot.channels.telegram.notifier import TelegramNotifier
from bot.channels.telegram.processor import ChatOrderedProcessor, UpdateGate
from bot.channels.telegram.ratelimit import FloodControl, Limits
from bot.channels.telegram.request import telegram_request
from bot.conversation.flows import classes  # noqa: F401  (deep links into a class; see there)
from bot.settings import Settings

log = logging.getLogger(__name__)

ALLOWED_UPDATES = ("message", "edited_message", "callback_query", "my_chat_member")


@dataclass(frozen=True)
class TelegramOptions:
    channel: ChannelOptions = field(default_factory=ChannelOptions)
    limits: Limits = field(default_factory=Limits)
    max_concurrent_turns: int = 32
    """Turns running at once over all chats. Keep it bounded: measured here, 256 concurrent
    updates on PTB's default pool of 256 connections were about 4x slower."""
    connection_pool_size: int = 8
    """HTTP connections to the Bot API. Small on purpose: httpcore looks over every pooled
    connection for each request; measured here (bench.telegram_throughput, 32 turns at once) a
    pool of 8 cost 5.6 ms of CPU per update against 7.1 ms with 40, and was faster overall."""
    own_http_client: bool = True
    """Bot API calls over bot.channels.telegram.request (False: PTB's HTTPXRequest)."""
    max_pending_per_chat: int = 8
    poll_timeout: dt.timedelta = dt.timedelta(seconds=30)
    gate: UpdateGate | None = None
    """Decides whether an update_id is new (default: in this process only)."""
    publish_commands: bool = True
    reminders_every: float | None = None
    """Seconds between rounds of the reminder loop this bot runs; None: no loop (tests)."""


def file_url(base_url: str) -> str:
    """Telegram serves files beside the API: https://api.telegram.org/bot -> .../file/bot."""
    stem = base_url.rstrip("/")
    if stem.endswith("/bot"):
        return stem[: -len("/bot")] + "/file/bot"
    return stem + "/file/bot"


def build_application(
    settings: Settings, options: TelegramOptions, *, polling: bool
) -> Application[Any, Any, Any, Any, Any, Any]:
    if not settings.telegram_bot_token:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    processor = ChatOrderedProcessor(
        options.max_concurrent_turns,
        max_pending_per_chat=options.max_pending_per_chat,
        gate=options.gate,
    )
    builder = (
        Application.builder()
        .token(settings.telegram_bot_token)
        .base_url(settings.telegram_api_base_url)
        .base_file_url(file_url(settings.telegram_api_base_url))
        .concurrent_updates(processor)
        .rate_limiter(FloodControl(options.limits))
    )
    # Turns share a small pool; a request waiting for a free connection gets time instead
    # of PTB's 1 s pool timeout.
    if options.own_http_client:
        builder = builder.request(telegram_request(options.connection_pool_size, pool_timeout=30))
        if polling:
            builder = builder.get_updates_request(telegram_request(1))
    else:
        builder = builder.connection_pool_size(options.connection_pool_size).pool_timeout(30)
    if not polling:
        builder = builder.updater(None)
    return builder.build()


class TelegramBot:
    """The running Telegram side: `async with TelegramBot(app, settings, polling=True): ...`."""

    def __init__(
        self,
        app: App,
        settings: Settings,
        options: TelegramOptions | None = None,
        *,
        polling: bool,
    ) -> None:
        self.app = app
        self.options = options or TelegramOptions()
        self.polling = polling
        self.application = build_application(settings, self.options, polling=polling)
        self.channel = TelegramChannel(app, self.application.bot, self.options.channel)
        self.application.add_handler(TypeHandler(Update, self.channel.on_update))
        self.application.add_error_handler(self.channel.on_error)
        self.notifier = TelegramNotifier(self.channel.sender, self.channel.keyboards)
        self._reminders: asyncio.Task[None] | None = None
        self._stop_reminders = asyncio.Event()

    async def start(self) -> None:
        application = self.application
        await application.initialize()
        if self.options.publish_commands:
            try:
                await self.channel.menu.publish()
            except TelegramError as error:
                log.warning("could not publish the command menu: %s", error)
        await application.start()
        if self.polling:
            assert application.updater is not None
            await application.updater.start_polling(
                timeout=self.options.poll_timeout,
                allowed_updates=list(ALLOWED_UPDATES),
                bootstrap_retries=5,
                error_callback=_log_polling_error,
            )
        log.info(
            "Telegram bot @%s started (%s)",
            application.bot.username,
            "long polling" if self.polling else "webhook",
        )
        if self.options.reminders_every:
            # One loop per process; reminders are claimed with SKIP LOCKED, so the loops of
            # several workers or containers never send the same one.
            self._stop_reminders.clear()
            self._reminders = asyncio.create_task(
                Reminders.for_app(self.app, self.notifier).run_forever(
                    self.app.clock, interval=self.options.reminders_every, stop=self._stop_reminders
                ),
                name="reminders",
            )

    async def stop(self) -> None:
        if self._reminders is not None:
            self._stop_reminders.set()  # a round under way finishes (and records what it sent)
            await self._reminders
            self._reminders = None
        application = self.application
        if application.updater is not None and application.updater.running:
            await application.updater.stop()
        if application.running:
            await application.stop()  # finishes the updates already received
        await application.shutdown()

    async def process(self, update: Update) -> None:
        """Hand over an update received some other way (the webhook endpoint)."""
        await self.application.update_queue.put(update)

    async def process_now(self, update: Update) -> None:
        """Handle an update and return when it is done (in order with the chat's others).

        The webhook answers Telegram only after this, so an update a worker could not finish
        is delivered again, and Telegram sends a chat's next update only after this one."""
        handle = self.application.process_update(update)
        await self.application.update_processor.process_update(update, handle)

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


def _log_polling_error(error: TelegramError) -> None:
    # PTB keeps polling after this (with a growing pause); we only make sure it is seen.
    log.warning("getUpdates failed, retrying: %s", error)
