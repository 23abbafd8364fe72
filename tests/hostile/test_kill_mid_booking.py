"""`wegwijs telegram` killed (SIGKILL) in the middle of a booking, on SQLite and on PostgreSQL.

A real bot process polls the loopback Bot API server. A participant walks to the booking's
confirmation and presses "confirm"; the process is killed at one of these moments:

- answer: while answering the button press, before the turn starts (answerCallbackQuery hangs);
- transaction: inside the turn's database transaction (PostgreSQL: the state, the appointment
  and the handover are written and the reminders' INSERT waits on a lock the test holds;
  SQLite: the turn waits for the write lock the test holds);
- reply: after the commit, while the confirmation is being sent (sendMessage hangs);
- at-once: right after the update is delivered, wherever the process happens to be.

After the kill the database must hold one of two whole states: the appointment exactly once, with
its reminders, its handover and a conversation past the confirmation; or no appointment and a
conversation still offering the confirmation. Never half. Then the bot is started again and the
participant presses the same button: one appointment in the end, and the chat goes on.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text as sql

from bot.app import load_everything
from bot.conversation.state import ConversationState, Screen
from bot.store.db import Database
from bot.testing.botapi import BotApiServer, ChatMessage
from tests.conftest import _plain
from tests.hostile.support import (
    Child,
    child_env,
    consistency_problems,
    newest_with_buttons,
    offered,
    settled,
    spawn,
    wait_for_log,
    walk_to_confirmation,
)

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

MOMENTS = ("answer", "transaction", "reply", "at-once")
STARTED = "started (long polling)"
CHAT = 860_001


@dataclass
class Booking:
    """What the database says about the participant's booking right now."""

    appointments: list[Any]
    screen: Screen | None
    pending: dict[str, Any] | None
    booked_events: int
    handover_appointments: list[int | None]


async def booking_state(db: Database, chat: int) -> Booking:
    async with db.engine.connect() as connection:
        row = (
            await connection.execute(
                sql(
                    "SELECT p.id, s.data FROM participants p JOIN conversation_states s "
                    "ON s.participant_id = p.id WHERE p.chat_id = :chat"
                ),
                {"chat": str(chat)},
            )
        ).one()
        pid, data = row
        state = ConversationState.from_json(data)
        appointments = (
            await connection.execute(
                sql("SELECT * FROM appointments WHERE participant_id = :p AND status = 'booked'"),
                {"p": pid},
            )
        ).all()
        events = await connection.execute(
            sql("SELECT count(*) FROM events WHERE participant_id = :p AND kind = :k"),
            {"p": pid, "k": "appointment_booked"},
        )
        handovers = await connection.execute(
            sql("SELECT appointment_id FROM handovers WHERE participant_id = :p"), {"p": pid}
        )
        booking = state.extra.get("booking")
        return Booking(
            appointments=list(appointments),
            screen=state.screen,
            pending=booking if isinstance(booking, dict) else None,
            booked_events=int(events.scalar() or 0),
            handover_appointments=list(handovers.scalars()),
        )


def whole(booking: Booking) -> str:
    """ "booked" or "not booked" when the state is one whole thing; raises when it is half."""
    if booking.appointments:
        assert len(booking.appointments) == 1, "one confirmation, one appointment"
        appointment_id = booking.appointments[0].id
        assert booking.screen is not Screen.CONFIRM, "booked, yet still asked to confirm"
        assert booking.pending is None, "booked, yet a booking is still pending"
        assert booking.booked_events == 1
        assert booking.handover_appointments == [appointment_id], "staff must see it"
        return "booked"
    assert booking.screen is Screen.CONFIRM, f"no appointment and no confirmation: {booking}"
    assert booking.pending and booking.pending.get("start") is not None, booking.pending
    assert booking.booked_events == 0, "an appointment_booked event without the appointment"
    assert booking.handover_appointments == [None], "the handover points at no appointment"
    return "not booked"


# -- holding the database still ----------------------------------------------------------------


@asynccontextmanager
async def reminders_locked(url: str) -> AsyncIterator[Any]:
    """PostgreSQL: hold an exclusive lock on `reminders`, so a booking turn writes its state, its
    appointment and its handover, then waits inside its transaction. Yields the connection."""
    import asyncpg

    connection = await asyncpg.connect(_plain(url))
    transaction = connection.transaction()
    await transaction.start()
    await connection.execute("LOCK TABLE reminders IN ACCESS EXCLUSIVE MODE")
    try:
        yield connection
    finally:
        await transaction.rollback()
        await connection.close()


async def turn_waits_for_reminders(connection: Any) -> None:
    """Until the bot's transaction waits on our lock at the INSERT of its reminders."""
    async with asyncio.timeout(30):
        while True:
            # pg_stat_activity is read once per transaction unless its snapshot is cleared.
            await connection.execute("SELECT pg_stat_clear_snapshot()")
            waiting = await connection.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND query ILIKE 'INSERT INTO reminders%'"
            )
            if waiting:
                return
            await asyncio.sleep(0.02)


async def no_backends_left(url: str) -> None:
    """The killed process's connections are gone (its open transaction rolled back)."""
    import asyncpg

    connection = await asyncpg.connect(_plain(url))
    try:
        async with asyncio.timeout(30):
            while await connection.fetchval(  # noqa: ASYNC110
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            ):
                await asyncio.sleep(0.02)
    finally:
        await connection.close()


