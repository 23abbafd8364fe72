"""The real PTB Bot against the fake server: shapes parse and errors map like Telegram's."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyKeyboardMarkup,
)
from telegram.error import BadRequest, Forbidden

from bot.testing.botapi import BotApiServer, Participant

pytestmark = pytest.mark.e2e  # talks to the loopback Bot API server


def keyboard(*pairs: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(text, callback_data=data)] for text, data in pairs]
    )


async def test_get_me_describes_a_bot(bot: Bot) -> None:
    me = await bot.get_me()
    assert me.is_bot is True
    assert me.id == 123456789
    assert me.username == "wegwijs_test_bot"


async def test_a_participant_text_arrives_through_get_updates(
    bot: Bot, participant: Participant
) -> None:
    chat_id = await participant.private_chat(1001, "Amina", language_code="ar")
    await participant.send_text(chat_id, "Hallo")

    [update] = await bot.get_updates()

    assert update.message is not None
    assert update.message.text == "Hallo"
    assert update.message.from_user is not None
    assert update.message.from_user.language_code == "ar"
    assert update.message.chat.type == "private"
    # Unix seconds, not milliseconds: the date is this century, not in the year 50000.
    assert abs(update.message.date - dt.datetime.now(dt.UTC)) < dt.timedelta(days=1)


async def test_offset_acknowledges_and_limit_caps(bot: Bot, participant: Participant) -> None:
    chat_id = await participant.private_chat(1002)
    for text in ("een", "twee", "drie"):
        await participant.send_text(chat_id, text)

    first = await bot.get_updates(limit=2)
    rest = await bot.get_updates(offset=first[-1].update_id + 1)
    again = await bot.get_updates(offset=rest[-1].update_id + 1)

    assert [u.message.text for u in first if u.message] == ["een", "twee"]
    assert [u.message.text for u in rest if u.message] == ["drie"]
    assert again == ()


async def test_inline_button_press_becomes_a_callback_query(
    bot: Bot, participant: Participant
) -> None:
    chat_id = await participant.private_chat(1003)
    sent = await bot.send_message(
        chat_id, "Heeft u DigiD?", reply_markup=keyboard(("Ja", "digid:yes"), ("Nee", "digid:no"))
    )

    shown = participant.bot_messages(chat_id)[-1]
    assert shown.text == "Heeft u DigiD?"
    assert shown.button_texts == ["Ja", "Nee"]

    await participant.press_button(chat_id, sent.message_id, "digid:no")
    [update] = await bot.get_updates()
    query = update.callback_query
    assert query is not None
    assert query.data == "digid:no"
    assert query.chat_instance
    assert query.from_user.id == 1003
    assert query.message is not None and query.message.message_id == sent.message_id

    assert await query.answer("Oké") is True
    [answer] = participant.callback_answers()
    assert (answer.query_id, answer.text) == (query.id, "Oké")
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await query.answer()


async def test_a_button_that_is_not_there_cannot_be_pressed_unless_forged(
    bot: Bot, participant: Participant
) -> None:
    chat_id = await participant.private_chat(1004)
    sent = await bot.send_message(chat_id, "Kies", reply_markup=keyboard(("A", "a")))

    with pytest.raises(LookupError):
        await participant.press_button(chat_id, sent.message_id, "b")
    await participant.press_button(chat_id, sent.message_id, "b", forge=True)

    [update] = await bot.get_updates()
    assert update.callback_query is not None and update.callback_query.data == "b"


async def test_edits_return_the_message_and_show_to_the_participant(
    bot: Bot, participant: Participant
) -> None:
    chat_id = await participant.private_chat(1005)
    sent = await bot.send_message(chat_id, "Stap 1", reply_markup=keyboard(("Verder", "next")))

    edited = await bot.edit_message_text("Stap 2", chat_id=chat_id, message_id=sent.message_id)
    assert edited is not True and edited.text == "Stap 2"
    assert edited.edit_date is not None
    # Telegram drops the inline keyboard when an edit does not repeat it.
    now = participant.message(chat_id, sent.message_id)
    assert (now.text, now.buttons, now.edited) == ("Stap 2", [], True)

    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("Stap 2", chat_id=chat_id, message_id=sent.message_id)

    marked = await bot.edit_message_reply_markup(
        chat_id, sent.message_id, reply_markup=keyboard(("Klaar", "done"))
    )
    assert marked is not True and marked.reply_markup is not None
    assert participant.message(chat_id, sent.message_id).button_texts == ["Klaar"]
    assert await bot.edit_message_text("x", inline_message_id="inline-1") is True

    assert await bot.delete_message(chat_id, sent.message_id) is True
    assert participant.bot_messages(chat_id) == []
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(chat_id, sent.message_id)


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"text": " "}, "message text is empty"),
        ({"text": "x" * 4097}, "message is too long"),
        ({"text": "Kies", "reply_markup": keyboard(("A", "é" * 33))}, "BUTTON_DATA_INVALID"),
        ({"text": "<b>open", "parse_mode": "HTML"}, "can't parse entities"),
        ({"text": "Klaar.", "parse_mode": "MarkdownV2"}, "is reserved and must be escaped"),
    ],
)
async def test_invalid_sends_fail_like_telegram(
    bot: Bot, participant: Participant, kwargs: dict[str, object], error: str
) -> None:
    chat_id = await participant.private_chat(1006)
    with pytest.raises(BadRequest, match=f"(?i){error}"):
        await bot.send_message(chat_id, **kwargs)  # type: ignore[arg-type]
    assert participant.bot_messages(chat_id) == []


async def test_unknown_chat_method_and_token(bot: Bot, server: BotApiServer) -> None:
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(999, "Hallo")
    async with httpx.AsyncClient() as http:
        unknown = await http.post(f"{server.base_url}{server.token}/sendTelepathy")
        wrong_token = await http.post(f"{server.base_url}1:wrong/getMe")
    assert unknown.status_code == 404
    assert unknown.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
    assert wrong_token.json()["error_code"] == 401


async def test_html_is_parsed_into_entities(bot: Bot, participant: Participant) -> None:
    chat_id = await participant.private_chat(1007)
    sent = await bot.send_message(
        chat_id,
        'Klik <b>Inloggen met DigiD</b> &amp; <a href="https://digid.nl">meer</a>',
        parse_mode="HTML",
    )
    assert sent.text == "Klik Inloggen met DigiD & meer"
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [
        ("bold", 5, 18),
        ("text_link", 26, 4),
    ]


async def test_json_bodies_and_reply_markup_as_a_string_are_accepted(
    server: BotApiServer, participant: Participant
) -> None:
    chat_id = await participant.private_chat(1008)
    markup = '{"inline_keyboard": [[{"text": "Ja", "callback_data": "y"}]]}'
    async with httpx.AsyncClient() as http:
        answer = await http.post(
            f"{server.base_url}{server.token}/sendMessage",
            json={"chat_id": chat_id, "text": "Via JSON", "reply_markup": markup},
        )
    assert answer.json()["ok"] is True
    assert answer.json()["result"]["reply_markup"]["inline_keyboard"][0][0]["text"] == "Ja"


async def test_reply_keyboards_are_kept_for_the_participant(
    bot: Bot, participant: Participant
) -> None:
    chat_id = await participant.private_chat(1009)
    sent = await bot.send_message(
        chat_id, "Taal?", reply_markup=ReplyKeyboardMarkup([["Nederlands", "العربية"]])
    )
    assert sent.reply_markup is None  # Telegram only echoes inline keyboards
    shown = participant.bot_messages(chat_id)[-1]
    assert shown.reply_keyboard is not None
    assert shown.reply_keyboard["keyboard"][0][1]["text"] == "العربية"


async def test_commands_are_kept_per_language_and_scope(bot: Bot, participant: Participant) -> None:
    chat_id = await participant.private_chat(1010)
    await bot.set_my_commands([BotCommand("start", "Begin")])
    await bot.set_my_commands(
        [BotCommand("start", "ابدأ"), BotCommand("help", "مساعدة")], language_code="ar"
    )
    await bot.set_my_commands([BotCommand("stop", "Stop")], scope=BotCommandScopeChat(chat_id))

    assert [c.command for c in await bot.get_my_commands(language_code="ar")] == ["start", "help"]
    assert [c["description"] for c in participant.commands()] == ["Begin"]
    assert [
        c["command"] for c in participant.commands(scope={"type": "chat", "chat_id": chat_id})
    ] == ["stop"]

    await bot.delete_my_commands(language_code="ar")
    assert participant.commands("ar") == []
    assert await bot.get_my_commands() == (BotCommand("start", "Begin"),)


async def test_documents_keep_name_bytes_and_caption(bot: Bot, participant: Participant) -> None:
    chat_id = await participant.private_chat(1011)
    sent = await bot.send_document(
        chat_id, b"BEGIN:VCALENDAR", filename="afspraak.ics", caption="Uw afspraak"
    )
    assert sent.document is not None and sent.document.file_name == "afspraak.ics"

    [document] = participant.documents(chat_id)
    assert (document.file_name, document.content, document.caption) == (
        "afspraak.ics",
        b"BEGIN:VCALENDAR",
        "Uw afspraak",
    )
    downloaded = await (await bot.get_file(sent.document.file_id)).download_as_bytearray()
    assert bytes(downloaded) == b"BEGIN:VCALENDAR"

    photo = await bot.send_photo(chat_id, b"\x89PNG fake", caption="Scherm")
    assert photo.photo and photo.caption == "Scherm"


async def test_chat_actions_menu_button_and_harmless_calls(
    bot: Bot, participant: Participant
) -> None:
    chat_id = await participant.private_chat(1012)
    assert await bot.send_chat_action(chat_id, "typing") is True
    assert [a.action for a in participant.chat_actions(chat_id)] == ["typing"]
    with pytest.raises(BadRequest, match=r"(?i)wrong parameter action"):
        await bot.send_chat_action(chat_id, "dancing")
    assert await bot.set_chat_menu_button() is True
    assert await bot.set_my_description("Hulp bij DigiD", language_code="nl") is True
    assert (await bot.get_my_description("nl")).description == "Hulp bij DigiD"


async def test_a_blocked_bot_gets_forbidden(bot: Bot, participant: Participant) -> None:
    chat_id = await participant.private_chat(1013)
    await participant.block_bot(chat_id)
    with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
        await bot.send_message(chat_id, "Hallo?")
    [update] = await bot.get_updates(allowed_updates=["message", "my_chat_member"])
    assert update.my_chat_member is not None
    assert update.my_chat_member.new_chat_member.status == "kicked"


async def test_markdown_v2_is_parsed_into_entities(bot: Bot, participant: Participant) -> None:
    chat_id = await participant.private_chat(1014)
    sent = await bot.send_message(
        chat_id, r"*Stap 1*\. Klik op _Inloggen_", parse_mode="MarkdownV2"
    )
    assert sent.text == "Stap 1. Klik op Inloggen"
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [
        ("bold", 0, 6),
        ("italic", 16, 8),
    ]


async def test_multipart_fields_and_files_are_read(
    server: BotApiServer, participant: Participant
) -> None:
    chat_id = await participant.private_chat(1015)
    async with httpx.AsyncClient() as http:
        answer = await http.post(
            f"{server.base_url}{server.token}/sendDocument",
            data={"chat_id": str(chat_id), "caption": "Formulier"},
            files={"document": ("formulier.pdf", b"%PDF-1.7", "application/pdf")},
        )
    assert answer.json()["result"]["document"]["file_name"] == "formulier.pdf"
    [document] = participant.documents(chat_id)
    assert (document.content, document.caption) == (b"%PDF-1.7", "Formulier")
