"""Loading a participant's snapshot and saving a turn's outcome in one transaction.

The hot path of every message. Statements are SQLAlchemy Core, built once with bound parameters:
one read (participant, conversation state and task progress in one joined query), then one
write transaction whose UPDATE of the conversation state checks the version it read
(optimistic locking). A lost race returns False and the caller runs the (pure) turn again on
fresh data. On PostgreSQL the state and participant UPDATEs are one statement (a data-modifying
CTE): every round trip to the server is a fair part of a turn.

Two ways to run the same statements, with the same values:
- direct (direct.py): compiled once and run on the driver connection, for the read and for
  every save whose effects are only events and nudges (nearly all turns). SQLAlchemy's
  execution layer was most of our own work per turn; see docs/performance.md.
- through SQLAlchemy: a participant's first turn (its INSERT needs SQLAlchemy's defaults) and
  turns with bookings, handovers, classes or personal data, whose appliers are SQLAlchemy code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.sql import Executable

from bot.conversation.effects import DropNudges, Effect, RecordEvent, ScheduleNudge
from bot.conversation.state import (
    Consent,
    ConversationState,
    Profile,
    Progress,
    Snapshot,
    TaskStatus,
)
from bot.conversation.turn import Outcome
from bot.store import direct, reminders
from bot.store.db import Database
from bot.store.errors import is_unavailable, translate_unavailable
from bot.store.models import ConversationStateRow, Event, Participant, TaskProgressRow

P = cast(Table, Participant.__table__)
S = cast(Table, ConversationStateRow.__table__)
T = cast(Table, TaskProgressRow.__table__)
E = cast(Table, Event.__table__)

LAST_SEEN_STEP = dt.timedelta(minutes=1)
"""`participants.last_seen_at` is kept to the minute: a turn within a minute of the last written
time leaves it as it is. Everything that reads it (retention, nudges, "welcome back") counts in
hours or days."""

EffectApplier = Callable[[AsyncConnection, int, Effect, dt.datetime], Awaitable[None]]
_appliers: dict[type, EffectApplier] = {}


def applies(effect_type: type) -> Callable[[EffectApplier], EffectApplier]:
    """Register how an effect is carried out inside the turn's transaction."""

    def register(applier: EffectApplier) -> EffectApplier:
        _appliers[effect_type] = applier
        return applier

    return register


@dataclass(frozen=True)
class Loaded:
    channel: str
    chat_id: str
    participant_id: int | None
    version: int
    snapshot: Snapshot


# -- the statements, built once ------------------------------------------------------------------
# Bound parameter names start with "b_": SQLAlchemy reserves the column names in a SET clause.
_LOAD = (
    select(
        P.c.id,
        P.c.language,
        P.c.consent,
        P.c.share_with_trainer,
        P.c.library_id,
        P.c.branch_id,
        P.c.nudges_enabled,
        P.c.nudges_max,
        P.c.last_seen_at,
        S.c.data,
        S.c.version,
        T.c.task_id,
        T.c.step_id,
        T.c.status,
        T.c.failures,
        T.c.started_at,
        T.c.updated_at,
        T.c.completed_at,
    )
    .select_from(
        P.outerjoin(S, S.c.participant_id == P.c.id).outerjoin(T, T.c.participant_id == P.c.id)
    )
    .where(P.c.channel == bindparam("b_channel"), P.c.chat_id == bindparam("b_chat_id"))
)

_PROFILE_COLUMNS = (
    "language",
    "consent",
    "library_id",
    "share_with_trainer",
    "branch_id",
    "nudges_enabled",
    "nudges_max",
    "last_seen_at",
)


def _profile_values(with_consent_at: bool) -> dict[str, Any]:
    values: dict[str, Any] = {name: bindparam(f"b_{name}") for name in _PROFILE_COLUMNS}
    if with_consent_at:
        values["consent_at"] = bindparam("b_last_seen_at")
    return values


