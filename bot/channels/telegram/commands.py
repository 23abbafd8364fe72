"""The command menu (/start, /tasks, ...) in every language, and in each participant's own.

Telegram picks a menu by the language of the person's Telegram app. Many participants run their
phone in Dutch or English but chose Arabic here, so once they choose, their chat gets its own menu
in their language (a chat-scoped menu wins over the per-language ones).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from telegram import Bot, BotCommand, BotCommandScopeChat
from telegram.error import TelegramError

from bot.channels.telegram.languages import TelegramLanguages
from bot.language.texts import Texts

log = logging.getLogger(__name__)

COMMANDS = ("start", "tasks", "help", "language", "appointment", "mydata", "delete")
_MAX_DESCRIPTION = 256


def menu(texts: Texts) -> list[BotCommand]:
    return [BotCommand(name, texts(f"command.{name}")[:_MAX_DESCRIPTION]) for name in COMMANDS]


class CommandMenu:
    def __init__(
        self, bot: Bot, texts_for: Callable[[str], Texts], languages: TelegramLanguages
    ) -> None:
        self.bot = bot
        self.texts_for = texts_for
        self.languages = languages

    async def publish(self) -> None:
        """The default menu (Dutch) and one per language Telegram can name."""
        await self.bot.set_my_commands(menu(self.texts_for(self.languages.source)))
        for lang in self.languages.codes:
            if lang == self.languages.source:
                continue
            commands = menu(self.texts_for(lang))
            for code in self.languages.menu_codes(lang):
                await self.bot.set_my_commands(commands, language_code=code)

    async def for_chat(self, chat_id: int, lang: str) -> None:
        try:
            await self.bot.set_my_commands(
                menu(self.texts_for(lang)), scope=BotCommandScopeChat(chat_id)
            )
        except TelegramError as error:
            # The menu is a convenience; the conversation goes on without it.
            log.warning("could not set the command menu for chat %s: %s", chat_id, error)
