"""Faults: the database away ("try again in a moment", nothing half-written); Rasa and the
translator away (the conversation goes on)."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import socket
import sqlite3
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from sqlalchemy import select

from bot import faults
from bot.app import App, build_app
from bot.clock import FixedClock
from bot.conversation.inbound import Text
from bot.language.translators import translator_from_settings
from bot.privacy.redact import Redactor
from bot.settings import Settings
from bot.store.errors import DatabaseUnavailable, is_unavailable
from bot.store.models import Handover
from tests.appointments.booking_helpers import booking_app, slot_buttons, walk_to_slots
from tests.conftest import _plain
from tests.support.driver import ChatDriver

ROOT = Path(__file__).resolve().parents[2]
TRY_AGAIN = "system.try_again"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def on_step_one(app: App, chat_id: str = "p1") -> ChatDriver:
    driver = ChatDriver(app, chat_id=chat_id)
    await driver.start(lang="nl")
    await driver.press("consent:yes")
    await driver.press("tasks")
    await driver.press("task:digid-aanvragen")
    await driver.press("start:digid-aanvragen")
    assert driver.text().startswith("Stap 1 van")
    return driver


async def where(app: App, driver: ChatDriver) -> tuple[Any, ...]:
    loaded = await app.assistant.store.load(driver.channel, driver.chat_id)
    progress = loaded.snapshot.progress["digid-aanvragen"]
    return (
        loaded.version,
        loaded.snapshot.state.screen,
        loaded.snapshot.state.step_id,
        progress.step_id,
        loaded.snapshot.last_seen,
    )


def dutch_then_english(app: App) -> str:
    dutch = app.engine.texts("nl")(TRY_AGAIN)
    english = app.engine.texts("en")(TRY_AGAIN)
    return dutch if english == dutch else f"{dutch}\n\n{english}"


# -- SQLite ------------------------------------------------------------------------------------
@contextlib.contextmanager
def database_file_gone(path: Path) -> Iterator[None]:
    """The database file replaced by a folder (a lost disk, a wrong mount), then put back."""
    away = path.with_name(path.name + ".away")
    moved = []
    for suffix in ("", "-wal", "-shm"):
        part = Path(f"{path}{suffix}")
        if part.exists():
            part.rename(Path(f"{away}{suffix}"))
            moved.append(suffix)
    path.mkdir()
    try:
        yield
    finally:
        shutil.rmtree(path)
        for suffix in moved:
            Path(f"{away}{suffix}").rename(Path(f"{path}{suffix}"))


async def test_sqlite_file_gone_means_try_again_and_nothing_is_lost(
    tmp_path: Path, clock: FixedClock
) -> None:
    path = tmp_path / "wegwijs.db"
    app = await build_app(Settings(database_url=f"sqlite+aiosqlite:///{path}"), clock=clock)
    try:
        driver = await on_step_one(app)
        before = await where(app, driver)
        # No open connection (the pool's, or the one the direct path keeps) keeps the old
        # file alive.
        await app.db.close()
        with database_file_gone(path):
            await driver.press("done")
            assert driver.reply_keys() == [TRY_AGAIN]
            assert driver.text() == dutch_then_english(app)
            assert not driver.buttons()
            await driver.say("hallo?")
            assert driver.reply_keys() == [TRY_AGAIN]
        assert await where(app, driver) == before, "nothing of the failed turns was written"
        await driver.press_old("done")  # the same button, still on the phone's screen
        assert driver.text().startswith("Stap 2 van"), "the conversation goes on where it was"
    finally:
        await app.close()


async def test_sqlite_locked_during_the_save_means_try_again_and_nothing_half_written(
    tmp_path: Path, clock: FixedClock
) -> None:
    path = tmp_path / "wegwijs.db"
    app = await build_app(Settings(database_url=f"sqlite+aiosqlite:///{path}"), clock=clock)
    try:
        driver = await on_step_one(app)
        before = await where(app, driver)
        blocker = sqlite3.connect(path, timeout=0)
        try:
            blocker.execute("BEGIN EXCLUSIVE")  # reading still works (WAL); writing does not
            await driver.press("done")
            assert driver.reply_keys() == [TRY_AGAIN]
        finally:
            blocker.rollback()
            blocker.close()
        assert await where(app, driver) == before
        await driver.press_old("done")
        assert driver.text().startswith("Stap 2 van")
    finally:
        await app.close()


# -- PostgreSQL --------------------------------------------------------------------------------
async def test_postgres_where_nothing_listens_answers_in_the_hinted_language(
    clock: FixedClock,
) -> None:
    url = f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/wegwijs"
    app = await build_app(Settings(database_url=url), clock=clock, migrate=False)
    try:
        driver = ChatDriver(app, chat_id="new")
        await driver.start(hint="ar")
        assert driver.reply_keys() == [TRY_AGAIN]
        assert driver.last[0].text == app.engine.texts("ar")(TRY_AGAIN)
        await driver.say("hallo")
        assert driver.text() == dutch_then_english(app), "no hint: Dutch and English"
        replies = await app.assistant.handle("telegram", "42", Text("hoi"), "fa-IR")
        assert replies[0].text == app.engine.texts("fa")(TRY_AGAIN)
    finally:
        await app.close()


@contextlib.asynccontextmanager
async def admin(url: str) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(_plain(url))
    try:
        yield connection
    finally:
        await connection.close()


KILL_ON_PROGRESS = """
CREATE FUNCTION wegwijs_test_kill() RETURNS trigger AS $$
BEGIN
    PERFORM pg_terminate_backend(pg_backend_pid());
    RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER wegwijs_test_kill BEFORE INSERT OR UPDATE ON task_progress
    FOR EACH ROW EXECUTE FUNCTION wegwijs_test_kill();
