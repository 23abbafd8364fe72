"""Trainers' classes: the class, its meeting dates, who joined through the invite link, the
homework given, the homework nudges (rows in the reminders table), and the class's progress.

Joining happens inside a participant's turn (the `JoinClass` effect of `/start c_<code>`): the
membership, the participant's library and the nudges for open homework are written in the turn's
transaction. Progress is read as counts; per person only for those who chose to share it.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, and_, delete, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.appointments.homework import HOMEWORK, nudge_window
from bot.store.dashboard_tables import ClassMeeting, ClassMember, Homework, TrainingClass
from bot.store.db import Database
from bot.store.models import Participant, Reminder, TaskProgressRow

C = cast(Table, TrainingClass.__table__)
CM = cast(Table, ClassMeeting.__table__)
MEM = cast(Table, ClassMember.__table__)
HW = cast(Table, Homework.__table__)
P = cast(Table, Participant.__table__)
R = cast(Table, Reminder.__table__)
T = cast(Table, TaskProgressRow.__table__)

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
"""No 0/O or 1/I: a code may be typed from paper."""
CODE_LENGTH = 8


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


@dataclass(frozen=True)
class ClassRecord:
    id: int
    library_id: str
    trainer_id: int | None
    name: str
    code: str
    created_at: dt.datetime
    archived_at: dt.datetime | None
    meetings: tuple[dt.date, ...] = ()
    members: int = 0


@dataclass(frozen=True)
class HomeworkRecord:
    id: int
    class_id: int
    task_id: str
    due_on: dt.date
    created_at: dt.datetime


@dataclass(frozen=True)
class MemberProgress:
    """One member's progress on one task, as the class progress page needs it."""

    participant_id: int
    shares: bool
    task_id: str
    step_id: str
    status: str


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _insert(connection: AsyncConnection) -> Any:
    module: Any = postgresql if connection.dialect.name == "postgresql" else sqlite
    return module.insert


# -- inside a participant's turn -----------------------------------------------------------------
async def join(
    connection: AsyncConnection, participant_id: int, code: str, now: dt.datetime
) -> bool:
    """Make the participant a member of the class with this code; False for an unknown code."""
    found = (
        await connection.execute(
            select(C.c.id, C.c.library_id).where(
                and_(C.c.code == code.upper(), C.c.archived_at.is_(None))
            )
        )
    ).first()
    if found is None:
        return False
    await connection.execute(
        _insert(connection)(MEM)
        .values(class_id=found.id, participant_id=participant_id, joined_at=now)
        .on_conflict_do_nothing(index_elements=[MEM.c.class_id, MEM.c.participant_id])
    )
    # Joining a class answers "which library is mine?": the class's library.
    await connection.execute(
        update(P).where(P.c.id == participant_id).values(library_id=found.library_id)
    )
    meetings = await _meetings(connection, int(found.id))
    homework = await connection.execute(select(HW).where(HW.c.class_id == found.id))
    for row in homework:
        await _schedule_nudge(
            connection, int(row.id), row.task_id, row.due_on, meetings, participant_id, now
        )
    return True


async def _meetings(connection: AsyncConnection, class_id: int) -> list[dt.date]:
    rows = await connection.execute(
        select(CM.c.meets_on).where(CM.c.class_id == class_id).order_by(CM.c.meets_on)
    )
    return [row.meets_on for row in rows]


async def _schedule_nudge(
    connection: AsyncConnection,
    homework_id: int,
    task_id: str,
    due_on: dt.date,
    meetings: Sequence[dt.date],
    participant_id: int,
    now: dt.datetime,
) -> bool:
    window = nudge_window(due_on, meetings, now)
    if window is None:
        return False
    due_at, expires_at = window
    statement = _insert(connection)(R).values(
        participant_id=participant_id,
        kind=HOMEWORK,
        key=f"homework:{homework_id}:{participant_id}",
        due_at=due_at,
        expires_at=expires_at,
        task_id=task_id,
        status="pending",
        created_at=now,
    )
    # The key names the homework and the person: one nudge each, however often it is planned.
    await connection.execute(statement.on_conflict_do_nothing(index_elements=[R.c.key]))
    return True


