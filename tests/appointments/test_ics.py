"""Calendar files parse back, fold safely and carry only what the caller put in."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.appointments.calendar import AMSTERDAM, SlotTime
from bot.appointments.ics import (
    CalendarEvent,
    Status,
    agenda_ics,
    appointment_ics,
    escape_text,
    event_for_slot,
    fold,
    slot_uid,
)

STAMP = dt.datetime(2026, 3, 20, 12, 0, tzinfo=dt.UTC)
MONDAY = SlotTime(
    "kampen-stadskazerne",
    dt.datetime(2026, 3, 30, 10, 0, tzinfo=AMSTERDAM),
    dt.datetime(2026, 3, 30, 10, 45, tzinfo=AMSTERDAM),
)


def unfold(data: bytes) -> list[str]:
    """A tiny RFC 5545 reader: check the physical lines, then unfold them into content lines."""
    assert data.endswith(b"\r\n")
    physical = data.split(b"\r\n")[:-1]
    for line in physical:
        assert b"\n" not in line and b"\r" not in line  # CRLF only, no bare LF or CR
        assert len(line) <= 75, line
        line.decode("utf-8")  # a fold never splits a UTF-8 character
    logical: list[str] = []
    for line in physical:
        text = line.decode("utf-8")
        if text.startswith(" "):
            logical[-1] += text[1:]
        else:
            logical.append(text)
    return logical


def unescape(value: str) -> str:
    out, i = [], 0
    while i < len(value):
        if value[i] == "\\" and i + 1 < len(value):
            nxt = value[i + 1]
            out.append("\n" if nxt in "nN" else nxt)
            i += 2
        else:
            out.append(value[i])
            i += 1
    return "".join(out)


def events(lines: list[str]) -> list[dict[str, str]]:
    found: list[dict[str, str]] = []
    current: dict[str, str] | None = None
    for line in lines:
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            assert current is not None
            found.append(current)
            current = None
        elif current is not None:
            name, _, value = line.partition(":")
            current[name] = value
    return found


def test_one_appointment_parses_back() -> None:
    description = (
        "Neem mee: verblijfsdocument, telefoon met de DigiD app; niet je wachtwoord.\n"
        "Vragen? Bel de bibliotheek, of kom langs. Pad: C:\\map"
    )
    event = event_for_slot(
        MONDAY,
        uid=slot_uid(MONDAY, "A7K2"),
        summary="Afspraak Informatiepunt Digitale Overheid",
        location="Bibliotheek Kampen, Van Heutszplein, Kampen",
        description=description,
    )
    lines = unfold(appointment_ics(event, dtstamp=STAMP))
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert "VERSION:2.0" in lines and "METHOD:PUBLISH" in lines
    assert any(line.startswith("PRODID:") for line in lines)
    [vevent] = events(lines)
    # Monday 30 March 2026 10:00 in Amsterdam (CEST, just after the switch) is 08:00 UTC.
    assert vevent["DTSTART"] == "20260330T080000Z"
    assert vevent["DTEND"] == "20260330T084500Z"
    assert vevent["DTSTAMP"] == "20260320T120000Z"
    assert vevent["UID"] == "A7K2-kampen-stadskazerne-20260330T080000Z@wegwijs.invalid"
    assert unescape(vevent["DESCRIPTION"]) == description
    assert unescape(vevent["LOCATION"]) == "Bibliotheek Kampen, Van Heutszplein, Kampen"
    assert vevent["STATUS"] == "CONFIRMED"


def test_escaping_of_special_characters() -> None:
    assert escape_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
    assert escape_text("x\r\ny") == "x\\ny"


def test_long_non_latin_text_folds_without_splitting_characters() -> None:
    tigrinya = "ሰላም! ናብ ቤተ-መጻሕፍቲ ምስ መንበሪ ፍቓድካ ምጻእ። " * 6
    arabic = "موعد في المكتبة: أحضر بطاقة الإقامة وهاتفك. " * 6
    event = CalendarEvent(
        uid="x@wegwijs.invalid",
        start=MONDAY.start,
        end=MONDAY.end,
        summary=tigrinya,
        description=arabic,
    )
    lines = unfold(appointment_ics(event, dtstamp=STAMP))
    [vevent] = events(lines)
    assert unescape(vevent["SUMMARY"]) == tigrinya
    assert unescape(vevent["DESCRIPTION"]) == arabic


def test_fold_limits() -> None:
    line = "DESCRIPTION:" + "é" * 100
    folded = fold(line).encode("utf-8").split(b"\r\n")
    assert all(len(part) <= 75 for part in folded)
    assert all(part.startswith(b" ") for part in folded[1:])
    assert fold("SHORT:ok") == "SHORT:ok"


def test_agenda_for_staff_lists_the_day_in_order() -> None:
    later = SlotTime(MONDAY.branch_id, MONDAY.end, MONDAY.end + dt.timedelta(minutes=45))
    items = [
        event_for_slot(later, uid="b@w", summary="Afspraak 2", location="Kampen"),
        event_for_slot(MONDAY, uid="a@w", summary="Afspraak 1", location="Kampen"),
    ]
    lines = unfold(agenda_ics(items, dtstamp=STAMP, name="IDO Kampen, 30 maart"))
    assert "X-WR-CALNAME:IDO Kampen\\, 30 maart" in lines
    found = events(lines)
    assert [e["UID"] for e in found] == ["a@w", "b@w"]
    assert [e["DTSTART"] for e in found] == ["20260330T080000Z", "20260330T084500Z"]


def test_cancellation_and_no_personal_data_by_default() -> None:
    event = event_for_slot(
        MONDAY,
        uid="a@w",
        summary="Afspraak",
        location="Kampen",
        status=Status.CANCELLED,
        sequence=1,
    )
    data = appointment_ics(event, dtstamp=STAMP)
    lines = unfold(data)
    assert "METHOD:CANCEL" in lines
    [vevent] = events(lines)
    assert vevent["STATUS"] == "CANCELLED" and vevent["SEQUENCE"] == "1"
    # Only what was passed in: no attendee, organizer, phone or e-mail properties.
    names = {line.partition(":")[0] for line in lines}
    assert not names & {"ATTENDEE", "ORGANIZER", "CONTACT"}
    assert b"@" not in data.replace(b"a@w", b"")


def test_bad_events_are_refused() -> None:
    with pytest.raises(ValueError):
        CalendarEvent(uid="x", start=MONDAY.end, end=MONDAY.start, summary="s")
    with pytest.raises(ValueError):
        CalendarEvent(uid="x", start=dt.datetime(2026, 3, 30, 10), end=MONDAY.end, summary="s")
    with pytest.raises(ValueError):
        agenda_ics([], dtstamp=STAMP, name="leeg")
