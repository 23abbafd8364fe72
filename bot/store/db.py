"""Opening the database: the async engine, SQLite tuning, and migrations to the newest schema."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event, exc, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from bot.store import sqlite_inline
from bot.store.direct import Direct, runner_for

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).with_name("migrations")
_MIGRATION_LOCK = 0x77656777  # "wegw": the advisory lock that serialises migrations


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def _sqlite_pragmas(dbapi_connection: Any, _record: Any, *, busy_timeout_ms: int = 5000) -> None:
    # WAL lets readers and the writer work side by side; NORMAL sync is safe with WAL and keeps a
    # turn's commit cheap; foreign keys make erasure cascade; busy_timeout waits instead of failing.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
    cursor.close()


def _inline_sqlite_pragmas(dbapi_connection: Any, record: Any) -> None:
    # Inline connections wait for a lock held by another connection without blocking the event
    # loop (bot/store/sqlite_inline.py); sqlite3's own busy wait would block it.
    _sqlite_pragmas(dbapi_connection, record, busy_timeout_ms=0)


def _replace_closed(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    """Pool checkout (asyncpg): hand out a new connection instead of one the server closed.

    asyncpg reads its socket all the time, so a connection the server closed (restart, a
    terminated backend) is known as closed without asking. SQLAlchemy's pre-ping would ask on
    every checkout, and with its asyncpg dialect that is three round trips (BEGIN, ";",
    ROLLBACK): most of a turn's time on PostgreSQL. A connection that dies unnoticed fails its
    first statement instead; the pool then replaces every connection as old as that one, and
    the turn's read is asked again (TurnStore.load) or the participant is asked to try again.
    """
    driver = record.driver_connection
    if driver is None or driver.is_closed():
        raise exc.DisconnectionError("the server closed this connection")


class Database:
    def __init__(self, url: str, *, pool_size: int = 10) -> None:
        self.url = url
        # hide_parameters: an error's message never carries the values of its statement (a
        # participant's words, a chat id) into a log line or a traceback.
        options: dict[str, Any] = {"hide_parameters": True}
        asyncpg = url.startswith("postgresql+asyncpg")
        if url.startswith("postgresql"):
            # asyncpg: see _replace_closed; other drivers ping each connection they check out.
            options.update(pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=not asyncpg)
        self.inline_sqlite = sqlite_inline.wanted(url)
        if self.inline_sqlite:
            # sqlite3 on the event loop instead of aiosqlite's thread: see sqlite_inline.py.
            options.update(async_creator=sqlite_inline.async_creator(url))
        self.engine: AsyncEngine = create_async_engine(url, **options)
        if self.engine.dialect.name == "sqlite":
            pragmas = _inline_sqlite_pragmas if self.inline_sqlite else _sqlite_pragmas
            event.listen(self.engine.sync_engine, "connect", pragmas)
        if asyncpg:
            event.listen(self.engine.sync_engine, "checkout", _replace_closed)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False, class_=AsyncSession)
        # The hot-path statements' runner, one per database (it may keep a connection).
        self.direct: Direct | None = runner_for(self.engine, self.inline_sqlite)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    async def upgrade(self) -> bool:
        """Migrate to the newest schema; True if anything was applied."""
        async with self.engine.begin() as connection:
            return await connection.run_sync(self._upgrade)

    def _upgrade(self, connection: Connection) -> bool:
        if connection.dialect.name == "postgresql":
            # Several containers may start at once: one migrates, the others wait here and
            # then find the schema current. Released when this transaction ends.
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
        config = alembic_config(self.url)
        head = ScriptDirectory.from_config(config).get_current_head()
        current = MigrationContext.configure(connection).get_current_revision()
        if current == head:
            return False
        log.info("migrating database", extra={"from_revision": current, "to_revision": head})
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
        return True

    async def revision(self) -> str | None:
        async with self.engine.connect() as connection:
            return await connection.run_sync(
                lambda sync: MigrationContext.configure(sync).get_current_revision()
            )

    async def close(self) -> None:
        if self.direct is not None:
            await self.direct.release()
        await self.engine.dispose()
