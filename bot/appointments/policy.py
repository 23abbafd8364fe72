"""How booking, reminders and nudges behave: dialogues/appointments.yml, typed and validated."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from bot.content.loader import Content, parse, register_extra

EXTRA = "appointment_policy"
FILE = "dialogues/appointments.yml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _clock(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        raise ValueError("write the time in quotes, e.g. '09:00' (YAML reads 9:00 as a number)")
    if isinstance(value, str):
        hour, _, minute = value.partition(":")
        return dt.time(int(hour), int(minute))
    return value


ClockTime = Annotated[dt.time, BeforeValidator(_clock)]
"""A local wall-clock time written '09:00' in the file."""


class BookingPolicy(_Strict):
    slots_per_page: int = Field(default=6, ge=1, le=10)
    horizon_days: int = Field(default=28, ge=1, le=120)
    lead_time_minutes: int = Field(default=120, ge=0, le=7 * 24 * 60)

    @property
    def horizon(self) -> dt.timedelta:
        return dt.timedelta(days=self.horizon_days)

    @property
    def lead_time(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.lead_time_minutes)


class ReminderPolicy(_Strict):
    day_before_earliest: ClockTime = dt.time(9, 0)
    day_before_latest: ClockTime = dt.time(20, 0)
    hours_before: int = Field(default=2, ge=1, le=12)
    min_notice_minutes: int = Field(default=30, ge=0, le=24 * 60)


class NudgePolicy(_Strict):
    after_days: int = Field(default=3, ge=1, le=60)
    earliest: ClockTime = dt.time(10, 0)
    latest: ClockTime = dt.time(19, 0)
    valid_days: int = Field(default=2, ge=1, le=30)
    default_limit: int = Field(default=1, ge=0, le=10)


class QuietHours(_Strict):
    start: ClockTime = dt.time(21, 0)
    end: ClockTime = dt.time(8, 0)

    def covers(self, moment: dt.time) -> bool:
        if self.start <= self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end


class AppointmentPolicy(_Strict):
    booking: BookingPolicy = BookingPolicy()
    reminders: ReminderPolicy = ReminderPolicy()
    nudges: NudgePolicy = NudgePolicy()
    quiet_hours: QuietHours = QuietHours()


DEFAULT = AppointmentPolicy()


def load_policy(path: Path) -> AppointmentPolicy:
    return parse(path, AppointmentPolicy)


def policy_of(content: Content) -> AppointmentPolicy:
    """The policy loaded with the content, or the defaults when the file was not registered."""
    policy = content.extras.get(EXTRA)
    return policy if isinstance(policy, AppointmentPolicy) else DEFAULT


# Validated at start-up with the rest of the content, like knowledge/libraries.yml.
register_extra(EXTRA, FILE, load_policy)
