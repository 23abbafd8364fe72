"""`wegwijs serve` (one process) at a fixed moment, for the several-workers test: the slots it
offers, the reminders it plans and whether its reminder loop is in quiet hours then do not
depend on the hour the test runs at.

    python -m tests.ops.serve_at --now 2026-11-30T08:00:00+00:00

Reads its settings from the environment like `wegwijs serve`.
"""

from __future__ import annotations

import argparse
import datetime as dt

from bot.clock import FixedClock
from bot.logs import setup_logging
from bot.settings import Settings
from bot.web.workers import serve

if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--now", required=True, type=dt.datetime.fromisoformat)
    args = parser.parse_args()
    settings = Settings.from_env()
    setup_logging(settings.log_level, settings.log_json)
    serve(settings, 1, clock=FixedClock(args.now))
