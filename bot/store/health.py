"""Is the database there, with the schema this code expects? For /readyz and `wegwijs health`."""

from __future__ import annotations

import asyncio

from alembic.script import ScriptDirectory
from sqlalchemy import text

from bot.store.db import Database, alembic_config


async def database_answers(url: str) -> None:
    """Connect to the database at `url` and run SELECT 1; raises whatever the driver raises.

    For `wegwijs health`, which opens and closes its own connection."""
    db = Database(url)
    try:
        async with db.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    finally:
        await db.close()


def expected_revision(db: Database) -> str | None:
    """The newest migration this code knows (read from the files once per call)."""
    return ScriptDirectory.from_config(alembic_config(db.url)).get_current_head()


async def database_status(
    db: Database, expected: str | None, seconds: float = 2.0
) -> dict[str, str]:
    """{"status": "ok" | "unavailable" | "not_migrated", "revision": ...}; never raises."""
    try:
        async with asyncio.timeout(seconds):
            async with db.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
            revision = await db.revision()
    except Exception as error:  # whatever the driver says, the answer is "not reachable"
        return {"status": "unavailable", "error": type(error).__name__}
    status = "ok" if revision == expected else "not_migrated"
    return {"status": status, "revision": revision or "none", "expected": expected or "none"}
