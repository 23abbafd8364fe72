"""What staff and admins changed about libraries and branches in the dashboard: branch settings
(opening hours, appointment windows, length, seats), closures, and libraries added by an admin.

knowledge/libraries.yml stays the source; these rows are laid over it by
bot/appointments/overrides.py, so the chat's booking and the staff desk see the same calendar.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, and_, delete, func, insert, select, update

from bot.store.dashboard_tables import BranchClosure, BranchSettings, LibraryRecord
from bot.store.db import Database

BS = cast(Table, BranchSettings.__table__)
BC = cast(Table, BranchClosure.__table__)
LR = cast(Table, LibraryRecord.__table__)


@dataclass(frozen=True)
class ClosureRecord:
    id: int
    branch_id: str
    library_id: str
    starts_on: dt.date
    ends_on: dt.date
    reason: str
    closed_from: str | None
    closed_until: str | None
    created_by: str


@dataclass(frozen=True)
class Overrides:
    """Everything laid over libraries.yml, read in one go."""

    settings: dict[str, dict[str, Any]]
    """Branch id -> changed fields."""
    closures: tuple[ClosureRecord, ...]
    libraries: tuple[dict[str, Any], ...]
    """Library organisations added in the dashboard (libraries.yml's schema)."""
    version: tuple[Any, ...]
    """Changes whenever anything above changes (see `BranchSettingsStore.version`)."""


def _closure(row: Any) -> ClosureRecord:
    return ClosureRecord(
        id=int(row.id),
        branch_id=row.branch_id,
        library_id=row.library_id,
        starts_on=row.starts_on,
        ends_on=row.ends_on,
        reason=row.reason,
        closed_from=row.closed_from,
        closed_until=row.closed_until,
        created_by=row.created_by,
    )


class BranchSettingsStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def version(self) -> tuple[Any, ...]:
        """Counts and newest change times of the three tables: differs after any change."""
        async with self.db.engine.connect() as connection:
            parts: list[Any] = []
            for table, column in ((BS, BS.c.updated_at), (BC, BC.c.id), (LR, LR.c.updated_at)):
                row = (
                    await connection.execute(
                        select(func.count(), func.max(column)).select_from(table)
                    )
                ).first()
                parts.extend([row[0], str(row[1])] if row is not None else [0, ""])
            return tuple(parts)

    async def load(self) -> Overrides:
        async with self.db.engine.connect() as connection:
            settings = {
                row.branch_id: dict(row.data or {}) for row in await connection.execute(select(BS))
            }
            closures = tuple(
                _closure(row)
                for row in await connection.execute(select(BC).order_by(BC.c.starts_on, BC.c.id))
            )
            libraries = tuple(
                dict(row.data) for row in await connection.execute(select(LR).order_by(LR.c.id))
            )
        return Overrides(settings, closures, libraries, await self.version())

    async def settings(self, branch_id: str) -> dict[str, Any]:
        async with self.db.engine.connect() as connection:
            row = (
                await connection.execute(select(BS.c.data).where(BS.c.branch_id == branch_id))
            ).first()
        return dict(row.data or {}) if row is not None else {}

    async def set_fields(
        self,
        branch_id: str,
        library_id: str,
        fields: dict[str, Any],
        removed: tuple[str, ...],
        by: str,
        now: dt.datetime,
    ) -> None:
        """Change some fields (and go back to the file's value for `removed` ones)."""
        async with self.db.engine.begin() as connection:
            row = (
                await connection.execute(select(BS.c.data).where(BS.c.branch_id == branch_id))
            ).first()
            data = dict(row.data or {}) if row is not None else {}
            data.update(fields)
            for name in removed:
                data.pop(name, None)
            if row is None:
                await connection.execute(
                    insert(BS).values(
                        branch_id=branch_id,
                        library_id=library_id,
                        data=data,
                        updated_at=now,
                        updated_by=by,
                    )
                )
            else:
                await connection.execute(
                    update(BS)
                    .where(BS.c.branch_id == branch_id)
                    .values(data=data, updated_at=now, updated_by=by)
                )

    async def closures(self, branch_id: str) -> list[ClosureRecord]:
        async with self.db.engine.connect() as connection:
            rows = await connection.execute(
                select(BC).where(BC.c.branch_id == branch_id).order_by(BC.c.starts_on, BC.c.id)
            )
            return [_closure(row) for row in rows]

    async def add_closure(
        self,
        *,
        branch_id: str,
        library_id: str,
        starts_on: dt.date,
        ends_on: dt.date,
        reason: str,
        closed_from: str | None,
        closed_until: str | None,
        by: str,
        now: dt.datetime,
    ) -> None:
        async with self.db.engine.begin() as connection:
            await connection.execute(
                insert(BC).values(
                    branch_id=branch_id,
                    library_id=library_id,
                    starts_on=starts_on,
                    ends_on=ends_on,
                    reason=reason[:120],
                    closed_from=closed_from,
                    closed_until=closed_until,
                    created_at=now,
                    created_by=by,
                )
            )

    async def remove_closure(self, branch_id: str, closure_id: int) -> bool:
        async with self.db.engine.begin() as connection:
            result = await connection.execute(
                delete(BC).where(and_(BC.c.id == closure_id, BC.c.branch_id == branch_id))
            )
        return (result.rowcount or 0) == 1

    async def put_library(
        self, library_id: str, data: dict[str, Any], by: str, now: dt.datetime
    ) -> None:
        async with self.db.engine.begin() as connection:
            exists = (
                await connection.execute(select(LR.c.id).where(LR.c.id == library_id))
            ).first()
            if exists is None:
                await connection.execute(
                    insert(LR).values(
                        id=library_id, data=data, created_at=now, updated_at=now, updated_by=by
                    )
                )
            else:
                await connection.execute(
                    update(LR)
                    .where(LR.c.id == library_id)
                    .values(data=data, updated_at=now, updated_by=by)
                )

    async def remove_library(self, library_id: str) -> bool:
        async with self.db.engine.begin() as connection:
            result = await connection.execute(delete(LR).where(LR.c.id == library_id))
        return (result.rowcount or 0) == 1

    async def library_ids(self) -> list[str]:
        async with self.db.engine.connect() as connection:
            return [
                str(row.id) for row in await connection.execute(select(LR.c.id).order_by(LR.c.id))
            ]
