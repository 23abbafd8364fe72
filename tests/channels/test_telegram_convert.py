"""What a Telegram update means for Wegwijs: commands, text, media, groups, edits, presses."""

from __future__ import annotations

from typing import Any

import pytest
from telegram import Update

from bot.channels.telegram.convert import (
    EditedMessage,
    GroupMessage,
    Ignored,
    PrivateTurn,
    StrayCallback,
    convert,
    parse_text,
)
from bot.conversation.inbound import Command, Media, Press, Start, Text

USER = {"id": 42, "is_bot": False, "first_name": "Amina", "language_code": "ar"}
PRIVATE = {"id": 42, "type": "private", "first_name": "Amina"}
GROUP = {"id": -100123, "type": "supergroup", "title": "Taalhuis"}


def update(kind: str = "message", chat: dict[str, Any] = PRIVATE, **fields: Any) -> Update:
    message = {"message_id": 7, "date": 1_700_000_000, "chat": chat, "from": USER, **fields}
    parsed = Update.de_json({"update_id": 1, kind: message}, None)
    assert parsed is not None
    return parsed


def test_start_with_a_deep_link_carries_the_payload_and_the_language_hint() -> None:
    turn = convert(update(text="/start c_TAAL7"))
    assert turn == PrivateTurn(42, Start(payload="c_TAAL7", language_hint="ar"), "ar")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/tasks", Command("tasks")),
        ("/Tasks@WegwijsBot", Command("tasks")),
        ("/language en", Command("language", "en")),
        ("/start", Start()),
        ("hallo", Text("hallo")),
        ("/", Text("/")),
        ("/ hallo", Text("/ hallo")),
        ("1/2 klaar", Text("1/2 klaar")),
    ],
)
def test_text_is_a_command_only_when_it_looks_like_one(text: str, expected: object) -> None:
    assert parse_text(text) == expected


@pytest.mark.parametrize(
    ("fields", "kind"),
    [
        ({"sticker": {"file_id": "s", "file_unique_id": "s", "type": "regular", "width": 1,
                      "height": 1, "is_animated": False, "is_video": False}}, "sticker"),
        ({"voice": {"file_id": "v", "file_unique_id": "v", "duration": 3}}, "voice"),
        ({"photo": [{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}],
          "caption": "kijk"}, "photo"),
        ({"animation": {"file_id": "a", "file_unique_id": "a", "width": 1, "height": 1,
                        "duration": 1},
          "document": {"file_id": "a", "file_unique_id": "a"}}, "animation"),
        ({"document": {"file_id": "d", "file_unique_id": "d", "file_name": "brief.pdf"}},
         "document"),
        ({"venue": {"location": {"latitude": 52.0, "longitude": 6.0}, "title": "Bieb",
                    "address": "Markt 1"},
          "location": {"latitude": 52.0, "longitude": 6.0}}, "location"),
        ({"contact": {"phone_number": "0612345678", "first_name": "Sara"}}, "contact"),
        ({"video_note": {"file_id": "n", "file_unique_id": "n", "length": 1, "duration": 1}},
         "video_note"),
    ],
)  # fmt: skip
def test_media_become_media_of_their_kind(fields: dict[str, Any], kind: str) -> None:
    turn = convert(update(**fields))
    assert isinstance(turn, PrivateTurn)
    assert turn.inbound == Media(kind)


def test_group_messages_and_edits_are_not_turns() -> None:
    assert convert(update(chat=GROUP, text="hallo")) == GroupMessage(-100123, "ar")
    assert convert(update(kind="edited_message", text="hallo", edit_date=1)) == EditedMessage(
        42, "ar"
    )
    assert isinstance(convert(update(kind="edited_message", chat=GROUP, text="x")), Ignored)
    assert isinstance(convert(update(new_chat_title="nieuw")), Ignored)


def test_a_press_keeps_the_link_rows_of_the_pressed_message() -> None:
    markup = {
        "inline_keyboard": [
            [{"text": "Open de website", "url": "https://www.digid.nl"}],
            [{"text": "Gelukt", "callback_data": "3:done"}],
        ]
    }
    message = {
        "message_id": 9,
        "date": 1,
        "chat": PRIVATE,
        "from": {"id": 1, "is_bot": True, "first_name": "Wegwijs"},
        "text": "Stap 1",
        "reply_markup": markup,
    }
    data = {
        "update_id": 5,
        "callback_query": {
            "id": "q1",
            "from": USER,
            "chat_instance": "c",
            "data": "3:done",
            "message": message,
        },
    }
    parsed = Update.de_json(data, None)
    assert parsed is not None
    turn = convert(parsed)
    assert turn == PrivateTurn(
        chat_id=42,
        inbound=Press("3:done"),
        language_code="ar",
        callback_query_id="q1",
        pressed_message_id=9,
        pressed_links=((("Open de website", "https://www.digid.nl"),),),
    )


def test_presses_without_data_or_outside_a_private_chat_are_only_answered() -> None:
    no_message = {"id": "q2", "from": USER, "chat_instance": "c", "data": "1:menu"}
    parsed = Update.de_json({"update_id": 6, "callback_query": no_message}, None)
    assert parsed is not None
    assert convert(parsed) == StrayCallback("q2")
    in_group = {
        **no_message,
        "message": {"message_id": 3, "date": 1, "chat": GROUP, "text": "x"},
    }
    parsed = Update.de_json({"update_id": 7, "callback_query": in_group}, None)
    assert parsed is not None
    assert convert(parsed) == StrayCallback("q2")
