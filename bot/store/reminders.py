"""Reminder rows: scheduling, and claiming due ones so that no reminder is ever sent twice.

A sender claims due rows (on PostgreSQL `SELECT ... FOR UPDATE SKIP LOCKED` then UPDATE in one
transaction, so several bot processes take different rows; on SQLite one UPDATE, atomic under
its single writer), then marks each one sent or dropped with its claim token. Delivery is at most
once: a row claimed by a process that died is dropped, not sent again, because nobody can tell
whether the message went out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Insert, Table, Update, and_, bindparam, func, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import ColumnElement, Executable

from bot.conversation.effects import DropNudges, ScheduledReminder, ScheduleNudge
from bot.store.db import Database
from bot.store.models import Appointment, Participant, Reminder, TaskProgressRow

R = cast(Table, Reminder.__table__)
A = cast(Table, Appointment.__table__)
P = cast(Table, Participant.__table__)
T = cast(Table, TaskProgressRow.__table__)

NUDGE = "nudge"
PENDING, CLAIMED, SENT, DROPPED = "pending", "claimed", "sent", "dropped"


def _insert(connection: AsyncConnection) -> Any:
    module: Any = postgresql if connection.dialect.name == "postgresql" else sqlite
    return module.insert


async def schedule_appointment_reminders(
    connection: AsyncConnection,
    participant_id: int,
    appointment_id: int,
    reminders: Iterable[ScheduledReminder],
    now: dt.datetime,
) -> None:
    rows = [
        {
            "participant_id": participant_id,
            "kind": item.kind,
            "key": f"appointment:{appointment_id}:{item.kind}",
            "due_at": item.due_at,
            "expires_at": item.expires_at,
            "appointment_id": appointment_id,
            "status": PENDING,
            "created_at": now,
        }
        for item in reminders
    ]
    for row in rows:
        # The key makes scheduling idempotent: a second attempt is a no-op, never a second send.
        statement = (
            _insert(connection)(R).values(**row).on_conflict_do_nothing(index_elements=[R.c.key])
        )
        await connection.execute(statement)


async def drop_appointment_reminders(
    connection: AsyncConnection, appointment_id: int, reason: str, now: dt.datetime
) -> None:
    await connection.execute(
        update(R)
        .where(and_(R.c.appointment_id == appointment_id, R.c.status == PENDING))
        .values(status=DROPPED, drop_reason=reason, claimed_at=now)
    )


# -- nudges: on the hot path (a turn that moves a task plans one), so built once ---------------
# Bound parameter names start with "b_": SQLAlchemy reserves the column names in a SET clause.
# `written`: a condition every statement also needs (PostgreSQL's whole-turn save makes them
# depend on the versioned state UPDATE, bot/store/turn_statements.py); None for none.


def supersede_nudges(written: ColumnElement[bool] | None = None) -> Update:
    return _drop_pending(R.c.key != bindparam("b_key"), written=written).values(
        drop_reason="superseded"
    )


def upsert_nudge(dialect: str, written: ColumnElement[bool] | None = None) -> Insert:
    module: Any = postgresql if dialect == "postgresql" else sqlite
    row: dict[str, Any] = {
        "participant_id": bindparam("b_participant_id", type_=R.c.participant_id.type),
        "kind": literal(NUDGE, R.c.kind.type),
        "key": bindparam("b_key", type_=R.c.key.type),
        "due_at": bindparam("b_due_at", type_=R.c.due_at.type),
        "expires_at": bindparam("b_expires_at", type_=R.c.expires_at.type),
        "task_id": bindparam("b_task_id", type_=R.c.task_id.type),
        "step_id": bindparam("b_step_id", type_=R.c.step_id.type),
        "status": literal(PENDING, R.c.status.type),
        "created_at": bindparam("b_now", type_=R.c.created_at.type),
    }
    insert = module.insert(R)
    statement = (
        insert.values(**row)
        if written is None
        else insert.from_select(list(row), select(*row.values()).where(written))
    )
    upsert: Insert = statement.on_conflict_do_update(
        index_elements=[R.c.key],
        set_={"due_at": statement.excluded.due_at, "expires_at": statement.excluded.expires_at},
        where=R.c.status == PENDING,
    )
    return upsert


def drop_nudges(of_task: bool, written: ColumnElement[bool] | None = None) -> Update:
    of = (R.c.task_id == bindparam("b_task_id"),) if of_task else ()
    return _drop_pending(*of, written=written).values(drop_reason=bindparam("b_reason"))


def _drop_pending(*where: ColumnElement[bool], written: ColumnElement[bool] | None) -> Update:
    """Drop this participant's pending nudges that also match `where` (the reason is added)."""
    return (
        update(R)
        .where(
            R.c.participant_id == bindparam("b_participant_id"),
            R.c.kind == NUDGE,
            R.c.status == PENDING,
            *where,
            *(() if written is None else (written,)),
        )
        .values(status=DROPPED, claimed_at=bindparam("b_now"))
    )


