"""The database side of retention: who and what is past its time, and erasing it.

Every participant is erased in a transaction of its own that checks the reason again, so a
participant who writes while the purge runs is kept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, and_, column, func, or_, select, table, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.db import Database
from bot.store.errors import translate_unavailable
from bot.store.models import Handover, Participant, UtcDateTime
from bot.store.personal_data import erase_participant

P = cast(Table, Participant.__table__)
H = cast(Table, Handover.__table__)
# The handover columns retention writes, including the mark added by migration 0003.
WORDS = table(
    "handovers",
    column("id"),
    column("words_original"),
    column("words_dutch"),
    column("closed_at", UtcDateTime()),
    column("updated_at", UtcDateTime()),
    column("words_erased_at", UtcDateTime()),
)

GIVEN = "given"
INACTIVE = "inactive"
"""Gave consent, then nothing for RETENTION_INACTIVE_DAYS."""
NOT_GIVEN = "not_given"
"""Said no, is under 16, or never answered: kept only for RETENTION_DECLINED_HOURS."""


@dataclass(frozen=True)
class Cutoffs:
    inactive_before: dt.datetime
    """Participants with consent whose last message is older than this are erased."""
    not_given_before: dt.datetime
    """Participants without consent whose last message is older than this are erased."""
    words_closed_before: dt.datetime
    """Handover words are erased when the handover was closed before this."""


@dataclass(frozen=True)
class Expired:
    participant_id: int
    reason: str
    last_seen_at: dt.datetime


def _reason_clause(reason: str, cutoffs: Cutoffs) -> Any:
    if reason == INACTIVE:
        return and_(P.c.consent == GIVEN, P.c.last_seen_at < cutoffs.inactive_before)
    return and_(P.c.consent != GIVEN, P.c.last_seen_at < cutoffs.not_given_before)


class RetentionStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    @translate_unavailable
    async def expired(self, cutoffs: Cutoffs) -> list[Expired]:
        found: list[Expired] = []
        async with self.db.engine.connect() as connection:
            for reason in (INACTIVE, NOT_GIVEN):
                rows = await connection.execute(
                    select(P.c.id, P.c.last_seen_at)
                    .where(_reason_clause(reason, cutoffs))
                    .order_by(P.c.id)
                )
                found += [Expired(int(r.id), reason, r.last_seen_at) for r in rows]
        return found

    @translate_unavailable
    async def erase(self, expired: Expired, cutoffs: Cutoffs, now: dt.datetime) -> bool:
        """Erase one participant if the reason still holds; False when they came back."""
        async with self.db.engine.begin() as connection:
            still = (
                await connection.execute(
                    select(P.c.id)
                    .where(
                        and_(
                            P.c.id == expired.participant_id,
                            _reason_clause(expired.reason, cutoffs),
                        )
                    )
                    .with_for_update()
                )
            ).first()
            if still is None:
                return False
            await erase_participant(connection, expired.participant_id, now)
        return True

    @translate_unavailable
    async def handovers_with_old_words(self, cutoffs: Cutoffs) -> list[int]:
        async with self.db.engine.connect() as connection:
            rows = await connection.execute(
                select(H.c.id).where(_old_words(cutoffs)).order_by(H.c.id)
            )
            return [int(row.id) for row in rows]

    @translate_unavailable
    async def erase_handover_words(
        self, ids: Sequence[int], cutoffs: Cutoffs, now: dt.datetime
    ) -> int:
        if not ids:
            return 0
        async with self.db.engine.begin() as connection:
            return await _erase_words(connection, ids, cutoffs, now)

    @translate_unavailable
    async def counts(self) -> dict[str, int]:
        """How many participants there are, by consent: for the purge report."""
        async with self.db.engine.connect() as connection:
            rows = await connection.execute(select(P.c.consent, func.count()).group_by(P.c.consent))
            return {str(consent): int(count) for consent, count in rows}


def _old_words(cutoffs: Cutoffs) -> Any:
    return and_(
        H.c.closed_at.is_not(None),
        H.c.closed_at < cutoffs.words_closed_before,
        or_(H.c.words_original.is_not(None), H.c.words_dutch.is_not(None)),
    )


async def _erase_words(
    connection: AsyncConnection, ids: Sequence[int], cutoffs: Cutoffs, now: dt.datetime
) -> int:
    result = await connection.execute(
        update(WORDS)
        .where(
            and_(
                WORDS.c.id.in_(list(ids)),
                WORDS.c.closed_at.is_not(None),
                WORDS.c.closed_at < cutoffs.words_closed_before,
                or_(WORDS.c.words_original.is_not(None), WORDS.c.words_dutch.is_not(None)),
            )
        )
        .values(words_original=None, words_dutch=None, updated_at=now, words_erased_at=now)
    )
    return int(result.rowcount or 0)
