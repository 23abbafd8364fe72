"""Scale: a turn on a database with 100,000 participants and a million progress rows and events
costs what it costs on an empty one.

Two databases of the same kind, one empty and one filled (`seed_*`), each behind its own
assistant in this process; the same walkers' turns alternate between them, so both see the same
load from the rest of the machine. Then every statement the turns ran is explained on the filled
database: a full scan of one of the big tables on the path of a turn is reported by name.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import sqlite3
import time
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event

from bench.stats import Summary
from bench.turns import START, Harness, make_walkers
from bench.walker import Action, Walker
from bot.app import App, build_app
from bot.clock import FixedClock
from bot.settings import Settings

BIG_TABLES = ("participants", "conversation_states", "task_progress", "events", "reminders")
EVENT_KINDS = (
    "language_chosen",
    "consent_given",
    "task_started",
    "step_reached",
    "step_done",
    "step_reached",
    "step_done",
    "term_explained",
    "step_failed",
    "task_done",
)
STATUSES = ("in_progress", "done", "stuck", "done", "in_progress")
FIRST_CHAT = 90_000_000


@dataclass(frozen=True)
class Size:
    participants: int = 100_000
    progress_each: int = 10
    events_each: int = 10

    @property
    def progress(self) -> int:
        return self.participants * self.progress_each

    @property
    def events(self) -> int:
        return self.participants * self.events_each


@dataclass
class Plan:
    statement: str
    verdict: str
    """"index" or "scan of <table>"."""
    detail: str


@dataclass
class ScaleFigures:
    database: str
    size: Size
    seed_seconds: float
    turns: int
    empty: list[float]
    full: list[float]
    empty_total: list[float]
    full_total: list[float]
    plans: list[Plan] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        empty = Summary.of(self.empty).p50
        return Summary.of(self.full).p50 / empty if empty else 0.0

    def as_json(self) -> dict[str, Any]:
        scans = [p for p in self.plans if p.verdict != "index"]
        return {
            "database": self.database,
            "participants": self.size.participants,
            "progress_rows": self.size.progress,
            "events": self.size.events,
            "seed_seconds": round(self.seed_seconds, 1),
            "turns_each": self.turns,
            "own_empty": Summary.of(self.empty).as_json(),
            "own_full": Summary.of(self.full).as_json(),
            "total_empty": Summary.of(self.empty_total).as_json(),
            "total_full": Summary.of(self.full_total).as_json(),
            "own_p50_full_over_empty": round(self.ratio, 3),
            "statements_explained": len(self.plans),
            "full_scans": [{"statement": p.statement, "plan": p.detail} for p in scans],
        }


# -- filling a database ----------------------------------------------------------------------
def _rows(size: Size, languages: list[str], tasks: list[tuple[str, str]]) -> dict[str, Any]:
    """Generators of rows for every table, as plain tuples (SQLite's datetime text format)."""
    rng = random.Random(42)

    def stamp(moment: dt.datetime) -> str:
        return moment.strftime("%Y-%m-%d %H:%M:%S.%f")

    def participants() -> Any:
        for i in range(size.participants):
            seen = START - dt.timedelta(minutes=rng.randrange(1, 200_000))
            yield (
                i + 1,
                "telegram",
                str(FIRST_CHAT + i),
                languages[i % len(languages)],
                "given",
                stamp(seen - dt.timedelta(days=30)),
                stamp(seen - dt.timedelta(days=30)),
                stamp(seen),
            )

    state = json.dumps(
        {
            "extra": {},
            "keyboard": 7,
            "misunderstood": 0,
            "screen": "menu",
            "step_id": None,
            "task_id": None,
        },
        separators=(",", ":"),
        sort_keys=True,
    )

    def states() -> Any:
        when = stamp(START - dt.timedelta(days=1))
        for i in range(size.participants):
            yield (i + 1, state, 7, when)

    def progress() -> Any:
        when = stamp(START - dt.timedelta(days=2))
        for i in range(size.participants):
            for k in range(size.progress_each):
                task, step = tasks[(i + k) % len(tasks)]
                status = STATUSES[(i + k) % len(STATUSES)]
                done = when if status == "done" else None
                yield (i + 1, task, step, status, "{}", when, when, done)

    def events() -> Any:
        for i in range(size.participants):
            language = languages[i % len(languages)]
            for k in range(size.events_each):
                task, step = tasks[(i + k) % len(tasks)]
                at = stamp(START - dt.timedelta(minutes=rng.randrange(1, 500_000)))
                yield (i + 1, EVENT_KINDS[k % len(EVENT_KINDS)], task, step, language, at)

    def reminders() -> Any:
        for i in range(size.participants):
            task, step = tasks[i % len(tasks)]
            due = START + dt.timedelta(minutes=rng.randrange(-10_000, 10_000))
            status = "pending" if i % 3 else "sent"
            yield (
                i + 1,
                "nudge",
                f"nudge:{i + 1}:{task}:{step}",
                stamp(due),
                stamp(due + dt.timedelta(days=2)),
                task,
                step,
                status,
                stamp(due - dt.timedelta(days=3)),
            )

    return {
        "participants": participants(),
        "states": states(),
        "progress": progress(),
        "events": events(),
        "reminders": reminders(),
    }


_INSERTS = {
    "participants": "INSERT INTO participants (id, channel, chat_id, language, consent, "
    "consent_at, created_at, last_seen_at, share_with_trainer, nudges_enabled, nudges_max) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, 1, 1)",
    "states": "INSERT INTO conversation_states (participant_id, data, version, updated_at) "
    "VALUES (?, ?, ?, ?)",
    "progress": "INSERT INTO task_progress (participant_id, task_id, step_id, status, failures, "
    "started_at, updated_at, completed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    "events": "INSERT INTO events (participant_id, kind, task_id, step_id, language, at) "
    "VALUES (?, ?, ?, ?, ?, ?)",
    "reminders": "INSERT INTO reminders (participant_id, kind, key, due_at, expires_at, task_id, "
    "step_id, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
}


def seed_sqlite(path: str, size: Size, languages: list[str], tasks: list[tuple[str, str]]) -> None:
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA synchronous=OFF")
        rows = _rows(size, languages, tasks)
        with connection:
            for table, sql in _INSERTS.items():
                connection.executemany(sql, rows[table])
    finally:
        connection.close()


async def seed_postgres(
    url: str, size: Size, languages: list[str], tasks: list[tuple[str, str]]
) -> None:
    """Generated in the server (generate_series): a million rows in seconds, no Python loop."""
    import asyncpg

    from bench.databases import plain

    connection = await asyncpg.connect(plain(url))
    n = size.participants
    langs = "ARRAY[" + ",".join(f"'{code}'" for code in languages) + "]"
    task_ids = "ARRAY[" + ",".join(f"'{t}'" for t, _ in tasks) + "]"
    steps = "ARRAY[" + ",".join(f"'{s}'" for _, s in tasks) + "]"
    kinds = "ARRAY[" + ",".join(f"'{k}'" for k in EVENT_KINDS) + "]"
    statuses = "ARRAY[" + ",".join(f"'{s}'" for s in STATUSES) + "]"
    start = START.isoformat()
    try:
        async with connection.transaction():
            await connection.execute(
                f"""
                INSERT INTO participants (id, channel, chat_id, language, consent, consent_at,
                    created_at, last_seen_at, share_with_trainer, nudges_enabled, nudges_max)
                SELECT i, 'telegram', ({FIRST_CHAT} + i - 1)::text,
                    ({langs})[1 + (i - 1) % {len(languages)}], 'given',
                    '{start}'::timestamptz - interval '40 days',
                    '{start}'::timestamptz - interval '40 days',
                    '{start}'::timestamptz - (random() * 200000) * interval '1 minute',
                    false, true, 1
                FROM generate_series(1, {n}) AS i
                """
            )
            await connection.execute(
                f"SELECT setval(pg_get_serial_sequence('participants', 'id'), {n})"
            )
            await connection.execute(
                f"""
                INSERT INTO conversation_states (participant_id, data, version, updated_at)
                SELECT i, '{{"extra":{{}},"keyboard":7,"misunderstood":0,"screen":"menu",'
                    || '"step_id":null,"task_id":null}}', 7,
                    '{start}'::timestamptz - interval '1 day'
                FROM generate_series(1, {n}) AS i
                """
            )
            await connection.execute(
                f"""
                INSERT INTO task_progress (participant_id, task_id, step_id, status, failures,
                    started_at, updated_at, completed_at)
                SELECT i, ({task_ids})[1 + (i + k) % {len(tasks)}],
                    ({steps})[1 + (i + k) % {len(tasks)}],
                    ({statuses})[1 + (i + k) % {len(STATUSES)}], '{{}}',
                    '{start}'::timestamptz - interval '2 days',
                    '{start}'::timestamptz - interval '2 days', NULL
                FROM generate_series(1, {n}) AS i, generate_series(0, {size.progress_each - 1}) AS k
                """
            )
            await connection.execute(
                f"""
                INSERT INTO events (participant_id, kind, task_id, step_id, language, at)
                SELECT i, ({kinds})[1 + k % {len(EVENT_KINDS)}],
                    ({task_ids})[1 + (i + k) % {len(tasks)}],
                    ({steps})[1 + (i + k) % {len(tasks)}],
                    ({langs})[1 + (i - 1) % {len(languages)}],
                    '{start}'::timestamptz - (random() * 500000) * interval '1 minute'
                FROM generate_series(1, {n}) AS i, generate_series(0, {size.events_each - 1}) AS k
                """
            )
            await connection.execute(
                f"""
                INSERT INTO reminders (participant_id, kind, key, due_at, expires_at, task_id,
                    step_id, status, created_at)
                SELECT i, 'nudge',
                    'nudge:' || i || ':' || ({task_ids})[1 + i % {len(tasks)}] || ':'
                        || ({steps})[1 + i % {len(tasks)}],
                    '{start}'::timestamptz + (random() - 0.5) * interval '14 days',
                    '{start}'::timestamptz + interval '3 days',
                    ({task_ids})[1 + i % {len(tasks)}], ({steps})[1 + i % {len(tasks)}],
                    CASE WHEN i % 3 = 0 THEN 'sent' ELSE 'pending' END,
                    '{start}'::timestamptz - interval '3 days'
                FROM generate_series(1, {n}) AS i
                """
            )
        await connection.execute("ANALYZE")
    finally:
        await connection.close()


# -- the comparison ------------------------------------------------------------------------------
class _Recorder:
    """Every distinct statement the database was asked during the timed turns, one example each."""

    def __init__(self) -> None:
        self.seen: dict[str, Any] = {}

    def __call__(
        self,
        conn: Any,
        cursor: Any,
        statement: str,
        parameters: Any,
        context: Any,
        executemany: bool,
    ) -> None:
        if statement not in self.seen:
            if executemany and parameters:
                parameters = parameters[0]
            self.seen[statement] = parameters


async def compare(
    empty_url: str,
    full_url: str,
    *,
    label: str,
    size: Size,
    seed_seconds: float,
    participants: int,
    warmup: int = 20,
) -> ScaleFigures:
    """The same walks, turn by turn alternately on the empty and the filled database."""
    apps: list[App] = []
    clocks = [FixedClock(START), FixedClock(START)]
    try:
        for url, clock in zip((empty_url, full_url), clocks, strict=True):
            settings = Settings(database_url=url, log_level="WARNING")
            apps.append(await build_app(settings, clock=clock, migrate=False))
        recorder = _Recorder()
        harnesses = [Harness(app, clock) for app, clock in zip(apps, clocks, strict=True)]
        for harness in harnesses:
            await harness.__aenter__()
        try:
            for harness in harnesses:
                await _walk([harness], [make_walkers(harness.app, warmup, 4_000_000, seed=3)])
                harness.reset_timings()
            event.listen(apps[1].db.engine.sync_engine, "before_cursor_execute", recorder)
            groups = [make_walkers(h.app, participants, 5_000_000, seed=9) for h in harnesses]
            turns = await _walk(harnesses, groups)
            event.remove(apps[1].db.engine.sync_engine, "before_cursor_execute", recorder)
        finally:
            for harness in harnesses:
                await harness.__aexit__()
        if label == "sqlite":
            plans = _explain_sqlite(full_url, recorder.seen)
        else:
            plans = await _explain_postgres(full_url, recorder.seen)
        return ScaleFigures(
            database=label,
            size=size,
            seed_seconds=seed_seconds,
            turns=turns,
            empty=list(harnesses[0].timings.own),
            full=list(harnesses[1].timings.own),
            empty_total=list(harnesses[0].timings.total),
            full_total=list(harnesses[1].timings.total),
            plans=plans,
        )
    finally:
        for app in apps:
            await app.close()


async def _walk(harnesses: list[Harness], groups: list[list[Walker]]) -> int:
    """Round-robin over the walkers; walker i's turn on each database one after the other."""
    pending: list[dict[int, Action]] = [{w.chat_id: w.first() for w in g} for g in groups]
    turns = 0
    while any(pending):
        for index in range(len(groups[0])):
            for harness, group, waiting in zip(harnesses, groups, pending, strict=True):
                walker = group[index]
                action = waiting.get(walker.chat_id)
                if action is None:
                    continue
                keyboard = await harness.turn(walker, action)
                turns += 1
                following = walker.next(keyboard)
                if following is None:
                    del waiting[walker.chat_id]
                else:
                    waiting[walker.chat_id] = following
    return turns // max(1, len(harnesses))


def _scanned(detail: str) -> str | None:
    for table in BIG_TABLES:
        if f"SCAN {table}" in detail and "USING" not in detail.split(f"SCAN {table}", 1)[1][:40]:
            return table
    return None


def _explain_sqlite(url: str, statements: dict[str, Any]) -> list[Plan]:
    path = url.split("///", 1)[1]
    connection = sqlite3.connect(path)
    plans = []
    try:
        for sql, parameters in statements.items():
            rows = connection.execute(f"EXPLAIN QUERY PLAN {sql}", parameters or ()).fetchall()
            detail = "; ".join(str(row[-1]) for row in rows) or "(no table access)"
            table = _scanned(detail)
            plans.append(Plan(sql, f"scan of {table}" if table else "index", detail))
    finally:
        connection.close()
    return plans


async def _explain_postgres(url: str, statements: dict[str, Any]) -> list[Plan]:
    import asyncpg

    from bench.databases import plain

    connection = await asyncpg.connect(plain(url))
    plans = []
    try:
        for sql, parameters in statements.items():
            if (
                not sql.lstrip()
                .upper()
                .startswith(("SELECT", "UPDATE", "DELETE", "INSERT", "WITH"))
            ):
                continue
            raw = await connection.fetchval(f"EXPLAIN (FORMAT JSON) {sql}", *(parameters or ()))
            tree = json.loads(raw)[0]["Plan"]
            scans = [
                node.get("Relation Name", "")
                for node in _nodes(tree)
                if node.get("Node Type") == "Seq Scan" and node.get("Relation Name") in BIG_TABLES
            ]
            detail = " / ".join(
                f"{node.get('Node Type')} {node.get('Relation Name', '')}".strip()
                for node in _nodes(tree)
            )
            plans.append(Plan(sql, f"scan of {scans[0]}" if scans else "index", detail))
    finally:
        await connection.close()
    return plans


def _nodes(tree: dict[str, Any]) -> list[dict[str, Any]]:
    found = [tree]
    for child in tree.get("Plans", ()):
        found.extend(_nodes(child))
    return found


def content_shape(app_content: Any) -> tuple[list[str], list[tuple[str, str]]]:
    languages = [lang.code for lang in app_content.languages.languages]
    tasks = [(task.id, task.steps[0].id) for task in app_content.tasks.values()]
    return languages, tasks


async def run(kind: str, size: Size, participants: int, postgres_url: str = "") -> ScaleFigures:
    """Fresh empty and filled databases of one kind ("sqlite" or "postgresql"), then compare."""
    import contextlib

    from bench.databases import fresh_postgres, fresh_sqlite
    from bot.app import load_everything
    from bot.store.db import Database

    languages, tasks = content_shape(load_everything()[0])
    async with contextlib.AsyncExitStack() as stack:
        if kind == "sqlite":
            empty = stack.enter_context(fresh_sqlite())
            full = stack.enter_context(fresh_sqlite())
        else:
            empty = await stack.enter_async_context(fresh_postgres(postgres_url, "_empty"))
            full = await stack.enter_async_context(fresh_postgres(postgres_url, "_full"))
        for url in (empty, full):
            db = Database(url)
            try:
                await db.upgrade()
            finally:
                await db.close()
        started = time.perf_counter()
        if kind == "sqlite":
            # No ANALYZE afterwards: the bot never runs it, so the planner works without stats.
            seed_sqlite(full.split("///", 1)[1], size, languages, tasks)
        else:
            await seed_postgres(full, size, languages, tasks)
        seeded = time.perf_counter() - started
        return await compare(
            empty, full, label=kind, size=size, seed_seconds=seeded, participants=participants
        )
