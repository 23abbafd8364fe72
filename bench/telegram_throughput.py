"""Updates per second through the real Telegram bot, polling or webhook, on the loopback server.

    .venv/bin/python -m bench.telegram_throughput --mode polling --chats 400 --per-chat 5
    .venv/bin/python -m bench.telegram_throughput --mode webhook --concurrency 256

The loopback Bot API server and the simulated people run in this process; the bot runs in a
child process (so each gets a core) with Telegram's flood limits lifted: the loopback server has
none, and with them the bot could never go past 30 messages a second. Every update is a /start
from someone who has not chosen a language yet: one turn (read + write transaction) and one
sendMessage with the language keyboard, plus clearing the previous picker's buttons.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path


async def _people(args: argparse.Namespace) -> None:
    from bot.testing.botapi import BotApiServer

    async with BotApiServer(port=0) as server:
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": server.token,
            "TELEGRAM_API_BASE_URL": server.base_url,
            "DATABASE_URL": args.database_url,
            "LOG_LEVEL": "WARNING",
        }
        command = [
            sys.executable,
            "-m",
            "bench.telegram_throughput",
            "--role",
            "bot",
            "--mode",
            args.mode,
            "--concurrency",
            str(args.concurrency),
            "--pool",
            str(args.pool),
        ]
        if args.mode == "webhook":
            env |= {"WEBHOOK_URL": f"http://127.0.0.1:{args.port}", "WEBHOOK_SECRET": "bench"}
            command += ["--port", str(args.port)]
        bot = await asyncio.create_subprocess_exec(*command, env=env)
        try:
            await _until(lambda: _ready(server, args.mode, bot.returncode), timeout=60)
            people = server.participant
            chats = [
                await people.private_chat(100_000 + n, f"P{n}", language_code="nl")
                for n in range(args.chats)
            ]
            # Warm-up: every chat's first turn creates its participant row.
            await _round(server, chats, 1)
            cpu_before = _cpu_seconds(bot.pid)
            own_before = time.process_time()
            calls_before = Counter(c.method for c in server.calls.records if c.status == 200)
            started = time.perf_counter()
            await _round(server, chats, args.per_chat)
            elapsed = time.perf_counter() - started
            bot_cpu = _cpu_seconds(bot.pid) - cpu_before
            own_cpu = time.process_time() - own_before
            calls = Counter(c.method for c in server.calls.records if c.status == 200)
            calls.subtract(calls_before)
        finally:
            if bot.returncode is None:
                bot.send_signal(signal.SIGTERM)
            await asyncio.wait_for(bot.wait(), 60)
        updates = args.chats * args.per_chat
        print(
            f"{args.mode}: {updates} updates from {args.chats} chats in {elapsed:.2f}s = "
            f"{updates / elapsed:.0f} updates/s (concurrency {args.concurrency}, "
            f"pool {args.pool or 'default'}, "
            f"bot process busy {bot_cpu / elapsed:.0%} = {bot_cpu / updates * 1000:.1f} ms CPU "
            f"per update, server and people {own_cpu / elapsed:.0%})"
        )
        print("  Bot API calls:", ", ".join(f"{m} {n}" for m, n in calls.most_common() if n))


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _ready(server: object, mode: str, exit_code: int | None) -> bool:
    from bot.testing.botapi import BotApiServer

    assert isinstance(server, BotApiServer)
    if exit_code is not None:
        raise RuntimeError(f"the bot process exited with {exit_code}; see its errors above")
    if mode == "webhook":
        return server.backend.webhook.active
    return server.calls.count("getUpdates") > 0


async def _round(server: object, chats: list[int], per_chat: int) -> None:
    from bot.testing.botapi import BotApiServer

    assert isinstance(server, BotApiServer)
    people = server.participant
    goal = server.calls.count("sendMessage") + len(chats) * per_chat
    for _ in range(per_chat):
        for chat in chats:
            await people.send_command(chat, "start")
    await _until(lambda: server.calls.count("sendMessage") >= goal, timeout=600)


async def _until(check: object, timeout: float) -> None:  # noqa: ASYNC109
    assert callable(check)
    async with asyncio.timeout(timeout):
        while not check():  # noqa: ASYNC110  (the server's call log has no event to wait on)
            await asyncio.sleep(0.002)


async def _bot(args: argparse.Namespace) -> None:
    from bot.app import build_app
    from bot.channels.telegram.application import TelegramBot, TelegramOptions
    from bot.channels.telegram.ratelimit import Limits
    from bot.settings import Settings

    settings = Settings.from_env()
    unlimited = Limits(
        overall_per_second=1e6, private_per_second=1e6, private_burst=1000, group_per_minute=1e6
    )
    options = TelegramOptions(
        limits=unlimited,
        max_concurrent_turns=args.concurrency,
        connection_pool_size=args.pool or TelegramOptions().connection_pool_size,
        publish_commands=False,
    )
    app = await build_app(settings)
    try:
        if args.mode == "polling":
            stop = asyncio.Event()
            asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
            async with TelegramBot(app, settings, options, polling=True):
                await stop.wait()
        else:
            from bot.channels.telegram.webhook import TelegramWebhook
            from bot.web.app import create_app
            from bot.web.server import serve

            hook = TelegramWebhook(app, settings, options)
            await serve(create_app([hook]), host="127.0.0.1", port=args.port)
    finally:
        await app.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--role", choices=["people", "bot"], default="people")
    parser.add_argument("--mode", choices=["polling", "webhook"], default="polling")
    parser.add_argument("--chats", type=int, default=400)
    parser.add_argument("--per-chat", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--pool", type=int, default=0, help="HTTP pool size (0: the default)")
    parser.add_argument("--port", type=int, default=18443)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    if args.role == "bot":
        asyncio.run(_bot(args))
        return
    with tempfile.TemporaryDirectory() as folder:
        args.database_url = args.database_url or f"sqlite+aiosqlite:///{Path(folder) / 'b.db'}"
        asyncio.run(_people(args))


if __name__ == "__main__":
    main()
