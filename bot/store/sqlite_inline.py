"""SQLite for the async engine without a thread hop: sqlite3 runs inline on the event loop.

aiosqlite runs every sqlite3 call on its own thread and wakes the event loop for the result; on
this 2-core machine that hand-off was most of the database time of a turn (about 4 of 5 ms). A
SQLite statement of a turn touches a few rows by their index and takes microseconds, so running
it directly on the event loop is cheaper than handing it to a thread. This module is the
connection object SQLAlchemy's aiosqlite dialect expects (`create_async_engine(url,
async_creator=...)`), so the store keeps one async SQLAlchemy code path for every database.

Used for `sqlite+aiosqlite` URLs unless WEGWIJS_SQLITE_INLINE=0 (then aiosqlite's thread is used,
as before). The trade-off: while a query runs, nothing else in the process runs, so a long query
on SQLite (a purge of many rows, a report over all events) blocks the event loop for as long as
it takes. Waiting for another connection's write lock does *not* block it: the busy timeout is
handled here, asynchronously, instead of inside sqlite3. PostgreSQL is the production database;
SQLite is the embedded default for one process.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any, TypeVar

from sqlalchemy.engine import make_url

ENV_SWITCH = "WEGWIJS_SQLITE_INLINE"
BUSY_TIMEOUT = 5.0
"""Seconds a statement waits for another connection's write lock before "database is locked"."""
_SQLITE_BUSY = 5  # SQLITE_BUSY only: BUSY_SNAPSHOT (517) cannot succeed by waiting

T = TypeVar("T")


def wanted(url: str) -> bool:
    """Inline for aiosqlite URLs, unless switched off in the environment."""
    if not url.startswith("sqlite+aiosqlite:"):
        return False
    return os.environ.get(ENV_SWITCH, "1").strip().lower() not in {"0", "false", "no", "off"}


async def call(function: Callable[[], T], deadline: float | None) -> T:
    """Run a sqlite3 call; while another connection holds the write lock, wait asynchronously."""
    delay = 0.001
    while True:
        try:
            return function()
        except sqlite3.OperationalError as error:
            if getattr(error, "sqlite_errorcode", None) != _SQLITE_BUSY:
                raise
            now = time.monotonic()
            if deadline is None:
                deadline = now + BUSY_TIMEOUT
            if now >= deadline:
                raise
            await asyncio.sleep(min(delay, deadline - now))
            delay = min(delay * 2, 0.05)


class InlineCursor:
    """The async cursor interface of aiosqlite, over a plain sqlite3 cursor."""

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    async def execute(self, sql: str, parameters: Sequence[Any] = ()) -> InlineCursor:
        await call(lambda: self._cursor.execute(sql, parameters), None)
        return self

    async def executemany(self, sql: str, parameters: Iterable[Sequence[Any]]) -> InlineCursor:
        rows = list(parameters)
        await call(lambda: self._cursor.executemany(sql, rows), None)
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        if size is None:
            return self._cursor.fetchmany()
        return self._cursor.fetchmany(size)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()

    async def __aenter__(self) -> InlineCursor:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value


class _InlineQueue:
    """aiosqlite's request queue, as SQLAlchemy uses it to set the isolation level: at once."""

    def put_nowait(self, item: tuple[asyncio.Future[Any], Callable[[], Any]]) -> None:
        future, function = item
        try:
            future.set_result(function())
        except Exception as error:
            future.set_exception(error)


class InlineConnection:
    """The parts of `aiosqlite.Connection` that SQLAlchemy's aiosqlite dialect uses."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._conn: sqlite3.Connection | None = connection
        self._tx = _InlineQueue()

    @property
    def _connection(self) -> sqlite3.Connection | None:
        # The dialect checks this before commit and rollback: None once closed.
        return self._conn

    def _open(self) -> sqlite3.Connection:
        if self._conn is None:
            raise ValueError("Connection closed")
        return self._conn

    @property
    def isolation_level(self) -> str | None:
        return self._open().isolation_level

    def cursor(self) -> InlineCursor:
        return InlineCursor(self._open().cursor())

    async def execute(self, sql: str, parameters: Sequence[Any] = ()) -> InlineCursor:
        cursor = self.cursor()
        return await cursor.execute(sql, parameters)

    async def commit(self) -> None:
        connection = self._open()
        await call(connection.commit, None)

    async def rollback(self) -> None:
        self._open().rollback()

    async def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._open().create_function(*args, **kwargs)

    def stop(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def async_creator(url: str) -> Callable[[], Awaitable[InlineConnection]]:
    """The `async_creator` for create_async_engine: the file (and options) named by the URL."""
    parsed = make_url(url)
    args, kwargs = parsed.get_dialect()().create_connect_args(parsed)
    database = str(args[0])
    # The event loop's thread opens it, but the pool may close it from elsewhere (at exit).
    kwargs = {**kwargs, "check_same_thread": False}
    # sqlite3's (and aiosqlite's) default: an implicit BEGIN before the first write of a
    # transaction, which is what SQLAlchemy's SQLite dialects expect.
    kwargs.setdefault("isolation_level", "")

    async def create() -> InlineConnection:
        return InlineConnection(sqlite3.connect(database, **kwargs))

    return create
