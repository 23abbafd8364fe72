"""Loading a participant's snapshot and saving a turn's outcome in one transaction.

The hot path of every message, so it uses SQLAlchemy Core: two reads, then one write transaction
whose UPDATE of the conversation state checks the version it read (optimistic locking). A lost
race returns False and the caller runs the (pure) turn again on fresh data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, and_, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.conversation.effects import Effect, RecordEvent
from bot.conversation.state import (
    Consent,
    ConversationState,
    Profile,
    Progress,
    Snapshot,
    TaskStatus,
)
from bot.conversation.turn import Outcome
from bot.store.db import Database
from bot.store.errors import translate_unavailable
from bot.store.models import ConversationStateRow, Event, Participant, TaskProgressRow

P = cast(Table, Participant.__table__)
S = cast(Table, ConversationStateRow.__table__)
T = cast(Table, TaskProgressRow.__table__)
E = cast(Table, Event.__table__)

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


class TurnStore:
    def __init__(self, db: Database) -> None:
        # The appliers of booking, reminder and handover effects register on import; importing
        # them here (not at the top: they import this module) means no effect is ever skipped.
        from bot.store import appliers  # noqa: F401

        self.db = db
        self._upsert = _upsert_for(db.dialect)
        # Export and erasure register their effect appliers on import: a /delete must never
        # be skipped for want of an import.
        from bot.store import personal_data  # noqa: F401

    @translate_unavailable
    async def load(self, channel: str, chat_id: str) -> Loaded:
        async with self.db.engine.connect() as connection:
            row = (
                await connection.execute(
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
                    )
                    .select_from(P.outerjoin(S, S.c.participant_id == P.c.id))
                    .where(and_(P.c.channel == channel, P.c.chat_id == chat_id))
                )
            ).first()
            if row is None:
                return Loaded(channel, chat_id, None, 0, Snapshot())
            progress_rows = (
                await connection.execute(select(T).where(T.c.participant_id == row.id))
            ).all()
        progress = {r.task_id: _progress(r) for r in progress_rows}
        snapshot = Snapshot(
            profile=Profile(
                language=row.language,
                consent=Consent(row.consent),
                library_id=row.library_id,
                share_with_trainer=bool(row.share_with_trainer),
                branch_id=row.branch_id,
                nudges=bool(row.nudges_enabled),
                nudge_limit=int(row.nudges_max),
            ),
            state=ConversationState.from_json(row.data),
            progress=progress,
            last_seen=_aware(row.last_seen_at),
        )
        return Loaded(channel, chat_id, row.id, row.version or 0, snapshot)

    @translate_unavailable
    async def save(self, loaded: Loaded, outcome: Outcome, now: dt.datetime) -> bool:
        """Write the outcome; False when another turn for this chat saved first."""
        try:
            async with self.db.engine.begin() as connection:
                participant_id = await self._save_participant(connection, loaded, outcome, now)
                if participant_id is None:
                    await connection.rollback()
                    return False
                for progress in outcome.progress.values():
                    await connection.execute(self._upsert(participant_id, progress))
                await self._apply_effects(connection, participant_id, outcome, now)
            return True
        except IntegrityError:
            # Two first messages from one chat at once: the other one created the participant.
            return False

    async def _save_participant(
        self, connection: AsyncConnection, loaded: Loaded, outcome: Outcome, now: dt.datetime
    ) -> int | None:
        profile = outcome.profile
        values: dict[str, Any] = {
            "language": profile.language,
            "consent": profile.consent.value,
            "library_id": profile.library_id,
            "share_with_trainer": profile.share_with_trainer,
            "branch_id": profile.branch_id,
            "nudges_enabled": profile.nudges,
            "nudges_max": profile.nudge_limit,
            "last_seen_at": now,
        }
        if profile.consent is not loaded.snapshot.profile.consent:
            values["consent_at"] = now
        state = outcome.state.to_json()
        if loaded.participant_id is None:
            result = await connection.execute(
                insert(P).values(
                    channel=loaded.channel, chat_id=loaded.chat_id, created_at=now, **values
                )
            )
            assert result.inserted_primary_key is not None
            participant_id = int(result.inserted_primary_key[0])
            await connection.execute(
                insert(S).values(
                    participant_id=participant_id, data=state, version=1, updated_at=now
                )
            )
            return participant_id
        participant_id = loaded.participant_id
        changed = await connection.execute(
            update(S)
            .where(and_(S.c.participant_id == participant_id, S.c.version == loaded.version))
            .values(data=state, version=loaded.version + 1, updated_at=now)
        )
        if changed.rowcount != 1:
            return None
        await connection.execute(update(P).where(P.c.id == participant_id).values(**values))
        return participant_id

    async def _apply_effects(
        self, connection: AsyncConnection, participant_id: int, outcome: Outcome, now: dt.datetime
    ) -> None:
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
                continue
            applier = _appliers.get(type(effect))
            if applier is not None:
                await applier(connection, participant_id, effect, now)
        if events:
            await connection.execute(insert(E), events)


def _upsert_for(dialect: str) -> Callable[[int, Progress], Any]:
    module: Any = postgresql if dialect == "postgresql" else sqlite

    def upsert(participant_id: int, progress: Progress) -> Any:
        values: Mapping[str, Any] = {
            "participant_id": participant_id,
            "task_id": progress.task_id,
            "step_id": progress.step_id,
            "status": progress.status.value,
            "failures": dict(progress.failures),
            "started_at": progress.started_at,
            "updated_at": progress.updated_at,
            "completed_at": progress.completed_at,
        }
        statement = module.insert(T).values(**values)
        return statement.on_conflict_do_update(
            index_elements=[T.c.participant_id, T.c.task_id],
            set_={
                k: statement.excluded[k] for k in values if k not in ("participant_id", "task_id")
            },
        )

    return upsert


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _progress(row: Any) -> Progress:
    return Progress(
        task_id=row.task_id,
        step_id=row.step_id,
        status=TaskStatus(row.status),
        started_at=_aware(row.started_at) or dt.datetime.min.replace(tzinfo=dt.UTC),
        updated_at=_aware(row.updated_at) or dt.datetime.min.replace(tzinfo=dt.UTC),
        completed_at=_aware(row.completed_at),
        failures=row.failures or {},
    )
