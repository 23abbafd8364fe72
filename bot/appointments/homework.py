"""Homework from a trainer: when its nudge is due, and the nudge itself. Pure.

A trainer gives the class a task with a date. Each member gets one message in their language at
17:00 (Amsterdam) on the day before the class's next meeting on or before that date, or before
the date itself when no meeting comes first. It no longer helps once that day has begun.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from bot.appointments.calendar import AMSTERDAM
from bot.appointments.formatting import format_day
from bot.content import keys
from bot.content.loader import Content
from bot.conversation.callbacks import Callback
from bot.conversation.replies import Button, Reply
from bot.language.texts import Texts

HOMEWORK = "homework"
"""The reminders' `kind` for homework nudges."""
NUDGE_AT = dt.time(17, 0)
MIN_NOTICE = dt.timedelta(minutes=10)


def target_day(due_on: dt.date, meetings: Iterable[dt.date], today: dt.date) -> dt.date:
    """The meeting the homework is for: the next one after today, not after the due date."""
    coming = sorted(day for day in meetings if today < day <= due_on)
    return coming[0] if coming else due_on


def nudge_window(
    due_on: dt.date, meetings: Iterable[dt.date], now: dt.datetime
) -> tuple[dt.datetime, dt.datetime] | None:
    """(due_at, expires_at) in UTC, or None when it is too late for a nudge to help."""
    today = now.astimezone(AMSTERDAM).date()
    day = target_day(due_on, meetings, today)
    if day <= today:
        return None
    due = dt.datetime.combine(day - dt.timedelta(days=1), NUDGE_AT, tzinfo=AMSTERDAM)
    expires = dt.datetime.combine(day, dt.time(0), tzinfo=AMSTERDAM)
    due_utc, expires_utc = due.astimezone(dt.UTC), expires.astimezone(dt.UTC)
    if due_utc < now + MIN_NOTICE:
        # Given out late in the evening before: send soon rather than not at all.
        due_utc = now.astimezone(dt.UTC) + MIN_NOTICE
    if due_utc >= expires_utc:
        return None
    return due_utc, expires_utc


def nudge(texts: Texts, content: Content, task_id: str, due_at: dt.datetime) -> Reply | None:
    """ "Your trainer asks you to do ... before the meeting of <day>", with a start button."""
    task = content.tasks.get(task_id)
    if task is None:
        return None
    meeting = (due_at.astimezone(AMSTERDAM) + dt.timedelta(days=1)).replace(hour=12, minute=0)
    text = texts(
        "dashboard.homework_nudge",
        title=texts(keys.task_title(task.id)),
        day=format_day(meeting, texts.lang),
    )
    start = Button(texts("dashboard.homework_start"), Callback(0, "start", task.id).encode())
    return Reply(text=text, buttons=((start,),), key="dashboard.homework_nudge")


def drop_reason(consent: str, nudges_enabled: bool, task_status: str | None) -> str | None:
    """Why a due homework nudge is not sent, or None to send it."""
    if consent != "given":
        return "no_consent"
    if not nudges_enabled:
        return "turned_off"
    if task_status == "done":
        return "task_done"
    return None
