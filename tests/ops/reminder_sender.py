"""A reminder sender in its own process, for the several-workers test: rounds of `send_due` at a
fixed moment, delivering through the real Telegram notifier to the loopback Bot API server.

    python -m tests.ops.reminder_sender --now 2026-11-24T08:40:00+00:00 --rounds 40

Reads DATABASE_URL, TELEGRAM_BOT_TOKEN and TELEGRAM_API_BASE_URL like the bot; prints one JSON
line with the summed report.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json

from telegram import Bot

from bot.app import build_app
from bot.appointments.reminders import Reminders, Report
from bot.channels.telegram.application import file_url
from bot.channels.telegram.keyboards import KeyboardTracker
from bot.channels.telegram.notifier import TelegramNotifier
from bot.channels.telegram.send import Sender
from bot.clock import FixedClock
from bot.settings import Settings


async def main(now: dt.datetime, rounds: int) -> Report:
    settings = Settings.from_env()
    assert settings.telegram_bot_token
    app = await build_app(settings, clock=FixedClock(now), migrate=False)
    bot = Bot(
        settings.telegram_bot_token,
        base_url=settings.telegram_api_base_url,
        base_file_url=file_url(settings.telegram_api_base_url),
    )
    total = Report()
    try:
        async with bot:
            reminders = Reminders.for_app(app, TelegramNotifier(Sender(bot), KeyboardTracker()))
            for _ in range(rounds):
                total += await reminders.send_due(now)
                await asyncio.sleep(0.02)
    finally:
        await app.close()
    return total


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--now", required=True, type=dt.datetime.fromisoformat)
    parser.add_argument("--rounds", type=int, default=40)
    args = parser.parse_args()
    report = asyncio.run(main(args.now, args.rounds))
    print(json.dumps(vars(report)), flush=True)
