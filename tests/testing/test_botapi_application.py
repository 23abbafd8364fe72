"""A real PTB Application, polling the fake server, answers a participant end to end."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.testing.botapi import BotApiServer, LoopbackServer

pytestmark = pytest.mark.e2e  # talks to the loopback Bot API server


async def test_application_polling_round_trip(server: BotApiServer) -> None:
    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(f"Echo: {update.effective_message.text}")

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_chat.send_action("typing")  # type: ignore[union-attr]
        await update.effective_message.reply_text(
            f"Welkom ({' '.join(context.args or [])})",
            reply_markup=InlineKeyboardMarkup(
                [[InlineKeyboardButton("Verder", callback_data="next")]]
            ),
        )

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer()
        await query.edit_message_text(f"Gekozen: {query.data}")

    application = (
        Application.builder()
        .token(server.token)
        .base_url(server.base_url)
        .base_file_url(server.base_file_url)
        .build()
    )
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CallbackQueryHandler(pressed))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    participant = server.participant
    chat_id = await participant.private_chat(4001, "Amina", language_code="fa")

    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0, timeout=10)
        try:
            await participant.send_text(chat_id, "Salaam")
            assert (await participant.wait_for_reply(chat_id)).text == "Echo: Salaam"

            await participant.send_command(chat_id, "start", "huurtoeslag")
            welcome = await participant.wait_for_reply(chat_id)
            assert welcome.text == "Welkom (huurtoeslag)"
            assert [a.action for a in participant.chat_actions(chat_id)] == ["typing"]

            tap = await participant.tap(chat_id, "Verder")
            query_id = tap["callback_query"]["id"]
            await participant.wait_for_answer(query_id)
            edited = await participant.wait_until(
                chat_id, lambda: participant.message(chat_id, welcome.message_id).edited
            )
            assert edited
            assert participant.message(chat_id, welcome.message_id).text == "Gekozen: next"
        finally:
            await application.updater.stop()
            await application.stop()
    assert server.calls.count("getUpdates") >= 1
    assert server.calls.count("deleteWebhook") == 1  # PTB clears any webhook before polling


async def test_application_webhook_round_trip(server: BotApiServer) -> None:
    """PTB's custom-webhook pattern: a Starlette route feeds Application.update_queue."""

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(f"Webhook: {update.effective_message.text}")

    application = (
        Application.builder()
        .token(server.token)
        .base_url(server.base_url)
        .base_file_url(server.base_file_url)
        .updater(None)
        .build()
    )
    application.add_handler(MessageHandler(filters.TEXT, echo))

    async def receive(request: Request) -> Response:
        if request.headers.get("x-telegram-bot-api-secret-token") != "wegwijs-secret":
            return Response(status_code=403)
        await application.update_queue.put(Update.de_json(await request.json(), application.bot))
        return Response()

    receiver_app = Starlette(routes=[Route("/telegram", receive, methods=["POST"])])
    participant = server.participant
    chat_id = await participant.private_chat(4002, "Hasan", language_code="tr")
    async with LoopbackServer(receiver_app) as receiver, application:
        await application.bot.set_webhook(
            f"{receiver.url}/telegram", secret_token="wegwijs-secret", drop_pending_updates=True
        )
        await application.start()
        try:
            await participant.send_text(chat_id, "Merhaba")
            assert (await participant.wait_for_reply(chat_id)).text == "Webhook: Merhaba"
        finally:
            await application.stop()
    assert server.backend.webhook.delivered == 1
