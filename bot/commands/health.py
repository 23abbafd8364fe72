"""`wegwijs health`: is this installation able to serve? Used by the container health check."""

from __future__ import annotations

import argparse
import asyncio

from bot.settings import Settings


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    health = sub.add_parser("health", help="exit 0 when content loads and the database answers")
    health.set_defaults(handler=run_health)


def run_health(args: argparse.Namespace, settings: Settings) -> int:
    # Imported here so `wegwijs --help` and the other commands start without loading them.
    from bot.app import load_everything
    from bot.store.health import database_answers

    load_everything()
    asyncio.run(database_answers(settings.database_url))
    print("ok")
    return 0
