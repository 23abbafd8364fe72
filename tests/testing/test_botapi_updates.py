"""Long polling, webhooks, and the participant's inbound variety as PTB parses it."""

from __future__ import annotations

import asyncio
import json

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import Conflict

from bot.testing.botapi import MEDIA_KINDS, BotApiServer, LoopbackServer, Participant

pytestmark = pytest.mark.e2e  # talks to the loopback Bot API server


async def test_long_poll_returns_as_soon_as_an_update_arrives(
    bot: Bot, participant: Participant
) -> None:
    chat_id = await participant.private_chat(3001)
    poll = asyncio.create_task(bot.get_updates(timeout=30))
    await asyncio.sleep(0.05)  # let the poll reach the server and start waiting
    assert not poll.done()

    await participant.send_text(chat_id, "Ben je er?")

    # A poll that waited for its 30 s timeout would not finish within this bound.
    [update] = await asyncio.wait_for(poll, 5)
    assert update.message is not None and update.message.text == "Ben je er?"


async def test_a_second_poller_ends_the_first_with_conflict(bot: Bot, server: BotApiServer) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=30))
    await asyncio.sleep(0.05)
    async with Bot(server.token, base_url=server.base_url) as second_instance:
        assert await second_instance.get_updates(timeout=0) == ()
    with pytest.raises(Conflict, match="terminated by other getUpdates request"):
        await asyncio.wait_for(first, 5)


async def test_webhook_posts_updates_with_the_secret_and_retries(
    bot: Bot, server: BotApiServer, participant: Participant
) -> None:
    received: list[tuple[str | None, dict[str, object]]] = []
    arrived = asyncio.Event()
    failures_left = [1]

    async def webhook(request: Request) -> Response:
        if failures_left[0]:
            failures_left[0] -= 1
            return Response(status_code=500)
        received.append(
            (request.headers.get("x-telegram-bot-api-secret-token"), await request.json())
        )
        arrived.set()
        return Response()

    app = Starlette(routes=[Route("/telegram", webhook, methods=["POST"])])
    async with LoopbackServer(app) as receiver:
        chat_id = await participant.private_chat(3002)
        await participant.send_text(chat_id, "Voor de webhook")  # waiting before the webhook
        assert await bot.set_webhook(f"{receiver.url}/telegram", secret_token="geheim-123")
        with pytest.raises(Conflict, match="webhook is active"):
            await bot.get_updates()

        await asyncio.wait_for(arrived.wait(), 5)
        secret, body = received[0]
        assert secret == "geheim-123"
        update = Update.de_json(body, bot)
        assert update.message is not None and update.message.text == "Voor de webhook"

        info = await bot.get_webhook_info()
        assert info.url == f"{receiver.url}/telegram"
        assert (
            info.last_error_message == "Wrong response from the webhook: 500 Internal Server Error"
        )
        assert info.pending_update_count == 0

        assert await bot.delete_webhook()
        await participant.send_text(chat_id, "Weer polling")
        [update] = await bot.get_updates()
        assert update.message is not None and update.message.text == "Weer polling"


@pytest.mark.parametrize("kind", MEDIA_KINDS)
async def test_every_media_kind_parses_in_ptb(
    bot: Bot, participant: Participant, kind: str
) -> None:
    chat_id = await participant.private_chat(3003)
    await participant.send_media(chat_id, kind)  # type: ignore[arg-type]
    [update] = await bot.get_updates()
    assert update.message is not None
    assert update.message.effective_attachment is not None


async def test_a_voice_message_can_be_downloaded(bot: Bot, participant: Participant) -> None:
    chat_id = await participant.private_chat(3004)
    await participant.send_media(chat_id, "voice", content=b"OggS fake")
    [update] = await bot.get_updates()
    assert update.message is not None and update.message.voice is not None
    voice = await update.message.voice.get_file()
    assert bytes(await voice.download_as_bytearray()) == b"OggS fake"


async def test_commands_groups_edits_and_redelivery(bot: Bot, participant: Participant) -> None:
    user = await participant.private_chat(3005, "Yonas", language_code="ti")
    await participant.add_user(3006, "Sara")
    group = await participant.group_chat(-100300, "Taalhuis", members=[user, 3006])

    command = await participant.send_command(user, "start", "digid-aanvragen")
    said = await participant.send_text(group, "Hallo groep", from_user=3006)
    await participant.edit_text(user, command["message"]["message_id"], "/start")
    start, in_group, edited = await bot.get_updates()

    await participant.redeliver(said["update_id"])
    [again] = await bot.get_updates(offset=edited.update_id + 1)
    assert start.message is not None and start.message.text == "/start digid-aanvragen"
    assert start.message.parse_entities(["bot_command"]).popitem()[1] == "/start"
    assert in_group.message is not None and in_group.message.chat.type == "supergroup"
    assert in_group.message.from_user is not None and in_group.message.from_user.id == 3006
    assert edited.edited_message is not None and edited.edited_message.text == "/start"
    assert again.update_id == in_group.update_id


async def test_waiting_for_replies_wakes_on_the_send(bot: Bot, participant: Participant) -> None:
    chat_id = await participant.private_chat(3007)
    await participant.send_text(chat_id, "Vraag")
    waiting = asyncio.create_task(participant.wait_for_reply(chat_id, timeout=5))
    await asyncio.sleep(0)
    await bot.send_message(chat_id, "Antwoord")
    assert (await waiting).text == "Antwoord"

    later = asyncio.create_task(participant.wait_for_messages(chat_id, 3, timeout=5))
    await bot.send_message(chat_id, "twee")
    await bot.send_message(chat_id, "drie")
    assert [m.text for m in await later] == ["Antwoord", "twee", "drie"]
    await participant.send_text(chat_id, "Nog een vraag")
    with pytest.raises(TimeoutError, match="no reply"):
        await participant.wait_for_reply(chat_id, timeout=0.05)
    assert json.dumps(participant.messages(chat_id)[0].raw)  # plain JSON, ready for a report


async def test_allowed_updates_and_dropping_pending_updates(
    bot: Bot, participant: Participant
) -> None:
    chat_id = await participant.private_chat(3008)
    sent = await bot.send_message(
        chat_id,
        "Kies",
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="a")]]),
    )
    await participant.send_text(chat_id, "tekst")
    await participant.press_button(chat_id, sent.message_id, "a")

    [only] = await bot.get_updates(allowed_updates=["callback_query"])
    assert only.callback_query is not None

    await participant.send_text(chat_id, "oud")
    await bot.delete_webhook(drop_pending_updates=True)
    await participant.send_text(chat_id, "nieuw")
    [fresh] = await bot.get_updates(offset=only.update_id + 1, allowed_updates=["message"])
    assert fresh.message is not None and fresh.message.text == "nieuw"
