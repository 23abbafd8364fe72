"""Export and erasure for what the dashboard keeps about a participant (registered in
personal_data): class memberships and staff notes on their appointments.

The audit log is not erased: it records what staff did, and the participant's number in it
points at nobody once the participant is gone (see dashboard_tables.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from sqlalchemy import Table, delete, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.dashboard_tables import AppointmentNote, ClassMember, TrainingClass
from bot.store.personal_data import register_eraser, register_exporter, row_dict, rows_of

MEM = cast(Table, ClassMember.__table__)
C = cast(Table, TrainingClass.__table__)
N = cast(Table, AppointmentNote.__table__)


async def _export_classes(connection: AsyncConnection, participant_id: int) -> Any:
    rows = await connection.execute(
        select(C.c.name, C.c.library_id, MEM.c.joined_at)
        .select_from(MEM.join(C, C.c.id == MEM.c.class_id))
        .where(MEM.c.participant_id == participant_id)
        .order_by(MEM.c.joined_at)
    )
    return [row_dict(row) for row in rows]


async def _export_notes(connection: AsyncConnection, participant_id: int) -> Any:
    return [row_dict(row) for row in await rows_of(connection, N, participant_id)]


async def _erase(connection: AsyncConnection, participant_id: int, now: dt.datetime) -> None:
    await connection.execute(delete(MEM).where(MEM.c.participant_id == participant_id))
    await connection.execute(delete(N).where(N.c.participant_id == participant_id))


register_exporter("classes", _export_classes, tables=["class_members"])
register_exporter("appointment_notes", _export_notes, tables=["appointment_notes"])
register_eraser("dashboard", _erase, tables=["class_members", "appointment_notes"])
