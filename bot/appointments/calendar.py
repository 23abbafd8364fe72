"""Pure calendar logic for a branch: holidays, closures, opening hours and candidate slot times.

Everything is computed in Europe/Amsterdam and returned as aware datetimes. Nothing here reads the
clock: callers pass `now`. Arithmetic and comparisons happen in UTC, because Python compares and
adds aware datetimes that share a tzinfo by their wall-clock value, which is wrong across the
daylight-saving switches (last Sunday of March and of October).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from dateutil.easter import easter

from bot.appointments.schema import Branch, LiberationDay, WeeklyHours

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
UTC = dt.UTC

_DAY_MINUTES = 24 * 60


@dataclass(frozen=True, eq=False)
class SlotTime:
    """A bookable slot at a branch. `start`/`end` are aware, in Europe/Amsterdam.

    Equality, hashing and ordering use the UTC instants, so the two 02:30s of the last Sunday
    in October are different slots.
    """

    branch_id: str
    start: dt.datetime
    end: dt.datetime

    @property
    def start_utc(self) -> dt.datetime:
        return self.start.astimezone(UTC)

    @property
    def end_utc(self) -> dt.datetime:
        return self.end.astimezone(UTC)

    def _key(self) -> tuple[str, dt.datetime, dt.datetime]:
        return (self.branch_id, self.start_utc, self.end_utc)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SlotTime):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __lt__(self, other: SlotTime) -> bool:
        return (self.start_utc, self.branch_id) < (other.start_utc, other.branch_id)


@dataclass(frozen=True)
class DayClosure:
    """Why (part of) a local day is closed. `start`/`end` None mean start/end of the day."""

    reason: str
    start: dt.time | None = None
    end: dt.time | None = None

    @property
    def whole_day(self) -> bool:
        return self.start is None and self.end is None


def _require_aware(value: dt.datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime (got naive {value.isoformat()})")


def local(instant: dt.datetime) -> dt.datetime:
    """The instant as an aware datetime in Europe/Amsterdam."""
    _require_aware(instant, "instant")
    return instant.astimezone(AMSTERDAM)


@lru_cache(maxsize=64)
def _dutch_holidays(year: int) -> dict[dt.date, str]:
    return dict(holidays.country_holidays("NL", years=year, language="nl"))


def holidays_for(branch: Branch, year: int) -> dict[dt.date, str]:
    """Dutch public holidays (from `holidays`) on which this branch is closed, with Dutch names.

    Goede Vrijdag is dropped unless the branch closes then; Bevrijdingsdag follows the branch's
    rule (the package lists it only in lustrum years).
    """
    rules = branch.holiday_rules
    days = dict(_dutch_holidays(year))
    good_friday = easter(year) - dt.timedelta(days=2)
    if not rules.good_friday_closed:
        days.pop(good_friday, None)
    liberation = dt.date(year, 5, 5)
    if rules.liberation_day is LiberationDay.ALWAYS:
        days.setdefault(liberation, "Bevrijdingsdag")
    elif rules.liberation_day is LiberationDay.NEVER:
        days.pop(liberation, None)
    return days


def closures_on(branch: Branch, day: dt.date) -> tuple[DayClosure, ...]:
    """Everything that closes (part of) this local day: holidays, branch closures, early closing."""
    found: list[DayClosure] = []
    holiday = holidays_for(branch, day.year).get(day)
    if holiday is not None:
        found.append(DayClosure(holiday))
    for closure in branch.closures:
        if closure.covers(day):
            found.append(DayClosure(closure.reason, closure.closed_from, closure.closed_until))
    rules = branch.holiday_rules
    if day.month == 12 and day.day == 24 and rules.christmas_eve_closes_at is not None:
        found.append(DayClosure("Kerstavond", rules.christmas_eve_closes_at, None))
    if day.month == 12 and day.day == 31 and rules.new_years_eve_closes_at is not None:
        found.append(DayClosure("Oudejaarsdag", rules.new_years_eve_closes_at, None))
    return tuple(found)


def _minutes(value: dt.time | None, default: int) -> int:
    return default if value is None else value.hour * 60 + value.minute


def _subtract(
    ranges: list[tuple[int, int]], closed: Iterable[tuple[int, int]]
) -> list[tuple[int, int]]:
    """Minute-of-day ranges minus closed minute-of-day ranges."""
    result = ranges
    for c_start, c_end in closed:
        remaining: list[tuple[int, int]] = []
        for r_start, r_end in result:
            if c_end <= r_start or r_end <= c_start:
                remaining.append((r_start, r_end))
                continue
            if r_start < c_start:
                remaining.append((r_start, c_start))
            if c_end < r_end:
                remaining.append((c_end, r_end))
        result = remaining
    return result


def _exists(day: dt.date, minute: int) -> bool:
    """False for wall-clock times skipped by the spring-forward switch (02:00-03:00)."""
    naive = dt.datetime.combine(day, dt.time(minute // 60, minute % 60))
    aware = naive.replace(tzinfo=AMSTERDAM)
    return aware.astimezone(UTC).astimezone(AMSTERDAM).replace(tzinfo=None) == naive


def _instant(day: dt.date, minute: int) -> dt.datetime:
    """The UTC instant of a local wall-clock minute; the end of the day is next midnight.

    A skipped wall-clock time maps to the instant the clocks jump to; a repeated one (autumn)
    to its first occurrence (fold=0).
    """
    if minute >= _DAY_MINUTES:
        day, minute = day + dt.timedelta(days=1), minute - _DAY_MINUTES
    naive = dt.datetime.combine(day, dt.time(minute // 60, minute % 60))
    if not _exists(day, minute):
        # Walk forward to the first wall-clock minute that exists (03:00 on the switch day).
        probe = minute
        while not _exists(day, probe):
            probe += 1
        naive = dt.datetime.combine(day, dt.time(probe // 60, probe % 60))
    return naive.replace(tzinfo=AMSTERDAM).astimezone(UTC)


def _ranges_on(branch: Branch, day: dt.date, hours: WeeklyHours) -> list[tuple[int, int]]:
    ranges = [
        (_minutes(r.start, 0), _minutes(r.end, _DAY_MINUTES)) for r in hours.on(day.weekday())
    ]
    closed = (
        (_minutes(c.start, 0), _minutes(c.end, _DAY_MINUTES)) for c in closures_on(branch, day)
    )
    return _subtract(ranges, closed)


def _as_local_pairs(
    day: dt.date, ranges: list[tuple[int, int]]
) -> tuple[tuple[dt.datetime, dt.datetime], ...]:
    return tuple(
        (_instant(day, start).astimezone(AMSTERDAM), _instant(day, end).astimezone(AMSTERDAM))
        for start, end in ranges
        if _instant(day, start) < _instant(day, end)
    )


def opening_hours_on(branch: Branch, day: dt.date) -> tuple[tuple[dt.datetime, dt.datetime], ...]:
    """The branch's open periods on a local date, after holidays and closures."""
    return _as_local_pairs(day, _ranges_on(branch, day, branch.opening_hours))


