"""Running compiled turn statements on the driver connection of a pooled connection.

Two drivers, one interface (`Direct.rows`, `Direct.transaction`): sqlite3 (inline on the event
loop, see sqlite_inline.py) and asyncpg. The connection comes from SQLAlchemy's pool (checked
out raw: about 25 microseconds against 60 for an AsyncConnection), so pool size and
pre-checkout checks apply to it as to every other connection. On PostgreSQL nearly every save is
one statement outside a transaction (turn_statements.whole_turn), run with `rows`.

Transactions: on SQLite `BEGIN IMMEDIATE` takes the write lock first (waiting for another
connection asynchronously, as sqlite_inline does), so the statements after it never wait; on
PostgreSQL BEGIN with synchronous_commit off for that transaction (see below). Either way a
failure rolls the whole turn back, and a connection whose state is unknown after an error is
thrown away rather than returned.

On SQLite inline the runner keeps one connection checked out (`pin`): every statement runs on
the event loop's one thread anyway, and a checkout and return through the pool were about 25
microseconds each, twice a turn. An asyncio lock gives it to one transaction or read at a time;
`release` returns it, as Database.close does before disposing of the engine.

Errors are the drivers' own (sqlite3.Error, asyncpg.PostgresError, OSError); `errors.py` knows
which of them mean "the database is unavailable".
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.sql import Executable
from sqlalchemy.util import greenlet_spawn

from bot.store import sqlite_inline
from bot.store.compiled import CompiledStatement, compile_statement

_BEGIN_WITHOUT_WAITING_FOR_FLUSH = "BEGIN; SET LOCAL synchronous_commit TO OFF"
"""For turns whose effects are only events and nudges and that change nothing in the profile:
a step reached, a menu opened. Waiting for the WAL flush at COMMIT was about 0.4 ms of such a
turn here. Without it a crash of the PostgreSQL server (not of the bot) can lose the last few
hundred milliseconds of such turns, whole: the participant then sees "that button is old" and
the screen they were on. A turn that changes the profile (consent, language, library, sharing
with the trainer, nudges off) is `durable`; bookings, handovers, erasure and first contact run
on the SQLAlchemy path; both keep the server's own setting. See docs/performance.md."""

StatementListener = Callable[[str, Sequence[Any], bool], None]
"""Called with (SQL, driver parameters, executemany) before each statement, like SQLAlchemy's
`before_cursor_execute`, which does not fire here: the scale benchmark explains what it hears."""


