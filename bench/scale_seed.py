"""Filling a database for the scale benchmark with data shaped like a year of real use.

One generator (seeded, so SQLite and PostgreSQL get the same rows) yields participants in
batches with everything that belongs to them: their conversation state, a progress row per task
they opened, their events in the order a walk produces them, and the nudges planned for tasks
they left unfinished. The shape follows how the assistant is used, so the indexes meet the
values they meet in production: languages and libraries unevenly popular, DigiD far more often
than kinderbijslag, most tasks done and some stuck at an early step, anonymous events for
people who said no, timestamps over two years with more recent use. Exactly
`size.progress` progress rows and `size.events` events are made.

SQLite gets one transaction of `executemany` batches; PostgreSQL gets binary COPY
(`copy_records_to_table`) with the foreign-key triggers off for the load (the rows are
consistent by construction), then VACUUM ANALYZE, as autovacuum would have done by then.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

FIRST_CHAT = 90_000_000
BATCH = 10_000
"""Participants per batch: rows of all five tables for them, then the next batch."""

LANGUAGE_WEIGHTS = {"nl": 15, "en": 8, "ar": 22, "ti": 15, "fa": 14, "tr": 10, "so": 8, "ku": 8}
CONSENT_WEIGHTS = (("given", 90), ("declined", 7), ("unknown", 3))
STATUS_WEIGHTS = (("done", 55), ("in_progress", 33), ("stuck", 12))
SCREEN_WEIGHTS = (("menu", 40), ("step", 30), ("tasks", 12), ("overview", 10), ("glossary", 8))
WALK_EVENTS = (
    ("step_reached", 33),
    ("step_done", 30),
    ("task_started", 9),
    ("task_done", 7),
    ("term_explained", 7),
    ("step_failed", 6),
    ("not_understood", 4),
    ("step_stuck", 2),
    ("help_offered", 1),
    ("person_requested", 1),
)
DAYS = 730


class Sized(Protocol):
    @property
    def participants(self) -> int: ...

    @property
    def progress(self) -> int: ...

    @property
    def events(self) -> int: ...


@dataclass(frozen=True)
class Shape:
    """What the content offers: languages, tasks with their steps, libraries with branches."""

    languages: list[str]
    tasks: list[tuple[str, list[str]]]
    libraries: list[tuple[str, list[str]]]


COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "participants": (
        "participants",
        (
            "id",
            "channel",
            "chat_id",
            "language",
            "consent",
            "consent_at",
            "library_id",
            "branch_id",
            "share_with_trainer",
            "nudges_enabled",
            "nudges_max",
            "created_at",
            "last_seen_at",
        ),
    ),
    "states": ("conversation_states", ("participant_id", "data", "version", "updated_at")),
    "progress": (
        "task_progress",
        (
            "participant_id",
            "task_id",
            "step_id",
            "status",
            "failures",
            "started_at",
            "updated_at",
            "completed_at",
        ),
    ),
    "events": (
        "events",
        ("participant_id", "kind", "task_id", "step_id", "language", "library_id", "at"),
    ),
    "reminders": (
        "reminders",
        (
            "participant_id",
            "kind",
            "key",
            "due_at",
            "expires_at",
            "task_id",
            "step_id",
            "status",
            "claimed_at",
            "sent_at",
            "drop_reason",
            "created_at",
        ),
    ),
}
DATETIMES = {
    "participants": (5, 11, 12),
    "states": (3,),
    "progress": (5, 6, 7),
    "events": (6,),
    "reminders": (3, 4, 8, 9, 11),
}
"""Positions of datetime values per table (SQLite stores them as text)."""
BOOLEANS = {"participants": (8, 9)}


def _counts(
    rng: random.Random, eligible: list[bool], total: int, spread: float, top: int
) -> list[int]:
    """Per participant a count around the mean, exactly `total` over the eligible ones."""
    chosen = [i for i, ok in enumerate(eligible) if ok]
    mean = total / max(1, len(chosen))
    counts = [0] * len(eligible)
    for i in chosen:
        counts[i] = max(1, min(top, round(rng.gauss(mean, spread))))
    difference = total - sum(counts)
    while difference != 0:
        i = chosen[rng.randrange(len(chosen))]
        if difference > 0 and counts[i] < top:
            counts[i] += 1
            difference -= 1
        elif difference < 0 and counts[i] > 1:
            counts[i] -= 1
            difference += 1
    return counts


def _pick(rng: random.Random, weighted: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([w[0] for w in weighted], [w[1] for w in weighted])[0]


def batches(
    size: Sized, shape: Shape, start: dt.datetime, seed: int = 42
) -> Iterator[dict[str, list[tuple[Any, ...]]]]:
    """Rows per table for BATCH participants at a time; datetimes naive UTC."""
    rng = random.Random(seed)
    now = start.astimezone(dt.UTC).replace(tzinfo=None)
    n = size.participants
    languages = [code for code in shape.languages]
    language_weights = [LANGUAGE_WEIGHTS.get(code, 5) for code in languages]
    # Popularity falls with the task's place in the list: DigiD first, the rarest last.
    task_weights = [1.0 / (1 + 0.35 * k) for k in range(len(shape.tasks))]
    library_weights = [1.0 / (1 + 0.5 * k) for k in range(len(shape.libraries))]
    consents = [_pick(rng, CONSENT_WEIGHTS) for _ in range(n)]
    walked = [c != "unknown" for c in consents]
    progress_counts = _counts(rng, walked, size.progress, 3.5, len(shape.tasks))
    event_counts = _counts(rng, [True] * n, size.events, 5.0, 80)
    for first in range(0, n, BATCH):
        rows: dict[str, list[tuple[Any, ...]]] = {name: [] for name in COLUMNS}
        for i in range(first, min(n, first + BATCH)):
            _participant(
                rng,
                rows,
                i + 1,
                now,
                consents[i],
                rng.choices(languages, language_weights)[0],
                progress_counts[i],
                event_counts[i],
                shape,
                task_weights,
                library_weights,
            )
        yield rows


def _participant(
    rng: random.Random,
    rows: dict[str, list[tuple[Any, ...]]],
    pid: int,
    now: dt.datetime,
    consent: str,
    language: str,
    tasks_opened: int,
    event_budget: int,
    shape: Shape,
    task_weights: list[float],
    library_weights: list[float],
) -> None:
    created = now - dt.timedelta(days=DAYS * rng.random() ** 1.6, seconds=rng.randrange(86_400))
    life = (now - created).total_seconds()
    last_seen = created + dt.timedelta(seconds=life * rng.random() ** 0.4)
    span = max(60.0, (last_seen - created).total_seconds())
    library_id = branch_id = None
    if consent != "unknown" and rng.random() < 0.7:
        library_id, branches = rng.choices(shape.libraries, library_weights)[0]
        if rng.random() < 0.5:
            branch_id = rng.choice(branches)
    given = consent == "given"
    rows["participants"].append(
        (
            pid,
            "telegram",
            str(FIRST_CHAT + pid - 1),
            None if consent == "unknown" else language,
            consent,
            created + dt.timedelta(seconds=40) if given else None,
            library_id,
            branch_id,
            given and rng.random() < 0.3,
            rng.random() < 0.85,
            1 if rng.random() < 0.8 else 3,
            created,
            last_seen,
        )
    )
    # Tasks opened, the popular ones more often (weighted sampling without replacement).
    keys = sorted(
        range(len(shape.tasks)), key=lambda k: rng.random() ** (1.0 / task_weights[k]), reverse=True
    )
    opened: list[tuple[str, list[str], str, int]] = []
    for k in keys[:tasks_opened]:
        task_id, steps = shape.tasks[k]
        status = _pick(rng, STATUS_WEIGHTS)
        # Unfinished tasks stop early more often than late.
        at = len(steps) - 1 if status == "done" else int(len(steps) * rng.random() ** 1.5)
        opened.append((task_id, steps, status, at))
        started = created + dt.timedelta(seconds=span * rng.random())
        updated = started + dt.timedelta(
            seconds=(last_seen - started).total_seconds() * rng.random()
        )
        failures = "{}"
        if rng.random() < 0.15:
            failures = json.dumps({steps[rng.randrange(at + 1)]: rng.randint(1, 3)})
        rows["progress"].append(
            (
                pid,
                task_id,
                steps[at],
                status,
                failures,
                started,
                updated,
                updated if status == "done" else None,
            )
        )
        if status != "done" and rng.random() < 0.6:
            due = updated + dt.timedelta(days=2)
            if due > now:
                state, claimed, sent, reason = "pending", None, None, None
            elif rng.random() < 0.6:
                state, claimed, sent, reason = "sent", due, due, None
            else:
                state, claimed, sent = "dropped", due, None
                reason = rng.choice(("superseded", "expired", "came_back", "nudges_off"))
            rows["reminders"].append(
                (
                    pid,
                    "nudge",
                    f"nudge:{pid}:{task_id}:{steps[at]}",
                    due,
                    due + dt.timedelta(days=5),
                    task_id,
                    steps[at],
                    state,
                    claimed,
                    sent,
                    reason,
                    updated,
                )
            )
    data = {"extra": {}, "keyboard": rng.randint(1, 400), "misunderstood": 0}
    screen = "language" if consent == "unknown" else _pick(rng, SCREEN_WEIGHTS)
    unfinished = [o for o in opened if o[2] != "done"]
    if screen == "step" and unfinished:
        task_id, steps, _, at = rng.choice(unfinished)
        data.update(screen="step", task_id=task_id, step_id=steps[at])
    else:
        data.update(screen="menu" if screen == "step" else screen, task_id=None, step_id=None)
    state = json.dumps(data, separators=(",", ":"), sort_keys=True)
    rows["states"].append((pid, state, rng.randint(1, 500), last_seen))
    _events(
        rng,
        rows["events"],
        pid if given else None,
        consent,
        language,
        library_id,
        opened,
        event_budget,
        created,
        span,
    )


def _events(
    rng: random.Random,
    out: list[tuple[Any, ...]],
    pid: int | None,
    consent: str,
    language: str,
    library_id: str | None,
    opened: list[tuple[str, list[str], str, int]],
    budget: int,
    created: dt.datetime,
    span: float,
) -> None:
    """The participant's events in time order: onboarding first, then what walks produce, spread
    over the tasks they opened (a million events over a million progress rows is about one
    event per task, so each event is drawn rather than every walk written out)."""
    kinds: list[tuple[str, str | None, str | None]] = [("language_chosen", None, None)]
    if consent != "unknown":
        kinds.append(("consent_given" if consent == "given" else "consent_declined", None, None))
    while len(kinds) < budget:
        if not opened:
            # Nothing opened: glossary look-ups and things not understood on the menu.
            kinds.append((rng.choice(("term_explained", "not_understood")), None, None))
            continue
        task_id, steps, status, at = rng.choice(opened)
        kind = _pick(rng, WALK_EVENTS)
        if kind == "task_started":
            kinds.append((kind, task_id, steps[0]))
        elif kind == "task_done" and status == "done":
            kinds.append(("task_done", task_id, None))
        elif kind == "task_done":
            kinds.append(("step_reached", task_id, steps[at]))
        elif kind == "step_stuck" and status != "stuck":
            kinds.append(("step_done", task_id, steps[rng.randrange(at + 1)]))
        else:
            kinds.append((kind, task_id, steps[rng.randrange(at + 1)]))
    gap = span / max(1, budget)
    for j, (name, task, step) in enumerate(kinds[:budget]):
        moment = created + dt.timedelta(seconds=gap * (j + rng.random()))
        out.append((pid, name, task, step, language, library_id, moment))


# -- loading ---------------------------------------------------------------------------------------
def _sqlite_row(row: tuple[Any, ...], datetimes: tuple[int, ...], booleans: tuple[int, ...]) -> Any:
    values = list(row)
    for k in datetimes:
        if values[k] is not None:
            # SQLAlchemy's SQLite DATETIME text, so the bot reads these rows as its own.
            values[k] = values[k].isoformat(" ", "microseconds")
    for k in booleans:
        values[k] = int(values[k])
    return values


def seed_sqlite(path: str, size: Sized, shape: Shape, start: dt.datetime) -> dict[str, int]:
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA synchronous=OFF")
        connection.execute("PRAGMA cache_size=-200000")
        with connection:
            for rows in batches(size, shape, start):
                for name, (table, columns) in COLUMNS.items():
                    marks = ", ".join("?" for _ in columns)
                    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
                    datetimes, booleans = DATETIMES[name], BOOLEANS.get(name, ())
                    connection.executemany(
                        sql, (_sqlite_row(r, datetimes, booleans) for r in rows[name])
                    )
        return {
            table: int(connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
            for table, _ in COLUMNS.values()
        }
    finally:
        connection.close()


def _aware(row: tuple[Any, ...], datetimes: tuple[int, ...]) -> tuple[Any, ...]:
    values = list(row)
    for k in datetimes:
        if values[k] is not None:
            values[k] = values[k].replace(tzinfo=dt.UTC)
    return tuple(values)


async def seed_postgres(url: str, size: Sized, shape: Shape, start: dt.datetime) -> dict[str, int]:
    import asyncpg

    from bench.databases import plain

    connection = await asyncpg.connect(plain(url))
    try:
        async with connection.transaction():
            # Foreign keys are not checked row by row during the load: the rows are consistent
            # by construction, and a million trigger calls would be most of the time.
            await connection.execute("SET LOCAL session_replication_role = replica")
            for rows in batches(size, shape, start):
                for name, (table, columns) in COLUMNS.items():
                    await connection.copy_records_to_table(
                        table,
                        records=[_aware(r, DATETIMES[name]) for r in rows[name]],
                        columns=list(columns),
                    )
            await connection.execute(
                "SELECT setval(pg_get_serial_sequence('participants', 'id'), "
                "(SELECT max(id) FROM participants))"
            )
        await connection.execute("VACUUM ANALYZE")
        return {
            table: int(await connection.fetchval(f"SELECT count(*) FROM {table}"))
            for table, _ in COLUMNS.values()
        }
    finally:
        await connection.close()
