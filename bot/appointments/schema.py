"""Typed schema and loader for knowledge/libraries.yml: library organisations and their branches.

Times in the file are local wall-clock times in Europe/Amsterdam ("10:00-12:30"). A branch says
where its data came from (`source`, `checked`) and whether it was confirmed (`verified`,
`confirmed`), so that a guess is never shown to a participant as a fact.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterator, Mapping
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from bot.content.errors import ContentError, ContentErrors

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=60)]
Text = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
HttpsUrl = Annotated[str, StringConstraints(pattern=r"^https://[^\s]+$")]

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""Keys of a WeeklyHours block, in `date.weekday()` order."""

_RANGE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
_CLOCK = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")
_POSTCODE = re.compile(r"^[1-9]\d{3} [A-Z]{2}$")


def _clock(hour: str, minute: str, raw: object) -> dt.time:
    h, m = int(hour), int(minute)
    if h > 23 or m > 59:
        raise ValueError(f"{raw!r} is not a time of day (00:00-23:59)")
    return dt.time(h, m)


def _parse_clock(value: object) -> object:
    """Accepts '16:30'. PyYAML reads an unquoted 16:30 as the number 990, so say how to fix it."""
    if isinstance(value, int) and not isinstance(value, bool):
        raise ValueError("write the time in quotes, e.g. '16:30' (YAML reads 16:30 as a number)")
    if isinstance(value, str):
        match = _CLOCK.match(value)
        if not match:
            raise ValueError(f"{value!r} is not a time like '16:30'")
        return _clock(match[1], match[2], value)
    return value


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TimeRange(Strict):
    """A local time span inside one day, written '10:00-12:30' in the file."""

    start: dt.time
    end: dt.time

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        if isinstance(value, str):
            match = _RANGE.match(value)
            if not match:
                raise ValueError(f"{value!r} is not a time range like '10:00-12:30'")
            return {
                "start": _clock(match[1], match[2], value),
                "end": _clock(match[3], match[4], value),
            }
        return value

    @model_validator(mode="after")
    def _ordered(self) -> TimeRange:
        if self.end <= self.start:
            raise ValueError(f"ends ({self.end:%H:%M}) before it starts ({self.start:%H:%M})")
        return self

    def contains(self, other: TimeRange) -> bool:
        return self.start <= other.start and other.end <= self.end

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