class Writer(Protocol):
    """The statements of one transaction."""

    async def rows(self, statement: Executable, values: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Run a statement that returns rows (SELECT, or DML with RETURNING)."""
        ...

    async def execute(self, statement: Executable, values: Mapping[str, Any]) -> int:
        """Run a statement; the number of rows it changed."""
        ...

    async def execute_many(
        self, statement: Executable, rows: Sequence[Mapping[str, Any]], column_keys: Sequence[str]
    ) -> None:
        """Run an INSERT once per row."""
        ...


class Direct:
    """Compiled statements on raw pooled connections of one engine."""

    def __init__(self, engine: AsyncEngine, *, pin: bool = False) -> None:
        self.engine = engine
        self.dialect = engine.dialect
        self._compiled: dict[tuple[int, tuple[str, ...]], CompiledStatement] = {}
        self._postgres = self.dialect.name == "postgresql"
        self.listeners: list[StatementListener] = []
        self._pin = pin
        self._pinned: PoolProxiedConnection | None = None
        self._pin_lock = asyncio.Lock()
        self._pin_holder: asyncio.Task[Any] | None = None

    def prepared(
        self, statement: Executable, values: Mapping[str, Any]
    ) -> tuple[CompiledStatement, tuple[Any, ...]]:
        """The compiled statement and its driver arguments, told to the listeners (if any)."""
        compiled = self.compiled(statement)
        args = compiled.args(values)
        if self.listeners:
            self.heard(compiled.sql, args)
        return compiled, args

    def prepared_many(
        self, statement: Executable, rows: Sequence[Mapping[str, Any]], column_keys: Sequence[str]
    ) -> tuple[CompiledStatement, list[tuple[Any, ...]]]:
        compiled = self.compiled(statement, column_keys)
        args = [compiled.args(row) for row in rows]
        if self.listeners and args:
            self.heard(compiled.sql, args[0], True)
        return compiled, args

    def heard(self, sql: str, args: Sequence[Any], many: bool = False) -> None:
        for listener in self.listeners:
            listener(sql, args, many)

    def compiled(self, statement: Executable, column_keys: Sequence[str] = ()) -> CompiledStatement:
        # Keyed by identity: the hot-path statements are module constants, built once.
        key = (id(statement), tuple(column_keys))
        found = self._compiled.get(key)
        if found is None:
            found = self._compiled[key] = compile_statement(
                statement, self.dialect, column_keys=column_keys or None
            )
        return found

    async def rows(self, statement: Executable, values: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """One statement outside any transaction: a read (one snapshot), or on PostgreSQL a
        whole save, which is then a transaction of its own."""
        async with self._checkout() as raw:
            return await self._writer(raw).rows(statement, values)

    async def execute_alone(self, statement: Executable, values: Mapping[str, Any]) -> int:
        """One statement that is a transaction of its own (autocommit); rows changed. Saves
        BEGIN and COMMIT round trips where a statement needs no others beside it."""
        async with self._checkout() as raw:
            changed = await self._writer(raw).execute(statement, values)
            if not self._postgres:
                # sqlite3 (isolation_level "") opened a transaction for the DML: end it.
                connection: sqlite3.Connection = _driver(raw)._open()
                if connection.in_transaction:
                    await _sqlite_call(connection.commit)
            return changed

    @contextlib.asynccontextmanager
    async def transaction(self, *, durable: bool = False) -> AsyncIterator[Writer]:
        """durable: COMMIT waits for the WAL flush on PostgreSQL (the server's setting)."""
        async with self._checkout() as raw:
            writer = self._writer(raw)
            if self._postgres:
                server = _driver(raw)
                # BEGIN and SET LOCAL in one round trip (the simple query protocol takes both).
                # On an error _checkout throws the connection away, which rolls back.
                await server.execute("BEGIN" if durable else _BEGIN_WITHOUT_WAITING_FOR_FLUSH)
                yield writer
                await server.execute("COMMIT")
                return
            connection: sqlite3.Connection = _driver(raw)._open()
            await _sqlite_call(lambda: connection.execute("BEGIN IMMEDIATE"))
            try:
                yield writer
            except BaseException:
                connection.rollback()
                raise
            await _sqlite_call(connection.commit)

    def _writer(self, raw: PoolProxiedConnection) -> Writer:
        if self._postgres:
            return _AsyncpgWriter(self, _driver(raw))
        return _SqliteWriter(self, _driver(raw)._open())

    async def release(self) -> None:
        """Return the pinned connection to the pool (the next statement takes it again)."""
        async with self._pin_lock:
            raw, self._pinned = self._pinned, None
            if raw is not None:
                await greenlet_spawn(raw.close)

    @contextlib.asynccontextmanager
    async def _checkout(self) -> AsyncIterator[PoolProxiedConnection]:
        if self._pin:
            async with self._pinned_connection() as raw:
                yield raw
            return
        raw = await self.engine.raw_connection()
        try:
            yield raw
        except BaseException:
            # Mid-statement or mid-transaction: what the connection holds is unknown.
            await greenlet_spawn(raw.invalidate)
            raise
        await greenlet_spawn(raw.close)

    @contextlib.asynccontextmanager
    async def _pinned_connection(self) -> AsyncIterator[PoolProxiedConnection]:
        task = asyncio.current_task()
        if task is not None and task is self._pin_holder:
            # A statement inside this task's own transaction would wait for itself forever.
            raise RuntimeError("a direct statement inside a direct transaction of the same turn")
        async with self._pin_lock:
            self._pin_holder = task
            try:
                raw = self._pinned
                if raw is None:
                    raw = self._pinned = await self.engine.raw_connection()
                try:
                    yield raw
                except BaseException:
                    # As in _checkout: what the connection holds is unknown; take a new one.
                    self._pinned = None
                    await greenlet_spawn(raw.invalidate)
                    raise
            finally:
                self._pin_holder = None


def _driver(raw: PoolProxiedConnection) -> Any:
    # asyncpg.Connection, or sqlite_inline.InlineConnection (whose _open() is the sqlite3 one).
    connection = raw.driver_connection
    assert connection is not None, "a checked-out connection has its driver connection"
    return connection


async def _sqlite_call(function: Any) -> Any:
    return await sqlite_inline.call(function, None)


class _SqliteWriter:
    def __init__(self, direct: Direct, connection: sqlite3.Connection) -> None:
        self._direct = direct
        self._connection = connection

    async def rows(self, statement: Executable, values: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        compiled, args = self._direct.prepared(statement, values)
        cursor = await _sqlite_call(lambda: self._connection.execute(compiled.sql, args))
        return [compiled.row(raw) for raw in cursor.fetchall()]

    async def execute(self, statement: Executable, values: Mapping[str, Any]) -> int:
        compiled, args = self._direct.prepared(statement, values)
        cursor = await _sqlite_call(lambda: self._connection.execute(compiled.sql, args))
        return int(cursor.rowcount)

    async def execute_many(
        self, statement: Executable, rows: Sequence[Mapping[str, Any]], column_keys: Sequence[str]
    ) -> None:
        compiled, args = self._direct.prepared_many(statement, rows, column_keys)
        await _sqlite_call(lambda: self._connection.executemany(compiled.sql, args))


class _AsyncpgWriter:
    def __init__(self, direct: Direct, connection: Any) -> None:
        self._direct = direct
        self._connection = connection

    async def rows(self, statement: Executable, values: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        compiled, args = self._direct.prepared(statement, values)
        records = await self._connection.fetch(compiled.sql, *args)
        return [compiled.row(tuple(record)) for record in records]

    async def execute(self, statement: Executable, values: Mapping[str, Any]) -> int:
        compiled, args = self._direct.prepared(statement, values)
        status: str = await self._connection.execute(compiled.sql, *args)
        # The command tag: "UPDATE 1", "INSERT 0 1".
        return int(status.rsplit(" ", 1)[-1])

    async def execute_many(
        self, statement: Executable, rows: Sequence[Mapping[str, Any]], column_keys: Sequence[str]
    ) -> None:
        compiled, args = self._direct.prepared_many(statement, rows, column_keys)
        await self._connection.executemany(compiled.sql, args)


class AlchemyWriter:
    """The `Writer` interface over a SQLAlchemy connection: the same statements where the
    direct path is not available (aiosqlite, psycopg) or not wanted (turns with appliers)."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def rows(self, statement: Executable, values: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in await self._connection.execute(statement, values)]

    async def execute(self, statement: Executable, values: Mapping[str, Any]) -> int:
        return int((await self._connection.execute(statement, values)).rowcount)

    async def execute_many(
        self, statement: Executable, rows: Sequence[Mapping[str, Any]], column_keys: Sequence[str]
    ) -> None:
        await self._connection.execute(statement, list(rows))


@contextlib.asynccontextmanager
async def writing(engine: AsyncEngine, runner: Direct | None) -> AsyncIterator[Writer]:
    """One transaction: on the direct path when there is one, else through SQLAlchemy."""
    if runner is not None:
        async with runner.transaction() as writer:
            yield writer
        return
    async with engine.begin() as connection:
        yield AlchemyWriter(connection)


def runner_for(engine: AsyncEngine, inline_sqlite: bool) -> Direct | None:
    """A `Direct` for this engine, or None where statements must go through SQLAlchemy."""
    if not available(engine, inline_sqlite):
        return None
    return Direct(engine, pin=engine.dialect.name == "sqlite")


def available(engine: AsyncEngine, inline_sqlite: bool) -> bool:
    """asyncpg, or SQLite inline on the event loop on a file (a :memory: database is one per
    connection, and aiosqlite's thread would make the synchronous calls here block)."""
    name = engine.dialect.name
    if name == "postgresql":
        return engine.dialect.driver == "asyncpg"
    database = engine.url.database or ""
    return name == "sqlite" and inline_sqlite and database not in ("", ":memory:")
