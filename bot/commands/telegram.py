"""`wegwijs telegram` (long polling), `wegwijs serve` (webhook + web app), `wegwijs try` (local)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import secrets
import signal
import sys
from dataclasses import replace

from bot import runtime
from bot.settings import Settings


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    polling = sub.add_parser(
        "telegram", help="run the Telegram bot with long polling (development, one process)"
    )
    polling.set_defaults(handler=run_polling)

    serve = sub.add_parser(
        "serve",
        help="run the web application on HOST:PORT: Telegram webhook (WEBHOOK_URL) and dashboard",
    )
    serve.add_argument(
        "--workers",
        type=int,
        default=None,
        help="uvicorn worker processes (default: $WEB_CONCURRENCY or 1); with more than one, "
        "this process migrates and registers the webhook once, then starts them",
    )
    serve.set_defaults(handler=run_serve)

    tryout = sub.add_parser(
        "try",
        help="chat with the Telegram bot through a local fake Telegram on 127.0.0.1 (no token)",
    )
    tryout.add_argument(
        "--lang", default="nl", help="the language of your (pretend) Telegram app, e.g. ar, fa"
    )
    tryout.add_argument("--name", default="Amina", help="your first name on the fake Telegram")
    tryout.add_argument(
        "--db", default=None, help="SQLite file to keep the conversation in (default: temporary)"
    )
    tryout.add_argument(
        "--webhook", action="store_true", help="deliver updates by webhook instead of polling"
    )
    tryout.set_defaults(handler=run_try)


def run_telegram(args: argparse.Namespace, settings: Settings) -> int:
    """`wegwijs run` with a token: webhook mode when WEBHOOK_URL is set, else long polling."""
    if settings.webhook_url:
        return run_serve(args, settings)
    return run_polling(args, settings)


def run_polling(args: argparse.Namespace, settings: Settings) -> int:
    if not settings.telegram_bot_token:
        print("Set TELEGRAM_BOT_TOKEN first (see README, 'Telegram').", file=sys.stderr)
        return 2

    async def main() -> None:
        from bot.app import build_app
        from bot.channels.telegram.application import TelegramBot, TelegramOptions
        from bot.privacy.policy import RetentionPolicy
        from bot.privacy.retention import purge_loop

        app = await build_app(settings)
        # The long-running process sends reminders and runs the retention purge, as `serve` does.
        options = TelegramOptions(reminders_every=settings.reminders_every_seconds or None)
        policy = RetentionPolicy.from_settings(settings)
        try:
            async with (
                TelegramBot(app, settings, options, polling=True),
                purge_loop(app.db, policy, app.clock),
            ):
                print("Wegwijs is listening on Telegram (long polling). Ctrl-C stops.", flush=True)
                await _until_stopped()
        finally:
            await app.close()

    runtime.run(main())
    return 0


def run_serve(args: argparse.Namespace, settings: Settings) -> int:
    if settings.telegram_bot_token and not settings.webhook_url:
        print(
            "TELEGRAM_BOT_TOKEN is set but WEBHOOK_URL is not: set WEBHOOK_URL to this server's "
            "public https address, or use `wegwijs telegram` for long polling.",
            file=sys.stderr,
        )
        return 2

    from bot.web.workers import serve

    serve(settings, getattr(args, "workers", None) or settings.workers)
    return 0


def run_try(args: argparse.Namespace, settings: Settings) -> int:
    from bot.channels.telegram.tryout import temporary_database, try_it

    if getattr(args, "log_level", None) is None:
        logging.getLogger().setLevel(logging.WARNING)  # the conversation, not start-up chatter
    folder = None
    if args.db:
        database_url = f"sqlite+aiosqlite:///{args.db}"
    else:
        database_url, folder = temporary_database()
    try:
        asyncio.run(
            try_it(
                replace(
                    settings, database_url=database_url, webhook_secret=secrets.token_urlsafe(24)
                ),
                language_code=args.lang or None,
                name=args.name,
                webhook=args.webhook,
            )
        )
    finally:
        if folder is not None:
            folder.cleanup()
    return 0


async def _until_stopped() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
