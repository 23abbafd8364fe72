"""The store on SQLite and PostgreSQL: migration from empty, saving turns, races between turns."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt

import pytest
from sqlalchemy import inspect, text

from bot.app import App, build_app
from bot.appointments.planning import nudge_effects
from bot.clock import FixedClock
from bot.conversation.inbound import Press, Start
from bot.settings import Settings
from bot.store.db import Database
from bot.store.turns import TurnStore
from tests.support.driver import ChatDriver

EXPECTED_TABLES = {
    "participants",
    "conversation_states",
    "task_progress",
    "events",
    "alembic_version",
}


async def test_migrates_an_empty_database(database_url: str) -> None:
    db = Database(database_url)
    try:
        assert await db.revision() is None
        assert await db.upgrade() is True
        assert await db.revision() is not None
        assert await db.upgrade() is False, "a second start must not migrate again"
        async with db.engine.connect() as connection:
            tables = set(await connection.run_sync(lambda c: inspect(c).get_table_names()))
        assert tables >= EXPECTED_TABLES
    finally:
        await db.close()


async def test_walk_is_saved_and_resumed_by_new_objects(
    database_url: str, clock: FixedClock
) -> None:
    settings = Settings(database_url=database_url)
    app = await build_app(settings, clock=clock)
    try:
        driver = await _consented(app)
        await driver.press("tasks")
        await driver.press("task:digid-aanvragen")
        await driver.press("start:digid-aanvragen")
        await driver.press("done")
        await driver.press("failed")
        clock.advance(dt.timedelta(hours=1))
    finally:
        await app.close()

    again = await build_app(settings, clock=clock)
    try:
        loaded = await again.assistant.store.load("test", "p1")
        progress = loaded.snapshot.progress["digid-aanvragen"]
        second_step = again.content.tasks["digid-aanvragen"].steps[1].id
        assert progress.step_id == second_step
        assert progress.failures == {second_step: 1}
        assert loaded.snapshot.profile.language == "nl"
        replies = await again.assistant.handle("test", "p1", Start())
        assert [r.key for r in replies][:2] == ["resume.welcome_back", "step.header"]
        async with again.db.engine.connect() as connection:
            kinds = [
                row[0]
                for row in await connection.execute(text("SELECT kind FROM events ORDER BY id"))
            ]
        assert {"task_started", "step_done", "step_failed"} <= set(kinds)
    finally:
        await again.close()


async def test_events_never_hold_message_text(database_url: str, clock: FixedClock) -> None:
    app = await build_app(Settings(database_url=database_url), clock=clock)
    try:
        driver = await _consented(app)
        await driver.say("mijn geheime zin 7391")
        async with app.db.engine.connect() as connection:
            for table in ("events", "conversation_states", "participants", "task_progress"):
                rows = (await connection.execute(text(f"SELECT * FROM {table}"))).all()
                assert "7391" not in repr(rows), f"message text leaked into {table}"
    finally:
        await app.close()


async def test_a_stale_version_is_refused_and_the_turn_runs_again(
    database_url: str, clock: FixedClock
) -> None:
    app = await build_app(Settings(database_url=database_url), clock=clock)
    try:
        store: TurnStore = app.assistant.store
        driver = await _consented(app)
        stale = await store.load("test", "p1")
        await driver.press("tasks")  # another turn saves in between
        outcome = app.engine.handle(
            stale.snapshot, Press(f"{stale.snapshot.state.keyboard}:help"), clock.now()
        )
        assert await store.save(stale, outcome, clock.now()) is False
        fresh = await store.load("test", "p1")
        assert fresh.snapshot.state.screen.value == "tasks"
    finally:
        await app.close()


async def test_a_lost_race_writes_no_progress_events_or_nudges(
    database_url: str, clock: FixedClock
) -> None:
    # A step reached writes the state, progress, events and a nudge; on PostgreSQL all of it is
    # one statement that depends on the version check. A stale turn must write none of it.
    app = await build_app(Settings(database_url=database_url), clock=clock)
    try:
        store: TurnStore = app.assistant.store
        driver = await _consented(app)
        await driver.press("tasks")
        await driver.press("task:digid-aanvragen")
        await driver.press("start:digid-aanvragen")
        stale = await store.load("test", "p1")
        await driver.command("help")  # another turn saves in between
        before = await _counts(app.db)
        outcome = app.engine.handle(
            stale.snapshot, Press(f"{stale.snapshot.state.keyboard}:done"), clock.now()
        )
        # The nudge the assistant plans after such a turn (bot/assistant.py).
        planned = nudge_effects(outcome, clock.now(), app.assistant.policy)
        outcome = dataclasses.replace(outcome, effects=outcome.effects + planned)
        kinds = {type(effect).__name__ for effect in outcome.effects}
        assert {"RecordEvent", "ScheduleNudge"} <= kinds and outcome.progress
        assert await store.save(stale, outcome, clock.now()) is False
        assert await _counts(app.db) == before
        fresh = await store.load("test", "p1")
        assert fresh.version == stale.version + 1
        step = fresh.snapshot.progress["digid-aanvragen"].step_id
        assert step == app.content.tasks["digid-aanvragen"].steps[0].id
    finally:
        await app.close()


async def _consented(app: App) -> ChatDriver:
    """A Dutch-speaking participant who has just given consent."""
    driver = ChatDriver(app)
    await driver.start(lang="nl")
    await driver.press("consent:yes")
    return driver


async def _counts(db: Database) -> dict[str, object]:
    queries = {
        "events": "SELECT count(*) FROM events",
        "progress": "SELECT step_id, updated_at FROM task_progress",
        "reminders": "SELECT key, status, due_at FROM reminders ORDER BY key",
    }
    async with db.engine.connect() as connection:
        return {
            name: [tuple(row) for row in await connection.execute(text(sql))]
            for name, sql in queries.items()
        }


async def test_many_turns_of_one_chat_at_once_lose_nothing(
    database_url: str, clock: FixedClock
) -> None:
    app = await build_app(Settings(database_url=database_url), clock=clock)
    try:
        await _consented(app)
        # Eight messages of one chat at the same moment: each must be applied exactly once.
        await asyncio.gather(
            *(app.assistant.handle("test", "p1", Press("0:tasks")) for _ in range(8))
        )
        loaded = await app.assistant.store.load("test", "p1")
        # Every successful turn bumps the version once: 1 (created) + consent + 8 presses.
        assert loaded.version == 10
    finally:
        await app.close()


async def test_first_messages_of_many_new_chats_at_once(
    database_url: str, clock: FixedClock
) -> None:
    app = await build_app(Settings(database_url=database_url), clock=clock)
    try:
        chats = [f"c{i}" for i in range(20)]
        await asyncio.gather(
            *(app.assistant.handle("test", c, Start()) for c in chats for _ in range(2))
        )
        async with app.db.engine.connect() as connection:
            count = (
                await connection.execute(text("SELECT count(*) FROM participants"))
            ).scalar_one()
        assert count == len(chats)
    finally:
        await app.close()


@pytest.mark.parametrize("url", ["sqlite+aiosqlite:///:memory:"])
async def test_timestamps_come_back_aware(url: str, clock: FixedClock) -> None:
    app = await build_app(Settings(database_url=url), clock=clock)
    try:
        await app.assistant.handle("test", "p1", Start())
        loaded = await app.assistant.store.load("test", "p1")
        assert loaded.snapshot.last_seen == clock.now()
    finally:
        await app.close()
