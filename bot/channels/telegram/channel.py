"""The Telegram handler: hands each update to the assistant and shows its replies. No decisions
about the conversation are made here; only Telegram's own matters (groups, edits, keyboards)."""

from __future__ import annotations

import datetime as dt
import logging
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from telegram import Chat, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import Forbidden, TelegramError
from telegram.ext import CallbackContext, ExtBot

from bot.app import App
from bot.channels.telegram.activity import typing_while_slow
from bot.channels.telegram.commands import CommandMenu
from bot.channels.telegram.convert import (
    EditedMessage,
    GroupMessage,
    Ignored,
    PrivateTurn,
    StrayCallback,
    convert,
)
from bot.channels.telegram.keyboards import KeyboardTracker, Shown
from bot.channels.telegram.languages import TelegramLanguages
from bot.channels.telegram.send import Sender
from bot.conversation.callbacks import decode
from bot.conversation.inbound import Press

log = logging.getLogger(__name__)

CHANNEL = "telegram"
_LANGUAGE_ACTION = "lang"
_MAX_GROUPS = 10_000


@dataclass(frozen=True)
class ChannelOptions:
    typing_delay: float = 0.8
    """Seconds a reply may take before "typing…" shows."""
    typing_interval: float = 4.5
    group_pointer_every: dt.timedelta = dt.timedelta(days=1)
    """A group gets the "write to me privately" message at most this often."""


class TelegramChannel:
    def __init__(
        self, app: App, bot: ExtBot[Any], options: ChannelOptions = ChannelOptions()
    ) -> None:
        self.app = app
        self.bot = bot
        self.options = options or ChannelOptions()
        self.languages = TelegramLanguages(app.content)
        self.sender = Sender(bot)
        self.keyboards = KeyboardTracker()
        self.menu = CommandMenu(bot, app.engine.texts, self.languages)
        self._pointed: OrderedDict[int, dt.datetime] = OrderedDict()

    # -- updates ----------------------------------------------------------------------------
    async def on_update(self, update: object, context: CallbackContext[Any, Any, Any, Any]) -> None:
        if not isinstance(update, Update):
            return
        incoming = convert(update)
        if isinstance(incoming, PrivateTurn):
            await self._turn(incoming)
        elif isinstance(incoming, GroupMessage):
            await self._point_to_private_chat(incoming)
        elif isinstance(incoming, EditedMessage):
            await self._edited(incoming)
        elif isinstance(incoming, StrayCallback):
            await self._answer(incoming.callback_query_id)
        elif isinstance(incoming, Ignored):
            log.debug("update %s ignored: %s", update.update_id, incoming.reason)

    async def _turn(self, turn: PrivateTurn) -> None:
        chat_id = turn.chat_id
        if turn.callback_query_id is not None:
            # Stops the spinner on the button at once; the answer itself comes as a message.
            await self._answer(turn.callback_query_id)
        async with typing_while_slow(
            self.bot, chat_id, self.options.typing_delay, self.options.typing_interval
        ):
            # The hint is only used when the database is down and the chosen language unknown.
            replies = await self.app.assistant.handle(
                CHANNEL, str(chat_id), turn.inbound, language_hint=turn.language_code
            )
        shown = await self.sender.send(chat_id, replies)
        if shown:
            # New buttons are on screen: take the answered ones away so they do not pile up.
            earlier = self.keyboards.replace(chat_id, shown)
            pressed = turn.pressed_message_id
            current = {item.message_id for item in [*earlier, *shown]}
            if pressed is not None and pressed not in current:
                earlier.append(Shown(pressed, turn.pressed_links))
            for item in earlier:
                await self.sender.clear(chat_id, item)
        if isinstance(turn.inbound, Press):
            callback = decode(turn.inbound.data)
            if callback is not None and callback.action == _LANGUAGE_ACTION:
                await self._language_chosen(chat_id)

    async def _language_chosen(self, chat_id: int) -> None:
        lang = await self._stored_language(chat_id)
        if lang is not None:
            await self.menu.for_chat(chat_id, lang)

    async def _point_to_private_chat(self, group: GroupMessage) -> None:
        now = self.app.clock.now()
        last = self._pointed.get(group.chat_id)
        if last is not None and now - last < self.options.group_pointer_every:
            return
        self._pointed[group.chat_id] = now
        self._pointed.move_to_end(group.chat_id)
        while len(self._pointed) > _MAX_GROUPS:
            self._pointed.popitem(last=False)
        texts = self.app.engine.texts(
            self.languages.guess(group.language_code) or self.languages.source
        )
        button = InlineKeyboardButton(
            texts("telegram.open_private_chat"), url=f"https://t.me/{self.bot.username}"
        )
        await self.sender.send_text(
            group.chat_id, texts("telegram.group_pointer"), InlineKeyboardMarkup([[button]])
        )

    async def _edited(self, edited: EditedMessage) -> None:
        lang = await self._language(edited.chat_id, edited.language_code)
        await self.sender.send_text(edited.chat_id, self.app.engine.texts(lang)("telegram.edited"))

    async def _answer(self, callback_query_id: str) -> None:
        try:
            await self.bot.answer_callback_query(callback_query_id)
        except TelegramError as error:
            # Telegram only accepts an answer for a short while, and it only stops the spinner:
            # the turn goes on regardless.
            log.debug("callback query %s not answered: %s", callback_query_id, error)

    # -- errors -----------------------------------------------------------------------------
    async def on_error(self, update: object, context: CallbackContext[Any, Any, Any, Any]) -> None:
        """Log the failure and tell the participant their progress is saved. Never raises."""
        error = context.error
        update_id = update.update_id if isinstance(update, Update) else None
        chat = update.effective_chat if isinstance(update, Update) else None
        if isinstance(error, Forbidden):
            log.info(
                "chat %s blocked the bot or left; update %s dropped", chat and chat.id, update_id
            )
            return
        # The update itself is not logged: it may hold what a participant typed.
        log.error(
            "update %s (chat %s) failed: %r",
            update_id,
            chat and chat.id,
            error,
            exc_info=error,
        )
        if chat is None or chat.type != Chat.PRIVATE:
            return
        try:
            user = update.effective_user if isinstance(update, Update) else None
            lang = await self._language(chat.id, user.language_code if user else None)
            await self.sender.send_text(chat.id, self.app.engine.texts(lang)("telegram.error"))
        except Exception:
            log.exception("could not tell chat %s about the failure", chat.id)

    # -- helpers ----------------------------------------------------------------------------
    async def _stored_language(self, chat_id: int) -> str | None:
        try:
            loaded = await self.app.assistant.store.load(CHANNEL, str(chat_id))
        except Exception:
            log.exception("could not read the language of chat %s", chat_id)
            return None
        return loaded.snapshot.profile.language

    async def _language(self, chat_id: int, language_code: str | None) -> str:
        """The participant's chosen language; else a guess from Telegram's; else Dutch."""
        return (
            await self._stored_language(chat_id)
            or self.languages.guess(language_code)
            or self.languages.source
        )