_INSERT_PARTICIPANT = insert(P).values(
    channel=bindparam("b_channel"),
    chat_id=bindparam("b_chat_id"),
    created_at=bindparam("b_last_seen_at"),
    **_profile_values(with_consent_at=True),
)
_INSERT_PARTICIPANT_NO_CONSENT_AT = insert(P).values(
    channel=bindparam("b_channel"),
    chat_id=bindparam("b_chat_id"),
    created_at=bindparam("b_last_seen_at"),
    **_profile_values(with_consent_at=False),
)
_INSERT_STATE = insert(S).values(
    participant_id=bindparam("b_id"),
    data=bindparam("b_data"),
    version=1,
    updated_at=bindparam("b_last_seen_at"),
)
_UPDATE_STATE = (
    update(S)
    .where(S.c.participant_id == bindparam("b_id"), S.c.version == bindparam("b_version"))
    .values(
        data=bindparam("b_data"),
        version=bindparam("b_new_version"),
        updated_at=bindparam("b_last_seen_at"),
    )
)
_UPDATE_PARTICIPANT = {
    consent_at: update(P).where(P.c.id == bindparam("b_id")).values(**_profile_values(consent_at))
    for consent_at in (False, True)
}


def _update_both(with_consent_at: bool) -> Executable:
    """PostgreSQL: the versioned state UPDATE and the participant UPDATE in one statement; the
    participant row is only touched when the version matched, and its id comes back."""
    state = (
        update(S)
        .where(S.c.participant_id == bindparam("b_id"), S.c.version == bindparam("b_version"))
        .values(
            data=bindparam("b_data"),
            version=bindparam("b_new_version"),
            updated_at=bindparam("b_last_seen_at"),
        )
        .returning(S.c.participant_id)
        .cte("saved_state")
    )
    return (
        update(P)
        .where(P.c.id == state.c.participant_id)
        .values(**_profile_values(with_consent_at))
        .returning(P.c.id)
    )


_UPDATE_BOTH = {consent_at: _update_both(consent_at) for consent_at in (False, True)}
_INSERT_EVENTS = insert(E).inline()
_EVENT_COLUMNS = ("participant_id", "kind", "task_id", "step_id", "language", "library_id", "at")
_LOAD_COLUMNS = tuple(column.name for column in _LOAD.selected_columns)
_DIRECT_EFFECTS = (RecordEvent, ScheduleNudge, DropNudges)
"""Effects the store writes itself; a turn with any other effect needs SQLAlchemy's path."""
_PROGRESS_KEYS = ("step_id", "status", "failures", "started_at", "updated_at", "completed_at")


def _upsert_progress(dialect: str) -> Executable:
    module: Any = postgresql if dialect == "postgresql" else sqlite
    statement = module.insert(T).values(
        participant_id=bindparam("b_id"),
        task_id=bindparam("b_task_id"),
        **{name: bindparam(f"b_{name}") for name in _PROGRESS_KEYS},
    )
    upsert: Executable = statement.on_conflict_do_update(
        index_elements=[T.c.participant_id, T.c.task_id],
        set_={name: statement.excluded[name] for name in _PROGRESS_KEYS},
    )
    return upsert


