"""Slots keep their local times across the DST switches of 29 March and 25 October 2026."""

from __future__ import annotations

import datetime as dt
import itertools

from bot.appointments.calendar import AMSTERDAM, candidate_slots, is_open

from .branches import make_branch

UTC = dt.UTC


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=AMSTERDAM)


def utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_spring_forward_keeps_local_ten_oclock() -> None:
    branch = make_branch()
    slots = candidate_slots(branch, at(2026, 3, 26), at(2026, 4, 1))
    by_day: dict[dt.date, list[str]] = {}
    for slot in slots:
        by_day.setdefault(slot.start.date(), []).append(slot.start.strftime("%H:%M"))
    friday, monday = dt.date(2026, 3, 27), dt.date(2026, 3, 30)
    assert by_day[friday] == by_day[monday] == ["10:00", "10:45", "11:30"]

    first_friday = next(s for s in slots if s.start.date() == friday)
    first_monday = next(s for s in slots if s.start.date() == monday)
    assert first_friday.start_utc == utc(2026, 3, 27, 9, 0)  # CET, UTC+1
    assert first_monday.start_utc == utc(2026, 3, 30, 8, 0)  # CEST, UTC+2
    assert first_monday.start.utcoffset() == dt.timedelta(hours=2)
    assert first_monday.start.tzname() == "CEST"


def test_fall_back_keeps_local_ten_oclock() -> None:
    branch = make_branch()
    slots = candidate_slots(branch, at(2026, 10, 22), at(2026, 10, 28))
    friday = next(s for s in slots if s.start.date() == dt.date(2026, 10, 23))
    monday = next(s for s in slots if s.start.date() == dt.date(2026, 10, 26))
    assert friday.start.strftime("%H:%M") == monday.start.strftime("%H:%M") == "10:00"
    assert friday.start_utc == utc(2026, 10, 23, 8, 0)  # CEST
    assert monday.start_utc == utc(2026, 10, 26, 9, 0)  # CET
    assert monday.start.tzname() == "CET"


def test_every_slot_lasts_exactly_its_length_across_the_switch() -> None:
    branch = make_branch()
    for start, end in ((at(2026, 3, 23), at(2026, 4, 4)), (at(2026, 10, 19), at(2026, 10, 31))):
        for slot in candidate_slots(branch, start, end):
            assert slot.end_utc - slot.start_utc == dt.timedelta(minutes=45)


def test_no_slot_at_a_non_existent_local_time() -> None:
    branch = make_branch(
        opening_hours={"sun": "00:30-05:00"},
        appointment_windows={"sun": "01:00-04:00"},
        appointment_minutes=30,
    )
    slots = candidate_slots(branch, at(2026, 3, 29), at(2026, 3, 30))
    starts = [slot.start.strftime("%H:%M") for slot in slots]
    assert starts == ["01:00", "01:30", "03:00", "03:30"]
    for slot in slots:
        naive = slot.start.replace(tzinfo=None)
        # Round-trips through UTC unchanged: the local time really exists.
        assert slot.start_utc.astimezone(AMSTERDAM).replace(tzinfo=None) == naive
        assert slot.end_utc - slot.start_utc == dt.timedelta(minutes=30)
    # 01:30 CET + 30 minutes is 03:00 CEST: the 01:30 slot ends when the 03:00 slot starts.
    assert slots[1].end_utc == slots[2].start_utc == utc(2026, 3, 29, 1, 0)


def test_repeated_hour_in_october_gives_distinct_non_overlapping_slots() -> None:
    branch = make_branch(
        opening_hours={"sun": "00:30-05:00"},
        appointment_windows={"sun": "01:00-04:00"},
        appointment_minutes=30,
    )
    slots = candidate_slots(branch, at(2026, 10, 25), at(2026, 10, 26))
    assert len({slot.start_utc for slot in slots}) == len(slots)
    for before, after in itertools.pairwise(slots):
        assert before.end_utc <= after.start_utc
    assert slots[0].start_utc == utc(2026, 10, 24, 23, 0)  # 01:00 CEST
    assert slots[-1].end_utc <= utc(2026, 10, 25, 3, 0)  # window ends 04:00 CET


def test_is_open_across_the_switch() -> None:
    branch = make_branch()
    # 09:30 UTC is 10:30 CET on Friday 27 March and 11:30 CEST on Monday 30 March: both open.
    assert is_open(branch, utc(2026, 3, 27, 9, 30))
    assert is_open(branch, utc(2026, 3, 30, 9, 30))
    # 16:00 UTC is 17:00 CET (open) on 27 March but 18:00 CEST (closed) on 30 March.
    assert is_open(branch, utc(2026, 3, 27, 16, 0))
    assert not is_open(branch, utc(2026, 3, 30, 16, 0))
