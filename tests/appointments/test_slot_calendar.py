"""Slots skip holidays, closures and the past; opening hours follow the branch's rules."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.appointments.calendar import (
    AMSTERDAM,
    SlotTime,
    candidate_slots,
    closures_on,
    free_slots,
    holidays_for,
    is_open,
    next_slots,
)

from .branches import make_branch


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=AMSTERDAM)


def local_days(slots: list[SlotTime]) -> set[dt.date]:
    return {slot.start.date() for slot in slots}


def test_slots_step_by_appointment_length_inside_windows() -> None:
    branch = make_branch()
    slots = candidate_slots(branch, at(2026, 4, 14), at(2026, 4, 15))  # a Tuesday
    assert [(s.start.strftime("%H:%M"), s.end.strftime("%H:%M")) for s in slots] == [
        ("10:00", "10:45"),
        ("10:45", "11:30"),
        ("11:30", "12:15"),
    ]
    assert all(s.branch_id == "test-branch" for s in slots)
    assert all(s.start.tzinfo is AMSTERDAM for s in slots)


def test_koningsdag_is_skipped() -> None:
    branch = make_branch()
    # Monday 27 April 2026 is Koningsdag; the Monday before and after have slots.
    slots = candidate_slots(branch, at(2026, 4, 20), at(2026, 5, 5))
    days = local_days(slots)
    assert dt.date(2026, 4, 27) not in days
    assert dt.date(2026, 4, 20) in days
    assert dt.date(2026, 5, 4) in days
    assert holidays_for(branch, 2026)[dt.date(2026, 4, 27)] == "Koningsdag"


def test_christmas_is_skipped_and_24_december_closes_early() -> None:
    branch = make_branch(
        appointment_windows={"thu": "14:00-17:45", "fri": "10:00-12:15"},
        holiday_rules={"christmas_eve_closes_at": "16:00"},
    )
    slots = candidate_slots(branch, at(2026, 12, 21), at(2026, 12, 28))
    days = local_days(slots)
    assert dt.date(2026, 12, 25) not in days  # Friday, Eerste Kerstdag
    # Thursday 24 December: the 14:00-17:45 window is cut at 16:00.
    christmas_eve = [s for s in slots if s.start.date() == dt.date(2026, 12, 24)]
    assert [s.start.strftime("%H:%M") for s in christmas_eve] == ["14:00", "14:45"]
    assert all(s.end <= at(2026, 12, 24, 16) for s in christmas_eve)
    assert [c.reason for c in closures_on(branch, dt.date(2026, 12, 24))] == ["Kerstavond"]


def test_branch_closure_whole_days_and_part_of_a_day() -> None:
    branch = make_branch(
        closures=[
            {"start": "2026-06-08", "end": "2026-06-10", "reason": "Verbouwing"},
            {"start": "2026-06-12", "reason": "Teamoverleg", "closed_until": "11:00"},
        ]
    )
    slots = candidate_slots(branch, at(2026, 6, 8), at(2026, 6, 13))
    days = local_days(slots)
    assert not days & {dt.date(2026, 6, 8), dt.date(2026, 6, 9), dt.date(2026, 6, 10)}
    assert dt.date(2026, 6, 11) in days
    friday = [s.start.strftime("%H:%M") for s in slots if s.start.date() == dt.date(2026, 6, 12)]
    assert friday == ["11:00"]  # 11:00-11:45 fits; 11:45-12:30 does not fit before 12:15


def test_past_and_lead_time_are_skipped() -> None:
    branch = make_branch()
    now = at(2026, 4, 14, 10, 30)
    slots = candidate_slots(branch, at(2026, 4, 14), at(2026, 4, 15), now=now)
    assert [s.start.strftime("%H:%M") for s in slots] == ["10:45", "11:30"]
    later = candidate_slots(
        branch, at(2026, 4, 14), at(2026, 4, 15), now=now, lead_time=dt.timedelta(hours=1)
    )
    assert [s.start.strftime("%H:%M") for s in later] == ["11:30"]


def test_slots_must_fit_inside_the_requested_period() -> None:
    branch = make_branch()
    slots = candidate_slots(branch, at(2026, 4, 14, 10, 10), at(2026, 4, 14, 11, 30))
    assert [s.start.strftime("%H:%M") for s in slots] == ["10:45"]
    assert candidate_slots(branch, at(2026, 4, 15), at(2026, 4, 14)) == []


def test_good_friday_and_liberation_day_follow_branch_rules() -> None:
    open_branch = make_branch()
    closing_branch = make_branch(
        holiday_rules={"good_friday_closed": True, "liberation_day": "always"}
    )
    good_friday = dt.date(2026, 4, 3)
    assert good_friday not in holidays_for(open_branch, 2026)
    assert good_friday in holidays_for(closing_branch, 2026)
    # Bevrijdingsdag: only in lustrum years by default, as the holidays package does.
    assert dt.date(2025, 5, 5) in holidays_for(open_branch, 2025)
    assert dt.date(2026, 5, 5) not in holidays_for(open_branch, 2026)
    assert holidays_for(closing_branch, 2026)[dt.date(2026, 5, 5)] == "Bevrijdingsdag"
    never = make_branch(holiday_rules={"liberation_day": "never"})
    assert dt.date(2030, 5, 5) not in holidays_for(never, 2030)
    # Tuesday 5 May 2026 has slots at an ordinary branch, none at the "always" branch.
    assert candidate_slots(open_branch, at(2026, 5, 5), at(2026, 5, 6))
    assert candidate_slots(closing_branch, at(2026, 5, 5), at(2026, 5, 6)) == []


def test_is_open() -> None:
    branch = make_branch(holiday_rules={"new_years_eve_closes_at": "15:00"})
    assert is_open(branch, at(2026, 4, 14, 10, 0))
    assert not is_open(branch, at(2026, 4, 14, 17, 30))  # closing time is exclusive
    assert not is_open(branch, at(2026, 4, 12, 12, 0))  # Sunday
    assert not is_open(branch, at(2026, 4, 27, 12, 0))  # Koningsdag
    assert is_open(branch, at(2026, 12, 31, 14, 59))
    assert not is_open(branch, at(2026, 12, 31, 15, 0))
    # An instant in another zone is judged in Amsterdam: 08:30 UTC is 10:30 in summer.
    assert is_open(branch, dt.datetime(2026, 4, 14, 8, 30, tzinfo=dt.UTC))


def test_naive_datetimes_are_refused() -> None:
    branch = make_branch()
    with pytest.raises(ValueError, match="aware"):
        candidate_slots(branch, dt.datetime(2026, 4, 14), at(2026, 4, 15))
    with pytest.raises(ValueError, match="aware"):
        is_open(branch, dt.datetime(2026, 4, 14, 12))


def test_free_slots_respect_capacity_and_overlapping_bookings() -> None:
    branch = make_branch(capacity=2)
    slots = candidate_slots(branch, at(2026, 4, 14), at(2026, 4, 15))
    first, second, third = slots
    booked = [
        (first.start, first.end),
        (first.start, first.end),  # first slot full
        (at(2026, 4, 14, 11, 0), at(2026, 4, 14, 11, 30)),  # overlaps the second only
    ]
    assert free_slots(branch, slots, booked) == [second, third]
    single = make_branch(capacity=1)
    assert free_slots(single, slots, booked) == [third]


def test_next_slots_gives_the_first_free_ones() -> None:
    branch = make_branch()
    now = at(2026, 4, 24, 16, 0)  # Friday afternoon before Koningsdag
    slots = next_slots(branch, now, count=4)
    assert [s.start.strftime("%a %d %H:%M") for s in slots] == [
        "Tue 28 10:00",
        "Tue 28 10:45",
        "Tue 28 11:30",
        "Wed 29 14:00",
    ]


def test_slot_equality_uses_the_instant() -> None:
    one = SlotTime("b", at(2026, 4, 14, 10), at(2026, 4, 14, 10, 45))
    same = SlotTime(
        "b",
        dt.datetime(2026, 4, 14, 8, tzinfo=dt.UTC),
        dt.datetime(2026, 4, 14, 8, 45, tzinfo=dt.UTC),
    )
    assert one == same and hash(one) == hash(same)
    assert sorted([SlotTime("b", at(2026, 4, 15, 10), at(2026, 4, 15, 11)), one])[0] == one