class TurnStore:
    def __init__(self, db: Database) -> None:
        # The appliers of booking, class and handover effects register on import; importing
        # them here (not at the top: they import this module) means no effect is ever skipped.
        from bot.store import appliers  # noqa: F401

        self.db = db
        self._postgres = db.dialect == "postgresql"
        self._upsert = _upsert_progress(db.dialect)
        # Reads need no transaction on PostgreSQL; on SQLite none is opened for a SELECT anyway.
        self._reader: AsyncEngine = (
            db.engine.execution_options(isolation_level="AUTOCOMMIT")
            if self._postgres
            else db.engine
        )
        self._direct = direct.runner_for(db.engine, db.inline_sqlite)
        # Export and erasure register their effect appliers on import: a /delete must never
        # be skipped for want of an import.
        from bot.store import personal_data  # noqa: F401

    def listen(self, listener: direct.StatementListener) -> Callable[[], None]:
        """Hear every statement the direct path runs (SQLAlchemy's events hear the rest);
        returns the call that stops listening."""
        if self._direct is None:
            return lambda: None
        listeners = self._direct.listeners
        listeners.append(listener)
        return lambda: listeners.remove(listener)

    @translate_unavailable
    async def load(self, channel: str, chat_id: str) -> Loaded:
        try:
            return await self._load(channel, chat_id)
        except Exception as error:
            if not _connection_lost(error):
                raise
            # A pooled connection died since its last use (the database restarted). The pool
            # has let go of it; a read can simply be asked again.
            return await self._load(channel, chat_id)

    async def _load(self, channel: str, chat_id: str) -> Loaded:
        values = {"b_channel": channel, "b_chat_id": chat_id}
        if self._direct is not None:
            raw_rows = await self._direct.rows(_LOAD, values)
        else:
            async with self._reader.connect() as connection:
                raw_rows = [tuple(row) for row in await connection.execute(_LOAD, values)]
        if not raw_rows:
            return Loaded(channel, chat_id, None, 0, Snapshot())
        rows = [dict(zip(_LOAD_COLUMNS, row, strict=True)) for row in raw_rows]
        row = rows[0]
        progress = {r["task_id"]: _progress(r) for r in rows if r["task_id"] is not None}
        snapshot = Snapshot(
            profile=Profile(
                language=row["language"],
                consent=Consent(row["consent"]),
                library_id=row["library_id"],
                share_with_trainer=bool(row["share_with_trainer"]),
                branch_id=row["branch_id"],
                nudges=bool(row["nudges_enabled"]),
                nudge_limit=int(row["nudges_max"]),
            ),
            state=ConversationState.from_json(row["data"]),
            progress=progress,
            last_seen=_aware(row["last_seen_at"]),
        )
        return Loaded(channel, chat_id, row["id"], row["version"] or 0, snapshot)

    @translate_unavailable
    async def save(self, loaded: Loaded, outcome: Outcome, now: dt.datetime) -> bool:
        """Write the outcome; False when another turn for this chat saved first."""
        if (
            self._direct is not None
            and loaded.participant_id is not None
            and all(isinstance(effect, _DIRECT_EFFECTS) for effect in outcome.effects)
        ):
            # A changed profile (consent, sharing, nudges off) must survive a server crash.
            durable = outcome.profile != loaded.snapshot.profile
            async with self._direct.transaction(durable=durable) as writer:
                # A lost race changed nothing: the empty transaction commits harmlessly.
                return await self._write(writer, loaded, outcome, now) is not None
        try:
            async with self.db.engine.begin() as connection:
                written: int | None
                if loaded.participant_id is None:
                    participant_id = await self._insert_participant(
                        connection, loaded, outcome, now
                    )
                    written = await self._write_rest(
                        direct.AlchemyWriter(connection), participant_id, outcome, now
                    )
                else:
                    written = await self._write(
                        direct.AlchemyWriter(connection), loaded, outcome, now
                    )
                if written is None:
                    await connection.rollback()
                    return False
                for effect in outcome.effects:
                    applier = _appliers.get(type(effect))
                    if applier is not None:
                        await applier(connection, written, effect, now)
            return True
        except IntegrityError:
            # Two first messages from one chat at once: the other one created the participant.
            return False

    async def _insert_participant(
        self, connection: AsyncConnection, loaded: Loaded, outcome: Outcome, now: dt.datetime
    ) -> int:
        values = _participant_values(outcome, now)
        consent_changed = outcome.profile.consent is not loaded.snapshot.profile.consent
        statement = _INSERT_PARTICIPANT if consent_changed else _INSERT_PARTICIPANT_NO_CONSENT_AT
        result = await connection.execute(
            statement, {**values, "b_channel": loaded.channel, "b_chat_id": loaded.chat_id}
        )
        assert result.inserted_primary_key is not None
        participant_id = int(result.inserted_primary_key[0])
        await connection.execute(_INSERT_STATE, {**values, "b_id": participant_id})
        return participant_id

    async def _write(
        self, writer: direct.Writer, loaded: Loaded, outcome: Outcome, now: dt.datetime
    ) -> int | None:
        """The versioned state UPDATE first, then the rest; None (nothing written) when another
        turn of this chat saved first."""
        participant_id = loaded.participant_id
        assert participant_id is not None
        profile = outcome.profile
        values = {
            **_participant_values(outcome, now),
            "b_id": participant_id,
            "b_version": loaded.version,
            "b_new_version": loaded.version + 1,
        }
        consent_changed = profile.consent is not loaded.snapshot.profile.consent
        if not _participant_changed(loaded.snapshot, profile, now):
            # Nothing to write on the participant row: the conversation state alone.
            if await writer.execute(_UPDATE_STATE, values) != 1:
                return None
        elif self._postgres:
            if not await writer.rows(_UPDATE_BOTH[consent_changed], values):
                return None
        else:
            if await writer.execute(_UPDATE_STATE, values) != 1:
                return None
            await writer.execute(_UPDATE_PARTICIPANT[consent_changed], values)
        return await self._write_rest(writer, participant_id, outcome, now)

    async def _write_rest(
        self, writer: direct.Writer, participant_id: int, outcome: Outcome, now: dt.datetime
    ) -> int:
        """Progress, events and nudges of the turn."""
        if len(outcome.progress) == 1:
            [progress] = outcome.progress.values()
            await writer.execute(self._upsert, _progress_values(participant_id, progress))
        elif outcome.progress:
            rows = [_progress_values(participant_id, p) for p in outcome.progress.values()]
            await writer.execute_many(self._upsert, rows, ())
        events = []
        # Only someone who said yes is linked to what they did; for everyone else the
        # events are anonymous counts from the start (see docs/privacy.md).
        linked = participant_id if outcome.profile.consent is Consent.GIVEN else None
        for effect in outcome.effects:
            if isinstance(effect, RecordEvent):
                events.append(
                    {
                        "participant_id": linked,
                        "kind": effect.kind,
                        "task_id": effect.task_id,
                        "step_id": effect.step_id,
                        "language": outcome.profile.language,
                        "library_id": outcome.profile.library_id,
                        "at": now,
                    }
                )
            elif isinstance(effect, ScheduleNudge | DropNudges):
                dialect = self.db.dialect
                for statement, values in reminders.nudge_writes(
                    participant_id, effect, now, dialect
                ):
                    await writer.execute(statement, values)
        if events:
            await writer.execute_many(_INSERT_EVENTS, events, _EVENT_COLUMNS)
        return participant_id


