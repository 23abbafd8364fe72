"""Scale: a turn on a database with 100,000 participants and a million progress rows and events
costs what it costs on an empty one.

Two databases of the same kind, one empty and one filled (`seed_*`), each behind its own
assistant in this process; the same walkers' turns alternate between them, so both see the same
load from the rest of the machine. Then every statement the turns ran is explained on the filled
database: a full scan of one of the big tables on the path of a turn is reported by name.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event

from bench.scale_seed import Shape, seed_postgres, seed_sqlite
from bench.stats import Summary
from bench.turns import START, Harness, make_walkers
from bench.walker import Action, Walker
from bot.app import App, build_app
from bot.clock import FixedClock
from bot.settings import Settings

BIG_TABLES = ("participants", "conversation_states", "task_progress", "events", "reminders")
"""The tables the seed fills; a full scan of any other table is reported too."""
WALKER_CHATS = 5_000_000
WARMUP_CHATS = 4_000_000


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
    runs: int
    """How often the timed turns on the filled database ran it."""
    scans: list[str]
    """Tables read in full (empty: every table access is an index look-up or none at all)."""
    detail: str
    generic: str = ""
    """PostgreSQL: the generic plan, which a prepared statement may switch to after five runs."""

    def as_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "statement": " ".join(self.statement.split()),
            "runs": self.runs,
            "plan": self.detail,
            "full_scan": bool(self.scans),
            "scanned_tables": self.scans,
        }
        if self.generic:
            found["generic_plan"] = self.generic
        return found


@dataclass
class ScaleFigures:
    database: str
    size: Size
    rows: dict[str, int]
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
        scans = [p for p in self.plans if p.scans]
        empty_total = Summary.of(self.empty_total).p50
        return {
            "database": self.database,
            "participants": self.size.participants,
            "progress_rows": self.size.progress,
            "events": self.size.events,
            "rows": self.rows,
            "seed_seconds": round(self.seed_seconds, 1),
            "turns_each": self.turns,
            "own_empty": Summary.of(self.empty).as_json(),
            "own_full": Summary.of(self.full).as_json(),
            "total_empty": Summary.of(self.empty_total).as_json(),
            "total_full": Summary.of(self.full_total).as_json(),
            "own_p50_full_over_empty": round(self.ratio, 3),
            "total_p50_full_over_empty": round(
                Summary.of(self.full_total).p50 / empty_total if empty_total else 0.0, 3
            ),
            "statements_explained": len(self.plans),
            "statements_per_turn": round(sum(p.runs for p in self.plans) / max(1, self.turns), 2),
            "sequential_scans": len(scans),
            "full_scans": [
                {"statement": p.statement, "tables": p.scans, "plan": p.detail} for p in scans
            ],
            "plans": [p.as_json() for p in self.plans],
        }


# -- the comparison ------------------------------------------------------------------------------
class _Recorder:
    """Every distinct statement the database was asked during the timed turns: one example of
    its parameters and how often it ran."""

    def __init__(self) -> None:
        self.seen: dict[str, Any] = {}
        self.runs: dict[str, int] = {}

    def __call__(
        self,
        conn: Any,
        cursor: Any,
        statement: str,
        parameters: Any,
        context: Any,
        executemany: bool,
    ) -> None:
        self.runs[statement] = self.runs.get(statement, 0) + 1
        if statement not in self.seen:
            if executemany and parameters:
                parameters = parameters[0]
            self.seen[statement] = parameters

    def direct(self, statement: str, parameters: Any, executemany: bool) -> None:
        """The same for the turn store's direct path (bot/store/direct.py), which runs most of
        a turn's statements and which SQLAlchemy's events do not see."""
        self(None, None, statement, parameters, None, False)


async def compare(
    empty_url: str,
    full_url: str,
    *,
    label: str,
    size: Size,
    rows: dict[str, int],
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
                await _walk([harness], [make_walkers(harness.app, warmup, WARMUP_CHATS, seed=3)])
                harness.reset_timings()
            event.listen(apps[1].db.engine.sync_engine, "before_cursor_execute", recorder)
            stop_listening = apps[1].assistant.store.listen(recorder.direct)
            groups = [make_walkers(h.app, participants, WALKER_CHATS, seed=9) for h in harnesses]
            turns = await _walk(harnesses, groups)
            stop_listening()
            event.remove(apps[1].db.engine.sync_engine, "before_cursor_execute", recorder)
        finally:
            for harness in harnesses:
                await harness.__aexit__()
        if label == "sqlite":
            plans = _explain_sqlite(full_url, recorder)
        else:
            plans = await _explain_postgres(full_url, recorder)
        return ScaleFigures(
            database=label,
            size=size,
            rows=rows,
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


# -- the plans -----------------------------------------------------------------------------------
_SQLITE_SCAN = re.compile(r"\bSCAN (?:TABLE )?(\w+)")


def sqlite_scans(detail: str) -> list[str]:
    """Tables SQLite reads in full: "SCAN t", also "SCAN t USING (COVERING) INDEX i", which
    walks the whole index; only "SEARCH t USING ..." is a look-up. Subqueries and constant
    rows are not tables."""
    found = []
    for table in _SQLITE_SCAN.findall(detail):
        if table not in ("CONSTANT", "SUBQUERY") and table not in found:
            found.append(table)
    return found


def _explain_sqlite(url: str, recorder: _Recorder) -> list[Plan]:
    path = url.split("///", 1)[1]
    connection = sqlite3.connect(path)
    plans = []
    try:
        for sql, parameters in recorder.seen.items():
            if not _is_query(sql):
                continue
            rows = connection.execute(f"EXPLAIN QUERY PLAN {sql}", parameters or ()).fetchall()
            detail = "; ".join(str(row[-1]) for row in rows) or "(no table read)"
            plans.append(Plan(sql, recorder.runs[sql], sqlite_scans(detail), detail))
    finally:
        connection.close()
    return plans


def _is_query(sql: str) -> bool:
    return sql.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE", "INSERT", "WITH"))


def postgres_scans(tree: dict[str, Any]) -> list[str]:
    """Tables PostgreSQL reads in full: a Seq Scan, or an index scan without an index
    condition (the whole index in order)."""
    found = []
    for node in _nodes(tree):
        relation = node.get("Relation Name")
        if not relation:
            continue
        kind = node.get("Node Type", "")
        whole_index = kind in ("Index Scan", "Index Only Scan") and "Index Cond" not in node
        if (kind == "Seq Scan" or whole_index) and relation not in found:
            found.append(relation)
    return found


def _describe(tree: dict[str, Any]) -> str:
    parts = []
    for node in _nodes(tree):
        text = node.get("Node Type", "")
        if node.get("Relation Name"):
            text += f" {node['Relation Name']}"
        if node.get("Index Name"):
            text += f" using {node['Index Name']}"
        if node.get("Conflict Arbiter Indexes"):
            text += f" (on conflict: {', '.join(node['Conflict Arbiter Indexes'])})"
        parts.append(text)
    return " / ".join(parts)


async def _explain_postgres(url: str, recorder: _Recorder) -> list[Plan]:
    """Each statement's plan for the parameters it ran with, and its generic plan (what a
    prepared statement uses once PostgreSQL decides the parameters do not matter)."""
    import asyncpg

    from bench.databases import plain

    connection = await asyncpg.connect(plain(url))
    plans = []
    try:
        for number, (sql, parameters) in enumerate(recorder.seen.items()):
            if not _is_query(sql):
                continue
            raw = await connection.fetchval(f"EXPLAIN (FORMAT JSON) {sql}", *(parameters or ()))
            tree = json.loads(raw)[0]["Plan"]
            scans = postgres_scans(tree)
            generic = ""
            count = len(parameters or ())
            try:
                await connection.execute(f"PREPARE bench_{number} AS {sql}")
                await connection.execute("SET plan_cache_mode = force_generic_plan")
                nulls = ", ".join("NULL" for _ in range(count))
                raw = await connection.fetchval(
                    f"EXPLAIN (FORMAT JSON) EXECUTE bench_{number}"
                    + (f"({nulls})" if count else "")
                )
                generic_tree = json.loads(raw)[0]["Plan"]
                generic = _describe(generic_tree)
                scans += [t for t in postgres_scans(generic_tree) if t not in scans]
            except asyncpg.PostgresError as error:
                generic = f"(not explained: {error})"
            finally:
                await connection.execute("RESET plan_cache_mode")
                await connection.execute("DEALLOCATE ALL")
            plans.append(Plan(sql, recorder.runs[sql], scans, _describe(tree), generic))
    finally:
        await connection.close()
    return plans


def _nodes(tree: dict[str, Any]) -> list[dict[str, Any]]:
    found = [tree]
    for child in tree.get("Plans", ()):
        found.extend(_nodes(child))
    return found


def content_shape(content: Any) -> Shape:
    return Shape(
        languages=[lang.code for lang in content.languages.languages],
        tasks=[(task.id, [step.id for step in task.steps]) for task in content.tasks.values()],
        libraries=[
            (library.id, [branch.id for branch in library.branches])
            for library in content.libraries.libraries
        ],
    )


async def run(kind: str, size: Size, participants: int, postgres_url: str = "") -> ScaleFigures:
    """Fresh empty and filled databases of one kind ("sqlite" or "postgresql"), then compare."""
    import contextlib

    from bench.databases import fresh_postgres, fresh_sqlite
    from bot.app import load_everything
    from bot.store.db import Database

    shape = content_shape(load_everything()[0])
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
            rows = seed_sqlite(full.split("///", 1)[1], size, shape, START)
        else:
            rows = await seed_postgres(full, size, shape, START)
        seeded = time.perf_counter() - started
        return await compare(
            empty,
            full,
            label=kind,
            size=size,
            rows=rows,
            seed_seconds=seeded,
            participants=participants,
        )