@contextmanager
def sqlite_write_locked(url: str) -> Iterator[None]:
    """SQLite: hold the database's write lock, so the turn waits at its first write."""
    path = url.split(":///", 1)[1]
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        connection.execute("ROLLBACK")
        connection.close()


# -- the test ----------------------------------------------------------------------------------


@pytest.mark.parametrize("moment", MOMENTS)
async def test_killed_in_the_middle_of_a_booking(
    database_url: str, moment: str, tmp_path: Path
) -> None:
    content, _, engine = load_everything()
    nl = engine.texts("nl")
    postgres = database_url.startswith("postgresql")
    async with BotApiServer(webhook_retry_delay=0.01) as server:
        people = server.participant
        env = child_env(
            DATABASE_URL=database_url,
            TELEGRAM_BOT_TOKEN=server.token,
            TELEGRAM_API_BASE_URL=server.base_url,
        )
        log = tmp_path / "wegwijs.log"
        bot = spawn(["telegram"], env, log, tmp_path)
        db = Database(database_url)
        try:
            await wait_for_log(bot, STARTED)
            chat = await people.private_chat(CHAT, "Sanne")
            question = await walk_to_confirmation(people, chat)
            confirm = offered(question, "confirm")
            assert confirm is not None
            assert whole(await booking_state(db, chat)) == "not booked"

            killed = await kill_while_confirming(
                server, bot, chat, question, confirm, moment, database_url
            )
            if postgres:
                await db.engine.dispose()  # our own connections must not count
                await no_backends_left(database_url)
            after_kill = whole(await booking_state(db, chat))
            expected = {"answer": "not booked", "transaction": "not booked", "reply": "booked"}
            if moment in expected:
                assert after_kill == expected[moment]
            assert await consistency_problems(db.engine, content) == []

            # Started again, the participant presses the same button (still on their screen).
            server.faults.clear()
            bot = spawn(["telegram"], env, log, tmp_path)
            await wait_for_log(bot, STARTED)
            before = len(people.bot_messages(chat))
            files = len(people.documents(chat))
            await people.press_button(chat, question.message_id, confirm, forge=True)
            end = await settled(people, chat, nl("help.text"))
            texts = [m.text or "" for m in people.bot_messages(chat)[before:end]]
            # One calendar file for one appointment: none more when it was booked before the kill.
            assert len(people.documents(chat)) == files + (after_kill == "not booked"), texts
            # Long polling acknowledges an update when it fetches the next ones, before handling
            # it: a press the killed process had fetched is gone, one it had not comes again.
            redelivered = people.callback_query(killed).answered and moment == "at-once"
            final = await booking_state(db, chat)
            assert whole(final) == "booked", texts
            assert await consistency_problems(db.engine, content) == []

            # And the chat goes on: the appointment is theirs to see.
            before = len(people.bot_messages(chat))
            await people.send_command(chat, "appointment")
            shown = await newest_with_buttons(people, chat, before)
            assert offered(shown, "cancel_appt") and offered(shown, "reschedule"), shown.text
        finally:
            # In a thread: the stopping bot still talks to the Bot API server in this loop.
            await asyncio.to_thread(bot.stop)
            await db.close()
        errors = [line for line in bot.json_lines() if line.get("level") in ("error", "critical")]
        assert errors == [], json.dumps(errors, ensure_ascii=False)[:2000]
    fate = ""
    if moment == "at-once":
        fate = " (the press came again)" if redelivered else " (the press was lost)"
    print(f"\n{moment} on {db.dialect}: {after_kill} after the kill{fate}; booked once in the end")


async def kill_while_confirming(
    server: BotApiServer,
    bot: Child,
    chat: int,
    question: ChatMessage,
    confirm: str,
    moment: str,
    url: str,
) -> str:
    """Press "confirm" and kill the bot at `moment`; returns the press's callback query id."""
    people = server.participant
    if moment == "at-once":
        pressed = await people.press_button(chat, question.message_id, confirm)
        bot.kill()
        return str(pressed["callback_query"]["id"])
    if moment == "answer":
        fault = server.faults.hang("answerCallbackQuery", seconds=60)
        pressed = await people.press_button(chat, question.message_id, confirm)
        await until_taken(fault)
        bot.kill()
        return str(pressed["callback_query"]["id"])
    if moment == "reply":
        fault = server.faults.hang("sendMessage", seconds=60)
        pressed = await people.press_button(chat, question.message_id, confirm)
        await until_taken(fault)
        bot.kill()
        return str(pressed["callback_query"]["id"])
    assert moment == "transaction"
    if url.startswith("postgresql"):
        async with reminders_locked(url) as connection:
            pressed = await people.press_button(chat, question.message_id, confirm)
            await turn_waits_for_reminders(connection)
            bot.kill()
        return str(pressed["callback_query"]["id"])
    typing = len(people.chat_actions(chat))
    with sqlite_write_locked(url):
        pressed = await people.press_button(chat, question.message_id, confirm)
        # "typing…" shows when a turn takes longer than 0.8 s: here, waiting for the lock.
        await people.wait_until(chat, lambda: len(people.chat_actions(chat)) > typing, timeout=30)
        bot.kill()
    return str(pressed["callback_query"]["id"])


async def until_taken(fault: Any) -> None:
    """A fault is taken when the call it matches arrives: the bot is now waiting for it."""
    async with asyncio.timeout(30):
        while fault.count > 0:  # noqa: ASYNC110 (the fault has no event)
            await asyncio.sleep(0.005)
