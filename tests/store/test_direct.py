"""The direct path's pinned SQLite connection: one connection, given back at close, replaced
after a failure, and a nested statement fails at once instead of waiting for itself."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import literal, select

from bot.store.db import Database
from bot.store.direct import Direct

ONE = select(literal(1))


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'direct.db'}")
    await database.upgrade()
    try:
        yield database
    finally:
        await database.close()


def runner(db: Database) -> Direct:
    assert db.direct is not None, "inline SQLite on a file has the direct path"
    return db.direct


def checked_out(db: Database) -> int:
    return int(db.engine.sync_engine.pool.checkedout())  # type: ignore[attr-defined]


async def test_one_connection_for_every_statement_given_back_on_release(db: Database) -> None:
    direct = runner(db)
    for _ in range(5):
        assert await direct.rows(ONE, {}) == [(1,)]
        async with direct.transaction() as writer:
            assert await writer.rows(ONE, {}) == [(1,)]
    assert checked_out(db) == 1
    await direct.release()
    assert checked_out(db) == 0
    assert await direct.rows(ONE, {}) == [(1,)], "taken again after a release"


async def test_a_failure_throws_the_connection_away_and_the_next_turn_gets_a_new_one(
    db: Database,
) -> None:
    direct = runner(db)
    await direct.rows(ONE, {})
    first = direct._pinned
    with pytest.raises(ZeroDivisionError):
        async with direct.transaction():
            raise ZeroDivisionError
    assert direct._pinned is None
    assert await direct.rows(ONE, {}) == [(1,)]
    assert direct._pinned is not first
    assert checked_out(db) == 1


async def test_a_statement_inside_its_own_transaction_fails_at_once(db: Database) -> None:
    direct = runner(db)

    async def nested() -> None:
        async with direct.transaction():
            await direct.rows(ONE, {})

    with pytest.raises(RuntimeError, match="inside a direct transaction"):
        await asyncio.wait_for(nested(), timeout=5)
    assert await direct.rows(ONE, {}) == [(1,)]


async def test_other_tasks_wait_their_turn(db: Database) -> None:
    direct = runner(db)
    order: list[str] = []

    async def first() -> None:
        async with direct.transaction():
            order.append("first in")
            await asyncio.sleep(0.01)
            order.append("first out")

    async def second() -> None:
        await asyncio.sleep(0)
        await direct.rows(ONE, {})
        order.append("second")

    await asyncio.gather(first(), second())
    assert order == ["first in", "first out", "second"]
