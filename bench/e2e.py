"""End to end: the real bot process against the loopback Bot API server, polling or webhook.

The loopback Bot API server (`bot.testing.botapi`) and the simulated participants run in this
process; the bot runs in a child process, as `wegwijs telegram` / `wegwijs serve` would, so each
side gets a core. Each participant walks task guides (`bench.walker`) and waits for the bot's
answer before the next action, as a person does: the time from the participant's message (or
button press) to the bot's answer with its buttons is the latency, and all turns over the wall
time is the throughput.

Telegram's flood limits are lifted in the bot (the loopback server has none, and with them one
bot could never pass 30 messages a second); everything else is the production set-up.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

from bench.stats import Summary, process_cpu_seconds, rss_mb
from bench.walker import Action, Command, Keyboard, Press, Type, Walker, free_texts
from bot import runtime

TELEGRAM_CODES = {"nl": "nl", "en": "en", "ar": "ar", "fa": "fa", "tr": "tr"}
REPLY_TIMEOUT = 30.0


@dataclass
class E2EFigures:
    mode: str
    database: str
    participants: int
    turns_each: int
    turns: int
    seconds: float
    latency: list[float]
    bot_cpu_seconds: float
    people_cpu_seconds: float
    bot_rss_mb: float
    bot_peak_rss_mb: float
    timeouts: int
    calls: dict[str, int]

    def as_json(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "database": self.database,
            "participants": self.participants,
            "turns_each": self.turns_each,
            "turns": self.turns,
            "seconds": round(self.seconds, 3),
            "turns_per_second": round(self.turns / self.seconds, 1),
            "latency": Summary.of(self.latency).as_json(),
            "bot_cpu_ms_per_turn": round(self.bot_cpu_seconds / max(self.turns, 1) * 1000, 3),
            "bot_busy": round(self.bot_cpu_seconds / self.seconds, 3),
            "server_and_people_busy": round(self.people_cpu_seconds / self.seconds, 3),
            "bot_rss_mb": round(self.bot_rss_mb, 1),
            "bot_peak_rss_mb": round(self.bot_peak_rss_mb, 1),
            "timeouts": self.timeouts,
            "bot_api_calls": dict(sorted(self.calls.items())),
        }


async def run(
    mode: str,
    database_url: str,
    *,
    participants: int = 50,
    turns_each: int = 20,
    concurrency: int = 32,
    label: str = "sqlite",
    http: str = "own",
) -> E2EFigures:
    from bot.testing.botapi import BotApiServer

    async with BotApiServer(port=0) as server:
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": server.token,
            "TELEGRAM_API_BASE_URL": server.base_url,
            "DATABASE_URL": database_url,
            "LOG_LEVEL": "WARNING",
        }
        port = _free_port()
        command = [sys.executable, "-m", "bench.e2e", "--role", "bot", "--mode", mode]
        command += ["--concurrency", str(concurrency), "--port", str(port), "--http", http]
        if mode == "webhook":
            env |= {"WEBHOOK_URL": f"http://127.0.0.1:{port}", "WEBHOOK_SECRET": "bench"}
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [env.get("PYTHONPATH"), _root()]))
        bot = await asyncio.create_subprocess_exec(*command, env=env)
        try:
            await _until(lambda: _ready(server, mode), timeout=120)
            people = server.participant
            texts = free_texts()
            from bot.app import load_everything

            content = load_everything()[0]
            languages = [lang.code for lang in content.languages.languages]
            tasks = _tasks()
            chats = []
            for index in range(participants):
                lang = languages[index % len(languages)]
                chat = await people.private_chat(
                    700_000 + index, f"P{index}", language_code=TELEGRAM_CODES.get(lang, "en")
                )
                chats.append(chat)
            # Warm-up: one turn per participant (imports, caches, connections), not timed.
            latency: list[float] = []
            timeouts = Counter[str]()
            walkers = [
                Walker.make(i, chats[i], languages, tasks, texts) for i in range(participants)
            ]
            first = [w.first() for w in walkers]
            keyboards = await asyncio.gather(
                *(_act(people, w, a, [], timeouts) for w, a in zip(walkers, first, strict=True))
            )
            calls_before = Counter(c.method for c in server.calls.records if c.status == 200)
            cpu_before = process_cpu_seconds(bot.pid)
            own_before = time.process_time()
            started = time.perf_counter()
            await asyncio.gather(
                *(
                    _participant(people, walkers[i], keyboards[i], turns_each, latency, timeouts)
                    for i in range(participants)
                )
            )
            seconds = time.perf_counter() - started
            bot_cpu = process_cpu_seconds(bot.pid) - cpu_before
            people_cpu = time.process_time() - own_before
            calls = Counter(c.method for c in server.calls.records if c.status == 200)
            calls.subtract(calls_before)
            bot_rss = rss_mb(bot.pid)
            bot_peak = rss_mb(bot.pid, "VmHWM")
        finally:
            # The figures are taken; a graceful stop would wait out a long poll (30 s).
            if bot.returncode is None:
                bot.send_signal(signal.SIGTERM)
                try:
                    await asyncio.wait_for(bot.wait(), 3)
                except TimeoutError:
                    bot.kill()
                    await bot.wait()
    return E2EFigures(
        mode=mode,
        database=label,
        participants=participants,
        turns_each=turns_each,
        turns=len(latency),
        seconds=seconds,
        latency=latency,
        bot_cpu_seconds=bot_cpu,
        people_cpu_seconds=people_cpu,
        bot_rss_mb=bot_rss,
        bot_peak_rss_mb=bot_peak,
        timeouts=sum(timeouts.values()),
        calls={method: count for method, count in calls.items() if count},
    )


async def _participant(
    people: Any,
    walker: Walker,
    keyboard: Keyboard | None,
    turns: int,
    latency: list[float],
    timeouts: Counter[str],
) -> None:
    """`turns` timed turns; a finished walk starts the next task (a new walker, same chat)."""
    index = 0
    for _ in range(turns):
        action = walker.next(keyboard)
        if action is None:
            index += 1
            walker = _next_walker(walker, index)
            action = walker.first()
        keyboard = await _act(people, walker, action, latency, timeouts)


def _next_walker(walker: Walker, index: int) -> Walker:
    tasks = _tasks()
    return walker.another(tasks[(tasks.index(walker.task_id) + index) % len(tasks)])


_TASK_IDS: list[str] = []


def _tasks() -> list[str]:
    if not _TASK_IDS:
        from bot.app import load_everything

        _TASK_IDS.extend(load_everything()[0].tasks)
    return _TASK_IDS


async def _act(
    people: Any,
    walker: Walker,
    action: Action,
    latency: list[float],
    timeouts: Counter[str],
) -> Keyboard | None:
    """Do one action as the participant and wait for the answer that carries buttons."""
    chat = walker.chat_id
    before = len(people.bot_messages(chat))
    started = time.perf_counter()
    if isinstance(action, Press):
        await people.press_button(chat, action.message_id, action.data, forge=True)
    elif isinstance(action, Command):
        await people.send_command(chat, action.name)
    else:
        assert isinstance(action, Type)
        await people.send_text(chat, action.text)

    def answered() -> Keyboard | None:
        for message in reversed(people.bot_messages(chat)[before:]):
            if message.callback_data:
                return Keyboard(message.message_id, tuple(message.callback_data))
        return None

    try:
        keyboard: Keyboard | None = await people.wait_until(chat, answered, timeout=REPLY_TIMEOUT)
    except TimeoutError:
        timeouts[type(action).__name__] += 1
        return None
    latency.append(time.perf_counter() - started)
    return keyboard


def _ready(server: Any, mode: str) -> bool:
    if mode == "webhook":
        return bool(server.backend.webhook.active)
    # A call is logged when it is answered, and the first long poll is only answered when an
    # update comes (or after 30 s): deleteWebhook is the polling bot's last call before it.
    return bool(server.calls.count("deleteWebhook") > 0)


async def _until(check: Any, timeout: float) -> None:  # noqa: ASYNC109
    async with asyncio.timeout(timeout):
        while not check():  # noqa: ASYNC110  (the server's call log has no event to wait on)
            await asyncio.sleep(0.005)


def _free_port() -> int:
    from bot.web.server import bind

    sock = bind()
    port: int = sock.getsockname()[1]
    sock.close()
    return port


def _root() -> str:
    from pathlib import Path

    return str(Path(__file__).resolve().parents[1])


# -- the bot process ---------------------------------------------------------------------------
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
        publish_commands=False,
        own_http_client=args.http == "own",
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
    parser.add_argument("--role", choices=["bot"], required=True)
    parser.add_argument("--mode", choices=["polling", "webhook"], default="polling")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--port", type=int, default=18443)
    parser.add_argument(
        "--http", choices=["own", "httpx"], default="own", help="the bot's Bot API HTTP client"
    )
    args = parser.parse_args()
    profile = os.environ.get("WEGWIJS_BENCH_PROFILE")
    if not profile:
        runtime.run(_bot(args))  # the loop `wegwijs serve` and `wegwijs telegram` run on
        return
    # For finding where the bot's time goes: cProfile stats of the whole bot process.
    import cProfile

    profiler = cProfile.Profile()
    try:
        profiler.runcall(asyncio.run, _bot(args))
    finally:
        profiler.dump_stats(profile)


if __name__ == "__main__":
    main()
