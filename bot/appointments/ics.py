"""RFC 5545 calendar files: one appointment for the participant, a day's agenda for staff.

Times are written in UTC with the `Z` suffix (RFC 5545 §3.3.5 form 2) rather than TZID with a
VTIMEZONE block: a UTC time means one instant whatever the reader's zone or rules database, needs
no VTIMEZONE we would have to keep in step with the EU daylight-saving rules, and every calendar
app shows it in the phone's own (here Dutch) local time. The local time is also written in the
DESCRIPTION by the caller if it wants people to read it there.

Output is bytes: UTF-8, CRLF line endings, content lines folded at 75 octets without splitting a
UTF-8 character (§3.1). TEXT values escape backslash, semicolon, comma and newlines (§3.3.11).
Nothing about the participant goes in unless the caller puts it in `summary` or `description`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.appointments.calendar import UTC, SlotTime

PRODID = "-//Wegwijs//Appointments 1.0//NL"
CRLF = "\r\n"
MAX_OCTETS = 75


class Status(StrEnum):
    CONFIRMED = "CONFIRMED"
    TENTATIVE = "TENTATIVE"
    CANCELLED = "CANCELLED"


@dataclass(frozen=True)
class CalendarEvent:
    """One VEVENT. `uid` must stay the same for updates and cancellations of one appointment."""

    uid: str
    start: dt.datetime
    end: dt.datetime
    summary: str
    location: str = ""
    description: str = ""
    status: Status = Status.CONFIRMED
    sequence: int = 0
    """Raise by one each time the appointment changes, so calendars replace the old copy."""

    def __post_init__(self) -> None:
        for name in ("start", "end"):
            value: dt.datetime = getattr(self, name)
            if value.tzinfo is None or value.utcoffset() is None:
                raise ValueError(f"{name} must be an aware datetime")
        if self.end <= self.start:
            raise ValueError("end must be after start")
        if not self.uid or any(ch in self.uid for ch in "\r\n"):
            raise ValueError("uid must be a non-empty single line")


def event_for_slot(
    slot: SlotTime,
    *,
    uid: str,
    summary: str,
    location: str,
    description: str = "",
    status: Status = Status.CONFIRMED,
    sequence: int = 0,
) -> CalendarEvent:
    """A CalendarEvent for a slot; the texts come from the caller (translated message keys)."""
    return CalendarEvent(
        uid=uid,
        start=slot.start,
        end=slot.end,
        summary=summary,
        location=location,
        description=description,
        status=status,
        sequence=sequence,
    )


def slot_uid(slot: SlotTime, reference: str, domain: str = "wegwijs.invalid") -> str:
    """A stable UID from a booking reference (not personal data) and the slot."""
    return f"{reference}-{slot.branch_id}-{utc_stamp(slot.start)}@{domain}"


def utc_stamp(moment: dt.datetime) -> str:
    """An RFC 5545 UTC DATE-TIME, e.g. 20260330T080000Z."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("an aware datetime is needed")
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def escape_text(value: str) -> str:
    """Escape a TEXT value: backslash first, then ; and , and newlines as \\n."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold(line: str) -> str:
    """Fold one content line into pieces of at most 75 octets, joined by CRLF + space.

    Continuation lines start with a space that counts towards their 75 octets. A piece never
    ends inside a UTF-8 multi-byte sequence.
    """
    pieces: list[str] = []
    current = ""
    current_octets = 0
    limit = MAX_OCTETS
    for char in line:
        size = len(char.encode("utf-8"))
        if current_octets + size > limit:
            pieces.append(current)
            current, current_octets = "", 0
            limit = MAX_OCTETS - 1  # room for the leading space of a continuation line
        current += char
        current_octets += size
    pieces.append(current)
    return (CRLF + " ").join(pieces)


def _event_lines(event: CalendarEvent, dtstamp: dt.datetime) -> list[str]:
    lines = [
        "BEGIN:VEVENT",
        f"UID:{event.uid}",
        f"DTSTAMP:{utc_stamp(dtstamp)}",
        f"DTSTART:{utc_stamp(event.start)}",
        f"DTEND:{utc_stamp(event.end)}",
        f"SUMMARY:{escape_text(event.summary)}",
    ]
    if event.location:
        lines.append(f"LOCATION:{escape_text(event.location)}")
    if event.description:
        lines.append(f"DESCRIPTION:{escape_text(event.description)}")
    lines += [
        f"STATUS:{event.status.value}",
        f"SEQUENCE:{event.sequence}",
        "TRANSP:OPAQUE",
        "END:VEVENT",
    ]
    return lines


def calendar(
    events: Sequence[CalendarEvent] | Iterable[CalendarEvent],
    *,
    dtstamp: dt.datetime,
    name: str | None = None,
) -> bytes:
    """A VCALENDAR with the given events. `dtstamp` is when the file is made (passed in).

    METHOD is CANCEL when every event is cancelled, otherwise PUBLISH.
    """
    events = list(events)
    if not events:
        raise ValueError("a calendar file needs at least one event")
    method = "CANCEL" if all(e.status is Status.CANCELLED for e in events) else "PUBLISH"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        f"METHOD:{method}",
    ]
    if name:
        lines.append(f"X-WR-CALNAME:{escape_text(name)}")
    for event in events:
        lines += _event_lines(event, dtstamp)
    lines.append("END:VCALENDAR")
    return ("".join(fold(line) + CRLF for line in lines)).encode("utf-8")


def appointment_ics(event: CalendarEvent, *, dtstamp: dt.datetime) -> bytes:
    """The participant's file for one appointment."""
    return calendar([event], dtstamp=dtstamp)


def agenda_ics(events: Iterable[CalendarEvent], *, dtstamp: dt.datetime, name: str) -> bytes:
    """A staff member's file for a day's (or any period's) appointments, earliest first."""
    ordered = sorted(events, key=lambda e: (e.start.astimezone(UTC), e.uid))
    return calendar(ordered, dtstamp=dtstamp, name=name)
