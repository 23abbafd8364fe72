"""Start-up: from starting a process to ready, with all eight languages and all content loaded.

A fresh Python process is started for every measurement (nothing cached in memory), as
`wegwijs telegram` or `wegwijs serve` would be: it imports the bot, loads every task guide, the
glossary and the catalogues of all languages, builds the engine and the built-in interpreter,
opens (and, the first time, migrates) the database, builds the Telegram application and
channel, and then answers one /start in every language, so nothing is left to load lazily on a
participant's first message. Not included: the first call to the Bot API (getMe), which needs
the network. "Ready" is when it
prints that it answered; the parent measures the wall time from spawning it to that line. The
child also reports its resident memory at that moment.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.stats import spread

_READY = "WEGWIJS-READY"
_ROOT = str(Path(__file__).resolve().parents[1])


@dataclass
class StartupFigures:
    fresh_database: list[float]
    existing_database: list[float]
    rss_mb: list[float]
    languages: int

    def as_json(self) -> dict[str, Any]:
        return {
            "runs": len(self.existing_database),
            "languages": self.languages,
            "ready_seconds_fresh_database": spread(self.fresh_database),
            "ready_seconds_existing_database": spread(self.existing_database),
            "rss_mb_when_ready": spread(self.rss_mb),
        }


async def measure(database_folder: Path, runs: int = 3) -> StartupFigures:
    """`runs` starts on a new database (migrations run) and `runs` on the same one again."""
    fresh: list[float] = []
    existing: list[float] = []
    memory: list[float] = []
    languages = 0
    for run in range(runs):
        url = f"sqlite+aiosqlite:///{database_folder / f'startup-{run}.db'}"
        for target in (fresh, existing):
            seconds, report = await _start(url)
            target.append(seconds)
            memory.append(float(report["rss_mb"]))
            languages = int(report["languages"])
    return StartupFigures(fresh, existing, memory, languages)


async def _start(database_url: str) -> tuple[float, dict[str, Any]]:
    env = {**os.environ, "DATABASE_URL": database_url, "LOG_LEVEL": "WARNING"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [env.get("PYTHONPATH"), _ROOT]))
    started = time.perf_counter()
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.startup", stdout=asyncio.subprocess.PIPE, env=env
    )
    assert child.stdout is not None
    report: dict[str, Any] = {}
    seconds = 0.0
    async for raw in child.stdout:
        line = raw.decode().strip()
        if line.startswith(_READY):
            seconds = time.perf_counter() - started
            report = json.loads(line[len(_READY) :])
    if await child.wait() != 0 or not report:
        raise RuntimeError(f"the start-up child failed ({child.returncode})")
    return seconds, report


async def _child() -> None:
    from dataclasses import replace

    from bench.stats import rss_mb
    from bot.app import build_app
    from bot.channels.telegram.application import TelegramOptions, build_application
    from bot.channels.telegram.channel import TelegramChannel
    from bot.conversation.inbound import Start
    from bot.settings import Settings

    settings = Settings.from_env()
    app = await build_app(settings)
    try:
        # The Telegram side as `wegwijs telegram` builds it, short of its first call to the Bot
        # API (getMe), which would need the network.
        telegram = replace(settings, telegram_bot_token="123456789:startup-benchmark")
        application = build_application(telegram, TelegramOptions(), polling=True)
        TelegramChannel(app, application.bot)
        codes = [lang.code for lang in app.content.languages.languages]
        for index, code in enumerate(codes):
            replies = await app.assistant.handle("startup", str(index), Start(language=code))
            assert replies, f"no answer in {code}"
        report = {"rss_mb": round(rss_mb(os.getpid()), 1), "languages": len(codes)}
        print(_READY + json.dumps(report), flush=True)
    finally:
        await app.close()


if __name__ == "__main__":
    asyncio.run(_child())