# -- the dashboard's side ----------------------------------------------------------------------
class ClassStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def create(
        self,
        *,
        library_id: str,
        trainer_id: int,
        name: str,
        meetings: Sequence[dt.date],
        now: dt.datetime,
    ) -> ClassRecord:
        for _ in range(10):
            code = new_code()
            try:
                async with self.db.engine.begin() as connection:
                    result = await connection.execute(
                        insert(C).values(
                            library_id=library_id,
                            trainer_id=trainer_id,
                            name=name[:120],
                            code=code,
                            created_at=now,
                        )
                    )
                    assert result.inserted_primary_key is not None
                    class_id = int(result.inserted_primary_key[0])
                    for day in sorted(set(meetings)):
                        await connection.execute(insert(CM).values(class_id=class_id, meets_on=day))
            except IntegrityError:
                continue  # the code was taken (1 in 10^12): draw another
            found = await self.get(class_id)
            assert found is not None
            return found
        raise RuntimeError("could not find a free class code")

    async def get(self, class_id: int) -> ClassRecord | None:
        found = await self._classes(C.c.id == class_id)
        return found[0] if found else None

    async def by_code(self, code: str) -> ClassRecord | None:
        found = await self._classes(C.c.code == code.upper())
        return found[0] if found else None

    async def for_trainer(self, trainer_id: int) -> list[ClassRecord]:
        return await self._classes(C.c.trainer_id == trainer_id)

    async def for_library(self, library_id: str) -> list[ClassRecord]:
        return await self._classes(C.c.library_id == library_id)

    async def _classes(self, condition: Any) -> list[ClassRecord]:
        async with self.db.engine.connect() as connection:
            rows = (
                await connection.execute(
                    select(C).where(condition).order_by(C.c.created_at.desc(), C.c.id.desc())
                )
            ).all()
            ids = [int(row.id) for row in rows]
            meetings: dict[int, list[dt.date]] = {}
            members: dict[int, int] = {}
            if ids:
                for class_id, day in await connection.execute(
                    select(CM.c.class_id, CM.c.meets_on)
                    .where(CM.c.class_id.in_(ids))
                    .order_by(CM.c.meets_on)
                ):
                    meetings.setdefault(int(class_id), []).append(day)
                for class_id, count in await connection.execute(
                    select(MEM.c.class_id, func.count())
                    .where(MEM.c.class_id.in_(ids))
                    .group_by(MEM.c.class_id)
                ):
                    members[int(class_id)] = int(count)
        return [
            ClassRecord(
                id=int(row.id),
                library_id=row.library_id,
                trainer_id=row.trainer_id,
                name=row.name,
                code=row.code,
                created_at=_aware(row.created_at) or dt.datetime.min.replace(tzinfo=dt.UTC),
                archived_at=_aware(row.archived_at),
                meetings=tuple(meetings.get(int(row.id), ())),
                members=members.get(int(row.id), 0),
            )
            for row in rows
        ]

    async def set_meetings(self, class_id: int, meetings: Sequence[dt.date]) -> None:
        async with self.db.engine.begin() as connection:
            await connection.execute(delete(CM).where(CM.c.class_id == class_id))
            for day in sorted(set(meetings)):
                await connection.execute(insert(CM).values(class_id=class_id, meets_on=day))

    async def archive(self, class_id: int, now: dt.datetime) -> None:
        """The link stops working; the class and its counts stay."""
        async with self.db.engine.begin() as connection:
            await connection.execute(update(C).where(C.c.id == class_id).values(archived_at=now))

    # -- homework -------------------------------------------------------------------------------
    async def add_homework(
        self, class_id: int, task_id: str, due_on: dt.date, created_by: int, now: dt.datetime
    ) -> tuple[HomeworkRecord, int]:
        """The homework and how many members a nudge was planned for."""
        async with self.db.engine.begin() as connection:
            existing = (
                await connection.execute(
                    select(HW.c.id).where(
                        and_(
                            HW.c.class_id == class_id,
                            HW.c.task_id == task_id,
                            HW.c.due_on == due_on,
                        )
                    )
                )
            ).first()
            if existing is None:
                result = await connection.execute(
                    insert(HW).values(
                        class_id=class_id,
                        task_id=task_id,
                        due_on=due_on,
                        created_at=now,
                        created_by=created_by,
                    )
                )
                assert result.inserted_primary_key is not None
                homework_id = int(result.inserted_primary_key[0])
            else:
                homework_id = int(existing.id)
            meetings = await _meetings(connection, class_id)
            members = await connection.execute(
                select(MEM.c.participant_id).where(MEM.c.class_id == class_id)
            )
            planned = 0
            for (participant_id,) in members.all():
                if await _schedule_nudge(
                    connection, homework_id, task_id, due_on, meetings, int(participant_id), now
                ):
                    planned += 1
            row = (await connection.execute(select(HW).where(HW.c.id == homework_id))).first()
        assert row is not None
        return _homework(row), planned

    async def homework(self, class_id: int) -> list[HomeworkRecord]:
        async with self.db.engine.connect() as connection:
            rows = await connection.execute(
                select(HW).where(HW.c.class_id == class_id).order_by(HW.c.due_on, HW.c.id)
            )
            return [_homework(row) for row in rows]

    async def remove_homework(self, class_id: int, homework_id: int, now: dt.datetime) -> bool:
        """Remove it and drop the nudges not sent yet."""
        async with self.db.engine.begin() as connection:
            result = await connection.execute(
                delete(HW).where(and_(HW.c.id == homework_id, HW.c.class_id == class_id))
            )
            if (result.rowcount or 0) != 1:
                return False
            await connection.execute(
                update(R)
                .where(
                    and_(
                        R.c.kind == HOMEWORK,
                        R.c.key.like(f"homework:{homework_id}:%"),
                        R.c.status == "pending",
                    )
                )
                .values(status="dropped", drop_reason="homework_removed", claimed_at=now)
            )
        return True

    async def homework_nudges(self, class_id: int) -> dict[int, dict[str, int]]:
        """Homework id -> nudges per status (pending, sent, dropped), for the trainer's page."""
        async with self.db.engine.connect() as connection:
            ids = [
                int(row.id)
                for row in await connection.execute(
                    select(HW.c.id).where(HW.c.class_id == class_id)
                )
            ]
            result: dict[int, dict[str, int]] = {homework_id: {} for homework_id in ids}
            if not ids:
                return result
            rows = await connection.execute(
                select(R.c.key, R.c.status).where(
                    and_(
                        R.c.kind == HOMEWORK,
                        or_(*(R.c.key.like(f"homework:{homework_id}:%") for homework_id in ids)),
                    )
                )
            )
            for key, status in rows:
                homework_id = int(str(key).split(":")[1])
                if homework_id in result:
                    counts = result[homework_id]
                    counts[status] = counts.get(status, 0) + 1
            return result

    # -- members and progress -------------------------------------------------------------------
    async def member_ids(self, class_id: int) -> list[int]:
        async with self.db.engine.connect() as connection:
            rows = await connection.execute(
                select(MEM.c.participant_id)
                .where(MEM.c.class_id == class_id)
                .order_by(MEM.c.joined_at)
            )
            return [int(row.participant_id) for row in rows]

    async def progress(self, class_id: int) -> list[MemberProgress]:
        """Every member's task progress: the caller shows counts, a person only if they share."""
        async with self.db.engine.connect() as connection:
            rows = await connection.execute(
                select(
                    P.c.id,
                    P.c.share_with_trainer,
                    P.c.consent,
                    T.c.task_id,
                    T.c.step_id,
                    T.c.status,
                )
                .select_from(
                    MEM.join(P, P.c.id == MEM.c.participant_id).join(
                        T, T.c.participant_id == P.c.id
                    )
                )
                .where(MEM.c.class_id == class_id)
                .order_by(P.c.id, T.c.task_id)
            )
            return [
                MemberProgress(
                    participant_id=int(row.id),
                    shares=bool(row.share_with_trainer) and row.consent == "given",
                    task_id=row.task_id,
                    step_id=row.step_id,
                    status=row.status,
                )
                for row in rows
            ]


def _homework(row: Any) -> HomeworkRecord:
    return HomeworkRecord(
        id=int(row.id),
        class_id=int(row.class_id),
        task_id=row.task_id,
        due_on=row.due_on,
        created_at=_aware(row.created_at) or dt.datetime.min.replace(tzinfo=dt.UTC),
    )
