"""The participant API over HTTP, and the server run as its own process."""

from __future__ import annotations

import asyncio
import socket
import sys
from collections.abc import AsyncIterator

import httpx
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup

from bot.testing.botapi import (
    BotApiServer,
    Participant,
    RemoteError,
    RemoteParticipant,
)

pytestmark = pytest.mark.e2e  # talks to the loopback Bot API server


@pytest.fixture
async def remote(server: BotApiServer) -> AsyncIterator[RemoteParticipant]:
    async with RemoteParticipant(server.url, server.token) as client:
        yield client


def test_the_remote_client_offers_the_participant_operations() -> None:
    in_process = {name for name in vars(Participant) if not name.startswith("_")}
    # These take Python callables or return live records, so they exist in-process only.
    local_only = {"wait_until", "is_blocked", "callback_query"}
    assert in_process - local_only <= set(vars(RemoteParticipant))


async def test_a_remote_participant_talks_to_the_bot(bot: Bot, remote: RemoteParticipant) -> None:
    chat_id = await remote.private_chat(5001, "Dawit", language_code="ti")
    await remote.send_text(chat_id, "Selam")
    [update] = await bot.get_updates()
    assert update.message is not None and update.message.text == "Selam"

    waiting = asyncio.create_task(remote.wait_for_reply(chat_id))
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Ja", callback_data="ja")]])
    await update.message.reply_text("Verder?", reply_markup=keyboard)
    reply = await waiting
    assert (reply.text, reply.button_texts) == ("Verder?", ["Ja"])

    tapped = await remote.tap(chat_id, "Ja")
    assert tapped["callback_query"]["data"] == "ja"
    await bot.send_document(chat_id, b"%PDF", filename="uitleg.pdf")
    [document] = await remote.documents(chat_id)
    assert (document.file_name, document.content) == ("uitleg.pdf", b"%PDF")

    await remote.add_fault("retry_after", method="sendMessage", retry_after=2)
    assert [call.status for call in await remote.calls("sendMessage")] == [200]
    with pytest.raises(RemoteError, match="no button"):
        await remote.tap(chat_id, "Nee")
    with pytest.raises(TimeoutError):
        await remote.wait_for_messages(chat_id, 5, timeout=0.05)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def test_the_server_runs_as_its_own_process() -> None:
    port = _free_port()
    token = "42:standalone"
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        *("-m", "bot.testing.botapi", "--port", str(port), "--token", token),
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        banner = await asyncio.wait_for(process.stdout.readline(), 20)  # before listening
        assert b"Bot API" in banner
        async with httpx.AsyncClient() as http:
            for _ in range(200):
                try:
                    answer = await http.get(f"http://127.0.0.1:{port}/bot{token}/getMe")
                    break
                except httpx.ConnectError:
                    await asyncio.sleep(0.02)
            else:
                pytest.fail("the standalone server did not start")
        assert answer.json()["result"]["id"] == 42
    finally:
        process.terminate()
        assert await asyncio.wait_for(process.wait(), 10) is not None
