"""Delivers messages sent without a prompt (reminders, staff messages) to Telegram chats."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from telegram.error import BadRequest, Forbidden

from bot.channels.telegram.keyboards import KeyboardTracker
from bot.channels.telegram.send import Sender
from bot.conversation.replies import Reply

log = logging.getLogger(__name__)
CHANNEL = "telegram"


class TelegramNotifier:
    """The `bot.notify.Notifier` for chats of the "telegram" channel."""

    def __init__(self, sender: Sender, keyboards: KeyboardTracker) -> None:
        self.sender = sender
        self.keyboards = keyboards

    async def notify(self, channel: str, chat_id: str, replies: Sequence[Reply]) -> bool:
        if channel != CHANNEL:
            return False
        chat = int(chat_id)
        try:
            shown = await self.sender.send(chat, replies)
        except Forbidden:
            log.info("chat %s blocked the bot; message not delivered", chat)
            return False
        except BadRequest as error:
            if "chat not found" in str(error).lower():
                log.info("chat %s does not exist (any more); message not delivered", chat)
                return False
            raise
        self.keyboards.add(chat, shown)
        return True
