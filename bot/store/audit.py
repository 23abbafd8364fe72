"""The audit log: who looked at or changed which participant's data, when, and through what."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, and_, insert, select

from bot.store.dashboard_tables import AuditEntry
from bot.store.db import Database

AU = cast(Table, AuditEntry.__table__)


@dataclass(frozen=True)
class AuditRecord:
    id: int
    at: dt.datetime
    user_id: int | None
    actor: str
    role: str
    via: str
    action: str
    library_id: str | None
    participant_id: int | None
    subject: str | None


def _record(row: Any) -> AuditRecord:
    at = row.at if row.at.tzinfo else row.at.replace(tzinfo=dt.UTC)
    return AuditRecord(
        id=int(row.id),
        at=at,
        user_id=row.user_id,
        actor=row.actor,
        role=row.role,
        via=row.via,
        action=row.action,
        library_id=row.library_id,
        participant_id=row.participant_id,
        subject=row.subject,
    )


class AuditLog:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def write(
        self,
        *,
        at: dt.datetime,
        user_id: int | None,
        actor: str,
        role: str,
        via: str,
        action: str,
        library_id: str | None,
        participant_ids: list[int | None] | tuple[int | None, ...] = (None,),
        subject: str | None = None,
    ) -> None:
        """One row per participant concerned (a day's agenda concerns everyone on it)."""
        wanted = list(dict.fromkeys(participant_ids)) or [None]
        rows = [
            {
                "at": at,
                "user_id": user_id,
                "actor": actor[:254],
                "role": role,
                "via": via,
                "action": action[:48],
                "library_id": library_id,
                "participant_id": participant_id,
                "subject": (subject or "")[:80] or None,
            }
            for participant_id in wanted
        ]
        async with self.db.engine.begin() as connection:
            await connection.execute(insert(AU), rows)

    async def entries(
        self,
        *,
        library_id: str | None = None,
        participant_id: int | None = None,
        limit: int = 200,
    ) -> list[AuditRecord]:
        """Newest first."""
        conditions = []
        if library_id is not None:
            conditions.append(AU.c.library_id == library_id)
        if participant_id is not None:
            conditions.append(AU.c.participant_id == participant_id)
        statement = select(AU).order_by(AU.c.id.desc()).limit(limit)
        if conditions:
            statement = statement.where(and_(*conditions))
        async with self.db.engine.connect() as connection:
            return [_record(row) for row in await connection.execute(statement)]
