"""The hostile-input corpus through the real PTB Application on the loopback Bot API server.

Every input arrives as the Update Telegram would send, from a participant in the middle of a
task, in all eight languages. For each: a reply (an answered button press for callbacks) or the
adapter's documented silence, no error through PTB's error handler, nothing Telegram would
refuse (too long, bad callback data, a parse error). Then the same update twice, two updates of
one chat at once, a group, and a chat that erased its data. Afterwards every table and every log
line (all loggers at DEBUG) is searched for the planted BSNs, IBANs, card numbers and passwords.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import httpx
import pytest
from sqlalchemy import text as sql

from bot.app import App
from bot.channels.telegram.application import TelegramBot
from bot.channels.telegram.channel import ChannelOptions
from bot.channels.telegram.ratelimit import Limits
from bot.channels.telegram.webhook import SECRET_HEADER
from bot.clock import FixedClock
from bot.language.bidi import strip_isolates
from bot.settings import Settings
from bot.testing.botapi import BotApiServer
from tests.channels.telegram_support import FAST, until, wegwijs
from tests.hostile.support import (
    DEBUG_LOGGERS,
    LANGUAGES,
    TASK,
    Timer,
    command_entities,
    consistency_problems,
    dump_database,
    errors_logged,
    everything_logged,
    load_corpus,
    newest_offer,
    offered,
    planted_secrets,
    press,
    refused_calls,
    secrets_in,
    send_item,
    sent_problems,
    silent_by_design,
    wait_offer,
    walk_to_step,
)
from tests.support.driver import ChatDriver

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning"),
]

SECRET = "hostile-webhook-secret"
# Telegram's pace (30 messages a second) would make the run take minutes; flow control has
# tests of its own.
OPTIONS = replace(
    FAST,
    channel=ChannelOptions(typing_delay=0.2),
    limits=Limits(
        overall_per_second=100_000, private_per_second=1_000, private_burst=100, backoff=0.01
    ),
)
FIRST_CHAT = 810_000
Json = dict[str, Any]


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
        webhook_secret=SECRET,
    )


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    # Connection chatter without URLs or bodies, and SQL echo (no parameters: the engine hides
    # them; the rows themselves are searched in the database dump) would only slow the run.
    caplog.set_level(logging.INFO, logger="httpcore")
    caplog.set_level(logging.WARNING, logger="sqlalchemy")
    for name in DEBUG_LOGGERS:
        if name not in ("httpcore", "sqlalchemy"):
            caplog.set_level(logging.DEBUG, logger=name or None)
    caplog.handler.setLevel(logging.DEBUG)
    return caplog


def describe(item: Json) -> str:
    value = item.get("text", item.get("command", item.get("data", item.get("media"))))
    return f"input {item['id']} ({item['kind']}: {str(value)[:40]!r})"


async def handled(server: BotApiServer, timeout: float = 60.0) -> None:  # noqa: ASYNC109
    """Webhook mode: an update leaves the server's queue when our endpoint answered 2xx, and it
    answers only after the turn, its replies and keyboard clean-up are done."""
    await until(lambda: not server.backend.updates.pending, timeout)


async def quiet(server: BotApiServer, mode: str) -> None:
    """Webhook mode: the last answer is out, but its update may still be marked done after it;
    wait for the endpoint's 200 before reading the update ledger."""
    if mode == "webhook":
        await handled(server)


async def no_secret_anywhere(
    server: BotApiServer,
    engine: Any,
    records: list[logging.LogRecord],
    secrets: list[str],
) -> None:
    stored = await dump_database(engine)
    assert secrets_in(stored, secrets) == [], "a planted secret is in the database"
    logged = everything_logged(records)
    assert secrets_in(logged, secrets) == [], "a planted secret is in the logs"
    said = "\n".join(
        message.text or ""
        for chat in server.backend.state.chats.values()
        for message in server.participant.bot_messages(chat.chat["id"])
    )
    assert secrets_in(said, secrets) == [], "the bot repeated a planted secret back"


