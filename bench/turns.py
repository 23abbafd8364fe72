"""Turn cost in process: simulated participants walk task guides through the Telegram adapter.

Every turn is a real Telegram update (JSON, as Telegram sends it) parsed by python-telegram-bot
and handled by the same PTB Application handler, TelegramChannel and Assistant that production
runs; only the Bot API is answered in memory (`bench.offline`). Turns run one at a time, the
participants round-robin (turn 1 of everyone, then turn 2, ...), so every figure is the cost of a
turn and not time spent waiting behind other turns, and the database sees all of them active.

Timed per turn:
- total: `Update.de_json` + `Application.process_update` (the whole adapter, replies included);
- own: `Assistant.handle` (redaction, understanding, engine, store, catalogues): "our own work",
  Telegram object parsing and sending excluded; split into load, engine and save.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from telegram import Update
from telegram.ext import Application, TypeHandler

from bench.offline import DATE, OfflineRequest, offline_bot
from bench.stats import Summary, cpu_seconds, peak_rss_mb
from bench.walker import Action, Command, Keyboard, Press, Type, Walker, free_texts
from bot.app import App, build_app
from bot.channels.telegram.channel import ChannelOptions, TelegramChannel
from bot.clock import FixedClock
from bot.settings import Settings

START = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
TELEGRAM_CODES = {"nl": "nl", "en": "en", "ar": "ar", "fa": "fa", "tr": "tr"}
"""Telegram has no Tigrinya, Somali or Kurdish interface: those apps say English."""

T = TypeVar("T")


@dataclass
class Timings:
    total: list[float] = field(default_factory=list)
    parse: list[float] = field(default_factory=list)
    own: list[float] = field(default_factory=list)
    load: list[float] = field(default_factory=list)
    engine: list[float] = field(default_factory=list)
    save: list[float] = field(default_factory=list)


@dataclass
class TurnFigures:
    database: str
    participants: int
    turns: int
    finished: int
    lost: int
    errors: int
    wall_seconds: float
    cpu_seconds: float
    peak_rss_mb: float
    timings: Timings
    calls: dict[str, int]

    def as_json(self) -> dict[str, Any]:
        return {
            "database": self.database,
            "participants": self.participants,
            "turns": self.turns,
            "walks_finished": self.finished,
            "walks_lost": self.lost,
            "errors": self.errors,
            "turns_per_second_wall": round(self.turns / self.wall_seconds, 1),
            "turns_per_cpu_second": round(self.turns / max(self.cpu_seconds, 1e-9), 1),
            "peak_rss_mb": round(self.peak_rss_mb, 1),
            "total": Summary.of(self.timings.total).as_json(),
            "telegram_parse": Summary.of(self.timings.parse).as_json(),
            "own": Summary.of(self.timings.own).as_json(),
            "own_load": Summary.of(self.timings.load).as_json(),
            "own_engine": Summary.of(self.timings.engine).as_json(),
            "own_save": Summary.of(self.timings.save).as_json(),
            "bot_api_calls": dict(sorted(self.calls.items())),
        }


def _timed(samples: list[float], call: Callable[..., Awaitable[T]]) -> Callable[..., Awaitable[T]]:
    @functools.wraps(call)
    async def wrapper(*args: Any, **kwargs: Any) -> T:
        started = time.perf_counter()
        try:
            return await call(*args, **kwargs)
        finally:
            samples.append(time.perf_counter() - started)

    return wrapper


def _timed_sync(samples: list[float], call: Callable[..., T]) -> Callable[..., T]:
    @functools.wraps(call)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        started = time.perf_counter()
        try:
            return call(*args, **kwargs)
        finally:
            samples.append(time.perf_counter() - started)

    return wrapper


class Harness:
    """The assistant behind PTB's Application with an offline bot, and the update builder."""

    def __init__(self, app: App, clock: FixedClock) -> None:
        self.app = app
        self.clock = clock
        self.bot, self.request = offline_bot()
        self.channel = TelegramChannel(app, self.bot, ChannelOptions())
        self.application = Application.builder().bot(self.bot).updater(None).build()
        self.application.add_handler(TypeHandler(Update, self.channel.on_update))
        self.application.add_error_handler(self._on_error)
        self.errors = 0
        self.timings = Timings()
        self._update_id = 0
        self._message_id = 1_000_000_000
        self._query_id = 0
        assistant = app.assistant
        assistant.handle = _timed(self.timings.own, assistant.handle)  # type: ignore[method-assign,assignment]
        store = assistant.store
        store.load = _timed(self.timings.load, store.load)  # type: ignore[method-assign]
        store.save = _timed(self.timings.save, store.save)  # type: ignore[method-assign]
        engine = assistant.engine
        engine.handle = _timed_sync(self.timings.engine, engine.handle)  # type: ignore[method-assign]

    async def __aenter__(self) -> Harness:
        await self.application.initialize()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.application.shutdown()

    async def _on_error(self, update: object, context: Any) -> None:
        self.errors += 1
        await self.channel.on_error(update, context)

    def reset_timings(self) -> None:
        for samples in vars(self.timings).values():
            samples.clear()

    async def turn(self, walker: Walker, action: Action) -> Keyboard | None:
        """One participant action through the adapter; returns the keyboard they see after it."""
        data = self._update(walker, action)
        chat = self.request.chat(walker.chat_id)
        before = chat.next_id
        started = time.perf_counter()
        update = Update.de_json(data, self.bot)
        parsed = time.perf_counter()
        await self.application.process_update(update)
        ended = time.perf_counter()
        self.timings.parse.append(parsed - started)
        self.timings.total.append(ended - started)
        self.clock.advance(dt.timedelta(seconds=1))
        for sent in reversed(chat.sent):
            if sent.message_id < before:
                break
            buttons = sent.callback_data()
            if buttons:
                return Keyboard(sent.message_id, tuple(buttons))
        return None

    def _update(self, walker: Walker, action: Action) -> dict[str, Any]:
        self._update_id += 1
        user = {
            "id": walker.chat_id,
            "is_bot": False,
            "first_name": "Deelnemer",
            "language_code": TELEGRAM_CODES.get(walker.lang, "en"),
        }
        chat = {"id": walker.chat_id, "type": "private", "first_name": "Deelnemer"}
        if isinstance(action, Press):
            self._query_id += 1
            sent = next(
                s
                for s in self.request.chat(walker.chat_id).sent
                if s.message_id == action.message_id
            )
            return {
                "update_id": self._update_id,
                "callback_query": {
                    "id": str(self._query_id),
                    "from": user,
                    "chat_instance": str(walker.chat_id),
                    "data": action.data,
                    "message": sent.as_message(walker.chat_id),
                },
            }
        self._message_id += 1
        message: dict[str, Any] = {
            "message_id": self._message_id,
            "date": DATE,
            "chat": chat,
            "from": user,
        }
        if isinstance(action, Command):
            text = "/" + action.name
            message["text"] = text
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text)}]
        else:
            assert isinstance(action, Type)
            message["text"] = action.text
        return {"update_id": self._update_id, "message": message}


