"""Shows the engine's replies on Telegram: split texts, inline buttons, link buttons, files."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, LinkPreviewOptions
from telegram.error import BadRequest, TelegramError

from bot.channels.telegram.convert import LinkRow
from bot.channels.telegram.keyboards import Shown
from bot.channels.telegram.split import MAX_CAPTION, fits, split_text
from bot.conversation.replies import Reply

log = logging.getLogger(__name__)
_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def link_rows(reply: Reply) -> tuple[LinkRow, ...]:
    """Links become URL buttons, one per row, above the choices (Telegram opens them directly)."""
    return tuple(((link.label, link.url),) for link in reply.links if _is_web(link.url))


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    rows: list[list[InlineKeyboardButton]] = [
        [InlineKeyboardButton(label, url=url) for label, url in row] for row in link_rows(reply)
    ]
    rows.extend(
        [InlineKeyboardButton(button.label, callback_data=button.data) for button in row]
        for row in reply.buttons
    )
    return InlineKeyboardMarkup(rows) if rows else None


def links_only(links: tuple[LinkRow, ...]) -> InlineKeyboardMarkup | None:
    if not links:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, url=url) for label, url in row] for row in links]
    )


def message_text(reply: Reply) -> str:
    """The reply's text, plus any link Telegram cannot show as a button (not http or https)."""
    extra = [f"{link.label}: {link.url}" for link in reply.links if not _is_web(link.url)]
    return "\n".join([reply.text, *extra]) if extra else reply.text


def _is_web(url: str) -> bool:
    return url.startswith(("https://", "http://"))


class Sender:
    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send(self, chat_id: int, replies: Sequence[Reply]) -> list[Shown]:
        """Send the replies in order; returns the messages that now carry choice buttons."""
        shown: list[Shown] = []
        for reply in replies:
            message_id = await self._send_one(chat_id, reply)
            if message_id is not None and reply.buttons:
                shown.append(Shown(message_id, link_rows(reply)))
        return shown

    async def send_text(
        self, chat_id: int, text: str, markup: InlineKeyboardMarkup | None = None
    ) -> int | None:
        """Plain text (split when long); the keyboard goes on the last part."""
        parts = split_text(text)
        message_id = None
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            message = await self.bot.send_message(
                chat_id,
                part,
                reply_markup=markup if last else None,
                link_preview_options=_NO_PREVIEW,
            )
            message_id = message.message_id
        return message_id

    async def clear(self, chat_id: int, shown: Shown) -> None:
        """Take the choice buttons off an answered message; its links stay."""
        try:
            await self.bot.edit_message_reply_markup(
                chat_id, shown.message_id, reply_markup=links_only(shown.links)
            )
        except BadRequest as error:
            # Already cleared, deleted by the participant, or too old to edit: nothing to do.
            log.debug("could not clear the keyboard of message %s: %s", shown.message_id, error)
        except TelegramError as error:
            # Blocked, or Telegram unreachable after the retries: the answer itself was sent, and
            # an old button pressed later gets the engine's kind "that button is old".
            log.warning(
                "keyboard of message %s left in chat %s: %s", shown.message_id, chat_id, error
            )

    async def _send_one(self, chat_id: int, reply: Reply) -> int | None:
        text = message_text(reply)
        markup = keyboard(reply)
        attachment = reply.attachment
        if attachment is None:
            return await self.send_text(chat_id, text, markup)
        caption: str | None = text.strip() or None
        if caption is not None and not fits(caption, MAX_CAPTION):
            await self.send_text(chat_id, caption)
            caption = None
        document = InputFile(attachment.data, filename=attachment.filename)
        document.mimetype = attachment.mime_type  # ours is exact; the guess from the name is not
        message = await self.bot.send_document(
            chat_id,
            document,
            caption=caption,
            reply_markup=markup,
        )
        return message.message_id
