"""Everything stored about one participant: export it (/mydata) and erase it (/delete, retention).

Each part of the system that stores something linked to a participant registers an exporter and
an eraser here, naming the tables they cover; `tests/privacy` checks that every table with a
link to `participants` is covered by both, so a new table cannot be forgotten.

Erasure runs inside the caller's transaction (the turn's, or the purge job's): all of it happens,
or none of it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib
import json
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, and_, delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.conversation.effects import Effect, ErasePersonalData, ForgetConversation
from bot.store.db import Database
from bot.store.errors import translate_unavailable
from bot.store.models import ConversationStateRow, Event, Participant, TaskProgressRow
from bot.store.turns import applies

P = cast(Table, Participant.__table__)
S = cast(Table, ConversationStateRow.__table__)
T = cast(Table, TaskProgressRow.__table__)
E = cast(Table, Event.__table__)

EXPORT_FORMAT = 1
Exporter = Callable[[AsyncConnection, int], Awaitable[Any]]
"""(connection, participant id) -> JSON-ready data (dicts, lists, strings, numbers)."""
Eraser = Callable[[AsyncConnection, int, dt.datetime], Awaitable[None]]
"""(connection, participant id, now): remove or anonymise what links to the participant."""


@dataclass(frozen=True)
class _Part:
    name: str
    tables: tuple[str, ...]
    function: Any


_exporters: dict[str, _Part] = {}
_erasers: dict[str, _Part] = {}
# Other parts' modules that register here; imported on first use so none is ever skipped.
_PROVIDERS = ("bot.store.personal_data_bookings", "bot.store.personal_data_dashboard")


def register_exporter(section: str, exporter: Exporter, *, tables: Iterable[str]) -> None:
    """`section` becomes a key of the exported JSON; a later registration replaces it."""
    _exporters[section] = _Part(section, tuple(tables), exporter)


def register_eraser(name: str, eraser: Eraser, *, tables: Iterable[str]) -> None:
    """Erasers run in registration order, before the participant row itself is deleted."""
    _erasers[name] = _Part(name, tuple(tables), eraser)


def _load_providers() -> None:
    for module in _PROVIDERS:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as error:
            if error.name != module:
                raise


def exported_tables() -> frozenset[str]:
    _load_providers()
    return frozenset(table for part in _exporters.values() for table in part.tables)


def erased_tables() -> frozenset[str]:
    _load_providers()
    return frozenset(table for part in _erasers.values() for table in part.tables)


def plain(value: Any) -> Any:
    """A database value as JSON: datetimes in ISO 8601 (UTC), mappings and lists kept."""
    if isinstance(value, dt.datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return aware.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def row_dict(row: Any) -> dict[str, Any]:
    return {key: plain(value) for key, value in row._mapping.items()}


async def rows_of(connection: AsyncConnection, table: Table, participant_id: int) -> list[Any]:
    column = table.c.participant_id
    order = table.primary_key.columns.values()
    return list(
        await connection.execute(select(table).where(column == participant_id).order_by(*order))
    )


# -- the core tables ------------------------------------------------------------------------------
async def _export_participant(connection: AsyncConnection, participant_id: int) -> Any:
    row = (await connection.execute(select(P).where(P.c.id == participant_id))).first()
    return row_dict(row) if row is not None else None


async def _export_state(connection: AsyncConnection, participant_id: int) -> Any:
    row = (await connection.execute(select(S).where(S.c.participant_id == participant_id))).first()
    if row is None:
        return None
    data = row_dict(row)
    with contextlib.suppress(TypeError, ValueError):
        data["data"] = json.loads(row.data)
    return data


async def _export_progress(connection: AsyncConnection, participant_id: int) -> Any:
    return [row_dict(row) for row in await rows_of(connection, T, participant_id)]


async def _export_events(connection: AsyncConnection, participant_id: int) -> Any:
    return [row_dict(row) for row in await rows_of(connection, E, participant_id)]


async def _unlink_events(
    connection: AsyncConnection, participant_id: int, now: dt.datetime
) -> None:
    # Events say what happened at which step, never what anyone typed; unlinked they are
    # anonymous counts for the libraries (also what the foreign key's ON DELETE SET NULL does).
    await connection.execute(
        update(E).where(E.c.participant_id == participant_id).values(participant_id=None)
    )


async def _delete_walk(connection: AsyncConnection, participant_id: int, now: dt.datetime) -> None:
    # Explicit, not only by ON DELETE CASCADE: a SQLite connection without foreign keys on
    # (opened by another tool) must not leave progress behind.
    await connection.execute(delete(T).where(T.c.participant_id == participant_id))
    await connection.execute(delete(S).where(S.c.participant_id == participant_id))


register_exporter("participant", _export_participant, tables=["participants"])
register_exporter("conversation_state", _export_state, tables=["conversation_states"])
register_exporter("task_progress", _export_progress, tables=["task_progress"])
register_exporter("events", _export_events, tables=["events"])
register_eraser("events", _unlink_events, tables=["events"])
register_eraser("walk", _delete_walk, tables=["conversation_states", "task_progress"])


# -- export and erase ---------------------------------------------------------------------------
async def export_participant(
    connection: AsyncConnection, participant_id: int, now: dt.datetime
) -> dict[str, Any]:
    _load_providers()
    data: dict[str, Any] = {"format": EXPORT_FORMAT, "exported_at": plain(now)}
    for section, part in _exporters.items():
        data[section] = await part.function(connection, participant_id)
    return data


async def erase_participant(
    connection: AsyncConnection, participant_id: int, now: dt.datetime
) -> None:
    """Everything linked to the participant, then the participant; in the caller's transaction."""
    _load_providers()
    for part in _erasers.values():
        await part.function(connection, participant_id, now)
    await connection.execute(delete(P).where(P.c.id == participant_id))


def export_json(data: Mapping[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False).encode("utf-8")


class PersonalData:
    """Reads for /mydata outside a turn's transaction (after the turn was saved)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    @translate_unavailable
    async def export(self, channel: str, chat_id: str, now: dt.datetime) -> dict[str, Any] | None:
        async with self.db.engine.connect() as connection:
            participant_id = await _find(connection, channel, chat_id)
            if participant_id is None:
                return None
            return await export_participant(connection, participant_id, now)

    @translate_unavailable
    async def erase(self, channel: str, chat_id: str, now: dt.datetime) -> bool:
        """For a request made outside the chat (e.g. at the library desk); False if unknown."""
        async with self.db.engine.begin() as connection:
            participant_id = await _find(connection, channel, chat_id)
            if participant_id is None:
                return False
            await erase_participant(connection, participant_id, now)
        return True


async def _find(connection: AsyncConnection, channel: str, chat_id: str) -> int | None:
    found = (
        await connection.execute(
            select(P.c.id).where(and_(P.c.channel == channel, P.c.chat_id == chat_id))
        )
    ).scalar()
    return None if found is None else int(found)


# -- the effects of a turn -------------------------------------------------------------------------
@applies(ErasePersonalData)
async def _apply_erase(
    connection: AsyncConnection, participant_id: int, effect: Effect, now: dt.datetime
) -> None:
    await erase_participant(connection, participant_id, now)


@applies(ForgetConversation)
async def _apply_forget(
    connection: AsyncConnection, participant_id: int, effect: Effect, now: dt.datetime
) -> None:
    """Said no (or is under 16): what was recorded before the answer is no longer theirs."""
    await _unlink_events(connection, participant_id, now)
