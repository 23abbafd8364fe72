"""Helpers for the Telegram end-to-end tests: the real bot on the loopback Bot API server, and a
participant who taps buttons by their labels and waits for the bot's answers (never sleeps)."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from bot.app import App, build_app
from bot.channels.telegram.application import TelegramBot, TelegramOptions
from bot.channels.telegram.channel import ChannelOptions
from bot.channels.telegram.ratelimit import Limits
from bot.channels.telegram.tryout import attached_bot
from bot.clock import Clock
from bot.conversation.inbound import Understanding
from bot.language.bidi import FSI, PDI
from bot.language.interpreter import Interpreter
from bot.settings import Settings
from bot.testing.botapi import ChatMessage, Participant
from bot.testing.botapi.media import MediaKind

# Telegram's real pace would only make the tests slow; flow control has tests of its own.
FAST = TelegramOptions(
    channel=ChannelOptions(typing_delay=0.05),
    limits=Limits(private_per_second=200, private_burst=50, backoff=0.01),
)
WAIT = 10.0


@contextlib.asynccontextmanager
async def wegwijs(
    settings: Settings,
    clock: Clock,
    mode: str,
    options: TelegramOptions = FAST,
    prepare: Callable[[App], None] | None = None,
) -> AsyncIterator[tuple[App, TelegramBot]]:
    """The whole assistant with the real PTB Application, polling or receiving webhooks."""
    app = await build_app(settings, clock=clock)
    if prepare is not None:
        prepare(app)
    try:
        async with attached_bot(app, settings, webhook=mode == "webhook", options=options) as bot:
            yield app, bot
    finally:
        await app.close()


@dataclass
class Person:
    people: Participant
    chat: int

    def messages(self) -> list[ChatMessage]:
        return self.people.bot_messages(self.chat)

    def texts(self) -> list[str]:
        return [m.text or "" for m in self.messages()]

    async def answer(self, before: int) -> list[ChatMessage]:
        """The bot's messages after the first `before`, once one with choice buttons is there."""

        def ready() -> list[ChatMessage] | None:
            new = self.messages()[before:]
            return new if new and new[-1].callback_data else None

        return await self.people.wait_until(self.chat, ready, timeout=WAIT)

    async def _turn(self, action: Coroutine[Any, Any, Any]) -> list[ChatMessage]:
        before = len(self.messages())
        await action
        return await self.answer(before)

    async def start(self, payload: str = "") -> list[ChatMessage]:
        return await self._turn(self.people.send_command(self.chat, "start", payload))

    async def command(self, name: str, args: str = "") -> list[ChatMessage]:
        return await self._turn(self.people.send_command(self.chat, name, args))

    async def say(self, text: str) -> list[ChatMessage]:
        return await self._turn(self.people.send_text(self.chat, text))

    async def tap(self, label: str) -> list[ChatMessage]:
        return await self._turn(self.people.tap(self.chat, label))

    async def press(self, message_id: int, data: str) -> list[ChatMessage]:
        """Send callback data as a client could: also old or forged data."""
        return await self._turn(self.people.press_button(self.chat, message_id, data, forge=True))

    async def media(self, kind: MediaKind) -> list[ChatMessage]:
        return await self._turn(self.people.send_media(self.chat, kind))

    async def cleared(self, message_id: int) -> ChatMessage:
        """Wait until an answered message has lost its choice buttons (done right after a turn)."""

        def done() -> ChatMessage | None:
            message = self.people.message(self.chat, message_id)
            return None if message.callback_data else message

        return await self.people.wait_until(self.chat, done, timeout=WAIT)

    async def keyboards_settled(self) -> list[ChatMessage]:
        """Wait until only the newest message still carries choice buttons (old ones cleared)."""

        def settled() -> list[ChatMessage] | None:
            messages = self.messages()
            with_buttons = [m.message_id for m in messages if m.callback_data]
            return messages if with_buttons == [messages[-1].message_id] else None

        return await self.people.wait_until(self.chat, settled, timeout=WAIT)


async def onboard(person: Person, app: App, language: str = "nl") -> list[ChatMessage]:
    texts = app.engine.texts(language)
    await person.start()
    name = next(lang.name for lang in app.content.languages.languages if lang.code == language)
    await person.tap(name)
    return await person.tap(texts("consent.yes"))


def latin_outside_isolates(text: str) -> str:
    """The Latin letters and digits of `text` that are not inside an isolate."""
    depth = 0
    outside = []
    for char in text:
        if char == FSI:
            depth += 1
        elif char == PDI:
            depth = max(0, depth - 1)
        elif depth == 0 and char.isascii() and char.isalnum():
            outside.append(char)
    return "".join(outside)


class ControlledInterpreter:
    """Wraps the real interpreter: can be held (a slow reply) or made to fail on one word."""

    name = "controlled"

    def __init__(self, inner: Interpreter, fail_on: str = "kapot") -> None:
        self.inner = inner
        self.fail_on = fail_on
        self.release = asyncio.Event()
        self.release.set()

    async def parse(self, text: str, lang: str) -> Understanding:
        await self.release.wait()
        if text == self.fail_on:
            raise RuntimeError("the interpreter broke down")
        return await self.inner.parse(text, lang)


async def until(check: Callable[[], bool], timeout: float = WAIT) -> None:  # noqa: ASYNC109
    """For server-side facts no chat signal announces (the call log): look often, briefly."""
    async with asyncio.timeout(timeout):
        while not check():  # noqa: ASYNC110  (nothing to wait on: the log has no event)
            await asyncio.sleep(0.005)


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)