"""


async def test_postgres_connection_killed_in_the_middle_of_a_save_writes_nothing(
    postgres_url: str, clock: FixedClock
) -> None:
    app = await build_app(Settings(database_url=postgres_url), clock=clock)
    try:
        driver = await on_step_one(app)
        before = await where(app, driver)
        async with admin(postgres_url) as connection:
            await connection.execute(KILL_ON_PROGRESS)
        try:
            # The state and the participant are written first; then the progress write kills
            # the connection, inside the same transaction.
            await driver.press("done")
            assert driver.reply_keys() == [TRY_AGAIN]
        finally:
            async with admin(postgres_url) as connection:
                await connection.execute("DROP TRIGGER wegwijs_test_kill ON task_progress")
        assert await where(app, driver) == before, "the whole turn was rolled back"
        await driver.press_old("done")
        assert driver.text().startswith("Stap 2 van")
    finally:
        await app.close()


async def test_postgres_restarted_between_messages_costs_nothing(
    postgres_url: str, clock: FixedClock
) -> None:
    app = await build_app(Settings(database_url=postgres_url), clock=clock)
    try:
        driver = await on_step_one(app)
        name = postgres_url.rsplit("/", 1)[1]
        async with admin(postgres_url) as connection:
            await connection.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = $1 AND pid <> pg_backend_pid()",
                name,
            )
        await driver.press("done")
        assert driver.text().startswith("Stap 2 van"), "stale pooled connections are replaced"
    finally:
        await app.close()


# -- the reply without a database -----------------------------------------------------------
@pytest.mark.parametrize(
    ("hint", "lang"),
    [("ar", "ar"), ("fa-IR", "fa"), ("tr", "tr"), ("nl-BE", "nl"), ("en-GB", "en")],
)
async def test_try_again_in_the_language_the_channel_knows(app: App, hint: str, lang: str) -> None:
    [reply] = faults.try_again(app.engine, hint)
    assert reply.key == TRY_AGAIN
    assert reply.text == app.engine.texts(lang)(TRY_AGAIN)


@pytest.mark.parametrize("hint", [None, "", "pt-BR", "zz"])
async def test_try_again_without_a_known_language_is_dutch_and_english(
    app: App, hint: str | None
) -> None:
    [reply] = app.assistant.try_again(hint)
    assert reply.text == dutch_then_english(app)


def test_query_mistakes_are_not_taken_for_an_outage() -> None:
    from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError

    syntax = OperationalError("SELEC 1", {}, sqlite3.OperationalError('near "SELEC": syntax'))
    assert not is_unavailable(syntax)
    assert is_unavailable(
        OperationalError("x", {}, sqlite3.OperationalError("unable to open database file"))
    )
    assert not is_unavailable(IntegrityError("x", {}, sqlite3.IntegrityError("UNIQUE")))
    assert not is_unavailable(ProgrammingError("x", {}, Exception("syntax error")))
    assert is_unavailable(ConnectionRefusedError(111, "refused"))
    assert is_unavailable(DatabaseUnavailable("down"))
    assert not is_unavailable(ValueError("a bug"))


# -- Rasa and the translator --------------------------------------------------------------------
async def test_rasa_and_the_translator_down_the_conversation_goes_on(
    sqlite_url: str, clock: FixedClock
) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    settings = Settings(database_url=sqlite_url, rasa_url=dead)
    app = await build_app(settings, clock=clock)
    redactor = Redactor.from_file(ROOT / "knowledge" / "safety" / "secret_words.yml")
    translator = translator_from_settings(
        Settings(translator="libre", translator_url=dead),
        redact=lambda text: redactor.redact(text).text,
        timeout=2.0,
    )
    app.assistant.translator = translator
    try:
        driver = ChatDriver(app, chat_id="no-rasa")
        await driver.start(lang="nl")
        await driver.press("consent:yes")
        await driver.say("dankjewel")
        assert "smalltalk.thanks" in driver.reply_keys(), "the built-in interpreter answers"
        await driver.say("zorgtoeslag")
        assert "intro.heading" in driver.reply_keys()
    finally:
        await app.close()

    async with booking_app(sqlite_url, clock) as app:
        app.assistant.translator = translator
        driver = await walk_to_slots(app, "no-translator", lang="ar")
        argument, _ = slot_buttons(driver)[0]
        await driver.press(f"slot:{argument}")
        await driver.press("interp:no")  # non-Dutch speakers are asked about an interpreter
        await driver.press("confirm")
        await driver.say("لا أستطيع تسجيل الدخول")
        assert "booking.words_thanks" in driver.reply_keys(), "the booking goes on"
        async with app.db.engine.connect() as connection:
            [handover] = [
                row
                for row in await connection.execute(select(Handover.__table__))
                if row.words_original
            ]
        assert handover.words_original == "لا أستطيع تسجيل الدخول"
        assert handover.words_dutch is None and not handover.translated, "staff see the original"
    with contextlib.suppress(Exception):
        await asyncio.wait_for(translator.aclose(), 2)  # type: ignore[attr-defined]