async def run_corpus(
    server: BotApiServer, items: list[Json], step_messages: dict[int, int]
) -> dict[int, tuple[int, Json]]:
    """Send every input to its own mid-task chat at once; returns (messages before, update)."""
    people = server.participant

    async def one(item: Json) -> tuple[int, tuple[int, Json]]:
        chat = FIRST_CHAT + int(item["id"])
        before = len(people.bot_messages(chat))
        update = await send_item(server, chat, item, step_messages[chat])
        return int(item["id"]), (before, update)

    return dict(await asyncio.gather(*(one(item) for item in items)))


def unanswered(
    server: BotApiServer,
    items: list[Json],
    sent: dict[int, tuple[int, Json]],
    ends: dict[int, int] | None = None,
) -> list[str]:
    """What is wrong with the answers; `ends`: where each chat's answer ends (default: now)."""
    people = server.participant
    problems = []
    for item in items:
        chat = FIRST_CHAT + int(item["id"])
        before, update = sent[int(item["id"])]
        end = (ends or {}).get(chat)
        new = people.bot_messages(chat)[before:end]
        if silent_by_design(item):
            if new:
                problems.append(f"{describe(item)}: expected silence, got {[m.text for m in new]}")
            continue
        if not new:
            problems.append(f"{describe(item)}: no reply")
        query = update.get("callback_query")
        if query is not None and not people.callback_query(query["id"]).answered:
            problems.append(f"{describe(item)}: the button press was not answered")
        problems.extend(f"{describe(item)}: {p}" for p in sent_problems(people.bot_messages(chat)))
    return problems


def language_of(item: Json) -> str:
    return LANGUAGES[int(item["id"]) % len(LANGUAGES)]


async def walked_on_telegram(server: BotApiServer, items: list[Json]) -> dict[int, int]:
    """One participant per input, each walked through Telegram to the first step of the DigiD
    task in one of the eight languages; returns chat -> the message id of that step."""
    people = server.participant

    async def one(item: Json) -> tuple[int, int]:
        chat = FIRST_CHAT + int(item["id"])
        await people.private_chat(chat, f"Deelnemer {item['id']}", language_code=language_of(item))
        step = await walk_to_step(people, chat, language_of(item))
        return chat, step.message_id

    return dict(await asyncio.gather(*(one(item) for item in items)))


async def walked_by_the_assistant(
    server: BotApiServer, app: App, bot: TelegramBot, items: list[Json]
) -> dict[int, int]:
    """The same participants, walked to the step by the assistant itself (four turns each, a
    fifth of the time through Telegram); the step is then shown in their Telegram chat by the
    bot's own sender, so its buttons are live there. The polling test walks through Telegram."""
    people = server.participant

    async def one(item: Json) -> tuple[int, int]:
        chat = FIRST_CHAT + int(item["id"])
        lang = language_of(item)
        await people.private_chat(chat, f"Deelnemer {item['id']}", language_code=lang)
        driver = ChatDriver(app, chat_id=str(chat), channel="telegram")
        await driver.start(f"t_{TASK}", hint=lang)
        await driver.press(f"lang:{lang}")
        await driver.press("consent:yes")
        await driver.press(f"start:{TASK}")
        assert await bot.notifier.notify("telegram", str(chat), driver.last)
        return chat, newest_offer(people, chat, "done").message_id

    return dict(await asyncio.gather(*(one(item) for item in items)))


async def test_the_whole_corpus_through_the_webhook(
    server: BotApiServer,
    settings: Settings,
    clock: FixedClock,
    logs: pytest.LogCaptureFixture,
) -> None:
    items = load_corpus()
    async with wegwijs(settings, clock, "webhook", options=OPTIONS) as (app, bot):
        with Timer() as setup:
            steps = await walked_by_the_assistant(server, app, bot, items)
        with Timer() as attack:
            sent = await run_corpus(server, items, steps)
            await handled(server)
        assert unanswered(server, items, sent) == []
        assert refused_calls(server) == [], "Telegram refused what the bot sent"
        assert errors_logged(logs.records) == []
        assert await consistency_problems(app.db.engine, app.content) == []
        await no_secret_anywhere(server, app.db.engine, logs.records, planted_secrets(items))
    print(
        f"\nwebhook: {len(items)} mid-task participants set up in {setup.seconds:.1f}s, "
        f"{len(items)} hostile inputs answered in {attack.seconds:.1f}s, "
        f"{server.calls.count('sendMessage')} messages sent, {len(logs.records)} log records"
    )


def polling_subset(items: list[Json]) -> list[Json]:
    """Every planted secret and every media kind, a share of the callbacks and commands, and the
    first input of each other kind."""
    chosen, seen = [], set()
    counters: dict[str, int] = {}
    for item in items:
        kind = str(item["kind"])
        number = counters[kind] = counters.get(kind, -1) + 1
        if (
            kind in ("secret", "media")
            or (kind == "callback" and number % 5 == 0)
            or (kind == "command" and number % 4 == 0)
            or kind not in seen
        ):
            chosen.append(item)
        seen.add(kind)
    return chosen


async def test_a_share_of_the_corpus_through_long_polling(
    server: BotApiServer,
    settings: Settings,
    clock: FixedClock,
    logs: pytest.LogCaptureFixture,
) -> None:
    items = polling_subset(load_corpus())
    people = server.participant
    async with wegwijs(settings, clock, "polling", options=OPTIONS) as (app, _):
        with Timer() as setup:
            steps = await walked_on_telegram(server, items)
        with Timer() as attack:
            sent = await run_corpus(server, items, steps)

            async def settled(item: Json) -> tuple[int, int]:
                """A chat's updates are handled in order: once a /help sent after the input is
                answered, the input's turn is over. Returns where the help answer begins."""
                chat = FIRST_CHAT + int(item["id"])
                before = sent[int(item["id"])][0]
                await people.send_command(chat, "help")
                help_text = strip_isolates(app.engine.texts(language_of(item))("help.text"))

                def help_at() -> int | None:
                    for index, message in enumerate(people.bot_messages(chat)):
                        if index >= before and strip_isolates(message.text or "") == help_text:
                            return index
                    return None

                return chat, await people.wait_until(chat, help_at, timeout=30)

            ends = dict(await asyncio.gather(*(settled(item) for item in items)))
        assert unanswered(server, items, sent, ends) == []
        assert refused_calls(server) == [], "Telegram refused what the bot sent"
        assert errors_logged(logs.records) == []
        assert await consistency_problems(app.db.engine, app.content) == []
        await no_secret_anywhere(server, app.db.engine, logs.records, planted_secrets(items))
    print(
        f"\npolling: {len(items)} participants walked through Telegram in {setup.seconds:.1f}s, "
        f"{len(items)} hostile inputs answered in {attack.seconds:.1f}s"
    )


# -- delivery: twice, at once, in a group, after erasure ------------------------------------------


