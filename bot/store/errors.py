"""One exception for "the database cannot be reached", so callers need not know SQLAlchemy.

Connection refused, a server that went away mid-transaction, a file that cannot be opened, a
pool that stays empty: the service layer answers all of these with "try again in a moment". A
transaction that fails this way is rolled back by the database, so nothing is half-written.
"""

from __future__ import annotations

import asyncio
import functools
import sqlite3
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

from sqlalchemy import exc

P = ParamSpec("P")
R = TypeVar("R")

# PostgreSQL SQLSTATE classes that mean "not now" rather than "this query is wrong":
# 08 connection exception, 53 insufficient resources, 57 operator intervention (shutdown,
# terminated backend, cannot connect now), 40 serialization failure / deadlock is not here:
# that is a retry inside the store, not an outage.
_UNAVAILABLE_SQLSTATE_CLASSES = ("08", "53", "57")
# SQLite messages that mean the file cannot be used at the moment.
_SQLITE_UNAVAILABLE = (
    "unable to open database",
    "disk i/o error",
    "database is locked",
    "readonly database",
    "database or disk is full",
    "file is not a database",
)


class DatabaseUnavailable(RuntimeError):
    """The database could not be reached or used; the operation did not happen."""


def is_unavailable(error: BaseException) -> bool:
    """True for errors that mean the database is down or unreachable, not a bug in a query.

    Both SQLAlchemy's wrapped errors and the drivers' own (the turn's hot path runs compiled
    statements on the driver connection, see direct.py) are understood."""
    if isinstance(error, DatabaseUnavailable):
        return True
    if isinstance(error, OSError | ConnectionError | asyncio.TimeoutError | TimeoutError):
        return True
    if isinstance(error, exc.TimeoutError):  # no connection free in the pool in time
        return True
    if isinstance(error, exc.DBAPIError):
        if error.connection_invalidated:
            return True
        if isinstance(error, exc.InterfaceError):
            return True  # asyncpg: "connection is closed", "cannot perform operation"
        original = error.orig
        if isinstance(error, exc.OperationalError) and not _is_sqlite(original):
            # psycopg reports a refused or lost connection as OperationalError without SQLSTATE.
            sqlstate = _sqlstate(original)
            return sqlstate is None or sqlstate[:2] in _UNAVAILABLE_SQLSTATE_CLASSES
        if original is not None and _driver_unavailable(original):
            return True
        cause = original.__cause__ if original is not None else None
        return isinstance(cause, OSError | ConnectionError)
    return _driver_unavailable(error)


def _driver_unavailable(error: BaseException) -> bool:
    """A driver's own error (sqlite3, asyncpg) that means "not now"."""
    if _is_sqlite(error):
        # SQLite reports syntax errors as OperationalError too: only these messages mean the
        # file cannot be used right now.
        message = str(error).lower()
        return isinstance(error, sqlite3.OperationalError) and any(
            part in message for part in _SQLITE_UNAVAILABLE
        )
    sqlstate = _sqlstate(error)
    if sqlstate and sqlstate[:2] in _UNAVAILABLE_SQLSTATE_CLASSES:
        return True
    module = type(error).__module__
    # asyncpg's InterfaceError: "connection is closed", "another operation is in progress";
    # InternalClientError: a statement on a connection whose backend was terminated before
    # asyncpg noticed ("cannot switch to state ..."). Either way this connection is gone.
    name = type(error).__name__
    return module.startswith("asyncpg") and (
        name.endswith("InterfaceError") or name == "InternalClientError"
    )


def _is_sqlite(error: BaseException | None) -> bool:
    return error is not None and type(error).__module__.startswith("sqlite3")


def _sqlstate(original: BaseException | None) -> str | None:
    if original is None:
        return None
    for candidate in (original, original.__cause__):
        for name in ("sqlstate", "pgcode"):
            value = getattr(candidate, name, None)
            if isinstance(value, str) and len(value) == 5:
                return value
    return None


def translate_unavailable(function: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    """Raise `DatabaseUnavailable` instead of the driver's own connection errors."""

    @functools.wraps(function)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await function(*args, **kwargs)
        except DatabaseUnavailable:
            raise
        except Exception as error:
            if is_unavailable(error):
                raise DatabaseUnavailable(
                    f"database unavailable: {type(error).__name__}"
                ) from error
            raise

    return wrapper
