"""What booking knows and keeps between turns: which turns need booking data, the slot chosen
so far (in `state.extra["booking"]`), and the free slots of a branch from the snapshot."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot.appointments import render
from bot.appointments.calendar import SlotTime, candidate_slots, free_slots
from bot.appointments.policy import policy_of
from bot.appointments.schema import Branch, Library
from bot.content.loader import Content
from bot.conversation.callbacks import decode
from bot.conversation.inbound import Command, EffectFailed, Inbound, Press, Text
from bot.conversation.state import BookingView, Screen, Snapshot
from bot.conversation.turn import Turn

BOOKING_SCREENS = frozenset(
    {
        Screen.LIBRARY,
        Screen.BRANCH,
        Screen.SLOTS,
        Screen.INTERPRETER,
        Screen.CONFIRM,
        Screen.WORDS,
        Screen.APPOINTMENT,
        Screen.CANCEL,
    }
)
BOOKING_ACTIONS = frozenset(
    {
        "library_help",
        "book",
        "library",
        "branches",
        "branch",
        "slots",
        "slot",
        "interp",
        "confirm",
        "appointment",
        "reschedule",
        "cancel_appt",
        "cancel_yes",
        "ics",
        "words_skip",
    }
)
BOOKING_COMMANDS = frozenset({"appointment", "library"})
BOOKING_INTENTS = frozenset(
    {
        "need_help",
        "talk_to_person",
        "book_appointment",
        "cancel_appointment",
        "reschedule_appointment",
    }
)
SOURCE_LANGUAGE = "nl"


# -- what the service must load --------------------------------------------------------------
def bookings_needed(
    content: Content, snapshot: Snapshot, inbound: Inbound
) -> frozenset[str] | None:
    """The branches whose taken seats this turn may need, or None when it needs no booking data.

    Keeps the common turn (a step, a glossary word) free of extra queries. The store adds the
    branch of the participant's own appointment by itself.
    """
    branches: set[str] = set()
    wanted = snapshot.state.screen in BOOKING_SCREENS or isinstance(inbound, EffectFailed)
    if isinstance(inbound, Press):
        callback = decode(inbound.data)
        if callback is not None and callback.action in BOOKING_ACTIONS:
            wanted = True
            if callback.action in ("branch", "slots", "slot"):
                branches.add(callback.argument.rpartition("_")[0] or callback.argument)
            elif callback.action == "library" and callback.argument:
                branches |= _branch_ids(content, callback.argument)
    elif isinstance(inbound, Command):
        wanted = wanted or inbound.name in BOOKING_COMMANDS
    elif isinstance(inbound, Text):
        wanted = wanted or (inbound.understanding.intent or "") in BOOKING_INTENTS
    if not wanted:
        return None
    profile = snapshot.profile
    if profile.library_id:
        branches |= _branch_ids(content, profile.library_id)
    if profile.branch_id:
        branches.add(profile.branch_id)
    booking = snapshot.state.extra.get("booking") or {}
    if booking.get("branch"):
        branches.add(str(booking["branch"]))
    return frozenset(branches)


def _branch_ids(content: Content, library_id: str) -> set[str]:
    try:
        return {branch.id for branch in content.libraries.library(library_id).branches}
    except KeyError:
        return set()


# -- small helpers -----------------------------------------------------------------------------
def view(turn: Turn) -> BookingView:
    return turn.snapshot.bookings or BookingView(owner="p0")


def booking(turn: Turn) -> dict[str, Any]:
    return dict(turn.state.extra.get("booking") or {})


def set_booking(turn: Turn, **changes: Any) -> None:
    turn.remember(booking={**booking(turn), **changes})


def minute_of(moment: dt.datetime) -> int:
    return int(moment.timestamp()) // 60


def from_minute(minute: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(minute * 60, dt.UTC)


def library(turn: Turn, library_id: str | None) -> Library | None:
    if not library_id:
        return None
    try:
        return turn.content.libraries.library(library_id)
    except KeyError:
        return None


def branch(turn: Turn, branch_id: str | None) -> Branch | None:
    return render.branch_of(turn.content, branch_id) if branch_id else None


def free(turn: Turn, place: Branch) -> list[SlotTime]:
    """Free slots at this branch from now on, minus the participant's own appointment."""
    policy = policy_of(turn.content).booking
    candidates = candidate_slots(
        place, turn.now, turn.now + policy.horizon, now=turn.now, lead_time=policy.lead_time
    )
    slots = free_slots(place, candidates, view(turn).booked.get(place.id, ()))
    own = view(turn).appointment
    if own is not None:
        slots = [
            s for s in slots if not (s.branch_id == own.branch_id and s.start_utc == own.start)
        ]
    return slots


def chosen_slot(turn: Turn, argument: str) -> SlotTime | None:
    """The slot a button names, if it is still a free slot of that branch."""
    branch_id, _, minute = argument.rpartition("_")
    place = branch(turn, branch_id)
    if place is None or not minute.isdigit():
        return None
    start = from_minute(int(minute))
    return next((s for s in free(turn, place) if s.start_utc == start), None)
