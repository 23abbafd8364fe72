"""Translates a Telegram Update into what it means for Wegwijs; no decisions, no I/O."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Chat, InlineKeyboardMarkup, Message, Update

from bot.conversation.inbound import Command, Inbound, Media, Press, Start, Text

LinkRow = tuple[tuple[str, str], ...]
"""One keyboard row of link buttons as (label, url) pairs."""

# The order matters where Telegram sets two fields: an animation also carries `document`, a venue
# also carries `location`.
_MEDIA_FIELDS = (
    ("sticker", "sticker"),
    ("voice", "voice"),
    ("audio", "audio"),
    ("video_note", "video_note"),
    ("video", "video"),
    ("animation", "animation"),
    ("photo", "photo"),
    ("document", "document"),
    ("venue", "location"),
    ("location", "location"),
    ("contact", "contact"),
    ("poll", "poll"),
    ("dice", "dice"),
    ("game", "game"),
    ("story", "story"),
)
_GROUP_TYPES = frozenset({Chat.GROUP, Chat.SUPERGROUP})


@dataclass(frozen=True)
class PrivateTurn:
    """Something from a participant in a private chat: one turn of the conversation."""

    chat_id: int
    inbound: Inbound
    language_code: str | None = None
    callback_query_id: str | None = None
    pressed_message_id: int | None = None
    pressed_links: tuple[LinkRow, ...] = ()
    """The link rows of the pressed message, which stay when its choice buttons go."""


@dataclass(frozen=True)
class GroupMessage:
    chat_id: int
    language_code: str | None = None


@dataclass(frozen=True)
class EditedMessage:
    chat_id: int
    language_code: str | None = None


@dataclass(frozen=True)
class StrayCallback:
    """A button press that is not a turn (in a group, on an inline message, without data)."""

    callback_query_id: str


@dataclass(frozen=True)
class Ignored:
    reason: str


Incoming = PrivateTurn | GroupMessage | EditedMessage | StrayCallback | Ignored


def convert(update: Update) -> Incoming:
    if update.callback_query is not None:
        return _callback(update)
    if update.edited_message is not None:
        chat = update.edited_message.chat
        if chat.type == Chat.PRIVATE:
            return EditedMessage(chat.id, _language(update))
        return Ignored("edited message outside a private chat")
    message = update.message
    if message is None:
        return Ignored("not a message")
    if message.chat.type in _GROUP_TYPES:
        return GroupMessage(message.chat.id, _language(update))
    if message.chat.type != Chat.PRIVATE:
        return Ignored(f"message in a {message.chat.type}")
    inbound = message_inbound(message, _language(update))
    if inbound is None:
        return Ignored("service message")
    return PrivateTurn(message.chat.id, inbound, _language(update))


def message_inbound(message: Message, language_code: str | None = None) -> Inbound | None:
    """What a participant's message says: a command, text, or media we cannot read."""
    if message.text is not None:
        return parse_text(message.text, language_code)
    for field, kind in _MEDIA_FIELDS:
        if getattr(message, field, None):
            return Media(kind)
    return None


def parse_text(text: str, language_code: str | None = None) -> Inbound:
    """`/start c_abc` is a Start with a payload, `/tasks@WegwijsBot` a Command, the rest Text."""
    if len(text) > 1 and text.startswith("/") and (text[1].isalnum() or text[1] == "_"):
        head, _, args = text[1:].partition(" ")
        name = head.split("@", 1)[0].lower()
        if name == "start":
            return Start(payload=args.strip(), language_hint=language_code)
        return Command(name, args.strip())
    return Text(text)


def _callback(update: Update) -> Incoming:
    query = update.callback_query
    assert query is not None
    message = query.message
    if query.data is None or message is None:
        return StrayCallback(query.id)
    if message.chat.type != Chat.PRIVATE:
        return StrayCallback(query.id)
    links: tuple[LinkRow, ...] = ()
    if isinstance(message, Message) and isinstance(message.reply_markup, InlineKeyboardMarkup):
        links = link_rows(message.reply_markup)
    return PrivateTurn(
        chat_id=message.chat.id,
        inbound=Press(query.data),
        language_code=_language(update),
        callback_query_id=query.id,
        pressed_message_id=message.message_id,
        pressed_links=links,
    )


def link_rows(markup: InlineKeyboardMarkup) -> tuple[LinkRow, ...]:
    rows = (
        tuple((button.text, button.url) for button in row if button.url)
        for row in markup.inline_keyboard
    )
    return tuple(row for row in rows if row)


def _language(update: Update) -> str | None:
    user = update.effective_user
    return user.language_code if user is not None else None
