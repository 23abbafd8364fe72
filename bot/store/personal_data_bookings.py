"""Export and erasure for appointments, reminders and handovers (registered in personal_data).

Erasing a participant cancels their coming appointments and keeps every appointment only as an
anonymous row for the library's counts; their reminders go; the words they wrote for staff in a
handover are erased and the handover is marked, so staff see "participant removed their data";
the machine translation of those words is taken out of the translation cache too.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from sqlalchemy import Table, and_, column, delete, inspect, select, table, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.models import Appointment, Handover, Reminder, UtcDateTime
from bot.store.personal_data import register_eraser, register_exporter, row_dict, rows_of

A = cast(Table, Appointment.__table__)
H = cast(Table, Handover.__table__)
R = cast(Table, Reminder.__table__)

# The marks added by migration 0003, written here only (the booking code never reads them).
MARKED_APPOINTMENTS = table(
    "appointments", column("id"), column("participant_removed_at", UtcDateTime())
)
MARKED_HANDOVERS = table(
    "handovers",
    column("id"),
    column("participant_removed_at", UtcDateTime()),
    column("words_erased_at", UtcDateTime()),
)
# Written by the translation layer (migration 0004); looked up by name, it may not exist yet.
TRANSLATION_CACHE = table("translation_cache", column("translation"))
BOOKED, CANCELLED = "booked", "cancelled"
ERASED_UID = "erased-{id}@wegwijs.invalid"


async def _export_appointments(connection: AsyncConnection, participant_id: int) -> Any:
    return [row_dict(row) for row in await rows_of(connection, A, participant_id)]


async def _export_reminders(connection: AsyncConnection, participant_id: int) -> Any:
    return [row_dict(row) for row in await rows_of(connection, R, participant_id)]


async def _export_handovers(connection: AsyncConnection, participant_id: int) -> Any:
    return [row_dict(row) for row in await rows_of(connection, H, participant_id)]


async def _erase_bookings(
    connection: AsyncConnection, participant_id: int, now: dt.datetime
) -> None:
    await connection.execute(delete(R).where(R.c.participant_id == participant_id))
    await _anonymise_appointments(connection, participant_id, now)
    await _erase_handovers(connection, participant_id, now)


async def _anonymise_appointments(
    connection: AsyncConnection, participant_id: int, now: dt.datetime
) -> None:
    ids = [
        int(row.id)
        for row in await connection.execute(
            select(A.c.id).where(A.c.participant_id == participant_id)
        )
    ]
    if not ids:
        return
    # Coming appointments are cancelled: their place is free again for someone else.
    await connection.execute(
        update(A)
        .where(and_(A.c.id.in_(ids), A.c.status == BOOKED, A.c.ends_at > now))
        .values(status=CANCELLED, seat=None, updated_at=now)
    )
    # The calendar UID names the participant ("p<id>-..."); a fresh one per row names nobody.
    for appointment_id in ids:
        await connection.execute(
            update(A)
            .where(A.c.id == appointment_id)
            .values(participant_id=None, uid=ERASED_UID.format(id=appointment_id))
        )
    await connection.execute(
        update(MARKED_APPOINTMENTS)
        .where(MARKED_APPOINTMENTS.c.id.in_(ids))
        .values(participant_removed_at=now)
    )


async def _erase_handovers(
    connection: AsyncConnection, participant_id: int, now: dt.datetime
) -> None:
    found = list(
        await connection.execute(
            select(H.c.id, H.c.words_dutch).where(H.c.participant_id == participant_id)
        )
    )
    if not found:
        return
    ids = [int(row.id) for row in found]
    dutch = [row.words_dutch for row in found if row.words_dutch]
    if dutch and await _has_table(connection, TRANSLATION_CACHE.name):
        # The machine translation of their words also sits in the translation cache.
        await connection.execute(
            delete(TRANSLATION_CACHE).where(TRANSLATION_CACHE.c.translation.in_(dutch))
        )
    await connection.execute(
        update(H)
        .where(H.c.id.in_(ids))
        .values(participant_id=None, words_original=None, words_dutch=None, updated_at=now)
    )
    await connection.execute(
        update(MARKED_HANDOVERS)
        .where(MARKED_HANDOVERS.c.id.in_(ids))
        .values(participant_removed_at=now, words_erased_at=now)
    )


async def _has_table(connection: AsyncConnection, name: str) -> bool:
    return bool(await connection.run_sync(lambda sync: inspect(sync).has_table(name)))


register_exporter("appointments", _export_appointments, tables=["appointments"])
register_exporter("reminders", _export_reminders, tables=["reminders"])
register_exporter("handovers", _export_handovers, tables=["handovers"])
register_eraser("bookings", _erase_bookings, tables=["appointments", "reminders", "handovers"])
