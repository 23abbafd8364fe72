"""Counts for the insight pages, from the anonymous events table (never message text).

A participant who gave consent is counted once per step however often they came back to it;
events of people who did not (their events carry no participant) are counted one by one.
An event belongs to the library the participant had then or, when they had none yet (most
start a task before they ever choose a library), to the library they have now.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import cast

from sqlalchemy import Table, and_, case, distinct, func, select

from bot.store.db import Database
from bot.store.models import Event, Participant

E = cast(Table, Event.__table__)
P = cast(Table, Participant.__table__)

FUNNEL_KINDS = ("task_started", "step_reached", "step_failed", "step_stuck", "task_done")


@dataclass(frozen=True)
class StepCounts:
    kind: str
    step_id: str | None
    people: int


class InsightStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def funnel_counts(
        self,
        task_id: str,
        *,
        library_id: str | None = None,
        language: str | None = None,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
    ) -> list[StepCounts]:
        conditions = [E.c.task_id == task_id, E.c.kind.in_(FUNNEL_KINDS)]
        if library_id is not None:
            conditions.append(func.coalesce(E.c.library_id, P.c.library_id) == library_id)
        if language is not None:
            conditions.append(E.c.language == language)
        if since is not None:
            conditions.append(E.c.at >= since)
        if until is not None:
            conditions.append(E.c.at < until)
        anonymous = func.sum(case((E.c.participant_id.is_(None), 1), else_=0))
        statement = (
            select(E.c.kind, E.c.step_id, func.count(distinct(E.c.participant_id)), anonymous)
            .select_from(E.outerjoin(P, P.c.id == E.c.participant_id))
            .where(and_(*conditions))
            .group_by(E.c.kind, E.c.step_id)
        )
        async with self.db.engine.connect() as connection:
            rows = await connection.execute(statement)
            return [
                StepCounts(kind, step_id, int(linked or 0) + int(unlinked or 0))
                for kind, step_id, linked, unlinked in rows
            ]

    async def languages(self) -> list[str]:
        async with self.db.engine.connect() as connection:
            rows = await connection.execute(
                select(distinct(E.c.language)).where(E.c.language.is_not(None))
            )
            return sorted(str(row[0]) for row in rows)
