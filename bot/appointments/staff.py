"""Staff-side services the dashboard builds on: handovers, follow-up bookings, agenda, .ics files.

Everything goes through the store; a change that concerns the participant (a follow-up booked
for them, their appointment moved or cancelled) sends them a message in their own language
through the `Notifier`, with the calendar file attached. Staff-facing wording is Dutch.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.appointments import notices, render
from bot.appointments.calendar import AMSTERDAM, SlotTime, candidate_slots, free_slots
from bot.appointments.ics import CalendarEvent, Status, agenda_ics, appointment_ics
from bot.appointments.planning import appointment_reminders
from bot.appointments.policy import AppointmentPolicy, policy_of
from bot.appointments.schema import Branch
from bot.clock import Clock
from bot.content import keys
from bot.content.loader import Content
from bot.conversation.effects import EffectRejected
from bot.language.texts import Texts
from bot.notify import Notifier
from bot.store.appointments import (
    ATTENDED,
    NO_SHOW,
    AppointmentRecord,
    AppointmentStore,
    NewBooking,
)
from bot.store.db import Database
from bot.store.handovers import DONE, OPEN, HandoverRecord, HandoverStore

if TYPE_CHECKING:
    from bot.app import App

TextsFor = Callable[[str], Texts]

# Staff read Dutch; these labels are for library staff's calendars, not for participants.
STAFF_SUMMARY = "Wegwijs-afspraak: {topic} ({language})"
STAFF_TOPIC_NONE = "hulp digitale overheid"
STAFF_INTERPRETER = "tolk gevraagd"
STAFF_CALENDAR = "Wegwijs-afspraken {branch} {day}"


class SlotUnavailable(Exception):
    """The slot is full, in the past, or not a slot of that branch's calendar."""


class NotFound(LookupError):
    """No such appointment, handover or participant."""


@dataclass(frozen=True)
class AgendaEntry:
    appointment_id: int
    participant_id: int | None
    library_id: str
    branch_id: str
    branch_name: str
    start: dt.datetime
    """Local time (Europe/Amsterdam)."""
    end: dt.datetime
    status: str
    task_id: str | None
    task_title: str | None
    """Dutch."""
    language: str | None
    interpreter: bool
    booked_by: str
    uid: str
    sequence: int


@dataclass(frozen=True)
class HandoverView:
    """One handover as staff read it: Dutch task and step, what failed, and the person's words."""

    id: int
    status: str
    participant_id: int | None
    library_id: str | None
    task_id: str | None
    task_title: str | None
    step_id: str | None
    step_number: int | None
    step_count: int | None
    step_text: str | None
    reason: str
    """stuck, failed, misunderstood, away, asked or booked."""
    failures: int
    language: str | None
    language_name: str | None
    interpreter: bool
    words_original: str | None
    """Redacted, in the participant's language."""
    words_dutch: str | None
    translation: str
    """"source" (written in Dutch), "translated", "not_translated" or "none" (no words)."""
    translation_provider: str | None
    appointment: AgendaEntry | None
    claimed_by: str | None
    created_at: dt.datetime


@dataclass(frozen=True)
class Booked:
    entry: AgendaEntry
    notified: bool
    """False when the participant could not be reached or gave no consent for messages."""