def appointment_windows_on(
    branch: Branch, day: dt.date
) -> tuple[tuple[dt.datetime, dt.datetime], ...]:
    """When staff take appointments on a local date, after holidays and closures."""
    return _as_local_pairs(day, _ranges_on(branch, day, branch.appointment_windows))


def is_open(branch: Branch, instant: dt.datetime) -> bool:
    """Whether the branch is open at this instant (any timezone; judged in Europe/Amsterdam)."""
    moment = local(instant).astimezone(UTC)
    day = local(instant).date()
    return any(
        start.astimezone(UTC) <= moment < end.astimezone(UTC)
        for start, end in opening_hours_on(branch, day)
    )


def _days(first: dt.date, last: dt.date) -> Iterator[dt.date]:
    day = first
    while day <= last:
        yield day
        day += dt.timedelta(days=1)


def candidate_slots(
    branch: Branch,
    start: dt.datetime,
    end: dt.datetime,
    *,
    now: dt.datetime | None = None,
    lead_time: dt.timedelta = dt.timedelta(0),
) -> list[SlotTime]:
    """Slot times between `start` and `end` (aware datetimes), earliest first.

    Slots step by the branch's appointment length from the start of each appointment window, lie
    wholly inside the window and inside [start, end], skip holidays and closures, never start at
    a wall-clock time that does not exist, and never start before `now + lead_time`.
    Bookings are not considered here: see `free_slots`.
    """
    _require_aware(start, "start")
    _require_aware(end, "end")
    lower = start.astimezone(UTC)
    if now is not None:
        _require_aware(now, "now")
        lower = max(lower, now.astimezone(UTC) + lead_time)
    upper = end.astimezone(UTC)
    if upper <= lower:
        return []
    length = branch.appointment_minutes
    slots: list[SlotTime] = []
    for day in _days(lower.astimezone(AMSTERDAM).date(), upper.astimezone(AMSTERDAM).date()):
        for window_start, window_end in _ranges_on(branch, day, branch.appointment_windows):
            window_end_utc = _instant(day, window_end)
            minute = window_start
            while minute + length <= window_end:
                # Steps are wall-clock minutes (10:00, 10:45, ...) so that slots look the same
                # every week; a start that the spring-forward switch skips is left out.
                if _exists(day, minute):
                    slot_start = _instant(day, minute)
                    slot_end = slot_start + dt.timedelta(minutes=length)
                    if slot_end > window_end_utc:
                        break
                    if lower <= slot_start and slot_end <= upper:
                        slots.append(
                            SlotTime(
                                branch.id,
                                slot_start.astimezone(AMSTERDAM),
                                slot_end.astimezone(AMSTERDAM),
                            )
                        )
                minute += length
    return slots


def free_slots(
    branch: Branch,
    slots: Iterable[SlotTime],
    booked: Iterable[tuple[dt.datetime, dt.datetime]],
) -> list[SlotTime]:
    """The slots that still have room, given the (start, end) of bookings at this branch.

    A booking takes a place in every slot it overlaps, so bookings made under an older
    appointment length still block the right slots.
    """
    taken = [(s.astimezone(UTC), e.astimezone(UTC)) for s, e in booked]
    result = []
    for slot in slots:
        overlapping = sum(1 for s, e in taken if s < slot.end_utc and slot.start_utc < e)
        if overlapping < branch.capacity:
            result.append(slot)
    return result


def next_slots(
    branch: Branch,
    now: dt.datetime,
    *,
    count: int = 6,
    horizon: dt.timedelta = dt.timedelta(days=28),
    lead_time: dt.timedelta = dt.timedelta(hours=2),
    booked: Iterable[tuple[dt.datetime, dt.datetime]] = (),
) -> list[SlotTime]:
    """The next `count` free slots from `now`, e.g. for a row of buttons."""
    candidates = candidate_slots(branch, now, now + horizon, now=now, lead_time=lead_time)
    return free_slots(branch, candidates, booked)[:count]
