"""Effects: what a turn asks the service layer to do, as data. The engine never does I/O itself."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class RecordEvent:
    """An analytics event: what happened at which step. Never message text."""

    kind: str
    task_id: str | None = None
    step_id: str | None = None


@dataclass(frozen=True)
class ForgetConversation:
    """Participant declined consent: keep nothing about them beyond this conversation."""


@dataclass(frozen=True)
class ExportPersonalData:
    """Send everything stored about the participant as a JSON file (the right of access).

    The service attaches the file to this turn's reply whose key is `attach_to`."""

    attach_to: str


@dataclass(frozen=True)
class ErasePersonalData:
    """Erase the participant and everything linked to them (the right to erasure)."""


@dataclass(frozen=True)
class ScheduledReminder:
    """A message to send later: `kind` (e.g. "day_before"), when, and until when it still helps."""

    kind: str
    due_at: dt.datetime
    expires_at: dt.datetime


@dataclass(frozen=True)
class BookSlot:
    """Book one place in a slot; fails with EffectRejected("slot_taken") when it is full."""

    library_id: str
    branch_id: str
    start: dt.datetime
    end: dt.datetime
    capacity: int
    uid: str
    task_id: str | None = None
    step_id: str | None = None
    interpreter: bool = False
    language: str | None = None
    reminders: tuple[ScheduledReminder, ...] = ()


@dataclass(frozen=True)
class RescheduleAppointment:
    """Move the participant's appointment to another slot (same calendar UID, next sequence)."""

    appointment_id: int
    library_id: str
    branch_id: str
    start: dt.datetime
    end: dt.datetime
    capacity: int
    reminders: tuple[ScheduledReminder, ...] = ()


@dataclass(frozen=True)
class CancelAppointment:
    appointment_id: int


@dataclass(frozen=True)
class OpenHandover:
    """The participant asked for a person: a record staff read before helping."""

    library_id: str | None
    task_id: str | None
    step_id: str | None
    reason: str
    """stuck, failed, misunderstood, away or asked."""
    failures: int
    language: str | None


@dataclass(frozen=True)
class HandoverWords:
    """The participant's own words for staff: redacted, and in Dutch when a translator is set."""

    text: str
    """Already redacted (see Assistant)."""
    language: str
    dutch: str | None = None
    translated: bool = False
    provider: str | None = None
    """`dutch`, `translated` and `provider` are filled in by the service before saving, through
    the translation layer; `dutch` stays None when nothing translated the words."""


@dataclass(frozen=True)
class ScheduleNudge:
    """One friendly message if the participant stays away from an unfinished task."""

    task_id: str
    step_id: str
    due_at: dt.datetime
    expires_at: dt.datetime


@dataclass(frozen=True)
class DropNudges:
    """The task is done (or nudges were turned off): pending nudges are no longer wanted."""

    task_id: str | None = None


@dataclass(frozen=True)
class JoinClass:
    """The participant came through a trainer's invite link (`/start c_<code>`): make them a
    member of that class, with its library as theirs. An unknown code changes nothing."""

    code: str


Effect = (
    RecordEvent
    | ForgetConversation
    | ExportPersonalData
    | ErasePersonalData
    | BookSlot
    | RescheduleAppointment
    | CancelAppointment
    | OpenHandover
    | HandoverWords
    | ScheduleNudge
    | DropNudges
    | JoinClass
)


class EffectRejected(Exception):
    """An applier could not carry out an effect; the whole turn is rolled back.

    The service runs the engine again with `EffectFailed(reason, detail)`, so the participant gets
    an answer that fits (e.g. "just taken, here are other times").
    """

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail
