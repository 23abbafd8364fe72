"""Loading a participant's snapshot and saving a turn's outcome in one transaction.

The hot path of every message. Statements are SQLAlchemy Core, built once with bound parameters:
one read (participant, conversation state and task progress in one joined query), then one
write transaction whose UPDATE of the conversation state checks the version it read
(optimistic locking). A lost race returns False and the caller runs the (pure) turn again on
fresh data. On PostgreSQL nearly every save is one statement (turn_statements.whole_turn:
data-modifying CTEs that all depend on the version check): every round trip to the server was
a fair part of a turn.

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
from typing import Any

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

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
from bot.store import turn_statements as statements
from bot.store.db import Database
from bot.store.errors import is_unavailable, translate_unavailable

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


_DIRECT_EFFECTS = (RecordEvent, ScheduleNudge, DropNudges)
"""Effects the store writes itself; a turn with any other effect needs SQLAlchemy's path."""


@dataclass(frozen=True)
class Loaded:
    channel: str
    chat_id: str
    participant_id: int | None
    version: int
    snapshot: Snapshot


class TurnStore:
    def __init__(self, db: Database) -> None:
        # The appliers of booking, class and handover effects register on import; importing
        # them here (not at the top: they import this module) means no effect is ever skipped.
        from bot.store import appliers  # noqa: F401

        self.db = db
        self._postgres = db.dialect == "postgresql"
        self._upsert = statements.upsert_progress(db.dialect)
        # Reads need no transaction on PostgreSQL; on SQLite none is opened for a SELECT anyway.
        self._reader: AsyncEngine = (
            db.engine.execution_options(isolation_level="AUTOCOMMIT")
            if self._postgres
            else db.engine
        )
        self._direct = db.direct
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
            raw_rows = await self._direct.rows(statements.LOAD, values)
        else:
            async with self._reader.connect() as connection:
                raw_rows = [tuple(row) for row in await connection.execute(statements.LOAD, values)]
        if not raw_rows:
            return Loaded(channel, chat_id, None, 0, Snapshot())
        rows = [dict(zip(statements.LOAD_COLUMNS, row, strict=True)) for row in raw_rows]
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
            whole = self._whole_turn(loaded, outcome, now, durable) if self._postgres else None
            if whole is not None:
                # One statement, its own transaction: no row back means another turn won.
                return bool(await self._direct.rows(*whole))
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
        result = await connection.execute(
            statements.INSERT_PARTICIPANT[consent_changed],
            {**values, "b_channel": loaded.channel, "b_chat_id": loaded.chat_id},
        )
        assert result.inserted_primary_key is not None
        participant_id = int(result.inserted_primary_key[0])
        await connection.execute(statements.INSERT_STATE, {**values, "b_id": participant_id})
        return participant_id

    async def _write(
        self, writer: direct.Writer, loaded: Loaded, outcome: Outcome, now: dt.datetime
    ) -> int | None:
        """The versioned state UPDATE first, then the rest; None (nothing written) when another
        turn of this chat saved first."""
        participant_id = loaded.participant_id
        assert participant_id is not None
        profile = outcome.profile
        values = _state_values(loaded, outcome, now)
        consent_changed = profile.consent is not loaded.snapshot.profile.consent
        if not _participant_changed(loaded.snapshot, profile, now):
            # Nothing to write on the participant row: the conversation state alone.
            if await writer.execute(statements.UPDATE_STATE, values) != 1:
                return None
        elif self._postgres:
            if not await writer.rows(statements.UPDATE_BOTH[consent_changed], values):
                return None
        else:
            if await writer.execute(statements.UPDATE_STATE, values) != 1:
                return None
            await writer.execute(statements.UPDATE_PARTICIPANT[consent_changed], values)
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
        linked = _linked(participant_id, outcome)
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
            await writer.execute_many(statements.INSERT_EVENTS, events, statements.EVENT_COLUMNS)
        return participant_id

    def _whole_turn(
        self, loaded: Loaded, outcome: Outcome, now: dt.datetime, durable: bool
    ) -> tuple[statements.Select[Any], dict[str, Any]] | None:
        """PostgreSQL: the save as one statement and its values, the same rows as `_write`
        writes; None for the rare turn it does not cover (two nudge effects, many tasks)."""
        participant_id = loaded.participant_id
        assert participant_id is not None
        nudges = [e for e in outcome.effects if isinstance(e, ScheduleNudge | DropNudges)]
        if len(nudges) > 1 or len(outcome.progress) > statements.MOST_PROGRESS_ROWS:
            return None
        values = _state_values(loaded, outcome, now)
        participant = None
        if _participant_changed(loaded.snapshot, outcome.profile, now):
            participant = outcome.profile.consent is not loaded.snapshot.profile.consent
        for index, progress in enumerate(outcome.progress.values()):
            for name, value in _progress_values(participant_id, progress).items():
                if name != "b_id":
                    values[f"b_p{index}_{name.removeprefix('b_')}"] = value
        events = [e for e in outcome.effects if isinstance(e, RecordEvent)]
        if events:
            values["b_event_participant_id"] = _linked(participant_id, outcome)
            values["b_event_kinds"] = [e.kind for e in events]
            values["b_event_tasks"] = [e.task_id for e in events]
            values["b_event_steps"] = [e.step_id for e in events]
        nudge: statements.NudgeWrite | None = None
        if nudges:
            [effect] = nudges
            # The same values as the separate statements take (they share one dict).
            writes = reminders.nudge_writes(participant_id, effect, now, "postgresql")
            values.update(writes[0][1])
            if isinstance(effect, ScheduleNudge):
                nudge = "schedule"
            else:
                nudge = "drop_task" if effect.task_id is not None else "drop"
        shape = statements.SaveShape(
            participant=participant,
            progress=len(outcome.progress),
            events=bool(events),
            nudge=nudge,
            durable=durable,
        )
        return statements.whole_turn(shape), values


def _state_values(loaded: Loaded, outcome: Outcome, now: dt.datetime) -> dict[str, Any]:
    """The values of the versioned state UPDATE and the participant UPDATE."""
    return {
        **_participant_values(outcome, now),
        "b_id": loaded.participant_id,
        "b_version": loaded.version,
        "b_new_version": loaded.version + 1,
    }


def _linked(participant_id: int, outcome: Outcome) -> int | None:
    """Only someone who said yes is linked to what they did; for everyone else the events are
    anonymous counts from the start (see docs/privacy.md)."""
    return participant_id if outcome.profile.consent is Consent.GIVEN else None


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
