"""`wegwijs db upgrade|current`: database migrations."""

from __future__ import annotations

import argparse
import asyncio

from bot.settings import Settings


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    db = sub.add_parser("db", help="database migrations")
    actions = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    actions.add_parser("upgrade", help="migrate DATABASE_URL to the newest schema").set_defaults(
        handler=upgrade
    )
    actions.add_parser("current", help="show the schema revision").set_defaults(handler=current)


def upgrade(args: argparse.Namespace, settings: Settings) -> int:
    from bot.store.db import Database

    async def main() -> None:
        db = Database(settings.database_url)
        try:
            applied = await db.upgrade()
            revision = await db.revision()
            print(f"{'migrated to' if applied else 'already at'} revision {revision}")
        finally:
            await db.close()

    asyncio.run(main())
    return 0


def current(args: argparse.Namespace, settings: Settings) -> int:
    from bot.store.db import Database

    async def main() -> None:
        db = Database(settings.database_url)
        try:
            print(await db.revision() or "empty database")
        finally:
            await db.close()

    asyncio.run(main())
    return 0