def _participant_values(outcome: Outcome, now: dt.datetime) -> dict[str, Any]:
    profile = outcome.profile
    return {
        "b_language": profile.language,
        "b_consent": profile.consent.value,
        "b_library_id": profile.library_id,
        "b_share_with_trainer": profile.share_with_trainer,
        "b_branch_id": profile.branch_id,
        "b_nudges_enabled": profile.nudges,
        "b_nudges_max": profile.nudge_limit,
        "b_last_seen_at": now,
        "b_data": outcome.state.to_json(),
    }


def _connection_lost(error: BaseException) -> bool:
    """The connection died under a read: worth asking once more on a fresh one."""
    if isinstance(error, DBAPIError):
        return bool(error.connection_invalidated)
    return is_unavailable(error) and not isinstance(error, TimeoutError)


def _participant_changed(snapshot: Snapshot, profile: Profile, now: dt.datetime) -> bool:
    """Whether the participant row needs writing: a changed profile, or `last_seen_at` older
    than LAST_SEEN_STEP. Most turns change neither, and an UPDATE that writes the same values
    is a statement (and on PostgreSQL a new row version) for nothing."""
    if profile != snapshot.profile or snapshot.last_seen is None:
        return True
    return not dt.timedelta(0) <= now - snapshot.last_seen < LAST_SEEN_STEP


def _progress_values(participant_id: int, progress: Progress) -> dict[str, Any]:
    return {
        "b_id": participant_id,
        "b_task_id": progress.task_id,
        "b_step_id": progress.step_id,
        "b_status": progress.status.value,
        "b_failures": dict(progress.failures),
        "b_started_at": progress.started_at,
        "b_updated_at": progress.updated_at,
        "b_completed_at": progress.completed_at,
    }


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _progress(row: Mapping[str, Any]) -> Progress:
    return Progress(
        task_id=row["task_id"],
        step_id=row["step_id"],
        status=TaskStatus(row["status"]),
        started_at=_aware(row["started_at"]) or dt.datetime.min.replace(tzinfo=dt.UTC),
        updated_at=_aware(row["updated_at"]) or dt.datetime.min.replace(tzinfo=dt.UTC),
        completed_at=_aware(row["completed_at"]),
        failures=row["failures"] or {},
    )
