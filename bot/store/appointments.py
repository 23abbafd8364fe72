"""Appointments in the database: a seat in a slot, moving, cancelling, agendas and the booking view.

No double booking by construction: a slot has seats 1..capacity, (branch, start, seat) is unique,
and a booking inserts with ON CONFLICT DO NOTHING seat by seat. Two participants racing for the
last seat both try the same row; PostgreSQL makes the second wait for the first and then skip, so
exactly one gets it and the other learns the slot is full (EffectRejected "slot_taken").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from typing import Any, cast

from sqlalchemy import Table, and_, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.conversation.effects import EffectRejected, ScheduledReminder
from bot.conversation.state import AppointmentInfo, BookingView
from bot.store import handovers, reminders
from bot.store.db import Database
from bot.store.models import Appointment, Participant

A = cast(Table, Appointment.__table__)
P = cast(Table, Participant.__table__)

BOOKED, CANCELLED, ATTENDED, NO_SHOW = "booked", "cancelled", "attended", "no_show"
TAKES_A_SEAT = (BOOKED, ATTENDED, NO_SHOW)
SLOT_TAKEN = "slot_taken"
NOT_BOOKED = "appointment_gone"


@dataclass(frozen=True)
class AppointmentRecord:
    id: int
    participant_id: int | None
    library_id: str
    branch_id: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    seat: int | None
    status: str
    task_id: str | None
    step_id: str | None
    interpreter: bool
    uid: str
    sequence: int
    previous_id: int | None
    booked_by: str
    created_at: dt.datetime
    updated_at: dt.datetime


@dataclass(frozen=True)
class Contact:
    """How to reach a participant outside a turn, and whether we may."""

    participant_id: int
    channel: str
    chat_id: str
    language: str | None
    consent: str


@dataclass(frozen=True)
class NewBooking:
    participant_id: int
    library_id: str
    branch_id: str
    start: dt.datetime
    end: dt.datetime
    capacity: int
    uid: str
    task_id: str | None = None
    step_id: str | None = None
    interpreter: bool = False
    language: str | None = None
    booked_by: str = "participant"
    handover_id: int | None = None


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _record(row: Any) -> AppointmentRecord:
    mapping = row._mapping
    # Only the fields we know: columns added by later migrations stay out of the record.
    data = {f.name: mapping[f.name] for f in fields(AppointmentRecord)}
    for name in ("starts_at", "ends_at", "created_at", "updated_at"):
        data[name] = _aware(data[name])
    data["interpreter"] = bool(data["interpreter"])
    return AppointmentRecord(**data)


def _insert(connection: AsyncConnection) -> Any:
    module: Any = postgresql if connection.dialect.name == "postgresql" else sqlite
    return module.insert


async def _take_seat(
    connection: AsyncConnection, capacity: int, values: dict[str, Any]
) -> int | None:
    for seat in range(1, max(capacity, 1) + 1):
        statement = (
            _insert(connection)(A)
            .values(seat=seat, **values)
            .on_conflict_do_nothing(index_elements=[A.c.branch_id, A.c.starts_at, A.c.seat])
            .returning(A.c.id)
        )
        row = (await connection.execute(statement)).first()
        if row is not None:
            return int(row.id)
    return None


async def book(
    connection: AsyncConnection,
    booking: NewBooking,
    planned: Iterable[ScheduledReminder],
    now: dt.datetime,
) -> int:
    """Book a seat, schedule its reminders and link the handover. Raises EffectRejected."""
    appointment_id = await _take_seat(
        connection,
        booking.capacity,
        {
            "participant_id": booking.participant_id,
            "library_id": booking.library_id,
            "branch_id": booking.branch_id,
            "starts_at": booking.start,
            "ends_at": booking.end,
            "status": BOOKED,
            "task_id": booking.task_id,
            "step_id": booking.step_id,
            "interpreter": booking.interpreter,
            "uid": booking.uid,
            "sequence": 0,
            "booked_by": booking.booked_by,
            "created_at": now,
            "updated_at": now,
        },
    )
    if appointment_id is None:
        raise EffectRejected(SLOT_TAKEN, booking.branch_id)
    await reminders.schedule_appointment_reminders(
        connection, booking.participant_id, appointment_id, planned, now
    )
    await handovers.attach_appointment(
        connection,
        booking.participant_id,
        appointment_id,
        library_id=booking.library_id,
        task_id=booking.task_id,
        step_id=booking.step_id,
        interpreter=booking.interpreter,
        language=booking.language,
        now=now,
        handover_id=booking.handover_id,
    )
    return appointment_id


async def _booked(
    connection: AsyncConnection, appointment_id: int, participant_id: int | None
) -> AppointmentRecord | None:
    condition = and_(A.c.id == appointment_id, A.c.status == BOOKED)
    if participant_id is not None:
        condition = and_(condition, A.c.participant_id == participant_id)
    row = (await connection.execute(select(A).where(condition).with_for_update())).first()
    return _record(row) if row is not None else None


async def move(
    connection: AsyncConnection,
    appointment_id: int,
    *,
    participant_id: int | None,
    library_id: str,
    branch_id: str,
    start: dt.datetime,
    end: dt.datetime,
    capacity: int,
    planned: Iterable[ScheduledReminder],
    booked_by: str,
    now: dt.datetime,
) -> int:
    """Move a booked appointment: a new row in the new slot (same UID, next sequence), the old
    one cancelled with its seat given back. Raises EffectRejected when the slot is full or the
    appointment is no longer booked."""
    old = await _booked(connection, appointment_id, participant_id)
    if old is None:
        raise EffectRejected(NOT_BOOKED, str(appointment_id))
    new_id = await _take_seat(
        connection,
        capacity,
        {
            "participant_id": old.participant_id,
            "library_id": library_id,
            "branch_id": branch_id,
            "starts_at": start,
            "ends_at": end,
            "status": BOOKED,
            "task_id": old.task_id,
            "step_id": old.step_id,
            "interpreter": old.interpreter,
            "uid": old.uid,
            "sequence": old.sequence + 1,
            "previous_id": old.id,
            "booked_by": booked_by,
            "created_at": now,
            "updated_at": now,
        },
    )
    if new_id is None:
        raise EffectRejected(SLOT_TAKEN, branch_id)
    await _cancel_row(connection, old.id, now)
    await reminders.drop_appointment_reminders(connection, old.id, "moved", now)
    if old.participant_id is not None:
        await reminders.schedule_appointment_reminders(
            connection, old.participant_id, new_id, planned, now
        )
    await handovers.move_appointment(connection, old.id, new_id, now)
    return new_id


async def _cancel_row(connection: AsyncConnection, appointment_id: int, now: dt.datetime) -> None:
    await connection.execute(
        update(A)
        .where(A.c.id == appointment_id)
        .values(status=CANCELLED, seat=None, updated_at=now)
    )


async def cancel(
    connection: AsyncConnection,
    appointment_id: int,
    *,
    participant_id: int | None,
    now: dt.datetime,
) -> AppointmentRecord | None:
    """Cancel a booked appointment (its seat is free again); None if it was not booked."""
    old = await _booked(connection, appointment_id, participant_id)
    if old is None:
        return None
    await _cancel_row(connection, old.id, now)
    await reminders.drop_appointment_reminders(connection, old.id, "cancelled", now)
    return old


class AppointmentStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def view(
        self,
        participant_id: int | None,
        branches: Iterable[str],
        now: dt.datetime,
        horizon: dt.timedelta,
    ) -> BookingView:
        """The participant's coming appointment and the seats taken at these branches."""
        wanted = set(branches)
        appointment: AppointmentInfo | None = None
        booked: dict[str, list[tuple[dt.datetime, dt.datetime]]] = {}
        async with self.db.engine.connect() as connection:
            if participant_id is not None:
                row = (
                    await connection.execute(
                        select(A)
                        .where(
                            and_(
                                A.c.participant_id == participant_id,
                                A.c.status == BOOKED,
                                A.c.ends_at > now,
                            )
                        )
                        .order_by(A.c.starts_at)
                        .limit(1)
                    )
                ).first()
                if row is not None:
                    record = _record(row)
                    wanted.add(record.branch_id)
                    appointment = AppointmentInfo(
                        id=record.id,
                        branch_id=record.branch_id,
                        start=record.starts_at,
                        end=record.ends_at,
                        uid=record.uid,
                        sequence=record.sequence,
                        task_id=record.task_id,
                        interpreter=record.interpreter,
                    )
            if wanted:
                rows = await connection.execute(
                    select(A.c.branch_id, A.c.starts_at, A.c.ends_at).where(
                        and_(
                            A.c.branch_id.in_(sorted(wanted)),
                            A.c.status.in_(TAKES_A_SEAT),
                            A.c.ends_at > now,
                            A.c.starts_at < now + horizon,
                        )
                    )
                )
                for branch_id, start, end in rows:
                    booked.setdefault(branch_id, []).append((_aware(start), _aware(end)))
        return BookingView(
            owner=f"p{participant_id}" if participant_id is not None else "p0",
            appointment=appointment,
            booked={branch: tuple(sorted(times)) for branch, times in booked.items()},
        )

    async def booked_times(
        self, branch_id: str, start: dt.datetime, end: dt.datetime
    ) -> list[tuple[dt.datetime, dt.datetime]]:
        async with self.db.engine.connect() as connection:
            rows = await connection.execute(
                select(A.c.starts_at, A.c.ends_at).where(
                    and_(
                        A.c.branch_id == branch_id,
                        A.c.status.in_(TAKES_A_SEAT),
                        A.c.ends_at > start,
                        A.c.starts_at < end,
                    )
                )
            )
            return [(_aware(s), _aware(e)) for s, e in rows]

    async def get(self, appointment_id: int) -> AppointmentRecord | None:
        async with self.db.engine.connect() as connection:
            row = (await connection.execute(select(A).where(A.c.id == appointment_id))).first()
        return _record(row) if row is not None else None

    async def for_participant(self, participant_id: int) -> list[AppointmentRecord]:
        async with self.db.engine.connect() as connection:
            rows = await connection.execute(
                select(A).where(A.c.participant_id == participant_id).order_by(A.c.id)
            )
            return [_record(row) for row in rows]

    async def agenda(
        self, branch_id: str, start: dt.datetime, end: dt.datetime, *, with_cancelled: bool = False
    ) -> list[AppointmentRecord]:
        """Appointments at a branch starting in [start, end), earliest first."""
        condition = and_(A.c.branch_id == branch_id, A.c.starts_at >= start, A.c.starts_at < end)
        if not with_cancelled:
            condition = and_(condition, A.c.status != CANCELLED)
        async with self.db.engine.connect() as connection:
            rows = await connection.execute(
                select(A).where(condition).order_by(A.c.starts_at, A.c.seat, A.c.id)
            )
            return [_record(row) for row in rows]

    async def count(self, statuses: Sequence[str] = (BOOKED,)) -> int:
        async with self.db.engine.connect() as connection:
            result = await connection.execute(
                select(func.count()).select_from(A).where(A.c.status.in_(list(statuses)))
            )
            return int(result.scalar_one())

    async def set_status(
        self, appointment_id: int, status: str, now: dt.datetime
    ) -> AppointmentRecord | None:
        """Attended or no-show (staff); only for an appointment that was not cancelled."""
        if status not in (ATTENDED, NO_SHOW, BOOKED):
            raise ValueError(f"not a status staff can set: {status!r}")
        async with self.db.engine.begin() as connection:
            result = await connection.execute(
                update(A)
                .where(and_(A.c.id == appointment_id, A.c.status.in_(TAKES_A_SEAT)))
                .values(status=status, updated_at=now)
            )
            if (result.rowcount or 0) != 1:
                return None
            if status != BOOKED:
                await reminders.drop_appointment_reminders(connection, appointment_id, status, now)
            row = (await connection.execute(select(A).where(A.c.id == appointment_id))).first()
        return _record(row) if row is not None else None

    async def book(
        self, booking: NewBooking, planned: Iterable[ScheduledReminder], now: dt.datetime
    ) -> int:
        async with self.db.engine.begin() as connection:
            return await book(connection, booking, planned, now)

    async def move(self, appointment_id: int, **changes: Any) -> int:
        async with self.db.engine.begin() as connection:
            return await move(connection, appointment_id, **changes)

    async def cancel(self, appointment_id: int, now: dt.datetime) -> AppointmentRecord | None:
        async with self.db.engine.begin() as connection:
            return await cancel(connection, appointment_id, participant_id=None, now=now)

    async def languages(self, participant_ids: Iterable[int | None]) -> dict[int, str | None]:
        wanted = sorted({pid for pid in participant_ids if pid is not None})
        if not wanted:
            return {}
        async with self.db.engine.connect() as connection:
            rows = await connection.execute(select(P.c.id, P.c.language).where(P.c.id.in_(wanted)))
            return {int(pid): language for pid, language in rows}

    async def contact(self, participant_id: int) -> Contact | None:
        async with self.db.engine.connect() as connection:
            row = (
                await connection.execute(
                    select(P.c.id, P.c.channel, P.c.chat_id, P.c.language, P.c.consent).where(
                        P.c.id == participant_id
                    )
                )
            ).first()
        if row is None:
            return None
        return Contact(int(row.id), row.channel, row.chat_id, row.language, row.consent)
