"""A participant as library staff may see them: language, consent, and which libraries they are
linked to (their chosen library, a handover or an appointment there). Never a chat's messages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from sqlalchemy import Table, select

from bot.store.db import Database
from bot.store.models import Appointment, Handover, Participant

P = cast(Table, Participant.__table__)
H = cast(Table, Handover.__table__)
A = cast(Table, Appointment.__table__)


@dataclass(frozen=True)
class ParticipantView:
    id: int
    channel: str
    chat_id: str
    language: str | None
    consent: str
    library_id: str | None
    libraries: frozenset[str]
    """Every library this participant has to do with: staff of these may help them."""


class ParticipantViews:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, participant_id: int) -> ParticipantView | None:
        async with self.db.engine.connect() as connection:
            row = (await connection.execute(select(P).where(P.c.id == participant_id))).first()
            if row is None:
                return None
            linked = {row.library_id} if row.library_id else set()
            for table in (H, A):
                found = await connection.execute(
                    select(table.c.library_id)
                    .where(table.c.participant_id == participant_id)
                    .distinct()
                )
                linked |= {str(value) for (value,) in found if value}
        return ParticipantView(
            id=int(row.id),
            channel=row.channel,
            chat_id=row.chat_id,
            language=row.language,
            consent=row.consent,
            library_id=row.library_id,
            libraries=frozenset(linked),
        )