class WeeklyHours(Strict):
    """Weekday -> time ranges (sorted, not overlapping). A missing or empty day means closed."""

    mon: tuple[TimeRange, ...] = ()
    tue: tuple[TimeRange, ...] = ()
    wed: tuple[TimeRange, ...] = ()
    thu: tuple[TimeRange, ...] = ()
    fri: tuple[TimeRange, ...] = ()
    sat: tuple[TimeRange, ...] = ()
    sun: tuple[TimeRange, ...] = ()

    @field_validator(*WEEKDAYS, mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        # `mon: "10:00-12:00"` is allowed as a shorthand for a one-item list; `mon: closed` too.
        if value is None or value == "closed":
            return ()
        if isinstance(value, str):
            return (value,)
        return value

    @field_validator(*WEEKDAYS)
    @classmethod
    def _no_overlap(cls, ranges: tuple[TimeRange, ...]) -> tuple[TimeRange, ...]:
        for before, after in itertools.pairwise(ranges):
            if after.start < before.end:
                raise ValueError(f"{after} overlaps or comes before {before}; list ranges in order")
        return ranges

    def on(self, weekday: int) -> tuple[TimeRange, ...]:
        """Ranges for `date.weekday()` (0 = Monday)."""
        ranges: tuple[TimeRange, ...] = getattr(self, WEEKDAYS[weekday])
        return ranges

    def is_empty(self) -> bool:
        return not any(self.on(day) for day in range(7))


class Closure(Strict):
    """A period the branch is closed: whole days, or from/until a time on each of those days."""

    start: dt.date
    end: dt.date | None = None
    """Last closed day (inclusive); defaults to `start`."""
    reason: Text
    closed_from: dt.time | None = None
    """Closed from this time on each day (e.g. 16:30 on 24 December); whole day when unset."""
    closed_until: dt.time | None = None
    """Closed until this time on each day (e.g. a staff meeting until 14:00)."""

    @field_validator("closed_from", "closed_until", mode="before")
    @classmethod
    def _clock_text(cls, value: Any) -> Any:
        return _parse_clock(value)

    @model_validator(mode="after")
    def _valid_period(self) -> Closure:
        if self.end is not None and self.end < self.start:
            raise ValueError(f"ends ({self.end}) before it starts ({self.start})")
        if (
            self.closed_from is not None
            and self.closed_until is not None
            and self.closed_until <= self.closed_from
        ):
            raise ValueError("closed_until must be later than closed_from")
        return self

    @property
    def last_day(self) -> dt.date:
        return self.end or self.start

    def covers(self, day: dt.date) -> bool:
        return self.start <= day <= self.last_day

    @property
    def whole_day(self) -> bool:
        return self.closed_from is None and self.closed_until is None


class LiberationDay(StrEnum):
    """How a branch treats Bevrijdingsdag (5 May)."""

    LUSTRUM = "lustrum"
    """Closed only when the `holidays` package lists it: every fifth year (2025, 2030, ...)."""
    ALWAYS = "always"
    NEVER = "never"


class HolidayRules(Strict):
    """Per-branch choices on top of the Dutch public holidays from the `holidays` package."""

    liberation_day: LiberationDay = LiberationDay.LUSTRUM
    good_friday_closed: bool = False
    """`holidays` lists Goede Vrijdag, but it is not a general day off and libraries often open."""
    christmas_eve_closes_at: dt.time | None = None
    """Early closing on 24 December; unset means normal hours."""
    new_years_eve_closes_at: dt.time | None = None
    """Early closing on 31 December; unset means normal hours."""

    @field_validator("christmas_eve_closes_at", "new_years_eve_closes_at", mode="before")
    @classmethod
    def _clock_text(cls, value: Any) -> Any:
        return _parse_clock(value)


class Address(Strict):
    """Visiting address. Only what a source confirmed is filled in; unknown parts stay empty.

    A verified branch needs street, number and postcode (checked in Branch).
    """

    building: Text | None = None
    """The building the branch is in, when it shares one (e.g. "Kulturhus Trefkoele+")."""
    street: Text | None = None
    number: Annotated[str, StringConstraints(pattern=r"^\d+[a-zA-Z]?(-\d+[a-zA-Z]?)?$")] | None = (
        None
    )
    postcode: str | None = None
    city: Text

    @field_validator("postcode")
    @classmethod
    def _dutch_postcode(cls, value: str | None) -> str | None:
        if value is not None and not _POSTCODE.match(value):
            raise ValueError(f"{value!r} is not a Dutch postcode like '8011 CV'")
        return value

    @model_validator(mode="after")
    def _number_needs_street(self) -> Address:
        if self.number is not None and self.street is None:
            raise ValueError("a house number needs a street")
        return self

    @property
    def complete(self) -> bool:
        """Street, number, postcode and city are all known."""
        return None not in (self.street, self.number, self.postcode)

    def one_line(self) -> str:
        """E.g. "Kulturhus Trefkoele+, Straat 1, 7721 AA Dalfsen" (unknown parts left out)."""
        street = " ".join(part for part in (self.street, self.number) if part)
        place = " ".join(part for part in (self.postcode, self.city) if part)
        return ", ".join(part for part in (self.building, street, place) if part)


class Confirmable(StrEnum):
    """Parts of a branch record that can be confirmed separately from a source."""

    EXISTS = "exists"
    ADDRESS = "address"
    OPENING_HOURS = "opening_hours"
    APPOINTMENT_WINDOWS = "appointment_windows"
    CLOSURES = "closures"


class Branch(Strict):
    id: Slug
    name: Text
    address: Address
    opening_hours: WeeklyHours
    appointment_windows: WeeklyHours
    """When IDO / taalhuis staff take appointments; each window lies inside the opening hours."""
    appointment_minutes: int = Field(ge=15, le=120)
    capacity: int = Field(default=1, ge=1, le=20)
    """Participants that can be booked into the same slot (number of helpers)."""
    closures: tuple[Closure, ...] = ()
    holiday_rules: HolidayRules = HolidayRules()
    source: tuple[Text, ...] = Field(min_length=1)
    """Where the data came from: URLs, or "domain-brief typical hours" for assumed values."""
    checked: dt.date
    """When the sources were consulted."""
    verified: bool
    """True only if address, opening hours and appointment windows were all confirmed."""
    confirmed: tuple[Confirmable, ...] = ()
    """Which parts the sources confirmed; anything not listed is an assumption."""
    note: Text | None = None
    """What is assumed and why; required when the branch is not verified."""

    @model_validator(mode="after")
    def _consistent(self) -> Branch:
        if self.appointment_windows.is_empty():
            raise ValueError("appointment_windows: give at least one window in the week")
        for day_index, day in enumerate(WEEKDAYS):
            opening = self.opening_hours.on(day_index)
            for window in self.appointment_windows.on(day_index):
                if not any(hours.contains(window) for hours in opening):
                    raise ValueError(
                        f"appointment_windows.{day}: {window} is outside the opening hours "
                        f"({', '.join(map(str, opening)) or 'closed'})"
                    )
                if (window.end.hour * 60 + window.end.minute) - (
                    window.start.hour * 60 + window.start.minute
                ) < self.appointment_minutes:
                    raise ValueError(
                        f"appointment_windows.{day}: {window} is shorter than one appointment "
                        f"({self.appointment_minutes} minutes)"
                    )
        if self.verified:
            needed = {
                Confirmable.ADDRESS,
                Confirmable.OPENING_HOURS,
                Confirmable.APPOINTMENT_WINDOWS,
            }
            missing = needed - set(self.confirmed)
            if missing:
                names = ", ".join(sorted(missing))
                raise ValueError(f"verified: true but not confirmed: {names}")
            if not self.address.complete:
                raise ValueError("verified: true needs street, number and postcode in the address")
        elif self.note is None:
            raise ValueError("note: say what is assumed when a branch is not verified")
        return self


class Library(Strict):
    """A public library organisation (stichting) and the branches it runs."""

    id: Slug
    name: Text
    website: HttpsUrl
    website_confirmed: bool = False
    """True when a source showed this web address in use; otherwise it is our best guess."""
    gemeenten: tuple[Text, ...] = Field(min_length=1)
    """Municipalities the organisation serves."""
    branches: tuple[Branch, ...] = Field(min_length=1)
    note: Text | None = None
    source: tuple[Text, ...] = ()


class LibraryDirectory(Strict):
    """Everything in knowledge/libraries.yml, with lookups by id and gemeente."""

    libraries: tuple[Library, ...] = Field(min_length=1)
    templates: dict[str, Any] = Field(default_factory=dict)
    """Holds YAML anchors (typical hours etc.) reused below; the code does not read it."""

    @model_validator(mode="after")
    def _unique_ids(self) -> LibraryDirectory:
        seen: set[str] = set()
        for library in self.libraries:
            for ident in (library.id, *(branch.id for branch in library.branches)):
                if ident in seen:
                    raise ValueError(f"id {ident!r} is used twice; ids must be unique in the file")
                seen.add(ident)
        return self

    def branches(self) -> Iterator[Branch]:
        for library in self.libraries:
            yield from library.branches

    def branch(self, branch_id: str) -> Branch:
        for branch in self.branches():
            if branch.id == branch_id:
                return branch
        raise KeyError(branch_id)

    def library(self, library_id: str) -> Library:
        for library in self.libraries:
            if library.id == library_id:
                return library
        raise KeyError(library_id)

    def library_of(self, branch_id: str) -> Library:
        for library in self.libraries:
            if any(branch.id == branch_id for branch in library.branches):
                return library
        raise KeyError(branch_id)

    def for_gemeente(self, gemeente: str) -> tuple[Library, ...]:
        """Organisations serving a municipality (case-insensitive)."""
        wanted = gemeente.casefold()
        return tuple(
            library
            for library in self.libraries
            if any(name.casefold() == wanted for name in library.gemeenten)
        )


def load_libraries(path: Path | str) -> LibraryDirectory:
    """Read and validate the libraries file.

    Raises ContentError for a missing or unreadable file and ContentErrors (one ContentError per
    problem) for schema errors; each names the file, the field (with library and branch ids
    instead of list positions) and what is wrong.
    """
    path = Path(path)
    try:
        with path.open(encoding="utf-8") as handle:
            raw = yaml.safe_load(handle)
    except FileNotFoundError:
        raise ContentError(path, "", "file is missing") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        raise ContentError(path, where, f"not valid YAML: {problem}") from None
    try:
        return LibraryDirectory.model_validate(raw)
    except ValidationError as error:
        items = error.errors()
        raise ContentErrors(
            [
                ContentError(path, _readable_location(raw, item["loc"]), _message(item))
                for item in items
                if not _follows_from_other(item, items)
            ]
        ) from None


def _follows_from_other(item: Mapping[str, Any], items: list[Any]) -> bool:
    """pydantic also reports "at least 1 item" on a list whose only item failed; skip that echo."""
    if item["type"] != "too_short":
        return False
    loc = tuple(item["loc"])
    return any(
        tuple(other["loc"])[: len(loc)] == loc and len(other["loc"]) > len(loc) for other in items
    )


def _message(item: Mapping[str, Any]) -> str:
    message = str(item["msg"])
    # pydantic prefixes errors raised in validators with "Value error, "; it adds nothing here.
    return message.removeprefix("Value error, ")


def _readable_location(raw: Any, loc: tuple[int | str, ...]) -> str:
    """`libraries.3.branches.0.opening_hours` -> `libraries.kampen.branches.kampen-centrum...`."""
    parts: list[str] = []
    node = raw
    for part in loc:
        label = str(part)
        if isinstance(part, int) and isinstance(node, list) and 0 <= part < len(node):
            item = node[part]
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                label = f"{item['id']}"
            node = item
        elif isinstance(node, dict):
            node = node.get(part)
        else:
            node = None
        parts.append(label)
    return ".".join(parts) or "(file)"
