"""Handover records: what staff read before helping someone who got stuck, and their status."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from typing import Any, cast

from sqlalchemy import Table, and_, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.conversation.effects import HandoverWords, OpenHandover
from bot.store.db import Database
from bot.store.models import Handover

H = cast(Table, Handover.__table__)

NEW, CLAIMED, DONE = "new", "claimed", "done"
OPEN = (NEW, CLAIMED)
# Asking again within this time about the same task refreshes the open record, not a new one.
_SAME_REQUEST = dt.timedelta(hours=24)


@dataclass(frozen=True)
class HandoverRecord:
    id: int
    participant_id: int | None
    library_id: str | None
    appointment_id: int | None
    task_id: str | None
    step_id: str | None
    reason: str
    failures: int
    language: str | None
    interpreter: bool
    words_original: str | None
    words_dutch: str | None
    translated: bool
    translation_provider: str | None
    status: str
    claimed_by: str | None
    claimed_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime
    closed_at: dt.datetime | None


def _record(row: Any) -> HandoverRecord:
    mapping = row._mapping
    # Only the fields we know: columns added by later migrations stay out of the record.
    data = {f.name: mapping[f.name] for f in fields(HandoverRecord)}
    for name in ("claimed_at", "created_at", "updated_at", "closed_at"):
        value = data[name]
        if value is not None and value.tzinfo is None:
            data[name] = value.replace(tzinfo=dt.UTC)
    data["interpreter"] = bool(data["interpreter"])
    data["translated"] = bool(data["translated"])
    return HandoverRecord(**data)


async def open_handover(
    connection: AsyncConnection, participant_id: int, effect: OpenHandover, now: dt.datetime
) -> int:
    values = {
        "library_id": effect.library_id,
        "task_id": effect.task_id,
        "step_id": effect.step_id,
        "reason": effect.reason,
        "failures": effect.failures,
        "language": effect.language,
        "updated_at": now,
    }
    same_task = H.c.task_id.is_(None) if effect.task_id is None else H.c.task_id == effect.task_id
    existing = (
        await connection.execute(
            select(H.c.id)
            .where(
                and_(
                    H.c.participant_id == participant_id,
                    H.c.status == NEW,
                    H.c.appointment_id.is_(None),
                    same_task,
                    H.c.created_at > now - _SAME_REQUEST,
                )
            )
            .order_by(H.c.created_at.desc())
            .limit(1)
        )
    ).first()
    if existing is not None:
        await connection.execute(update(H).where(H.c.id == existing.id).values(**values))
        return int(existing.id)
    result = await connection.execute(
        insert(H).values(
            participant_id=participant_id,
            interpreter=False,
            translated=False,
            status=NEW,
            created_at=now,
            **values,
        )
    )
    assert result.inserted_primary_key is not None
    return int(result.inserted_primary_key[0])


async def attach_appointment(
    connection: AsyncConnection,
    participant_id: int,
    appointment_id: int,
    *,
    library_id: str,
    task_id: str | None,
    step_id: str | None,
    interpreter: bool,
    language: str | None,
    now: dt.datetime,
    handover_id: int | None = None,
) -> int:
    """Link the booking to the participant's open handover (or the one given); make one if none."""
    if handover_id is None:
        latest = (
            await connection.execute(
                select(H.c.id)
                .where(
                    and_(
                        H.c.participant_id == participant_id,
                        H.c.status.in_(OPEN),
                        H.c.appointment_id.is_(None),
                    )
                )
                .order_by(H.c.created_at.desc(), H.c.id.desc())
                .limit(1)
            )
        ).first()
        handover_id = int(latest.id) if latest is not None else None
    values = {
        "appointment_id": appointment_id,
        "library_id": library_id,
        "interpreter": interpreter,
        "updated_at": now,
    }
    if handover_id is not None:
        await connection.execute(update(H).where(H.c.id == handover_id).values(**values))
        return handover_id
    result = await connection.execute(
        insert(H).values(
            participant_id=participant_id,
            task_id=task_id,
            step_id=step_id,
            reason="booked",
            failures=0,
            language=language,
            translated=False,
            status=NEW,
            created_at=now,
            **values,
        )
    )
    assert result.inserted_primary_key is not None
    return int(result.inserted_primary_key[0])


async def move_appointment(
    connection: AsyncConnection, old_id: int, new_id: int, now: dt.datetime
) -> None:
    await connection.execute(
        update(H).where(H.c.appointment_id == old_id).values(appointment_id=new_id, updated_at=now)
    )


async def add_words(
    connection: AsyncConnection, participant_id: int, words: HandoverWords, now: dt.datetime
) -> None:
    """The participant's own words go on their newest open handover."""
    values = {
        "words_original": words.text,
        "words_dutch": words.dutch,
        "translated": words.translated,
        "translation_provider": words.provider,
        "updated_at": now,
    }
    latest = (
        await connection.execute(
            select(H.c.id)
            .where(and_(H.c.participant_id == participant_id, H.c.status.in_(OPEN)))
            .order_by(H.c.created_at.desc(), H.c.id.desc())
            .limit(1)
        )
    ).first()
    if latest is not None:
        await connection.execute(update(H).where(H.c.id == latest.id).values(**values))
        return
    await connection.execute(
        insert(H).values(
            participant_id=participant_id,
            reason="asked",
            failures=0,
            language=words.language,
            interpreter=False,
            status=NEW,
            created_at=now,
            **values,
        )
    )


class HandoverStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def for_library(
        self, library_id: str, statuses: tuple[str, ...] = OPEN, limit: int = 200
    ) -> list[HandoverRecord]:
        """Newest first."""
        async with self.db.engine.connect() as connection:
            rows = await connection.execute(
                select(H)
                .where(and_(H.c.library_id == library_id, H.c.status.in_(statuses)))
                .order_by(H.c.created_at.desc(), H.c.id.desc())
                .limit(limit)
            )
            return [_record(row) for row in rows]

    async def for_participant(self, participant_id: int) -> list[HandoverRecord]:
        async with self.db.engine.connect() as connection:
            rows = await connection.execute(
                select(H).where(H.c.participant_id == participant_id).order_by(H.c.id)
            )
            return [_record(row) for row in rows]

    async def get(self, handover_id: int) -> HandoverRecord | None:
        async with self.db.engine.connect() as connection:
            row = (await connection.execute(select(H).where(H.c.id == handover_id))).first()
        return _record(row) if row is not None else None

    async def claim(self, handover_id: int, staff: str, now: dt.datetime) -> bool:
        """True for the one staff member who claims a new handover; False if someone was first."""
        async with self.db.engine.begin() as connection:
            result = await connection.execute(
                update(H)
                .where(and_(H.c.id == handover_id, H.c.status == NEW))
                .values(status=CLAIMED, claimed_by=staff[:64], claimed_at=now, updated_at=now)
            )
        return (result.rowcount or 0) == 1

    async def close(self, handover_id: int, now: dt.datetime) -> bool:
        async with self.db.engine.begin() as connection:
            result = await connection.execute(
                update(H)
                .where(and_(H.c.id == handover_id, H.c.status.in_(OPEN)))
                .values(status=DONE, closed_at=now, updated_at=now)
            )
        return (result.rowcount or 0) == 1
