"""The statements of a turn's read and save, built once with bound parameters.

Bound parameter names start with "b_": SQLAlchemy reserves the column names in a SET clause.
The store (turns.py) runs them directly on the driver connection or through SQLAlchemy.

On PostgreSQL a whole save is one statement (`whole_turn`): data-modifying CTEs that each
depend on the versioned state UPDATE, so a lost race writes nothing, and one statement is its
own transaction. A turn here was about eight round trips of 0.1 to 0.15 ms each (the read,
BEGIN, the state UPDATE, progress, events, two nudge statements, COMMIT); now it is two.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Literal, cast

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Insert,
    Integer,
    Select,
    String,
    Table,
    bindparam,
    exists,
    func,
    insert,
    select,
    union_all,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql import Executable

from bot.store import reminders
from bot.store.models import ConversationStateRow, Event, Participant, TaskProgressRow

P = cast(Table, Participant.__table__)
S = cast(Table, ConversationStateRow.__table__)
T = cast(Table, TaskProgressRow.__table__)
E = cast(Table, Event.__table__)

# Bound parameter names start with "b_": SQLAlchemy reserves the column names in a SET clause.
LOAD = (
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

PROFILE_COLUMNS = (
    "language",
    "consent",
    "library_id",
    "share_with_trainer",
    "branch_id",
    "nudges_enabled",
    "nudges_max",
    "last_seen_at",
)


def profile_values(with_consent_at: bool) -> dict[str, Any]:
    values: dict[str, Any] = {name: bindparam(f"b_{name}") for name in PROFILE_COLUMNS}
    if with_consent_at:
        values["consent_at"] = bindparam("b_last_seen_at")
    return values


INSERT_PARTICIPANT = {
    consent_at: insert(P).values(
        channel=bindparam("b_channel"),
        chat_id=bindparam("b_chat_id"),
        created_at=bindparam("b_last_seen_at"),
        **profile_values(consent_at),
    )
    for consent_at in (False, True)
}
INSERT_STATE = insert(S).values(
    participant_id=bindparam("b_id"),
    data=bindparam("b_data"),
    version=1,
    updated_at=bindparam("b_last_seen_at"),
)
UPDATE_STATE = (
    update(S)
    .where(S.c.participant_id == bindparam("b_id"), S.c.version == bindparam("b_version"))
    .values(
        data=bindparam("b_data"),
        version=bindparam("b_new_version"),
        updated_at=bindparam("b_last_seen_at"),
    )
)
UPDATE_PARTICIPANT = {
    consent_at: update(P).where(P.c.id == bindparam("b_id")).values(**profile_values(consent_at))
    for consent_at in (False, True)
}


def update_both(with_consent_at: bool) -> Executable:
    """PostgreSQL: the versioned state UPDATE and the participant UPDATE in one statement; the
    participant row is only touched when the version matched, and its id comes back."""
    state = UPDATE_STATE.returning(S.c.participant_id).cte("saved_state")
    return _update_participant_after(state, with_consent_at).returning(P.c.id)


def _update_participant_after(state: Any, with_consent_at: bool) -> Any:
    """The participant UPDATE that only happens where the versioned state UPDATE did."""
    return (
        update(P).where(P.c.id == state.c.participant_id).values(**profile_values(with_consent_at))
    )


UPDATE_BOTH = {consent_at: update_both(consent_at) for consent_at in (False, True)}
INSERT_EVENTS = insert(E).inline()
EVENT_COLUMNS = ("participant_id", "kind", "task_id", "step_id", "language", "library_id", "at")
LOAD_COLUMNS = tuple(column.name for column in LOAD.selected_columns)
PROGRESS_KEYS = ("step_id", "status", "failures", "started_at", "updated_at", "completed_at")


def upsert_progress(dialect: str) -> Executable:
    module: Any = postgresql if dialect == "postgresql" else sqlite
    statement = module.insert(T).values(
        participant_id=bindparam("b_id"),
        task_id=bindparam("b_task_id"),
        **{name: bindparam(f"b_{name}") for name in PROGRESS_KEYS},
    )
    return _on_task_conflict_update(statement)


def _on_task_conflict_update(statement: Any) -> Insert:
    """A participant's progress in a task is one row: a second write of it updates it."""
    upsert: Insert = statement.on_conflict_do_update(
        index_elements=[T.c.participant_id, T.c.task_id],
        set_={name: statement.excluded[name] for name in PROGRESS_KEYS},
    )
    return upsert


