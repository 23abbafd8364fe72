"""The participant's state as the engine sees it: profile, conversation position and progress."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from enum import StrEnum
from typing import Any


class Screen(StrEnum):
    NEW = "new"
    LANGUAGE = "language"
    CONSENT = "consent"
    MENU = "menu"
    TASKS = "tasks"
    INTRO = "intro"
    STEP = "step"
    OFFER = "offer"
    OVERVIEW = "overview"
    HELP = "help"
    GLOSSARY = "glossary"
    # Privacy (flows/privacy.py): the /privacy overview and the "erase everything?" question.
    PRIVACY = "privacy"
    ERASE = "erase"
    # Booking an appointment at the library (flows/booking.py, flows/appointment.py).
    LIBRARY = "library"
    BRANCH = "branch"
    SLOTS = "slots"
    INTERPRETER = "interpreter"
    CONFIRM = "confirm"
    WORDS = "words"
    APPOINTMENT = "appointment"
    CANCEL = "cancel"
    NUDGES = "nudges"


class Consent(StrEnum):
    UNKNOWN = "unknown"
    GIVEN = "given"
    DECLINED = "declined"


class TaskStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    STUCK = "stuck"
    DONE = "done"


@dataclass(frozen=True)
class Profile:
    language: str | None = None
    consent: Consent = Consent.UNKNOWN
    library_id: str | None = None
    share_with_trainer: bool = False
    """The trainer may see this participant's own progress (not only group counts); withdrawable."""
    branch_id: str | None = None
    """The branch of their last booking: offered first next time."""
    nudges: bool = True
    """A friendly message after stopping in the middle of a task; they can turn it off."""
    nudge_limit: int = 1
    """At most this many such messages per task."""


@dataclass(frozen=True)
class ConversationState:
    screen: Screen = Screen.NEW
    task_id: str | None = None
    step_id: str | None = None
    keyboard: int = 0
    """Generation of the last keyboard shown; step buttons from older keyboards are stale."""
    misunderstood: int = 0
    """Messages in a row that were not understood."""
    extra: Mapping[str, Any] = field(default_factory=dict)
    """Room for flows added later (booking, privacy) without a schema change."""

    def to_json(self) -> str:
        # Not dataclasses.asdict: saved on every turn, and asdict's deep copy through every
        # field cost ~10x more. The same text as asdict gave: sorted keys, no spaces.
        data = {name: getattr(self, name) for name in _STATE_FIELDS}
        data["extra"] = dict(self.extra)
        return json.dumps(data, separators=(",", ":"), sort_keys=True)

    @classmethod
    def from_json(cls, raw: str | None) -> ConversationState:
        if not raw:
            return cls()
        data = json.loads(raw)
        try:
            screen = Screen(data.get("screen", Screen.NEW))
        except ValueError:
            screen = Screen.MENU  # a screen removed in a newer version: start from the menu
        return cls(
            screen=screen,
            task_id=data.get("task_id"),
            step_id=data.get("step_id"),
            keyboard=int(data.get("keyboard", 0)),
            misunderstood=int(data.get("misunderstood", 0)),
            extra=data.get("extra") or {},
        )

    def at(self, screen: Screen, **changes: Any) -> ConversationState:
        return replace(self, screen=screen, **changes)


_STATE_FIELDS = tuple(f.name for f in fields(ConversationState))


@dataclass(frozen=True)
class Progress:
    task_id: str
    step_id: str
    status: TaskStatus
    started_at: dt.datetime
    updated_at: dt.datetime
    completed_at: dt.datetime | None = None
    failures: Mapping[str, int] = field(default_factory=dict)
    """How often each step did not work ("didn't work" presses)."""


@dataclass(frozen=True)
class AppointmentInfo:
    """The participant's coming appointment, as the booking flow needs it."""

    id: int
    branch_id: str
    start: dt.datetime
    """Aware, UTC."""
    end: dt.datetime
    uid: str
    """The calendar (.ics) UID: stays the same when the appointment is moved."""
    sequence: int = 0
    task_id: str | None = None
    interpreter: bool = False


@dataclass(frozen=True)
class BookingView:
    """What the database knows that booking needs; filled by the service only when needed."""

    owner: str
    """An opaque reference to this participant, used in calendar UIDs."""
    appointment: AppointmentInfo | None = None
    booked: Mapping[str, tuple[tuple[dt.datetime, dt.datetime], ...]] = field(default_factory=dict)
    """Branch id -> (start, end) of the bookings that take a place, for the branches asked for."""


@dataclass(frozen=True)
class Snapshot:
    """Everything the engine may know about one participant at the start of a turn."""

    profile: Profile = Profile()
    state: ConversationState = ConversationState()
    progress: Mapping[str, Progress] = field(default_factory=dict)
    last_seen: dt.datetime | None = None
    bookings: BookingView | None = None
    """Only present when the turn may need it (booking flow, /appointment): see Assistant."""
