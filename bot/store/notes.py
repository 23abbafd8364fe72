"""Staff notes on appointments. They are about a participant, so they go when the participant
erases their data (personal_data_dashboard.py) and are part of their export."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, insert, select

from bot.store.dashboard_tables import AppointmentNote
from bot.store.db import Database

N = cast(Table, AppointmentNote.__table__)
MAX_NOTE = 2000


@dataclass(frozen=True)
class NoteRecord:
    id: int
    appointment_id: int
    participant_id: int | None
    author: str
    text: str
    created_at: dt.datetime


def _note(row: Any) -> NoteRecord:
    created = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=dt.UTC)
    return NoteRecord(
        id=int(row.id),
        appointment_id=int(row.appointment_id),
        participant_id=row.participant_id,
        author=row.author,
        text=row.text,
        created_at=created,
    )


class NoteStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def add(
        self,
        *,
        appointment_id: int,
        participant_id: int | None,
        library_id: str,
        author_id: int,
        author: str,
        text: str,
        now: dt.datetime,
    ) -> None:
        async with self.db.engine.begin() as connection:
            await connection.execute(
                insert(N).values(
                    appointment_id=appointment_id,
                    participant_id=participant_id,
                    library_id=library_id,
                    author_id=author_id,
                    author=author,
                    text=text.strip()[:MAX_NOTE],
                    created_at=now,
                )
            )

    async def for_appointments(self, appointment_ids: Iterable[int]) -> dict[int, list[NoteRecord]]:
        wanted = sorted(set(appointment_ids))
        if not wanted:
            return {}
        async with self.db.engine.connect() as connection:
            rows = await connection.execute(
                select(N).where(N.c.appointment_id.in_(wanted)).order_by(N.c.created_at, N.c.id)
            )
            notes: dict[int, list[NoteRecord]] = {}
            for row in rows:
                notes.setdefault(int(row.appointment_id), []).append(_note(row))
            return notes
