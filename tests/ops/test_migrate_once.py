"""Several containers starting at once migrate the database once; the others find it current."""

from __future__ import annotations

import asyncio

from bot.store.db import Database


async def test_concurrent_upgrades_of_a_fresh_database_all_succeed(postgres_url: str) -> None:
    databases = [Database(postgres_url) for _ in range(3)]
    try:
        applied = await asyncio.gather(*(db.upgrade() for db in databases))
        assert sorted(applied) == [False, False, True], "one migrated, two waited and found it done"
        revisions = {await db.revision() for db in databases}
        assert len(revisions) == 1 and None not in revisions
    finally:
        for db in databases:
            await db.close()
