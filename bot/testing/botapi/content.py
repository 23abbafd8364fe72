"""Validation of what the bot sends (text, captions, keyboards), with Telegram's error texts."""

from __future__ import annotations

from typing import Any

from . import formatting
from .errors import bad_request
from .params import Params

Json = dict[str, Any]

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
_TEXT_BUTTON = (
    "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
)
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)


def formatted(
    params: Params, field: str, entities_field: str, *, required: bool
) -> tuple[str, list[Json]]:
    """The text (or caption) and its entities, after parse_mode handling."""
    raw = params.get_str(field) or ""
    entities = params.get_json(entities_field)
    if entities is not None:
        if not isinstance(entities, list):
            raise bad_request(f"can't parse {entities_field} JSON object")
        text = raw
    else:
        text, entities = formatting.parse(raw, params.get_str("parse_mode"))
    if required:
        if not text.strip():
            raise bad_request("message text is empty")
        if len(text) > MAX_TEXT:
            raise bad_request("message is too long")
    elif len(text) > MAX_CAPTION:
        raise bad_request("message caption is too long")
    return text, entities


def reply_markup(params: Params) -> tuple[Json | None, Json | None]:
    """Split reply_markup into (inline keyboard, other markup such as a reply keyboard).

    An inline keyboard with no rows comes back as `{"inline_keyboard": []}`: it removes the
    keyboard on edits.
    """
    markup = params.get_json("reply_markup", "reply keyboard markup")
    if markup is None:
        return None, None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        return _inline_keyboard(markup), None
    if {"keyboard", "remove_keyboard", "force_reply"} & markup.keys():
        return None, markup
    raise bad_request("can't parse reply keyboard markup JSON object")


def _inline_keyboard(markup: Json) -> Json:
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(
            "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
        )
    for row in rows:
        for button in row:
            if not isinstance(button, dict):
                raise bad_request(
                    "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
                )
            if not button.get("text"):
                raise bad_request(_TEXT_BUTTON)
            data = button.get("callback_data")
            if data is not None:
                size = len(str(data).encode("utf-8"))
                if size == 0 or size > MAX_CALLBACK_DATA:
                    raise bad_request("BUTTON_DATA_INVALID")
            elif len(button) == 1:
                raise bad_request(_TEXT_BUTTON)
    return {"inline_keyboard": [[dict(button) for button in row] for row in rows if row]}
