"""Appointment wording shared by the chat, reminders and staff messages: place, time, what to
bring, and the calendar file. Pure: texts come from the catalogues, times are passed in."""

from __future__ import annotations

import datetime as dt

from bot.appointments.calendar import AMSTERDAM, SlotTime
from bot.appointments.formatting import format_slot_range
from bot.appointments.ics import CalendarEvent, Status, appointment_ics
from bot.appointments.schema import Branch, Library
from bot.content import keys
from bot.content.loader import Content
from bot.conversation.replies import Attachment, Link
from bot.language.bidi import strip_isolates
from bot.language.texts import Texts

ICS_MIME = "text/calendar"
ICS_FILENAME = "afspraak-bibliotheek.ics"
DEFAULT_BRING = ("booking.bring_document", "booking.bring_phone", "booking.bring_letters")
"""What to bring when the appointment is not about one task."""


def branch_of(content: Content, branch_id: str) -> Branch | None:
    try:
        return content.libraries.branch(branch_id)
    except KeyError:
        return None


def library_of(content: Content, branch_id: str) -> Library | None:
    try:
        return content.libraries.library_of(branch_id)
    except KeyError:
        return None


def place(content: Content, branch_id: str) -> str:
    """E.g. "Stadkamer Centrum, Zeven Alleetjes, Zwolle" (only the address parts we know)."""
    branch = branch_of(content, branch_id)
    if branch is None:
        return branch_id
    return f"{branch.name}, {branch.address.one_line()}"


def slot(branch_id: str, start: dt.datetime, end: dt.datetime) -> SlotTime:
    return SlotTime(branch_id, start.astimezone(AMSTERDAM), end.astimezone(AMSTERDAM))


def when(start: dt.datetime, end: dt.datetime, language: str) -> str:
    """E.g. "donderdag 26 november, 14:00–14:45", in the participant's language (Babel)."""
    return format_slot_range(slot("", start, end), language)


def bring(texts: Texts, content: Content, task_id: str | None) -> str:
    """What to bring for this task, and never a password."""
    task = content.tasks.get(task_id) if task_id else None
    if task is not None and task.bring:
        items = [texts(keys.bring_item(task.id, item.id)) for item in task.bring]
    else:
        items = [texts(key) for key in DEFAULT_BRING]
    lines = [texts("booking.bring_heading")]
    lines += [texts("booking.bring_item", item=item) for item in items]
    lines.append(texts("booking.never_password"))
    return "\n".join(lines)


def details(
    texts: Texts,
    content: Content,
    key: str,
    branch_id: str,
    start: dt.datetime,
    end: dt.datetime,
    **params: object,
) -> str:
    """A message with {place} and {when} filled in for this appointment."""
    return texts(key, place=place(content, branch_id), when=when(start, end, texts.lang), **params)


def website(texts: Texts, content: Content, branch_id: str) -> Link | None:
    library = library_of(content, branch_id)
    return Link(texts("booking.website"), library.website) if library else None


def calendar_file(
    texts: Texts,
    content: Content,
    *,
    uid: str,
    sequence: int,
    branch_id: str,
    start: dt.datetime,
    end: dt.datetime,
    task_id: str | None,
    now: dt.datetime,
    cancelled: bool = False,
) -> Attachment:
    """The participant's .ics file, in their language; a cancelled one removes it again."""
    event = CalendarEvent(
        uid=uid,
        start=start,
        end=end,
        summary=strip_isolates(texts("booking.calendar_summary")),
        location=strip_isolates(place(content, branch_id)),
        description=strip_isolates(bring(texts, content, task_id)),
        status=Status.CANCELLED if cancelled else Status.CONFIRMED,
        sequence=sequence,
    )
    return Attachment(ICS_FILENAME, appointment_ics(event, dtstamp=now), ICS_MIME)


def calendar_uid(owner: str, now: dt.datetime) -> str:
    """A UID for a new appointment: who booked (an opaque reference) and when, never a name."""
    return f"{owner}-{now.astimezone(dt.UTC):%Y%m%dT%H%M%S%f}@wegwijs.invalid"
