"""`wegwijs try`: talk to the real Telegram bot through the loopback Bot API server, in a terminal.

Everything runs in this process on 127.0.0.1: the fake Telegram, the bot (PTB, long polling or
webhook) and you, typing as a participant. Nothing reaches Telegram; no token is needed.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TextIO, cast

from bot.app import App, build_app
from bot.channels.telegram.application import TelegramBot, TelegramOptions
from bot.channels.telegram.ratelimit import Limits
from bot.language.bidi import strip_isolates
from bot.settings import Settings
from bot.testing.botapi import MEDIA_KINDS, BotApiServer, ChatMessage, Participant
from bot.testing.botapi.media import MediaKind

HELP = (
    "You are a participant on a local, fake Telegram. Type a message, a number to tap a button, "
    "/start, /tasks, /help, /language; !photo, !voice, !sticker ... to send media; /quit to stop."
)
QUIET = 0.3  # seconds without a new message before the bot counts as done answering


@dataclass
class Transcript:
    """Prints the bot's new messages and numbers their buttons."""

    people: Participant
    chat_id: int
    out: TextIO
    seen: int = 0
    buttons: list[tuple[int, str]] = field(default_factory=list)

    async def show_new(self, first_wait: float = 10.0) -> None:
        with contextlib.suppress(TimeoutError):
            await self.people.wait_until(self.chat_id, self._has_new, timeout=first_wait)
        while True:
            count = self._count()

            def grew(before: int = count) -> bool:
                return self._count() > before

            try:
                await self.people.wait_until(self.chat_id, grew, timeout=QUIET)
            except TimeoutError:
                break
        self._print(self.people.bot_messages(self.chat_id)[self.seen :])
        self.seen = self._count()

    def _count(self) -> int:
        return len(self.people.bot_messages(self.chat_id))

    def _has_new(self) -> bool:
        return self._count() > self.seen

    def _print(self, messages: list[ChatMessage]) -> None:
        numbered: list[tuple[int, str]] = []
        for message in messages:
            label = f"[{message.kind}] " if message.kind != "text" else ""
            self.out.write(f"\n{label}{strip_isolates(message.text or '')}\n")
            for row in message.buttons:
                cells = []
                for button in row:
                    text = strip_isolates(button["text"])
                    if "url" in button:
                        cells.append(f"{text}: {button['url']}")
                    else:
                        numbered.append((message.message_id, button["callback_data"]))
                        cells.append(f"[{len(numbered)}] {text}")
                self.out.write("   " + "   ".join(cells) + "\n")
        if numbered:
            self.buttons = numbered
        self.out.flush()


@contextlib.asynccontextmanager
async def attached_bot(
    app: App, settings: Settings, *, webhook: bool, options: TelegramOptions | None = None
) -> AsyncIterator[TelegramBot]:
    """The real bot for `settings`' Bot API server: long polling, or our web application on a
    free loopback port receiving webhooks (started and stopped through its lifespan)."""
    if not webhook:
        async with TelegramBot(app, settings, options, polling=True) as bot:
            yield bot
        return
    from bot.channels.telegram.webhook import TelegramWebhook
    from bot.web.app import create_app
    from bot.web.server import BackgroundServer, bind

    sock = bind()  # the port must be known before start-up: it is part of the webhook URL
    host, port = sock.getsockname()[:2]
    hook = TelegramWebhook(app, replace(settings, webhook_url=f"http://{host}:{port}"), options)
    async with BackgroundServer(create_app([hook]), sock):
        yield hook.bot


@contextlib.asynccontextmanager
async def running_bot(
    settings: Settings, *, webhook: bool, options: TelegramOptions | None = None
) -> AsyncIterator[tuple[BotApiServer, TelegramBot]]:
    """The fake Telegram on loopback with the real bot attached."""
    async with BotApiServer() as server:
        settings = replace(
            settings, telegram_bot_token=server.token, telegram_api_base_url=server.base_url
        )
        app = await build_app(settings)
        try:
            async with attached_bot(app, settings, webhook=webhook, options=options) as bot:
                yield server, bot
        finally:
            await app.close()


async def try_it(
    settings: Settings,
    *,
    language_code: str | None,
    name: str = "Amina",
    user_id: int = 1001,
    webhook: bool = False,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
) -> None:
    source = stdin or sys.stdin
    out = stdout or sys.stdout
    interactive = source.isatty()
    # A local fake has no flood limits to respect; Telegram's would only make the demo sluggish.
    options = TelegramOptions(limits=Limits(private_per_second=50, private_burst=20))
    async with running_bot(settings, webhook=webhook, options=options) as (server, _):
        people = server.participant
        chat = await people.private_chat(user_id, name, language_code=language_code)
        out.write(HELP + "\n")
        transcript = Transcript(people, chat, out)
        await people.send_command(chat, "start")
        if not interactive:
            out.write("> /start\n")
        await transcript.show_new()
        loop = asyncio.get_running_loop()
        while True:
            if interactive:
                out.write("> ")
                out.flush()
            line = await loop.run_in_executor(None, source.readline)
            if not line:
                break
            text = line.strip()
            if not interactive:
                out.write(f"> {text}\n")
            if not text:
                continue
            if text in {"/quit", "/exit"}:
                break
            await _act(people, chat, text, transcript)
            await transcript.show_new()


async def _act(people: Participant, chat: int, text: str, transcript: Transcript) -> None:
    if text.isdigit() and 1 <= int(text) <= len(transcript.buttons):
        message_id, data = transcript.buttons[int(text) - 1]
        # Old buttons are pressed as Telegram would send them, even if they are gone by now.
        await people.press_button(chat, message_id, data, forge=True)
    elif text.startswith("!") and text[1:] in MEDIA_KINDS:
        await people.send_media(chat, cast(MediaKind, text[1:]))
    elif text.startswith("/") and len(text) > 1:
        command, _, args = text[1:].partition(" ")
        await people.send_command(chat, command, args.strip())
    else:
        await people.send_text(chat, text)


def temporary_database() -> tuple[str, tempfile.TemporaryDirectory[str]]:
    folder = tempfile.TemporaryDirectory(prefix="wegwijs-try-")
    return f"sqlite+aiosqlite:///{Path(folder.name) / 'try.db'}", folder
