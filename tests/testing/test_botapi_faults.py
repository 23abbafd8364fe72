"""Injected faults reach PTB as the exceptions real Telegram failures produce."""

from __future__ import annotations

import warnings

import pytest
from telegram import Bot
from telegram.error import NetworkError, RetryAfter, TimedOut

from bot.testing.botapi import BotApiServer, Participant

pytestmark = pytest.mark.e2e  # talks to the loopback Bot API server


async def test_429_surfaces_as_retry_after_and_the_retry_is_counted(
    bot: Bot, server: BotApiServer, participant: Participant
) -> None:
    chat_id = await participant.private_chat(2001)
    server.faults.retry_after("sendMessage", seconds=3)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PTB 22 warns that retry_after becomes a timedelta
        with pytest.raises(RetryAfter, match="Retry in 3 seconds") as raised:
            await bot.send_message(chat_id, "Eerste poging")
        assert raised.value.retry_after == 3
    assert participant.bot_messages(chat_id) == []

    await bot.send_message(chat_id, "Tweede poging")
    assert [m.text for m in participant.bot_messages(chat_id)] == ["Tweede poging"]
    sends = server.calls.of("sendMessage")
    assert [call.status for call in sends] == [429, 200]
    assert all(call.chat_id == chat_id for call in sends)
    assert sends[0].at <= sends[1].at
    assert server.calls.count("sendmessage") == 2


async def test_a_fault_for_any_method_hits_the_next_call_only(
    bot: Bot, server: BotApiServer, participant: Participant
) -> None:
    chat_id = await participant.private_chat(2002)
    server.faults.server_error(count=1)
    with pytest.raises(NetworkError, match="Internal Server Error"):
        await bot.send_chat_action(chat_id, "typing")
    assert await bot.send_chat_action(chat_id, "typing") is True


async def test_bad_gateway_is_a_network_error(
    bot: Bot, server: BotApiServer, participant: Participant
) -> None:
    chat_id = await participant.private_chat(2003)
    server.faults.bad_gateway("sendMessage", count=2)
    for _ in range(2):
        with pytest.raises(NetworkError, match="Bad Gateway"):
            await bot.send_message(chat_id, "Hallo")
    await bot.send_message(chat_id, "Hallo")
    assert len(participant.bot_messages(chat_id)) == 1


async def test_a_hang_longer_than_the_read_timeout_times_out_but_still_happens(
    bot: Bot, server: BotApiServer, participant: Participant
) -> None:
    chat_id = await participant.private_chat(2004)
    server.faults.hang("sendMessage", seconds=0.5)
    with pytest.raises(TimedOut):
        await bot.send_message(chat_id, "Traag", read_timeout=0.1)
    # Like Telegram, the server still carries out a request whose answer came too late.
    messages = await participant.wait_for_messages(chat_id, 1, timeout=5)
    assert messages[0].text == "Traag"
