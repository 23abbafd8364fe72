"""`wegwijs health`: is this installation able to serve? Used by the container health check."""

from __future__ import annotations

import argparse
import asyncio

from bot.settings import Settings


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    health = sub.add_parser("health", help="exit 0 when content loads and the database answers")
    health.set_defaults(handler=run_health)


def run_health(args: argparse.Namespace, settings: Settings) -> int:
    from sqlalchemy import text

    from bot.app import load_everything
    from bot.store.db import Database

    load_everything()

    async def database() -> None:
        db = Database(settings.database_url)
        try:
            async with db.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        finally:
            await db.close()

    asyncio.run(database())
    print("ok")
    return 0
