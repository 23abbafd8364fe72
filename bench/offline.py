"""A python-telegram-bot `Bot` that never touches the network: Bot API calls are answered here.

PTB still does all of its own work (building the request parameters, parsing the answer into
`Message` objects), so a turn through the Telegram adapter costs what it costs in production
minus the HTTP round trip. What the bot sent is kept per chat, so the simulated participants can
press the buttons they were shown.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from telegram.ext import ExtBot
from telegram.request import BaseRequest, RequestData

TOKEN = "123456789:BENCH-offline-token"
BOT_USER = {"id": 123456789, "is_bot": True, "first_name": "Wegwijs", "username": "WegwijsBot"}
DATE = 1_790_000_000


@dataclass
class Sent:
    """One message the bot sent: its id, and the inline keyboard as Telegram would echo it."""

    message_id: int
    text: str
    reply_markup: str | None
    """The JSON text of the reply_markup parameter; parsed only when a participant looks."""

    def callback_data(self) -> list[str]:
        if not self.reply_markup:
            return []
        markup = json.loads(self.reply_markup)
        return [
            button["callback_data"]
            for row in markup.get("inline_keyboard", ())
            for button in row
            if "callback_data" in button
        ]

    def as_message(self, chat_id: int) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": self.message_id,
            "date": DATE,
            "chat": {"id": chat_id, "type": "private"},
            "from": BOT_USER,
            "text": self.text,
        }
        if self.reply_markup:
            message["reply_markup"] = json.loads(self.reply_markup)
        return message


@dataclass
class Chat:
    sent: list[Sent] = field(default_factory=list)
    next_id: int = 1


class OfflineRequest(BaseRequest):
    """Answers the Bot API methods the Wegwijs adapter calls, as Telegram would, in memory."""

    def __init__(self, keep: int = 8) -> None:
        self.chats: dict[int, Chat] = {}
        self.calls: dict[str, int] = {}
        self.keep = keep

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        name = url.rsplit("/", 1)[-1]
        self.calls[name] = self.calls.get(name, 0) + 1
        # The same serialisation PTB's HTTPXRequest does before posting.
        parameters = request_data.json_parameters if request_data is not None else {}
        if name == "getMe":
            result: Any = BOT_USER
        elif name in ("sendMessage", "sendDocument"):
            result = self._send(parameters)
        elif name == "editMessageReplyMarkup":
            result = self._edit(parameters)
        else:  # answerCallbackQuery, sendChatAction, setMyCommands, ...: Telegram says true
            result = True
        return 200, json.dumps({"ok": True, "result": result}).encode()

    def chat(self, chat_id: int) -> Chat:
        chat = self.chats.get(chat_id)
        if chat is None:
            chat = self.chats[chat_id] = Chat()
        return chat

    def _send(self, parameters: dict[str, str]) -> dict[str, Any]:
        chat_id = int(parameters["chat_id"])
        chat = self.chat(chat_id)
        sent = Sent(chat.next_id, _text(parameters), parameters.get("reply_markup"))
        chat.next_id += 1
        chat.sent.append(sent)
        del chat.sent[: -self.keep]
        message: dict[str, Any] = {
            "message_id": sent.message_id,
            "date": DATE,
            "chat": {"id": chat_id, "type": "private"},
            "from": BOT_USER,
            "text": sent.text,
        }
        if sent.reply_markup:
            # Telegram echoes the keyboard; PTB parses it into InlineKeyboardMarkup.
            message["reply_markup"] = json.loads(sent.reply_markup)
        return message

    def _edit(self, parameters: dict[str, str]) -> Any:
        chat = self.chat(int(parameters["chat_id"]))
        message_id = int(parameters["message_id"])
        for sent in chat.sent:
            if sent.message_id == message_id:
                sent.reply_markup = parameters.get("reply_markup")
        return True


def _text(parameters: dict[str, str]) -> str:
    raw = parameters.get("text") or parameters.get("caption") or ""
    # json_parameters leaves plain strings as they are; only JSON values are encoded.
    return raw


def offline_bot() -> tuple[ExtBot[Any], OfflineRequest]:
    """A bot object (no rate limiter: Telegram's pacing is not what is measured here)."""
    request = OfflineRequest()
    bot: ExtBot[Any] = ExtBot(TOKEN, request=request, get_updates_request=OfflineRequest())
    return bot, request