@pytest.fixture(params=["webhook", "polling"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def crafted(server: BotApiServer, chat: int, text: str, update_id: int) -> Json:
    """A message update built here, as a second Telegram connection would deliver it: the
    loopback server never queued it, so it reaches the bot only when the test posts it."""
    state = server.backend.state.chats[chat]
    message = {
        "message_id": update_id % 1_000_000,
        "date": int(time.time()),
        "chat": state.chat,
        "from": state.user,
        "text": text,
        "entities": command_entities(text),
    }
    return {"update_id": update_id, "message": message}


async def post_to_webhook(server: BotApiServer, updates: list[Json]) -> list[int]:
    """POST the updates to the bot's webhook all at the same moment; their HTTP statuses."""
    url = server.backend.webhook.url
    async with httpx.AsyncClient(trust_env=False, timeout=30) as client:
        responses = await asyncio.gather(
            *(client.post(url, json=update, headers={SECRET_HEADER: SECRET}) for update in updates)
        )
    return [response.status_code for response in responses]


async def settle(server: BotApiServer, app: App, chat: int, lang: str = "nl") -> int:
    """Every update of the chat sent so far is handled: /help goes last and is answered (a
    chat's updates are handled in order). Returns the number of bot messages before /help."""
    people = server.participant
    before = len(people.bot_messages(chat))
    await people.send_command(chat, "help")
    help_text = strip_isolates(app.engine.texts(lang)("help.text"))

    def help_at() -> int | None:
        for index, message in enumerate(people.bot_messages(chat)):
            if index >= before and strip_isolates(message.text or "") == help_text:
                return index
        return None

    return await people.wait_until(chat, help_at, timeout=30)


async def test_the_same_update_twice_is_answered_once(
    server: BotApiServer, settings: Settings, clock: FixedClock, mode: str
) -> None:
    people = server.participant
    async with wegwijs(settings, clock, mode, options=OPTIONS) as (app, _):
        nl = app.engine.texts("nl")
        chat = await people.private_chat(820_001, "Dubbel")
        step = await walk_to_step(people, chat, "nl")
        done = offered(step, "done")
        assert done is not None

        # Telegram delivers a step's "done" again (its acknowledgement was lost).
        before = len(people.bot_messages(chat))
        pressed = await people.press_button(chat, step.message_id, done)
        await wait_offer(people, chat, "done", after=before)
        answered = len(people.bot_messages(chat))
        await people.redeliver(pressed["update_id"])
        # A client replays the same button (the same data, a new update) after it was answered.
        await people.press_button(chat, step.message_id, done, forge=True)
        end = await settle(server, app, chat)
        replay = [strip_isolates(m.text or "") for m in people.bot_messages(chat)[answered:end]]
        assert replay[0] == strip_isolates(nl("fallback.old_button")), replay

        if mode == "webhook":
            # The same update posted twice at the same moment, as two connections could.
            twice = crafted(server, chat, "/tasks", 990_000_001)
            before = len(people.bot_messages(chat))
            statuses = await post_to_webhook(server, [twice, twice])
            assert sorted(statuses) in ([200, 200], [200, 503]), statuses
            if 503 in statuses:  # "busy": Telegram asks again later and gets the duplicate's 200
                assert await post_to_webhook(server, [twice]) == [200]
            texts = [m.text for m in people.bot_messages(chat)[before:]]
            assert texts.count(nl("tasks.choose")) == 1, texts

        loaded = await app.assistant.store.load("telegram", str(chat))
        progress = loaded.snapshot.progress[TASK]
        assert progress.step_id == app.content.tasks[TASK].steps[1].id, "one step further, once"
        async with app.db.engine.connect() as connection:
            events = await connection.execute(
                sql("SELECT count(*) FROM events WHERE kind = 'step_done'")
            )
            assert events.scalar() == 1
        await quiet(server, mode)
        assert refused_calls(server) == []
        assert await consistency_problems(app.db.engine, app.content) == []


async def test_two_updates_of_one_chat_at_the_same_moment(
    server: BotApiServer, settings: Settings, clock: FixedClock, mode: str
) -> None:
    people = server.participant
    async with wegwijs(settings, clock, mode, options=OPTIONS) as (app, _):
        nl = app.engine.texts("nl")
        chat = await people.private_chat(820_002, "Tegelijk")
        step = await walk_to_step(people, chat, "nl")

        # A double tap on the step's "done": two presses of one button, sent back to back.
        done = offered(step, "done")
        assert done is not None
        before = len(people.bot_messages(chat))
        await people.press_button(chat, step.message_id, done)
        await people.press_button(chat, step.message_id, done, forge=True)
        end = await settle(server, app, chat)
        taps = [strip_isolates(m.text or "") for m in people.bot_messages(chat)[before:end]]
        assert taps.count(strip_isolates(nl("fallback.old_button"))) == 1, taps
        assert [t for t in taps if t.startswith("Stap 2 van")] != [], taps
        assert not [t for t in taps if t.startswith("Stap 3 van")], "one tap counted twice"

        before = len(people.bot_messages(chat))
        if mode == "webhook":
            # Two connections deliver two updates of this chat at the same moment.
            updates = [crafted(server, chat, text, 990_000_011 + n) for n, text in
                       enumerate(["/start", "/tasks"])]  # fmt: skip
            assert await post_to_webhook(server, updates) == [200, 200]
            end = len(people.bot_messages(chat))
        else:
            # Both in one getUpdates answer: PTB hands them over together.
            await people.send_command(chat, "start")
            await people.send_command(chat, "tasks")
            wanted = {strip_isolates(nl("tasks.choose")), strip_isolates(nl("menu.text"))}

            def both() -> bool:
                later = people.bot_messages(chat)[before:]
                return {strip_isolates(m.text or "") for m in later} >= wanted

            await people.wait_until(chat, both, timeout=30)
            end = len(people.bot_messages(chat))

        texts = [strip_isolates(m.text or "") for m in people.bot_messages(chat)[before:end]]
        tasks, menu = strip_isolates(nl("tasks.choose")), strip_isolates(nl("menu.text"))
        assert texts in ([menu, tasks], [tasks, menu]), "each answered once, one after the other"
        loaded = await app.assistant.store.load("telegram", str(chat))
        last = "tasks" if texts[-1] == tasks else "menu"
        assert loaded.snapshot.state.screen.value == last, "the state is that of the last answer"
        assert loaded.snapshot.progress[TASK].step_id == app.content.tasks[TASK].steps[1].id
        await quiet(server, mode)
        assert refused_calls(server) == []
        assert await consistency_problems(app.db.engine, app.content) == []


async def test_a_group_gets_one_pointer_to_a_private_chat_and_nothing_else(
    server: BotApiServer,
    settings: Settings,
    clock: FixedClock,
    mode: str,
    logs: pytest.LogCaptureFixture,
) -> None:
    people = server.participant
    items = load_corpus()[::7]  # every kind of input, some of each
    async with wegwijs(settings, clock, mode, options=OPTIONS) as (app, bot):
        en = app.engine.texts("en")
        members = [830_001, 830_002, 830_003]
        for number, user in enumerate(members):
            await people.add_user(user, f"Lid {number}", language_code="en")
        group = await people.group_chat(-1_008_300, "Taalhuis dinsdag", members=members)

        await people.send_text(group, "hallo bot", from_user=members[0])
        pointer = await people.wait_for_reply(group)
        assert pointer.text == en("telegram.group_pointer")
        assert [b.get("url") for row in pointer.buttons for b in row] == [
            f"https://t.me/{bot.channel.bot.username}"
        ]
        queries = []

        async def handled_so_far(user: int) -> None:
            """A button press in the group, answered: the group's updates are handled in order,
            so everything sent before it was handled too. In small batches, because a chat with
            more than eight updates waiting loses the extra ones (flood protection)."""
            probe = await people.press_button(
                group, pointer.message_id, "1:menu", forge=True, from_user=user
            )
            await people.wait_for_answer(probe["callback_query"]["id"], timeout=30)

        for number, item in enumerate(items):
            user = members[number % len(members)]
            update = await send_item(server, group, item, pointer.message_id, from_user=user)
            if "callback_query" in update:
                queries.append(update["callback_query"]["id"])
            if number % 6 == 5:
                await handled_so_far(user)
        sent = await people.send_text(group, "nog iemand?", from_user=members[1])
        await people.edit_text(group, sent["message"]["message_id"], "nog iemand daar?")
        await handled_so_far(members[0])
        assert len(people.bot_messages(group)) == 1, "one pointer, then silence"
        for query in queries:
            assert people.callback_query(query).answered, "a button press in a group is answered"
        # A day later the group gets one more pointer.
        clock.advance(dt.timedelta(days=1, minutes=1))
        await people.send_text(group, "hallo weer", from_user=members[2])
        messages = await people.wait_for_messages(group, 2, timeout=30)
        assert [m.text for m in messages] == [en("telegram.group_pointer")] * 2
        async with app.db.engine.connect() as connection:
            rows = await connection.execute(sql("SELECT count(*) FROM participants"))
            assert rows.scalar() == 0, "nobody in a group becomes a participant"
        assert refused_calls(server) == []
        assert errors_logged(logs.records) == []


async def test_a_chat_that_erased_its_data_starts_afresh(
    server: BotApiServer,
    settings: Settings,
    clock: FixedClock,
    mode: str,
    logs: pytest.LogCaptureFixture,
) -> None:
    people = server.participant
    async with wegwijs(settings, clock, mode, options=OPTIONS) as (app, _):
        nl = app.engine.texts("nl")
        chat = await people.private_chat(840_001, "Wissen")
        step = await walk_to_step(people, chat, "nl")
        second = await press(people, chat, "done", next_action="done")
        assert second is not None and (second.text or "").startswith("Stap 2 van")
        old_done = offered(second, "done")
        assert old_done is not None

        before = len(people.bot_messages(chat))
        await people.send_command(chat, "delete")
        await wait_offer(people, chat, "erase", "yes", after=before)
        erased = len(people.bot_messages(chat))
        await press(people, chat, "erase", "yes")
        await people.wait_until(chat, lambda: len(people.bot_messages(chat)) > erased)
        assert people.bot_messages(chat)[erased].text == nl("privacy.delete.done")
        after_erasure = len(people.bot_messages(chat))
        async with app.db.engine.connect() as connection:
            for query in (
                "SELECT count(*) FROM participants",
                "SELECT count(*) FROM conversation_states",
                "SELECT count(*) FROM task_progress",
                "SELECT count(*) FROM events WHERE participant_id IS NOT NULL",
            ):
                assert (await connection.execute(sql(query))).scalar() == 0, query

        # Whatever comes next finds nobody: the old buttons, text, commands, a duplicate.
        await people.press_button(chat, second.message_id, old_done, forge=True)
        await people.press_button(chat, step.message_id, offered(step, "done") or "", forge=True)
        await people.send_text(chat, "hallo, waar was ik?")
        await people.send_command(chat, "mydata")
        await people.send_command(chat, "start")
        first_contact = strip_isolates(nl("language.choose"))

        def five_pickers() -> bool:
            later = people.bot_messages(chat)[after_erasure:]
            return [strip_isolates(m.text or "") for m in later].count(first_contact) >= 5

        await people.wait_until(chat, five_pickers, timeout=30)
        later = [strip_isolates(m.text or "") for m in people.bot_messages(chat)[after_erasure:]]
        assert set(later) <= {first_contact, strip_isolates(nl("fallback.old_button"))}, later
        assert not people.documents(chat), "no data file: there is no data"

        # Onboarding again is a first meeting: no "welcome back", no step from before.
        await press(people, chat, "lang", "nl", next_action="consent")
        menu = await press(people, chat, "consent", "yes", next_action="tasks")
        assert menu is not None and menu.text == nl("menu.text")
        loaded = await app.assistant.store.load("telegram", str(chat))
        assert loaded.snapshot.progress == {}, "the task progress stayed erased"
        assert loaded.snapshot.state.task_id is None
        async with app.db.engine.connect() as connection:
            rows = await connection.execute(sql("SELECT count(*) FROM participants"))
            assert rows.scalar() == 1
            # SQLite may give the new participant the old one's id: nothing of the old one
            # may be found under it.
            linked = await connection.execute(
                sql("SELECT kind FROM events WHERE participant_id IS NOT NULL")
            )
            assert "step_done" not in set(linked.scalars()), "an old event came back"
        await quiet(server, mode)
        assert refused_calls(server) == []
        assert errors_logged(logs.records) == []
        assert await consistency_problems(app.db.engine, app.content) == []
