"""Messages sent outside a turn, in the participant's language: reminders, nudges, staff changes.

Pure: texts come from the catalogues, times and the appointment are passed in. Their buttons use
keyboard 0; the actions they carry are not step-bound, so they work whatever the participant's
current keyboard is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.appointments import render
from bot.content import keys
from bot.content.loader import Content
from bot.conversation.callbacks import Callback
from bot.conversation.replies import Button, Reply
from bot.language.texts import Texts

_KEYBOARD = 0


@dataclass(frozen=True)
class Booking:
    """The parts of an appointment a message needs."""

    branch_id: str
    start: dt.datetime
    end: dt.datetime
    task_id: str | None = None
    uid: str = ""
    sequence: int = 0


def button(texts: Texts, key: str, action: str, argument: str = "") -> Button:
    return Button(texts(key), Callback(_KEYBOARD, action, argument).encode())


def reminder(texts: Texts, content: Content, key: str, booking: Booking, hours: int) -> Reply:
    """The day-before (`reminder.day_before`) or hours-before (`reminder.soon`) reminder."""
    text = "\n\n".join(
        (
            render.details(
                texts, content, key, booking.branch_id, booking.start, booking.end, hours=hours
            ),
            texts("reminder.cant_come"),
        )
    )
    return Reply(text=text, buttons=((button(texts, "appointment.my", "appointment"),),), key=key)


def nudge(texts: Texts, content: Content, task_id: str, step_id: str | None) -> Reply | None:
    """ "You were busy with ... shall we go on?", or None when the task is no longer there."""
    task = content.tasks.get(task_id)
    if task is None:
        return None
    index = task.step_index(step_id or "") or 0
    text = texts(
        "nudge.text",
        title=texts(keys.task_title(task.id)),
        number=index + 1,
        total=len(task.steps),
    )
    rows = (
        (button(texts, "nudge.continue", "start", task.id),),
        (button(texts, "offer.person", "library_help"),),
        (button(texts, "nudge.turn_off", "nudges", "off"),),
    )
    return Reply(text=text, buttons=rows, key="nudge.text")


def staff_change(
    texts: Texts,
    content: Content,
    key: str,
    booking: Booking,
    now: dt.datetime,
    *,
    cancelled: bool = False,
) -> tuple[Reply, ...]:
    """Staff booked, moved (`staff.booked`, `staff.moved`) or cancelled (`staff.cancelled`) an
    appointment: what changed, what to bring, and the calendar file that updates the phone."""
    if cancelled:
        text = texts(key, when=render.when(booking.start, booking.end, texts.lang))
        rows = ((button(texts, "appointment.make", "book"),),)
    else:
        text = "\n\n".join(
            (
                render.details(texts, content, key, booking.branch_id, booking.start, booking.end),
                render.bring(texts, content, booking.task_id),
            )
        )
        rows = ((button(texts, "appointment.my", "appointment"),),)
    attachment = render.calendar_file(
        texts,
        content,
        uid=booking.uid,
        sequence=booking.sequence + (1 if cancelled else 0),
        branch_id=booking.branch_id,
        start=booking.start,
        end=booking.end,
        task_id=booking.task_id,
        now=now,
        cancelled=cancelled,
    )
    file_key = "appointment.calendar_cancelled" if cancelled else "booking.calendar_file"
    return (
        Reply(text=text, buttons=rows, key=key),
        Reply(text=texts(file_key), attachment=attachment, key=file_key),
    )