class StaffDesk:
    def __init__(
        self,
        db: Database,
        content: Content,
        texts_for: TextsFor,
        notifier: Notifier,
        clock: Clock,
        *,
        policy: AppointmentPolicy | None = None,
    ) -> None:
        self.appointments = AppointmentStore(db)
        self.handover_store = HandoverStore(db)
        self.content = content
        self.texts_for = texts_for
        self.notifier = notifier
        self.clock = clock
        self.policy = policy or policy_of(content)

    @classmethod
    def for_app(cls, app: App, notifier: Notifier) -> StaffDesk:
        return cls(app.db, app.content, app.engine.texts, notifier, app.clock)

    # -- handovers ------------------------------------------------------------------------------
    async def handovers(self, library_id: str, *, include_done: bool = False) -> list[HandoverView]:
        """The library's handovers, newest first (open ones only unless `include_done`)."""
        statuses = (*OPEN, DONE) if include_done else OPEN
        records = await self.handover_store.for_library(library_id, statuses)
        return [await self._handover_view(record) for record in records]

    async def handover(self, handover_id: int) -> HandoverView:
        record = await self.handover_store.get(handover_id)
        if record is None:
            raise NotFound(f"handover {handover_id}")
        return await self._handover_view(record)

    async def claim(self, handover_id: int, staff: str) -> bool:
        """True if this staff member now has it; False if it was already claimed or closed."""
        return await self.handover_store.claim(handover_id, staff, self.clock.now())

    async def close(self, handover_id: int) -> bool:
        return await self.handover_store.close(handover_id, self.clock.now())

    # -- slots and bookings ---------------------------------------------------------------------
    async def free_slots(self, branch_id: str, count: int = 10) -> list[SlotTime]:
        branch = self._branch(branch_id)
        now = self.clock.now()
        horizon = self.policy.booking.horizon
        candidates = candidate_slots(branch, now, now + horizon, now=now)
        booked = await self.appointments.booked_times(branch_id, now, now + horizon)
        return free_slots(branch, candidates, booked)[:count]

    async def book_follow_up(
        self,
        participant_id: int,
        branch_id: str,
        start: dt.datetime,
        *,
        handover_id: int | None = None,
        task_id: str | None = None,
        interpreter: bool | None = None,
    ) -> Booked:
        """Book a follow-up for a participant and tell them, in their language, with the .ics."""
        contact = await self.appointments.contact(participant_id)
        if contact is None:
            raise NotFound(f"participant {participant_id}")
        handover = await self.handover_store.get(handover_id) if handover_id else None
        if handover_id and handover is None:
            raise NotFound(f"handover {handover_id}")
        slot = self._slot(branch_id, start)
        now = self.clock.now()
        library = render.library_of(self.content, branch_id)
        assert library is not None
        booking = NewBooking(
            participant_id=participant_id,
            library_id=library.id,
            branch_id=branch_id,
            start=slot.start_utc,
            end=slot.end_utc,
            capacity=self._branch(branch_id).capacity,
            uid=render.calendar_uid(f"p{participant_id}", now),
            task_id=task_id or (handover.task_id if handover else None),
            step_id=handover.step_id if handover else None,
            interpreter=bool(
                interpreter if interpreter is not None else (handover and handover.interpreter)
            ),
            language=contact.language,
            booked_by="staff",
            handover_id=handover_id,
        )
        planned = appointment_reminders(slot.start_utc, now, self.policy)
        try:
            appointment_id = await self.appointments.book(booking, planned, now)
        except EffectRejected as rejected:
            raise SlotUnavailable(f"{branch_id} {start.isoformat()} is full") from rejected
        record = await self._record(appointment_id)
        notified = await self._tell(contact.participant_id, record, "staff.booked")
        return Booked(self._entry(record, contact.language), notified)

    async def reschedule(
        self, appointment_id: int, start: dt.datetime, *, branch_id: str | None = None
    ) -> Booked:
        old = await self._record(appointment_id)
        target = branch_id or old.branch_id
        slot = self._slot(target, start)
        library = render.library_of(self.content, target)
        assert library is not None
        now = self.clock.now()
        try:
            new_id = await self.appointments.move(
                appointment_id,
                participant_id=None,
                library_id=library.id,
                branch_id=target,
                start=slot.start_utc,
                end=slot.end_utc,
                capacity=self._branch(target).capacity,
                planned=appointment_reminders(slot.start_utc, now, self.policy),
                booked_by="staff",
                now=now,
            )
        except EffectRejected as rejected:
            if rejected.reason == "slot_taken":
                raise SlotUnavailable(f"{target} {start.isoformat()} is full") from rejected
            raise NotFound(f"appointment {appointment_id} is not booked") from rejected
        record = await self._record(new_id)
        notified = await self._tell(record.participant_id, record, "staff.moved")
        return Booked(await self._entry_of(record), notified)

    async def cancel(self, appointment_id: int) -> bool:
        """Cancel and tell the participant; False when it was not booked (nothing changed)."""
        old = await self.appointments.cancel(appointment_id, self.clock.now())
        if old is None:
            return False
        await self._tell(old.participant_id, old, "staff.cancelled", cancelled=True)
        return True

    async def mark_attended(self, appointment_id: int) -> AgendaEntry:
        return await self._set_status(appointment_id, ATTENDED)

    async def mark_no_show(self, appointment_id: int) -> AgendaEntry:
        return await self._set_status(appointment_id, NO_SHOW)

    # -- agenda and calendar files --------------------------------------------------------------
    async def agenda(self, branch_id: str, day: dt.date) -> list[AgendaEntry]:
        """A branch's appointments on a local day, earliest first (cancelled ones left out)."""
        start, end = _local_day(day)
        records = await self.appointments.agenda(branch_id, start, end)
        languages = await self.appointments.languages(r.participant_id for r in records)
        return [self._entry(r, languages.get(r.participant_id or 0)) for r in records]

    async def appointment_ics(self, appointment_id: int) -> bytes:
        record = await self._record(appointment_id)
        language = (await self.appointments.languages([record.participant_id])).get(
            record.participant_id or 0
        )
        return appointment_ics(self._staff_event(record, language), dtstamp=self.clock.now())

    async def agenda_ics(self, branch_id: str, day: dt.date) -> bytes | None:
        """The day's agenda as one calendar file; None when there is nothing that day."""
        start, end = _local_day(day)
        records = await self.appointments.agenda(branch_id, start, end)
        if not records:
            return None
        languages = await self.appointments.languages(r.participant_id for r in records)
        name = STAFF_CALENDAR.format(branch=self._branch(branch_id).name, day=day.isoformat())
        events = [self._staff_event(r, languages.get(r.participant_id or 0)) for r in records]
        return agenda_ics(events, dtstamp=self.clock.now(), name=name)

    # -- helpers --------------------------------------------------------------------------------
    def _branch(self, branch_id: str) -> Branch:
        branch = render.branch_of(self.content, branch_id)
        if branch is None:
            raise NotFound(f"branch {branch_id}")
        return branch

    def _slot(self, branch_id: str, start: dt.datetime) -> SlotTime:
        branch = self._branch(branch_id)
        now = self.clock.now()
        if start.tzinfo is None:
            raise ValueError("start must be an aware datetime")
        day_start, day_end = _local_day(start.astimezone(AMSTERDAM).date())
        for candidate in candidate_slots(branch, day_start, day_end, now=now):
            if candidate.start_utc == start.astimezone(dt.UTC):
                return candidate
        raise SlotUnavailable(f"{start.isoformat()} is not a future slot of {branch_id}")

    async def _record(self, appointment_id: int) -> AppointmentRecord:
        record = await self.appointments.get(appointment_id)
        if record is None:
            raise NotFound(f"appointment {appointment_id}")
        return record

    async def _set_status(self, appointment_id: int, status: str) -> AgendaEntry:
        record = await self.appointments.set_status(appointment_id, status, self.clock.now())
        if record is None:
            raise NotFound(f"appointment {appointment_id} was cancelled or does not exist")
        return await self._entry_of(record)

    async def _entry_of(self, record: AppointmentRecord) -> AgendaEntry:
        languages = await self.appointments.languages([record.participant_id])
        return self._entry(record, languages.get(record.participant_id or 0))

    def _dutch(self, key: str) -> str:
        return self.texts_for(self.content.languages.source)(key)

    def _entry(self, record: AppointmentRecord, language: str | None) -> AgendaEntry:
        branch = render.branch_of(self.content, record.branch_id)
        return AgendaEntry(
            appointment_id=record.id,
            participant_id=record.participant_id,
            library_id=record.library_id,
            branch_id=record.branch_id,
            branch_name=branch.name if branch else record.branch_id,
            start=record.starts_at.astimezone(AMSTERDAM),
            end=record.ends_at.astimezone(AMSTERDAM),
            status=record.status,
            task_id=record.task_id,
            task_title=self._task_title(record.task_id),
            language=language,
            interpreter=record.interpreter,
            booked_by=record.booked_by,
            uid=record.uid,
            sequence=record.sequence,
        )

    def _task_title(self, task_id: str | None) -> str | None:
        if task_id is None or task_id not in self.content.tasks:
            return None
        return self._dutch(keys.task_title(task_id))

    def _staff_event(self, record: AppointmentRecord, language: str | None) -> CalendarEvent:
        topic = self._task_title(record.task_id) or STAFF_TOPIC_NONE
        summary = STAFF_SUMMARY.format(topic=topic, language=language or "?")
        if record.interpreter:
            summary += f", {STAFF_INTERPRETER}"
        return CalendarEvent(
            uid=f"staff-{record.uid}",
            start=record.starts_at,
            end=record.ends_at,
            summary=summary,
            location=render.place(self.content, record.branch_id),
            status=Status.CANCELLED if record.status == "cancelled" else Status.CONFIRMED,
            sequence=record.sequence,
        )

    async def _handover_view(self, record: HandoverRecord) -> HandoverView:
        task = self.content.tasks.get(record.task_id or "")
        index = task.step_index(record.step_id) if task and record.step_id else None
        appointment = None
        if record.appointment_id is not None:
            found = await self.appointments.get(record.appointment_id)
            appointment = self._entry(found, record.language) if found else None
        language = next(
            (lang for lang in self.content.languages.languages if lang.code == record.language),
            None,
        )
        return HandoverView(
            id=record.id,
            status=record.status,
            participant_id=record.participant_id,
            library_id=record.library_id,
            task_id=record.task_id,
            task_title=self._task_title(record.task_id),
            step_id=record.step_id,
            step_number=index + 1 if index is not None else None,
            step_count=len(task.steps) if task else None,
            step_text=(
                self._dutch(keys.step_field(task.id, record.step_id, "text"))
                if task and index is not None and record.step_id
                else None
            ),
            reason=record.reason,
            failures=record.failures,
            language=record.language,
            language_name=language.name if language else None,
            interpreter=record.interpreter,
            words_original=record.words_original,
            words_dutch=record.words_dutch,
            translation=_translation_status(record),
            translation_provider=record.translation_provider,
            appointment=appointment,
            claimed_by=record.claimed_by,
            created_at=record.created_at,
        )

    async def _tell(
        self,
        participant_id: int | None,
        record: AppointmentRecord,
        key: str,
        *,
        cancelled: bool = False,
    ) -> bool:
        """The participant's message about a change staff made, with the calendar file."""
        if participant_id is None:
            return False
        contact = await self.appointments.contact(participant_id)
        if contact is None or contact.consent != "given":
            return False
        texts = self.texts_for(contact.language or self.content.languages.source)
        booking = notices.Booking(
            branch_id=record.branch_id,
            start=record.starts_at,
            end=record.ends_at,
            task_id=record.task_id,
            uid=record.uid,
            sequence=record.sequence,
        )
        replies = notices.staff_change(
            texts, self.content, key, booking, self.clock.now(), cancelled=cancelled
        )
        try:
            return await self.notifier.notify(contact.channel, contact.chat_id, replies)
        except Exception:
            return False


def _local_day(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time(0), tzinfo=AMSTERDAM)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=AMSTERDAM)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def _translation_status(record: HandoverRecord) -> str:
    if not record.words_original:
        return "none"
    if record.language == "nl":
        return "source"
    return "translated" if record.translated and record.words_dutch else "not_translated"
