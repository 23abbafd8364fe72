"""Two real `wegwijs serve` processes on one PostgreSQL database behind one webhook.

Updates go to both servers alternately and at the same time: many chats at once, several
messages of one chat at once, and duplicates of the same update to both servers (while it is
being handled and after). Afterwards every update must have been answered exactly once, each
chat's steps must be in order, no booking may be lost and, with both servers' reminder loops
and two more sender processes competing, no reminder may be sent twice.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from bot.app import load_everything
from bot.appointments.planning import quiet
from bot.appointments.policy import policy_of
from bot.language.select import choose_interpreter
from bot.settings import Settings
from bot.testing.botapi import BotApiServer, Participant
from tests.conftest import _plain
from tests.ops.servers import (
    SECRET,
    Process,
    Telegram,
    base_env,
    free_port,
    spawn,
    stopped_at_exit,
    wait_ready,
)

pytestmark = [pytest.mark.postgres, pytest.mark.e2e, pytest.mark.timeout(600)]

CHATS = 12
GIBBERISH = 6  # free-text messages per chat, sent all at once
DUPLICATED = (0, 3)  # which of them also go to the other server at the same moment
STEPS_DONE = 3
BOOKERS = 4
TASK = "digid-aanvragen"
# The servers' clock: a Monday morning in an ordinary week. At the real hour the slots on offer,
# which reminders a booking gets and whether the reminder loops are quiet would all vary.
NOW = dt.datetime(2026, 11, 30, 8, 0, tzinfo=dt.UTC)


async def gibberish(count: int) -> list[str]:
    """Made-up words no interpreter recognises: each is answered "I do not understand"."""
    content, catalogue, _ = load_everything()
    interpreter = choose_interpreter(Settings(), content, catalogue)
    rng = random.Random(20261126)
    found: list[str] = []
    while len(found) < count:
        text = " ".join("".join(rng.choices("bcdfghjklmnpqrstvwxz", k=5)) for _ in range(2))
        if (await interpreter.parse(text, "nl")).intent is None:
            found.append(text)
    return found


def buttons(
    people: Participant, chat: int, action: str, argument: str = ""
) -> tuple[int, list[str]]:
    """The newest bot message with buttons of this action (and argument prefix), and their data."""
    for message in reversed(people.bot_messages(chat)):
        found = []
        for row in message.buttons:
            for item in row:
                _, _, rest = str(item.get("callback_data", "")).partition(":")
                name, _, value = rest.partition(":")
                if name == action and value.startswith(argument):
                    found.append(item["callback_data"])
        if found:
            return message.message_id, found
    texts = [m.text for m in people.bot_messages(chat)[-3:]]
    raise LookupError(f"no {action}:{argument} button in chat {chat}; last messages {texts}")


def button(
    people: Participant, chat: int, action: str, argument: str = "", nth: int = 0
) -> tuple[int, str]:
    """The newest bot message with a button of this action (and argument prefix)."""
    message_id, found = buttons(people, chat, action, argument)
    return message_id, found[min(nth, len(found) - 1)]


def offers(people: Participant, chat: int, action: str) -> bool:
    """Does the newest message with buttons offer this action?"""
    with_buttons = [m for m in people.bot_messages(chat) if m.buttons]
    return bool(with_buttons) and any(
        str(item.get("callback_data", "")).split(":")[1:2] == [action]
        for row in with_buttons[-1].buttons
        for item in row
    )


class Conversation:
    """One participant, whose updates go to alternating servers."""

    def __init__(
        self, people: Participant, telegram: Telegram, chat: int, first: int, texts: list[str]
    ) -> None:
        self.texts = texts
        self.people = people
        self.telegram = telegram
        self.chat = chat
        self.turn = first
        self.updates: list[int] = []

    async def send(self, update: dict[str, Any], *, twice: bool = False) -> None:
        """Deliver to the next server; `twice`: the same update to the other one at once."""
        self.updates.append(int(update["update_id"]))
        worker = self.turn
        self.turn += 1
        deliveries = [self.telegram.deliver(update, worker)]
        if twice:
            deliveries.append(self.telegram.deliver(update, worker + 1))
        assert set(await asyncio.gather(*deliveries)) == {200}

    async def press(
        self, action: str, argument: str = "", nth: int = 0, twice: bool = False
    ) -> None:
        message_id, data = button(self.people, self.chat, action, argument, nth)
        await self.send(await self.people.press_button(self.chat, message_id, data), twice=twice)

    async def press_unchosen_slot(self, chosen: set[str]) -> None:
        """A time no other booker of this test has picked, so no booking needs to be retried.

        (Picking the n-th time fails: the list leaves out times booked a moment earlier, so the
        n-th time of one list can be the m-th of another.)"""
        message_id, found = buttons(self.people, self.chat, "slot")
        data = next(d for d in found if d not in chosen)
        chosen.add(data)  # no await in between: the other bookers see it at once
        await self.send(await self.people.press_button(self.chat, message_id, data))


async def test_two_servers_one_database(postgres_url: str, tmp_path: Path) -> None:
    began = time.monotonic()
    content, _, engine = load_everything()
    nl = engine.texts("nl")
    steps = [step.id for step in content.tasks[TASK].steps]
    texts = await gibberish(CHATS * GIBBERISH)
    async with BotApiServer() as server:
        ports = [free_port(), free_port()]
        env = base_env(
            DATABASE_URL=postgres_url,
            TELEGRAM_BOT_TOKEN=server.token,
            TELEGRAM_API_BASE_URL=server.base_url,
            WEBHOOK_SECRET=SECRET,
            TELEGRAM_REGISTER="0",  # the test is Telegram here: it posts to both servers
            REMINDERS_EVERY_SECONDS="0.5",
            SECRET_KEY="ops-test-secret-key-" + "x" * 32,
        )
        servers = [
            spawn(
                [sys.executable, "-m", "tests.ops.serve_at", "--now", NOW.isoformat()],
                {**env, "PORT": str(port), "WEBHOOK_URL": f"http://127.0.0.1:{port}"},
                tmp_path / f"server-{n}.log",
            )
            for n, port in enumerate(ports)
        ]
        for process, port in zip(servers, ports, strict=True):
            process.url = f"http://127.0.0.1:{port}"
        async with stopped_at_exit(servers):
            # Both migrate at once on the empty database: one does it, the other waits.
            await asyncio.gather(*(wait_ready(process) for process in servers))
            telegram = Telegram(server.token, [p.url for p in servers])
            try:
                people = server.participant
                chats = [
                    Conversation(
                        people,
                        telegram,
                        await people.private_chat(70_000 + n, f"Deelnemer {n}", language_code="nl"),
                        first=n,
                        texts=texts[n * GIBBERISH : (n + 1) * GIBBERISH],
                    )
                    for n in range(CHATS)
                ]
                slots: set[str] = set()
                await asyncio.gather(*(converse(c, n, slots) for n, c in enumerate(chats)))
                # A late duplicate of every chat's first update: handled before, so dropped.
                for conversation in chats:
                    again = await people.redeliver(conversation.updates[0])
                    assert await telegram.deliver(again, conversation.turn) == 200
                conversation_done = time.monotonic()
                database = await asyncpg.connect(_plain(postgres_url))
                try:
                    await check_conversations(database, people, chats, nl, steps)
                    booked = await check_bookings(database, people, chats, nl)
                    sent = await check_reminders(database, server, people, chats, env, tmp_path)
                finally:
                    await database.close()
                metrics = await scrape(telegram, servers)
            finally:
                await telegram.aclose()
    unique = sum(len(c.updates) for c in chats)
    assert metrics['wegwijs_telegram_updates_total{result="new"}'] == unique
    assert metrics['wegwijs_telegram_updates_total{result="duplicate"}'] == (
        telegram.statuses.count(200) - unique
    )
    assert metrics['wegwijs_bookings_total{action="booked"}'] == booked
    print(
        f"\ntwo workers: {unique} updates in {CHATS} chats, "
        f"{telegram.statuses.count(200) - unique} duplicates dropped, {telegram.busy} busy (503) "
        f"answers, {booked} bookings, {sent} reminders sent once; conversation "
        f"{conversation_done - began:.1f}s, whole test {time.monotonic() - began:.1f}s"
    )


async def converse(chat: Conversation, n: int, slots: set[str]) -> None:
    people = chat.people
    await chat.send(await people.send_command(chat.chat, "start"))
    await chat.press("lang", "nl", twice=True)
    await chat.press("consent", "yes")
    # Several messages of one chat at once, some of them twice: versions race across servers.
    texts = [await people.send_text(chat.chat, text) for text in chat.texts]
    await asyncio.gather(
        *(chat.send(update, twice=k in DUPLICATED) for k, update in enumerate(texts))
    )
    await chat.press("tasks")
    await chat.press("task", TASK)
    await chat.press("start", TASK)
    for _ in range(STEPS_DONE):
        await chat.press("done", twice=True)
    if n < BOOKERS:
        await chat.press("stuck")
        await chat.press("library_help")
        await chat.press("library")
        if offers(people, chat.chat, "branch"):  # a library with one branch skips this
            await chat.press("branch")
        await chat.press_unchosen_slot(slots)
        if offers(people, chat.chat, "interp"):  # asked of those who do not chat in Dutch
            await chat.press("interp", "no")
        await chat.press("confirm", twice=True)


def said(texts: list[str], template: str) -> int:
    """How many messages start like this catalogue text (up to its first placeholder)."""
    start = template.split("{")[0]
    return sum(text.startswith(start) for text in texts)


async def participant_of(database: asyncpg.Connection, chat: int) -> asyncpg.Record:
    row = await database.fetchrow(
        "SELECT p.id, s.version, s.data FROM participants p "
        "JOIN conversation_states s ON s.participant_id = p.id "
        "WHERE p.channel = 'telegram' AND p.chat_id = $1",
        str(chat),
    )
    assert row is not None, f"chat {chat} has no participant"
    return row


async def check_conversations(
    database: asyncpg.Connection,
    people: Participant,
    chats: list[Conversation],
    nl: Any,
    steps: list[str],
) -> None:
    for conversation in chats:
        row = await participant_of(database, conversation.chat)
        # Every saved turn raises the version by one: each update exactly once, none lost.
        assert row["version"] == len(conversation.updates), conversation.chat
        texts = [m.text or "" for m in people.bot_messages(conversation.chat)]
        assert texts.count(nl("fallback.not_understood")) == GIBBERISH, "one answer per message"
        assert said(texts, nl("language.choose")) == 1, "/start answered once"
        assert said(texts, nl("consent.text")) == 1, "a duplicate press was not answered again"
        events = await database.fetch(
            "SELECT kind, step_id FROM events WHERE participant_id = $1 ORDER BY id", row["id"]
        )
        kinds = Counter(e["kind"] for e in events)
        assert kinds["not_understood"] == GIBBERISH
        done = [e["step_id"] for e in events if e["kind"] == "step_done"]
        assert done == steps[:STEPS_DONE], "steps in order, each once"
        progress = await database.fetchrow(
            "SELECT step_id FROM task_progress WHERE participant_id = $1 AND task_id = $2",
            row["id"],
            TASK,
        )
        assert progress is not None and progress["step_id"] == steps[STEPS_DONE]


async def check_bookings(
    database: asyncpg.Connection, people: Participant, chats: list[Conversation], nl: Any
) -> int:
    confirmed = 0
    for conversation in chats[:BOOKERS]:
        row = await participant_of(database, conversation.chat)
        appointments = await database.fetch(
            "SELECT status FROM appointments WHERE participant_id = $1", row["id"]
        )
        assert [a["status"] for a in appointments] == ["booked"], conversation.chat
        texts = [m.text or "" for m in people.bot_messages(conversation.chat)]
        assert said(texts, nl("booking.confirmed")) == 1, "confirmed once (pressed twice)"
        confirmed += 1
    total = await database.fetchval("SELECT count(*) FROM appointments WHERE status = 'booked'")
    assert total == BOOKERS
    return confirmed


async def check_reminders(
    database: asyncpg.Connection,
    server: BotApiServer,
    people: Participant,
    chats: list[Conversation],
    env: dict[str, str],
    tmp_path: Path,
) -> int:
    """Make the appointment reminders due at the servers' moment, let four processes race to
    send them."""
    # Before the reminders are due: the servers' loops may send one at once.
    before = {c.chat: len(people.bot_messages(c.chat)) for c in chats}
    await database.execute(
        "UPDATE reminders r SET due_at = $1, expires_at = a.starts_at "
        "FROM appointments a WHERE a.id = r.appointment_id AND r.status = 'pending'",
        NOW - dt.timedelta(minutes=1),
    )
    due = await database.fetchval("SELECT count(*) FROM reminders WHERE appointment_id IS NOT NULL")
    assert due == 2 * BOOKERS, "a day-before and a two-hours-before reminder per booking"
    # The extra senders' clock is the servers' one: processes that disagree about the time would
    # take each other's claims for abandoned ones (see ReminderStore.drop_abandoned).
    policy = policy_of(load_everything()[0])
    assert not quiet(NOW, policy), "four senders at a moment the reminders may go out"
    senders = [
        spawn(
            [sys.executable, "-m", "tests.ops.reminder_sender", "--now", NOW.isoformat()],
            env,
            tmp_path / f"sender-{n}.log",
        )
        for n in range(2)
    ]
    for sender in senders:
        await asyncio.to_thread(sender.popen.wait, 120)
        assert sender.popen.returncode == 0, sender.log.read_text()[-2000:]
    async with asyncio.timeout(60):
        while await database.fetchval(  # noqa: ASYNC110  (other processes change the rows)
            "SELECT count(*) FROM reminders WHERE appointment_id IS NOT NULL "
            "AND status NOT IN ('sent', 'dropped')"
        ):
            await asyncio.sleep(0.2)
    rows = await database.fetch(
        "SELECT r.status, p.chat_id FROM reminders r JOIN participants p "
        "ON p.id = r.participant_id WHERE r.appointment_id IS NOT NULL"
    )
    sent = Counter(r["chat_id"] for r in rows if r["status"] == "sent")
    assert sum(sent.values()) > 0, "the moment makes them due"
    for conversation in chats:
        new = len(people.bot_messages(conversation.chat)) - before[conversation.chat]
        assert new == sent[str(conversation.chat)], "each sent reminder arrived exactly once"
    return sum(sent.values())


async def scrape(telegram: Telegram, servers: list[Process]) -> Counter[str]:
    """Both servers' /metrics added up (each is one process here)."""
    total: Counter[str] = Counter()
    for process in servers:
        response = await telegram.client.get(f"{process.url}/metrics")
        assert response.status_code == 200
        for line in response.text.splitlines():
            if line and not line.startswith("#"):
                name, _, value = line.rpartition(" ")
                total[name] += float(value)
    return total
