"""/appointment: the participant's coming appointment, with moving, cancelling and the .ics file."""

from __future__ import annotations

from bot.appointments import render
from bot.conversation.effects import CancelAppointment
from bot.conversation.flows.booking import library_help, show_slots
from bot.conversation.flows.booking_data import set_booking, view
from bot.conversation.flows.guards import needs
from bot.conversation.registry import action, command, intent, on_failure, screen
from bot.conversation.replies import Attachment, Reply
from bot.conversation.state import AppointmentInfo, Screen
from bot.conversation.turn import Turn


def _lines(turn: Turn, own: AppointmentInfo, key: str) -> str:
    texts = turn.texts
    return "\n\n".join(
        (
            render.details(texts, turn.content, key, own.branch_id, own.start, own.end),
            render.bring(texts, turn.content, own.task_id),
        )
    )


@screen(Screen.APPOINTMENT)
def show_appointment(turn: Turn, _: str = "") -> None:
    own = view(turn).appointment
    turn.go(Screen.APPOINTMENT)
    if own is None:
        turn.say(
            "appointment.none",
            [[turn.button("appointment.make", "book")], [turn.button("nav.menu", "menu")]],
        )
        return
    rows = [
        [turn.button("appointment.reschedule", "reschedule")],
        [turn.button("appointment.cancel", "cancel_appt")],
        [turn.button("appointment.calendar", "ics")],
        [turn.button("nav.menu", "menu")],
    ]
    link = render.website(turn.texts, turn.content, own.branch_id)
    turn.send(
        _lines(turn, own, "appointment.show"), rows, [link] if link else [], key="appointment.show"
    )


action("appointment")(show_appointment)
command("appointment")(show_appointment)


def own_appointment(turn: Turn) -> AppointmentInfo | None:
    return view(turn).appointment


# Its buttons stay in the chat after the appointment is gone (cancelled, perhaps by staff):
# pressed then, they show that there is none, with the button to make one.
with_appointment = needs(own_appointment, otherwise=show_appointment)


@action("book")
def make_appointment(turn: Turn, _: str = "") -> None:
    library_help(turn)


@action("reschedule")
@intent("reschedule_appointment")
@with_appointment
def reschedule(turn: Turn, own: AppointmentInfo) -> None:
    turn.remember(booking={"mode": "move"})
    set_booking(turn, branch=own.branch_id)
    show_slots(turn, f"{own.branch_id}_0")


@screen(Screen.CANCEL)
@action("cancel_appt")
@intent("cancel_appointment")
@with_appointment
def ask_cancel(turn: Turn, own: AppointmentInfo) -> None:
    turn.go(Screen.CANCEL)
    turn.say(
        "appointment.cancel_question",
        [
            [turn.button("appointment.cancel_yes", "cancel_yes")],
            [turn.button("appointment.cancel_no", "appointment")],
        ],
        when=render.when(own.start, own.end, turn.texts.lang),
    )


@action("cancel_yes", step_bound=True)
@with_appointment
def cancel(turn: Turn, own: AppointmentInfo) -> None:
    turn.effect(CancelAppointment(own.id))
    turn.record("appointment_cancelled", own.task_id)
    turn.remember(booking=None)
    turn.go(Screen.APPOINTMENT)
    turn.say(
        "appointment.cancelled",
        [[turn.button("appointment.make", "book")], [turn.button("nav.menu", "menu")]],
    )
    # The same UID, cancelled: the calendar app takes the appointment out again.
    turn.replies.append(
        Reply(
            text=turn.t("appointment.calendar_cancelled"),
            attachment=_calendar(turn, own, cancelled=True),
            key="appointment.calendar_cancelled",
        )
    )


def _calendar(turn: Turn, own: AppointmentInfo, *, cancelled: bool = False) -> Attachment:
    return render.calendar_file(
        turn.texts,
        turn.content,
        uid=own.uid,
        sequence=own.sequence + (1 if cancelled else 0),
        branch_id=own.branch_id,
        start=own.start,
        end=own.end,
        task_id=own.task_id,
        now=turn.now,
        cancelled=cancelled,
    )


@action("ics")
@with_appointment
def send_calendar(turn: Turn, own: AppointmentInfo) -> None:
    turn.replies.append(
        Reply(
            text=turn.t("booking.calendar_file"),
            attachment=_calendar(turn, own),
            key="booking.calendar_file",
        )
    )
    show_appointment(turn)


@on_failure("appointment_gone")
def appointment_gone(turn: Turn, _: str = "") -> None:
    """Moving failed because the appointment was cancelled meanwhile (e.g. by staff)."""
    turn.remember(booking=None)
    turn.say("appointment.gone")
    show_appointment(turn)