_SUPERSEDE_NUDGES = supersede_nudges()
_UPSERT_NUDGE = {dialect: upsert_nudge(dialect) for dialect in ("postgresql", "sqlite")}
_DROP_NUDGES = {of_task: drop_nudges(of_task) for of_task in (False, True)}


def nudge_writes(
    participant_id: int, effect: ScheduleNudge | DropNudges, now: dt.datetime, dialect: str
) -> list[tuple[Executable, dict[str, Any]]]:
    """The statements (with their values) that carry out a nudge effect of a turn; the turn's
    store runs them in its transaction (bot/store/turns.py).

    ScheduleNudge: one pending nudge per participant, the newest unfinished step replacing older
    ones. A step gets at most one nudge ever (the key names it), so stopping at the same step
    again after a nudge brings no second one. DropNudges: a finished task (or nudges turned off)
    drops what is pending.
    """
    if isinstance(effect, DropNudges):
        values: dict[str, Any] = {
            "b_participant_id": participant_id,
            "b_reason": "task_done" if effect.task_id else "turned_off",
            "b_now": now,
        }
        if effect.task_id is not None:
            values["b_task_id"] = effect.task_id
        return [(_DROP_NUDGES[effect.task_id is not None], values)]
    values = {
        "b_participant_id": participant_id,
        "b_key": f"nudge:{participant_id}:{effect.task_id}:{effect.step_id}",
        "b_due_at": effect.due_at,
        "b_expires_at": effect.expires_at,
        "b_task_id": effect.task_id,
        "b_step_id": effect.step_id,
        "b_now": now,
    }
    return [(_SUPERSEDE_NUDGES, values), (_UPSERT_NUDGE[dialect], values)]


@dataclass(frozen=True)
class DueReminder:
    """A claimed reminder with what the sender needs to decide and to write it."""

    id: int
    kind: str
    due_at: dt.datetime
    participant_id: int
    channel: str
    chat_id: str
    language: str | None
    consent: str
    nudges_enabled: bool
    nudges_max: int
    last_seen_at: dt.datetime
    appointment_id: int | None = None
    appointment_status: str | None = None
    branch_id: str | None = None
    starts_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None
    task_id: str | None = None
    step_id: str | None = None
    """For nudges: where the participant is in the task now (not when it was scheduled)."""
    task_status: str | None = None
    nudges_sent_for_task: int = 0
    has_upcoming_appointment: bool = False


class ReminderStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def expire(self, now: dt.datetime) -> int:
        """Drop pending reminders that no longer help (the appointment has started, ...)."""
        async with self.db.engine.begin() as connection:
            result = await connection.execute(
                update(R)
                .where(and_(R.c.status == PENDING, R.c.expires_at <= now))
                .values(status=DROPPED, drop_reason="expired", claimed_at=now)
            )
        return int(result.rowcount or 0)

    async def drop_abandoned(self, now: dt.datetime, older_than: dt.timedelta) -> int:
        """Claims whose sender died: maybe sent, maybe not. Dropped, so never sent twice."""
        async with self.db.engine.begin() as connection:
            result = await connection.execute(
                update(R)
                .where(and_(R.c.status == CLAIMED, R.c.claimed_at < now - older_than))
                .values(status=DROPPED, drop_reason="interrupted")
            )
        return int(result.rowcount or 0)

    async def claim(
        self, now: dt.datetime, kinds: Sequence[str], token: str, limit: int = 50
    ) -> list[int]:
        """Take up to `limit` due reminders of these kinds for this sender (its `token`)."""
        if not kinds:
            return []
        due = (
            select(R.c.id)
            .where(and_(R.c.status == PENDING, R.c.due_at <= now, R.c.kind.in_(list(kinds))))
            .order_by(R.c.due_at, R.c.id)
            .limit(limit)
        )
        claim = {"status": CLAIMED, "claimed_at": now, "claim_token": token}
        async with self.db.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                # Lock the rows first, skipping those another sender is claiming right now, then
                # mark them. (One UPDATE ... WHERE id IN (SELECT ... SKIP LOCKED) is not enough:
                # PostgreSQL may run the subquery once per row and so claim more than `limit`.)
                locked = await connection.execute(due.with_for_update(skip_locked=True))
                ids = [int(row.id) for row in locked]
                if ids:
                    await connection.execute(update(R).where(R.c.id.in_(ids)).values(**claim))
                return sorted(ids)
            # SQLite has one writer at a time: a single UPDATE is atomic, so two senders (even in
            # two processes) never claim the same row.
            result = await connection.execute(
                update(R)
                .where(and_(R.c.id.in_(due.scalar_subquery()), R.c.status == PENDING))
                .values(**claim)
                .returning(R.c.id)
            )
            return sorted(int(row.id) for row in result)

    async def details(self, ids: Sequence[int], now: dt.datetime) -> list[DueReminder]:
        if not ids:
            return []
        async with self.db.engine.connect() as connection:
            rows = (
                await connection.execute(
                    select(
                        R.c.id,
                        R.c.kind,
                        R.c.due_at,
                        R.c.participant_id,
                        R.c.appointment_id,
                        R.c.task_id,
                        P.c.channel,
                        P.c.chat_id,
                        P.c.language,
                        P.c.consent,
                        P.c.nudges_enabled,
                        P.c.nudges_max,
                        P.c.last_seen_at,
                        A.c.status.label("appointment_status"),
                        A.c.branch_id,
                        A.c.starts_at,
                        A.c.ends_at,
                        T.c.status.label("task_status"),
                        T.c.step_id.label("progress_step"),
                    )
                    .select_from(
                        R.join(P, P.c.id == R.c.participant_id)
                        .outerjoin(A, A.c.id == R.c.appointment_id)
                        .outerjoin(
                            T,
                            and_(
                                T.c.participant_id == R.c.participant_id, T.c.task_id == R.c.task_id
                            ),
                        )
                    )
                    .where(R.c.id.in_(list(ids)))
                    .order_by(R.c.id)
                )
            ).all()
            nudged = {r.participant_id for r in rows if r.kind == NUDGE}
            sent_counts: dict[tuple[int, str], int] = {}
            upcoming: set[int] = set()
            if nudged:
                counted = await connection.execute(
                    select(R.c.participant_id, R.c.task_id, func.count())
                    .where(
                        and_(
                            R.c.participant_id.in_(nudged),
                            R.c.kind == NUDGE,
                            R.c.status == SENT,
                        )
                    )
                    .group_by(R.c.participant_id, R.c.task_id)
                )
                sent_counts = {(r[0], r[1]): int(r[2]) for r in counted}
                booked = await connection.execute(
                    select(A.c.participant_id)
                    .where(
                        and_(
                            A.c.participant_id.in_(nudged),
                            A.c.status == "booked",
                            A.c.ends_at > now,
                        )
                    )
                    .distinct()
                )
                upcoming = {int(r[0]) for r in booked}
        return [
            DueReminder(
                id=int(r.id),
                kind=r.kind,
                due_at=_aware(r.due_at),
                participant_id=int(r.participant_id),
                channel=r.channel,
                chat_id=r.chat_id,
                language=r.language,
                consent=r.consent,
                nudges_enabled=bool(r.nudges_enabled),
                nudges_max=int(r.nudges_max),
                last_seen_at=_aware(r.last_seen_at),
                appointment_id=r.appointment_id,
                appointment_status=r.appointment_status,
                branch_id=r.branch_id,
                starts_at=_aware(r.starts_at) if r.starts_at else None,
                ends_at=_aware(r.ends_at) if r.ends_at else None,
                task_id=r.task_id,
                step_id=r.progress_step,
                task_status=r.task_status,
                nudges_sent_for_task=sent_counts.get((int(r.participant_id), r.task_id), 0),
                has_upcoming_appointment=int(r.participant_id) in upcoming,
            )
            for r in rows
        ]

    async def mark_sent(self, reminder_id: int, token: str, now: dt.datetime) -> bool:
        return await self._finish(reminder_id, token, status=SENT, sent_at=now)

    async def mark_dropped(self, reminder_id: int, token: str, reason: str) -> bool:
        return await self._finish(reminder_id, token, status=DROPPED, drop_reason=reason)

    async def postpone(
        self, reminder_id: int, token: str, due_at: dt.datetime, expires_at: dt.datetime
    ) -> bool:
        """Give a claimed reminder back with a later due time (e.g. the participant came back)."""
        return await self._finish(
            reminder_id,
            token,
            status=PENDING,
            due_at=due_at,
            expires_at=expires_at,
            claim_token=None,
            claimed_at=None,
        )

    async def _finish(self, reminder_id: int, token: str, **values: Any) -> bool:
        async with self.db.engine.begin() as connection:
            result = await connection.execute(
                update(R)
                .where(and_(R.c.id == reminder_id, R.c.status == CLAIMED, R.c.claim_token == token))
                .values(**values)
            )
        return (result.rowcount or 0) == 1

    async def counts(self) -> dict[str, int]:
        """Rows per status, e.g. for health checks and tests."""
        async with self.db.engine.connect() as connection:
            rows = await connection.execute(select(R.c.status, func.count()).group_by(R.c.status))
            return {status: int(count) for status, count in rows}

    async def rows(self, participant_id: int | None = None) -> list[dict[str, Any]]:
        """Every reminder row as a dict (oldest first): for the dashboard and tests."""
        statement = select(R).order_by(R.c.id)
        if participant_id is not None:
            statement = statement.where(R.c.participant_id == participant_id)
        async with self.db.engine.connect() as connection:
            return [dict(row._mapping) for row in await connection.execute(statement)]


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
