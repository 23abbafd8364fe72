"""The JSON logs of a webhook process carry request ids and never what a participant typed: not a
planted BSN, not a password, not an ordinary sentence, not their chat id, not the bot token."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from bot.app import build_app
from bot.clock import FixedClock
from bot.logs import setup_logging
from bot.observability.context import RequestIdMiddleware
from bot.settings import Settings
from bot.testing.botapi import BotApiServer
from bot.web.server import BackgroundServer, bind
from bot.web.workers import web_app
from tests.channels.telegram_support import ControlledInterpreter, Person, onboard

pytestmark = [pytest.mark.e2e]
CHAT = 4_242_424_242
BSN = "111222333"  # passes the eleven-test: redaction treats it as a BSN
PASSWORD = "Zonnebloem!42"
SENTENCE = "Kwakkelvogel"


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """The root logger as production sets it up (JSON, DEBUG even), writing to a buffer."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    buffer = io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("sys.stderr", buffer)
        setup_logging("DEBUG", as_json=True)
    try:
        yield buffer
    finally:
        root.handlers[:], root.level = handlers, level


async def test_logs_hold_no_message_text_or_personal_data(
    captured: io.StringIO, tmp_path: Path, clock: FixedClock
) -> None:
    async with BotApiServer(webhook_retry_delay=0.01) as server:
        sock = bind()
        host, port = sock.getsockname()[:2]
        settings = Settings(
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'w.db'}",
            telegram_bot_token=server.token,
            telegram_api_base_url=server.base_url,
            webhook_url=f"http://{host}:{port}",
            webhook_secret="privacy-test-secret",
            secret_key="privacy-test-key-" + "x" * 40,
        )
        app = await build_app(replace(settings, reminders_every_seconds=0), clock=clock)
        app.assistant.interpreter = ControlledInterpreter(app.assistant.interpreter)
        try:
            asgi = RequestIdMiddleware(await web_app(app, settings))
            async with BackgroundServer(asgi, sock):
                people = server.participant
                nl = app.engine.texts("nl")
                amina = Person(people, await people.private_chat(CHAT, "Amina"))
                await onboard(amina, app)
                for text in (f"mijn bsn is {BSN}", f"mijn wachtwoord is {PASSWORD}", SENTENCE):
                    await amina.say(text)
                chat = amina.chat
                await people.send_text(chat, "kapot")  # the interpreter fails: an error line
                assert (await people.wait_for_reply(chat)).text == nl("telegram.error")
        finally:
            await app.close()

    lines = [json.loads(line) for line in captured.getvalue().splitlines() if line.strip()]
    text = captured.getvalue()
    for secret in (BSN, PASSWORD, SENTENCE, str(CHAT), server.token):
        assert secret not in text, f"{secret!r} is in the log"
    failure = next(line for line in lines if "failed" in line["message"])
    assert failure["level"] == "error" and "request_id" in failure, "the error line has its id"
    assert "chat ~" in failure["message"], "the chat is named by a pseudonym"
    assert "Traceback" in failure["error"]
