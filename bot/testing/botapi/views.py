"""Read-only views of what happened in a chat, for assertions in tests and benchmarks."""

from __future__ import annotations

import base64
from dataclasses import asdict, dataclass
from typing import Any

from .media import CONTENT_KINDS
from .models import BotState, CallbackQueryRecord, ChatActionRecord, MessageRecord

Json = dict[str, Any]


@dataclass(frozen=True, slots=True)
class ChatMessage:
    """One message as it stands now (text and inline keyboard after any edits)."""

    message_id: int
    from_bot: bool
    kind: str  # "text", "document", "photo", "sticker", ...
    text: str | None  # the text, or the caption of a media message
    buttons: list[list[Json]]  # inline keyboard rows, InlineKeyboardButton objects
    reply_keyboard: Json | None  # a ReplyKeyboardMarkup / ReplyKeyboardRemove / ForceReply sent
    edited: bool
    deleted: bool
    raw: Json  # the Bot API Message object

    @classmethod
    def of(cls, record: MessageRecord) -> ChatMessage:
        message = record.message
        kind = next((key for key in CONTENT_KINDS if key in message), "other")
        markup = message.get("reply_markup") or {}
        return cls(
            message_id=message["message_id"],
            from_bot=record.from_bot,
            kind=kind,
            text=message.get("text", message.get("caption")),
            buttons=markup.get("inline_keyboard", []),
            reply_keyboard=record.reply_keyboard,
            edited=record.edit_count > 0 or "edit_date" in message,
            deleted=record.deleted,
            raw=message,
        )

    @property
    def button_texts(self) -> list[str]:
        return [button["text"] for row in self.buttons for button in row]

    @property
    def callback_data(self) -> list[str]:
        return [
            button["callback_data"]
            for row in self.buttons
            for button in row
            if "callback_data" in button
        ]

    def button(self, text: str) -> Json:
        """The inline button with this label; KeyError lists the labels there are."""
        for row in self.buttons:
            for button in row:
                if button["text"] == text:
                    return button
        raise KeyError(
            f"no button {text!r} on message {self.message_id}; there are {self.button_texts}"
        )

    def to_json(self) -> Json:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Json) -> ChatMessage:
        return cls(**data)


@dataclass(frozen=True, slots=True)
class SentDocument:
    """A file the bot sent with sendDocument."""

    message_id: int
    file_id: str
    file_name: str | None
    mime_type: str | None
    content: bytes
    caption: str | None

    def to_json(self) -> Json:
        data = asdict(self)
        data["content"] = base64.b64encode(self.content).decode("ascii")
        return data

    @classmethod
    def from_json(cls, data: Json) -> SentDocument:
        return cls(**{**data, "content": base64.b64decode(data["content"])})


def documents_of(state: BotState, records: list[MessageRecord]) -> list[SentDocument]:
    found: list[SentDocument] = []
    for record in records:
        document = record.message.get("document")
        if not record.from_bot or document is None:
            continue
        stored = state.files.get(document["file_id"])
        found.append(
            SentDocument(
                message_id=record.message["message_id"],
                file_id=document["file_id"],
                file_name=document.get("file_name"),
                mime_type=document.get("mime_type"),
                content=stored.content if stored else b"",
                caption=record.message.get("caption"),
            )
        )
    return found


def action_to_json(record: ChatActionRecord) -> Json:
    return asdict(record)


def answer_to_json(record: CallbackQueryRecord) -> Json:
    return asdict(record)
