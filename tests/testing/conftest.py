"""Fixtures: the fake Bot API server on 127.0.0.1 and a real PTB Bot pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import Bot

from bot.testing.botapi import BotApiServer, Participant


@pytest.fixture
async def server() -> AsyncIterator[BotApiServer]:
    async with BotApiServer(webhook_retry_delay=0.01) as running:
        yield running


@pytest.fixture
async def bot(server: BotApiServer) -> AsyncIterator[Bot]:
    async with Bot(
        server.token, base_url=server.base_url, base_file_url=server.base_file_url
    ) as real_bot:
        yield real_bot


@pytest.fixture
def participant(server: BotApiServer) -> Participant:
    return server.participant
