"""Tables. Message text is never stored here (progress, state, anonymous events), except the
redacted words a participant wrote for library staff in a handover."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.sql import false, true
from sqlalchemy.types import TypeDecorator

# Stable constraint names keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[dt.datetime]):
    """Aware UTC datetimes on every backend (SQLite forgets the zone otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: object) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database")
        return value.astimezone(dt.UTC)

    def process_result_value(
        self, value: dt.datetime | None, dialect: object
    ) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Participant(Base):
    __tablename__ = "participants"
    __table_args__ = (UniqueConstraint("channel", "chat_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    language: Mapped[str | None] = mapped_column(String(8))
    consent: Mapped[str] = mapped_column(String(16), default="unknown")
    consent_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    library_id: Mapped[str | None] = mapped_column(String(64))
    share_with_trainer: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    """The participant's trainer may see their own progress, not only group counts."""
    branch_id: Mapped[str | None] = mapped_column(String(64))
    """The branch of their last booking, offered first next time."""
    nudges_enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    nudges_max: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    """At most this many "between sessions" nudges per task."""
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    last_seen_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), index=True)


class ConversationStateRow(Base):
    __tablename__ = "conversation_states"

    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True
    )
    data: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)
    """Optimistic lock: a turn only saves if nobody else saved since it read."""
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class TaskProgressRow(Base):
    __tablename__ = "task_progress"
    __table_args__ = (
        UniqueConstraint("participant_id", "task_id"),
        Index("ix_task_progress_task_status", "task_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    task_id: Mapped[str] = mapped_column(String(40))
    step_id: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(16))
    failures: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    started_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    completed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())


class Event(Base):
    """What happened at which step, for the trainers' and libraries' insight. Never message text."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_task_kind", "task_id", "kind"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(32))
    task_id: Mapped[str | None] = mapped_column(String(40))
    step_id: Mapped[str | None] = mapped_column(String(40))
    language: Mapped[str | None] = mapped_column(String(8))
    library_id: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), index=True)


class Appointment(Base):
    """A booked place at a library branch. No double booking by construction: a slot has seats
    1..capacity and (branch, start, seat) is unique; a cancelled appointment gives its seat back
    (seat NULL). Erasing the participant keeps the row, anonymous, for the library's counts."""

    __tablename__ = "appointments"
    __table_args__ = (
        UniqueConstraint("branch_id", "starts_at", "seat"),
        CheckConstraint("seat IS NULL OR seat >= 1", name="seat"),
        Index("ix_appointments_branch_start", "branch_id", "starts_at"),
        Index("ix_appointments_participant_status", "participant_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="SET NULL")
    )
    library_id: Mapped[str] = mapped_column(String(64))
    branch_id: Mapped[str] = mapped_column(String(64))
    starts_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    ends_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    seat: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    """booked, cancelled, attended or no_show."""
    task_id: Mapped[str | None] = mapped_column(String(40))
    step_id: Mapped[str | None] = mapped_column(String(40))
    interpreter: Mapped[bool] = mapped_column(Boolean, default=False)
    uid: Mapped[str] = mapped_column(String(160))
    """Calendar UID, kept when the appointment is moved (the moved one is a new row)."""
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    previous_id: Mapped[int | None] = mapped_column(
        ForeignKey("appointments.id", ondelete="SET NULL")
    )
    booked_by: Mapped[str] = mapped_column(String(16))
    """participant or staff."""
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class Reminder(Base):
    """A message to send later (appointment reminder or nudge), claimed by one sender only."""

    __tablename__ = "reminders"
    __table_args__ = (
        UniqueConstraint("key"),
        Index("ix_reminders_status_due", "status", "due_at"),
        Index("ix_reminders_participant_kind", "participant_id", "kind", "status"),
        Index("ix_reminders_appointment", "appointment_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    """day_before, soon or nudge."""
    key: Mapped[str] = mapped_column(String(160))
    """Names the reminder, so the same one can never be scheduled twice."""
    due_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    appointment_id: Mapped[int | None] = mapped_column(
        ForeignKey("appointments.id", ondelete="CASCADE")
    )
    task_id: Mapped[str | None] = mapped_column(String(40))
    step_id: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(16))
    """pending, claimed, sent or dropped."""
    claim_token: Mapped[str | None] = mapped_column(String(40))
    claimed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    sent_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    drop_reason: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class Handover(Base):
    """What staff need to help at once: the task, the step, what failed, and the person's words.

    `words_original` is redacted before it gets here; `words_dutch` is the machine translation,
    NULL when no translator is configured."""

    __tablename__ = "handovers"
    __table_args__ = (
        Index("ix_handovers_library_status", "library_id", "status", "created_at"),
        Index("ix_handovers_participant", "participant_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="SET NULL")
    )
    library_id: Mapped[str | None] = mapped_column(String(64))
    appointment_id: Mapped[int | None] = mapped_column(
        ForeignKey("appointments.id", ondelete="SET NULL")
    )
    task_id: Mapped[str | None] = mapped_column(String(40))
    step_id: Mapped[str | None] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(String(16))
    failures: Mapped[int] = mapped_column(Integer, default=0)
    language: Mapped[str | None] = mapped_column(String(8))
    interpreter: Mapped[bool] = mapped_column(Boolean, default=False)
    words_original: Mapped[str | None] = mapped_column(Text)
    words_dutch: Mapped[str | None] = mapped_column(Text)
    translated: Mapped[bool] = mapped_column(Boolean, default=False)
    translation_provider: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    """new, claimed or done."""
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    closed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
