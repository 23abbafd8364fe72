"""The real bot under trouble: 429s, server and network errors, floods, slow turns, failures,
redelivered updates, and messages sent outside a turn (long texts, files, blocked chats)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from bot.app import App
from bot.channels.telegram.ratelimit import Limits
from bot.clock import FixedClock
from bot.conversation.replies import Attachment, Button, Link, Reply
from bot.settings import Settings
from bot.testing.botapi import BotApiServer
from tests.channels.telegram_support import (
    FAST,
    ControlledInterpreter,
    Person,
    onboard,
    until,
    wegwijs,
)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning"),
]


@pytest.fixture
async def server() -> AsyncIterator[BotApiServer]:
    async with BotApiServer(webhook_retry_delay=0.01) as running:
        yield running


@pytest.fixture
def settings(server: BotApiServer, sqlite_url: str) -> Settings:
    return Settings(
        database_url=sqlite_url,
        telegram_bot_token=server.token,
        telegram_api_base_url=server.base_url,
    )


def statuses(server: BotApiServer, chat: int) -> list[int]:
    return [c.status for c in server.calls.of("sendMessage") if c.chat_id == chat]


async def test_a_429_is_retried_and_holds_up_only_that_chat(
    server: BotApiServer, settings: Settings, clock: FixedClock
) -> None:
    async with wegwijs(settings, clock, "polling") as (app, _):
        nl = app.engine.texts("nl")
        people = server.participant
        first = Person(people, await people.private_chat(3201, "Farah"))
        second = Person(people, await people.private_chat(3202, "Karim"))

        # Two seconds: room for the other chat's whole turn even on a busy machine.
        server.faults.retry_after("sendMessage", seconds=2)
        await people.send_command(first.chat, "start")
        await until(lambda: 429 in statuses(server, first.chat))
        picker = await second.start()  # while the first chat waits out its second
        assert picker[-1].text == nl("language.choose")
        assert (await first.answer(0))[-1].text == nl("language.choose")

        assert statuses(server, first.chat) == [429, 200]
        sends = server.calls.of("sendMessage")
        second_ok = next(i for i, c in enumerate(sends) if c.chat_id == second.chat)
        first_ok = next(
            i for i, c in enumerate(sends) if c.chat_id == first.chat and c.status == 200
        )
        assert second_ok < first_ok, "the other chat was not held up by the 429"


async def test_server_and_network_errors_are_retried_never_fatal(
    server: BotApiServer, settings: Settings, clock: FixedClock
) -> None:
    async with wegwijs(settings, clock, "polling") as (app, _):
        nl = app.engine.texts("nl")
        people = server.participant
        rana = Person(people, await people.private_chat(3203, "Rana"))
        await rana.start()

        server.faults.server_error("sendMessage", count=2)
        consent = await rana.tap("Nederlands")
        assert consent[0].text == nl("consent.text")
        sent = statuses(server, rana.chat)
        assert sent.count(500) == 2 and sent[sent.index(500) + 2] == 200, sent

        server.faults.bad_gateway("getUpdates")  # the poll itself fails once
        server.faults.server_error("answerCallbackQuery")
        server.faults.server_error("editMessageReplyMarkup")
        menu = await rana.tap(nl("consent.yes"))
        assert menu[-1].text == nl("menu.text")
        await rana.keyboards_settled()


async def test_a_flood_from_one_chat_does_not_hold_up_another(
    server: BotApiServer, settings: Settings, clock: FixedClock
) -> None:
    # Telegram's pace for one private chat (here ten a second) makes the flood take a while.
    options = replace(FAST, limits=Limits(private_per_second=10, private_burst=1))
    async with wegwijs(settings, clock, "polling", options=options) as (app, bot):
        people = server.participant
        flooder = Person(people, await people.private_chat(3204, "Flood"))
        other = Person(people, await people.private_chat(3205, "Mariam"))
        for number in range(40):
            await people.send_text(flooder.chat, f"bericht {number}")
        answer = await other.start()
        assert answer[-1].text == app.engine.texts("nl")("language.choose")
        assert len(flooder.messages()) < 5, "the other chat's answer came long before the flood's"
        await flooder.answer(0)
    assert bot.application.update_processor.dropped > 0  # type: ignore[attr-defined]


async def test_typing_shows_while_a_reply_is_slow_and_a_failure_is_explained(
    server: BotApiServer, settings: Settings, clock: FixedClock
) -> None:
    interpreter: ControlledInterpreter | None = None

    def controlled(app: App) -> None:
        nonlocal interpreter
        interpreter = ControlledInterpreter(app.assistant.interpreter)
        app.assistant.interpreter = interpreter

    async with wegwijs(settings, clock, "polling", prepare=controlled) as (app, _):
        assert interpreter is not None
        nl = app.engine.texts("nl")
        people = server.participant
        dina = Person(people, await people.private_chat(3206, "Dina"))
        await onboard(dina, app)

        interpreter.release.clear()
        before = len(dina.messages())
        await people.send_text(dina.chat, "hallo")
        await people.wait_until(
            dina.chat, lambda: [a for a in people.chat_actions(dina.chat) if a.action == "typing"]
        )
        assert len(dina.messages()) == before, "typing shows while the answer is not there yet"
        interpreter.release.set()
        await dina.answer(before)

        await people.send_text(dina.chat, "kapot")
        failure = await people.wait_for_reply(dina.chat)
        assert failure.text == nl("telegram.error")
        # The participant can go on where they were.
        assert (await dina.tap(nl("menu.tasks")))[-1].text == nl("tasks.choose")


async def test_a_redelivered_update_is_answered_once(
    server: BotApiServer, settings: Settings, clock: FixedClock
) -> None:
    async with wegwijs(settings, clock, "polling") as (app, _):
        nl = app.engine.texts("nl")
        people = server.participant
        sami = Person(people, await people.private_chat(3207, "Sami"))
        await onboard(sami, app)
        before = len(sami.messages())
        sent = await people.send_command(sami.chat, "tasks")
        await sami.answer(before)
        count = len(sami.messages())
        await people.redeliver(sent["update_id"])
        # Updates of one chat are handled in order, so /help's answer comes after whatever the
        # redelivery caused.
        help_answer = await sami.command("help")
        assert len(sami.messages()) == count + len(help_answer)
        assert help_answer[-1].text == nl("help.text")


async def test_messages_outside_a_turn_long_texts_links_and_files(
    server: BotApiServer, settings: Settings, clock: FixedClock
) -> None:
    async with wegwijs(settings, clock, "polling") as (_, bot):
        people = server.participant
        chat = await people.private_chat(3208, "Hana")
        paragraph = "Dit is een lange uitleg over je afspraak in de bibliotheek. " * 30
        long_text = "\n\n".join([paragraph.strip()] * 5)  # about 9000 characters
        calendar = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"
        replies = [
            Reply(
                long_text,
                buttons=((Button("🏠 Menu", "1:menu"),),),
                links=(Link("Open de website", "https://www.digid.nl"),),
            ),
            Reply(
                "Je afspraak voor je agenda.",
                attachment=Attachment("afspraak.ics", calendar, "text/calendar"),
            ),
        ]
        assert await bot.notifier.notify("telegram", str(chat), replies)

        messages = await people.wait_for_messages(chat, 4)
        *parts, document = messages
        assert len(parts) == 3 and all(len(p.text or "") <= 4096 for p in parts)
        assert " ".join((p.text or "") for p in parts).split() == long_text.split()
        assert [p.buttons for p in parts[:-1]] == [[], []], "buttons only under the last part"
        assert parts[-1].buttons == [
            [{"text": "Open de website", "url": "https://www.digid.nl"}],
            [{"text": "🏠 Menu", "callback_data": "1:menu"}],
        ]
        files = people.documents(chat)
        assert [(f.file_name, f.content, f.caption) for f in files] == [
            ("afspraak.ics", calendar, "Je afspraak voor je agenda.")
        ]
        assert document.kind == "document"

        assert not await bot.notifier.notify("console", str(chat), replies)
        await people.block_bot(chat)
        assert not await bot.notifier.notify("telegram", str(chat), [Reply("Herinnering")])
