"""Tables of the staff and trainer dashboard: accounts, sessions, tokens, audit log, classes,
homework, notes, and the branch settings staff change on top of knowledge/libraries.yml.

Passwords and tokens are stored only as hashes. The audit log keeps a participant's number
without a foreign key on purpose: who looked at whose data stays on record after an erasure,
and the number of an erased participant points at nobody.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql import true

from bot.store.models import Base, UtcDateTime

ROLES = ("admin", "staff", "trainer")


class StaffUser(Base):
    """Someone who logs in to the dashboard: an admin, a library staff member or a trainer."""

    __tablename__ = "staff_users"
    __table_args__ = (
        UniqueConstraint("email"),
        CheckConstraint("role IN ('admin', 'staff', 'trainer')", name="role"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    """Lower case; the login name."""
    name: Mapped[str | None] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(16))
    library_id: Mapped[str | None] = mapped_column(String(64))
    """The library organisation they work for; None only for an admin of all libraries."""
    password_hash: Mapped[str] = mapped_column(String(255))
    """argon2id, with its parameters (argon2-cffi's encoded form)."""
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())


class WebSession(Base):
    """A logged-in browser. The cookie holds a random secret; only its SHA-256 is kept here."""

    __tablename__ = "web_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("staff_users.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    last_seen_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), index=True)


class ApiToken(Base):
    """A token for library systems; it acts with the role and library of its user."""

    __tablename__ = "api_tokens"
    __table_args__ = (UniqueConstraint("token_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("staff_users.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(80))
    prefix: Mapped[str] = mapped_column(String(16))
    """The first characters of the token, to recognise it in a list; not enough to use it."""
    token_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())


class LoginFailure(Base):
    """A failed login, for rate limiting per e-mail address and per client address."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    ip: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), index=True)


class AuditEntry(Base):
    """Every access to a participant's data through the dashboard or the API."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_participant", "participant_id", "at"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), index=True)
    user_id: Mapped[int | None] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(254))
    """The e-mail address of the user (and the token's prefix for API calls)."""
    role: Mapped[str] = mapped_column(String(16))
    via: Mapped[str] = mapped_column(String(8))
    """web or api."""
    action: Mapped[str] = mapped_column(String(48))
    library_id: Mapped[str | None] = mapped_column(String(64))
    participant_id: Mapped[int | None] = mapped_column(Integer)
    subject: Mapped[str | None] = mapped_column(String(80))
    """What was looked at or changed, e.g. "handover:12", "agenda:stadkamer-centrum:2026-11-24"."""


class DashboardSetting(Base):
    """Small values the dashboard keeps, e.g. the generated session key when SECRET_KEY is unset."""

    __tablename__ = "dashboard_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class TrainingClass(Base):
    """A trainer's group ("Class" in the design); participants join it by its invite code."""

    __tablename__ = "training_classes"
    __table_args__ = (UniqueConstraint("code"), Index("ix_training_classes_library", "library_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    library_id: Mapped[str] = mapped_column(String(64))
    trainer_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    code: Mapped[str] = mapped_column(String(40))
    """In the invite link: https://t.me/<bot>?start=c_<code>."""
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    archived_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())


class ClassMeeting(Base):
    __tablename__ = "class_meetings"
    __table_args__ = (UniqueConstraint("class_id", "meets_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("training_classes.id", ondelete="CASCADE"))
    meets_on: Mapped[dt.date] = mapped_column(Date)


class ClassMember(Base):
    """A participant who joined a class through its link."""

    __tablename__ = "class_members"

    class_id: Mapped[int] = mapped_column(
        ForeignKey("training_classes.id", ondelete="CASCADE"), primary_key=True
    )
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    joined_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class Homework(Base):
    """A task the trainer asks the class to do by a date; members get a nudge before a meeting."""

    __tablename__ = "homework"
    __table_args__ = (UniqueConstraint("class_id", "task_id", "due_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("training_classes.id", ondelete="CASCADE"))
    task_id: Mapped[str] = mapped_column(String(40))
    due_on: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    created_by: Mapped[int | None] = mapped_column(Integer)


class AppointmentNote(Base):
    """A staff note on an appointment (e.g. "bring the letter from the Belastingdienst")."""

    __tablename__ = "appointment_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    appointment_id: Mapped[int] = mapped_column(
        ForeignKey("appointments.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    library_id: Mapped[str] = mapped_column(String(64))
    author_id: Mapped[int | None] = mapped_column(Integer)
    author: Mapped[str] = mapped_column(String(254))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class BranchSettings(Base):
    """What staff changed about a branch: opening hours, appointment windows (the slot template),
    appointment length, seats per slot, holiday rules. Each is a field of `data`; a field that is
    not there keeps the value from knowledge/libraries.yml."""

    __tablename__ = "branch_settings"

    branch_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    library_id: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    updated_by: Mapped[str] = mapped_column(String(254))


class BranchClosure(Base):
    """A closure or extra holiday staff entered, on top of those in knowledge/libraries.yml."""

    __tablename__ = "branch_closures"
    __table_args__ = (Index("ix_branch_closures_branch", "branch_id", "starts_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    branch_id: Mapped[str] = mapped_column(String(64))
    library_id: Mapped[str] = mapped_column(String(64))
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(120))
    closed_from: Mapped[str | None] = mapped_column(String(5))
    """"16:30": closed from then on each day; None with closed_until None means the whole day."""
    closed_until: Mapped[str | None] = mapped_column(String(5))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    created_by: Mapped[str] = mapped_column(String(254))


class LibraryRecord(Base):
    """A library organisation an admin added in the dashboard (same schema as libraries.yml)."""

    __tablename__ = "library_records"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    data: Mapped[dict[str, object]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    updated_by: Mapped[str] = mapped_column(String(254))