# -- PostgreSQL: the whole save in one statement ---------------------------------------------

NudgeWrite = Literal["schedule", "drop", "drop_task"]
MOST_PROGRESS_ROWS = 3
"""A turn touches one task's progress, rarely two; more goes the way of several statements."""


@dataclass(frozen=True)
class SaveShape:
    """What a turn's save writes, which decides the statement (one statement per shape)."""

    participant: bool | None
    """The participant row: None untouched, else updated (True: with consent_at)."""
    progress: int
    """Progress rows upserted, as b_p0_..., b_p1_..."""
    events: bool
    """Events, as arrays b_event_kinds, b_event_tasks, b_event_steps."""
    nudge: NudgeWrite | None
    """At most one nudge effect (two would update the same rows twice in one statement)."""
    durable: bool
    """False: the commit does not wait for the WAL flush (docs/operations.md)."""


@functools.cache
def whole_turn(shape: SaveShape) -> Select[Any]:
    """One statement for the whole save; it returns the participant's id when the version
    matched (and everything was written), no row when another turn saved first."""
    state = UPDATE_STATE.returning(S.c.participant_id).cte("saved_state")
    written = exists(select(state.c.participant_id))
    parts: list[Any] = []
    if shape.participant is not None:
        parts.append(_update_participant_after(state, shape.participant).cte("saved_participant"))
    if shape.progress:
        parts.append(_upsert_progress_rows(shape.progress, written).cte("saved_progress"))
    if shape.events:
        parts.append(_insert_events(written).cte("saved_events"))
    if shape.nudge == "schedule":
        # Different rows (key != b_key, key == b_key): no row is changed twice.
        parts.append(reminders.supersede_nudges(written).cte("superseded_nudges"))
        parts.append(reminders.upsert_nudge("postgresql", written).cte("scheduled_nudge"))
    elif shape.nudge is not None:
        parts.append(reminders.drop_nudges(shape.nudge == "drop_task", written).cte("dropped"))
    columns: list[ColumnElement[Any]] = [state.c.participant_id]
    if not shape.durable:
        # The statement is its own transaction; a local setting lasts until its commit.
        columns.append(func.set_config("synchronous_commit", "off", True))
    return select(*columns).add_cte(*parts)


def _typed(name: str, column: Any) -> Any:
    # A parameter in a SELECT list has no column to take its type from: say it.
    return bindparam(name, type_=column.type)


def _upsert_progress_rows(count: int, written: ColumnElement[bool]) -> Insert:
    keys = ("task_id", *PROGRESS_KEYS)
    rows = [
        select(_typed("b_id", T.c.participant_id), *(_typed(f"b_p{i}_{k}", T.c[k]) for k in keys))
        for i in range(count)
    ]
    source = (rows[0] if count == 1 else union_all(*rows)).subquery("progress")
    statement = postgresql.insert(T).from_select(
        ["participant_id", *keys], select(source).where(written)
    )
    return _on_task_conflict_update(statement)


def _insert_events(written: ColumnElement[bool]) -> Insert:
    # One row per element of the three arrays (unnest side by side in a SELECT list); the
    # other columns are the same for every event of a turn.
    return insert(E).from_select(
        list(EVENT_COLUMNS),
        select(
            bindparam("b_event_participant_id", type_=Integer),
            func.unnest(bindparam("b_event_kinds", type_=ARRAY(String))),
            func.unnest(bindparam("b_event_tasks", type_=ARRAY(String))),
            func.unnest(bindparam("b_event_steps", type_=ARRAY(String))),
            _typed("b_language", E.c.language),
            _typed("b_library_id", E.c.library_id),
            _typed("b_last_seen_at", E.c.at),
        ).where(written),
    )
