"""When reminders and nudges are due: pure functions of the appointment, `now` and the policy.

All wall-clock reasoning happens in Europe/Amsterdam; results are aware UTC datetimes.
"""

from __future__ import annotations

import datetime as dt

from bot.appointments.calendar import AMSTERDAM
from bot.appointments.policy import AppointmentPolicy
from bot.conversation.effects import DropNudges, Effect, ScheduledReminder, ScheduleNudge
from bot.conversation.state import Consent, TaskStatus
from bot.conversation.turn import Outcome

DAY_BEFORE = "day_before"
SOON = "soon"
NUDGE = "nudge"
APPOINTMENT_KINDS = (DAY_BEFORE, SOON)


def _at(day: dt.date, wall: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, wall, tzinfo=AMSTERDAM).astimezone(dt.UTC)


def _clamp(wall: dt.time, earliest: dt.time, latest: dt.time) -> dt.time:
    return min(max(wall, earliest), latest)


def appointment_reminders(
    start: dt.datetime, now: dt.datetime, policy: AppointmentPolicy
) -> tuple[ScheduledReminder, ...]:
    """The day-before and the hours-before reminder of an appointment booked at `now`.

    The day-before one comes at the appointment's time of day (kept within sensible hours) on the
    local day before, and stops being useful once the hours-before one is due. A reminder that
    would be due right after booking is left out: the confirmation has just said it all.
    """
    rules = policy.reminders
    start = start.astimezone(dt.UTC)
    local = start.astimezone(AMSTERDAM)
    soon_due = start - dt.timedelta(hours=rules.hours_before)
    day_before_due = _at(
        local.date() - dt.timedelta(days=1),
        _clamp(local.time(), rules.day_before_earliest, rules.day_before_latest),
    )
    earliest = now.astimezone(dt.UTC) + dt.timedelta(minutes=rules.min_notice_minutes)
    planned = []
    if day_before_due > earliest and day_before_due < soon_due:
        planned.append(ScheduledReminder(DAY_BEFORE, day_before_due, soon_due))
    if soon_due > earliest:
        planned.append(ScheduledReminder(SOON, soon_due, start))
    return tuple(planned)


def nudge_window(
    last_activity: dt.datetime, policy: AppointmentPolicy
) -> tuple[dt.datetime, dt.datetime]:
    """(due, expires) of a nudge: `after_days` after the last activity, at a sensible local hour."""
    rules = policy.nudges
    due = (last_activity + dt.timedelta(days=rules.after_days)).astimezone(AMSTERDAM)
    if due.time() < rules.earliest:
        moment = _at(due.date(), rules.earliest)
    elif due.time() > rules.latest:
        moment = _at(due.date() + dt.timedelta(days=1), rules.earliest)
    else:
        moment = due.astimezone(dt.UTC)
    return moment, moment + dt.timedelta(days=rules.valid_days)


def in_nudge_hours(now: dt.datetime, policy: AppointmentPolicy) -> bool:
    wall = now.astimezone(AMSTERDAM).time()
    return policy.nudges.earliest <= wall <= policy.nudges.latest


def quiet(now: dt.datetime, policy: AppointmentPolicy) -> bool:
    """Night in the Netherlands: nothing is sent without being asked."""
    return policy.quiet_hours.covers(now.astimezone(AMSTERDAM).time())


def nudge_effects(
    outcome: Outcome, now: dt.datetime, policy: AppointmentPolicy
) -> tuple[Effect, ...]:
    """Nudges to plan after a turn that moved a task: one for where they are now, none once done.

    Only for participants who gave consent and did not turn nudges off.
    """
    profile = outcome.profile
    if profile.consent is not Consent.GIVEN or not profile.nudges or profile.nudge_limit < 1:
        return ()
    effects: list[Effect] = []
    for progress in outcome.progress.values():
        if progress.status is TaskStatus.DONE:
            effects.append(DropNudges(progress.task_id))
        else:
            due, expires = nudge_window(now, policy)
            effects.append(ScheduleNudge(progress.task_id, progress.step_id, due, expires))
    return tuple(effects)
