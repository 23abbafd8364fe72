"""How the booking, class and handover effects of a turn are carried out in its transaction.

Events and nudges are not here: the turn store writes them itself (bot/store/turns.py), so a
turn that has only those can run on the direct path."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.conversation.effects import (
    BookSlot,
    CancelAppointment,
    Effect,
    HandoverWords,
    JoinClass,
    OpenHandover,
    RescheduleAppointment,
)
from bot.store import appointments, classes, handovers
from bot.store.turns import applies


@applies(BookSlot)
async def book_slot(
    connection: AsyncConnection, participant_id: int, effect: Effect, now: dt.datetime
) -> None:
    assert isinstance(effect, BookSlot)
    booking = appointments.NewBooking(
        participant_id=participant_id,
        library_id=effect.library_id,
        branch_id=effect.branch_id,
        start=effect.start,
        end=effect.end,
        capacity=effect.capacity,
        uid=effect.uid,
        task_id=effect.task_id,
        step_id=effect.step_id,
        interpreter=effect.interpreter,
        language=effect.language,
    )
    await appointments.book(connection, booking, effect.reminders, now)


@applies(RescheduleAppointment)
async def reschedule(
    connection: AsyncConnection, participant_id: int, effect: Effect, now: dt.datetime
) -> None:
    assert isinstance(effect, RescheduleAppointment)
    await appointments.move(
        connection,
        effect.appointment_id,
        participant_id=participant_id,
        library_id=effect.library_id,
        branch_id=effect.branch_id,
        start=effect.start,
        end=effect.end,
        capacity=effect.capacity,
        planned=effect.reminders,
        booked_by="participant",
        now=now,
    )


@applies(CancelAppointment)
async def cancel(
    connection: AsyncConnection, participant_id: int, effect: Effect, now: dt.datetime
) -> None:
    assert isinstance(effect, CancelAppointment)
    # Already cancelled (by staff, or a second tap) is fine: the result is what they asked for.
    await appointments.cancel(
        connection, effect.appointment_id, participant_id=participant_id, now=now
    )


@applies(OpenHandover)
async def open_handover(
    connection: AsyncConnection, participant_id: int, effect: Effect, now: dt.datetime
) -> None:
    assert isinstance(effect, OpenHandover)
    await handovers.open_handover(connection, participant_id, effect, now)


@applies(HandoverWords)
async def handover_words(
    connection: AsyncConnection, participant_id: int, effect: Effect, now: dt.datetime
) -> None:
    assert isinstance(effect, HandoverWords)
    await handovers.add_words(connection, participant_id, effect, now)


@applies(JoinClass)
async def join_class(
    connection: AsyncConnection, participant_id: int, effect: Effect, now: dt.datetime
) -> None:
    assert isinstance(effect, JoinClass)
    await classes.join(connection, participant_id, effect.code, now)