async def walk_all(harness: Harness, walkers: list[Walker]) -> int:
    """Round-robin: one turn of every walker that is still walking, until all are done."""
    pending: dict[int, Action] = {w.chat_id: w.first() for w in walkers}
    turns = 0
    while pending:
        for walker in walkers:
            action = pending.get(walker.chat_id)
            if action is None:
                continue
            keyboard = await harness.turn(walker, action)
            turns += 1
            following = walker.next(keyboard)
            if following is None:
                del pending[walker.chat_id]
            else:
                pending[walker.chat_id] = following
    return turns


def make_walkers(app: App, count: int, first_chat: int, seed: int = 9) -> list[Walker]:
    languages = [lang.code for lang in app.content.languages.languages]
    tasks = list(app.content.tasks)
    texts = free_texts(app.content.root)
    return [
        Walker.make(index, first_chat + index, languages, tasks, texts, seed)
        for index in range(count)
    ]


async def measure(
    database_url: str,
    participants: int,
    *,
    label: str,
    warmup: int = 50,
    first_chat: int = 5_000_000,
    seed: int = 9,
) -> TurnFigures:
    """Build the app on `database_url`, warm up, then time `participants` complete walks."""
    logging.getLogger("bot").setLevel(logging.WARNING)
    clock = FixedClock(START)
    app = await build_app(Settings(database_url=database_url, log_level="WARNING"), clock=clock)
    try:
        async with Harness(app, clock) as harness:
            # Warm-up walkers (other chat ids): imports, caches, prepared statements.
            await walk_all(harness, make_walkers(app, warmup, first_chat - warmup - 10, seed + 1))
            harness.reset_timings()
            harness.errors = 0
            request: OfflineRequest = harness.request
            request.calls.clear()
            walkers = make_walkers(app, participants, first_chat, seed)
            cpu_before = cpu_seconds()
            started = time.perf_counter()
            turns = await walk_all(harness, walkers)
            wall = time.perf_counter() - started
            cpu = cpu_seconds() - cpu_before
            return TurnFigures(
                database=label,
                participants=participants,
                turns=turns,
                finished=sum(w.finished for w in walkers),
                lost=sum(w.lost for w in walkers),
                errors=harness.errors,
                wall_seconds=wall,
                cpu_seconds=cpu,
                peak_rss_mb=peak_rss_mb(),
                timings=harness.timings,
                calls=dict(request.calls),
            )
    finally:
        await app.close()
