"""Shows "typing…" while a reply takes longer than a moment (Telegram shows it for 5 seconds)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from telegram.constants import ChatAction
from telegram.error import TelegramError
from telegram.ext import ExtBot

log = logging.getLogger(__name__)


@contextlib.asynccontextmanager
async def typing_while_slow(
    bot: ExtBot[Any], chat_id: int, delay: float, interval: float = 4.5
) -> AsyncIterator[None]:
    """Inside the block, send the typing action after `delay` seconds and every `interval`."""
    task = asyncio.create_task(_keep_typing(bot, chat_id, delay, interval))
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _keep_typing(bot: ExtBot[Any], chat_id: int, delay: float, interval: float) -> None:
    await asyncio.sleep(delay)
    while True:
        try:
            # One attempt only: a late "typing" is worse than none.
            await bot.send_chat_action(chat_id, ChatAction.TYPING, rate_limit_args=0)
        except TelegramError as error:
            log.debug("typing action for chat %s failed: %s", chat_id, error)
        await asyncio.sleep(interval)
