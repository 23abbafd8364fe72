"""Booking an appointment with a person at the library: library, branch, a free time, confirm.

Replaces the placeholder `library_help` of walk.py. The seats already taken come from the
snapshot (`Snapshot.bookings`, filled by the service when `booking_data.bookings_needed` says
so); the booking itself is the `BookSlot` effect, which the store carries out so that a slot can
never be booked twice. When it was taken a moment earlier the engine runs again with
`EffectFailed("slot_taken")`.
"""

from __future__ import annotations

from dataclasses import replace

from bot.appointments import render
from bot.appointments.calendar import SlotTime
from bot.appointments.planning import appointment_reminders
from bot.appointments.policy import policy_of
from bot.conversation.effects import BookSlot, HandoverWords, OpenHandover, RescheduleAppointment
from bot.conversation.flows.booking_data import (
    SOURCE_LANGUAGE,
    booking,
    branch,
    chosen_slot,
    free,
    library,
    minute_of,
    set_booking,
    view,
)
from bot.conversation.flows.menu import show_menu
from bot.conversation.flows.walk import ids_of, step_stuck, walking
from bot.conversation.registry import action, command, intent, on_failure, reads_text, screen
from bot.conversation.replies import Button, Reply
from bot.conversation.state import Consent, Screen
from bot.conversation.turn import Turn


# -- asking for a person -----------------------------------------------------------------------
@action("library_help")
@intent("talk_to_person", "book_appointment")
def library_help(turn: Turn, _: str = "") -> None:
    """Someone asked for a person (or pressed the offer's button): start booking."""
    walk = walking(turn)
    reason = (
        turn.state.extra.get("offer_reason", "stuck")
        if turn.state.screen is Screen.OFFER
        else "asked"
    )
    if walk is not None:
        turn.record("person_requested", walk.task.id, walk.step.id)
    if turn.profile.consent is not Consent.GIVEN:
        # Booking needs their chat stored; without consent there is the walk-in desk.
        turn.say("offer.library")
        turn.say(
            "booking.needs_consent",
            [[turn.button("consent.yes", "consent", "yes")], [turn.button("nav.menu", "menu")]],
        )
        return
    own = view(turn).appointment
    if own is not None:
        from bot.conversation.flows.appointment import show_appointment

        turn.say("booking.already")
        show_appointment(turn)
        return
    turn.remember(booking={"mode": "new", "reason": reason})
    _open_handover(turn, reason)
    turn.say("offer.library")
    show_branches(turn)


@intent("need_help")
def need_help(turn: Turn, _: str = "") -> None:
    """ "I need help" on a step is "I'm stuck": the offer (another explanation where the step has
    one, or a person). Anywhere else it goes straight to a person."""
    if turn.state.screen is Screen.STEP and walking(turn) is not None:
        step_stuck(turn)
        return
    library_help(turn)


def _open_handover(turn: Turn, reason: str) -> None:
    walk = walking(turn)
    task_id, step_id = ids_of(walk)
    failures = walk.progress.failures.get(walk.step.id, 0) if walk else 0
    turn.effect(
        OpenHandover(
            library_id=turn.profile.library_id,
            task_id=task_id,
            step_id=step_id,
            reason=str(reason),
            failures=failures,
            language=turn.profile.language,
        )
    )
    turn.record("handover_opened", task_id, step_id)


# -- library and branch ------------------------------------------------------------------------
@screen(Screen.LIBRARY)
def show_libraries(turn: Turn, _: str = "") -> None:
    libraries = sorted(turn.content.libraries.libraries, key=lambda item: item.name)
    rows = [[turn.raw_button(item.name, "library", item.id)] for item in libraries]
    rows.append([turn.button("nav.menu", "menu")])
    turn.go(Screen.LIBRARY)
    turn.say("booking.choose_library", rows)


command("library")(show_libraries)


@action("library")
def choose_library(turn: Turn, library_id: str) -> None:
    chosen = library(turn, library_id)
    if chosen is None:
        show_libraries(turn)
        return
    own_branch = turn.profile.branch_id
    if own_branch and own_branch not in {b.id for b in chosen.branches}:
        own_branch = None
    turn.profile = replace(turn.profile, library_id=chosen.id, branch_id=own_branch)
    turn.record("library_chosen")
    turn.say("booking.library_set", library=chosen.name)
    current = booking(turn)
    if current.get("mode") == "new":
        _open_handover(turn, current.get("reason", "asked"))
    if current.get("mode"):
        show_branches(turn)
    else:
        show_menu(turn)


@screen(Screen.BRANCH)
def show_branches(turn: Turn, _: str = "") -> None:
    own = library(turn, turn.profile.library_id)
    if own is None:
        show_libraries(turn)
        return
    if len(own.branches) == 1:
        show_slots(turn, f"{own.branches[0].id}_0")
        return
    branches = sorted(own.branches, key=lambda b: b.id != turn.profile.branch_id)
    rows = [[turn.raw_button(b.name, "branch", b.id)] for b in branches]
    rows.append([turn.button("booking.other_library", "library")])
    rows.append([turn.button("nav.menu", "menu")])
    turn.go(Screen.BRANCH)
    turn.say("booking.choose_branch", rows, library=own.name)


action("branches")(show_branches)


@action("branch")
def choose_branch(turn: Turn, branch_id: str) -> None:
    show_slots(turn, f"{branch_id}_0")


# -- slots -------------------------------------------------------------------------------------
@action("slots")
def show_slots(turn: Turn, argument: str) -> None:
    """The next free times at a branch as buttons; `argument` is `<branch>_<page>`."""
    branch_id, _, page_text = argument.rpartition("_")
    place = branch(turn, branch_id)
    if place is None:
        show_branches(turn)
        return
    page = int(page_text) if page_text.isdigit() else 0
    per_page = policy_of(turn.content).booking.slots_per_page
    slots = free(turn, place)
    shown = slots[page * per_page : (page + 1) * per_page]
    if not booking(turn).get("mode"):
        turn.remember(booking={"mode": "new", "reason": "asked"})
    set_booking(turn, branch=place.id, start=None)
    turn.go(Screen.SLOTS)
    if not shown:
        turn.say(
            "booking.no_slots",
            [
                [turn.button("booking.other_branch", "branches")],
                [turn.button("nav.menu", "menu")],
            ],
            branch=place.name,
        )
        return
    lang = turn.profile.language or SOURCE_LANGUAGE
    rows: list[list[Button]] = [
        [
            turn.raw_button(
                render.when(s.start, s.end, lang), "slot", f"{place.id}_{minute_of(s.start)}"
            )
        ]
        for s in shown
    ]
    paging = []
    if page > 0:
        paging.append(turn.button("booking.earlier", "slots", f"{place.id}_{page - 1}"))
    if len(slots) > (page + 1) * per_page:
        paging.append(turn.button("booking.later", "slots", f"{place.id}_{page + 1}"))
    rows.append(paging)
    rows.append([turn.button("booking.other_branch", "branches"), turn.button("nav.menu", "menu")])
    turn.say("booking.choose_slot", rows, branch=place.name, minutes=place.appointment_minutes)


@screen(Screen.SLOTS)
def _render_slots(turn: Turn) -> None:
    current = booking(turn).get("branch")
    if current:
        show_slots(turn, f"{current}_0")
    else:
        show_branches(turn)


@action("slot")
def choose_slot(turn: Turn, argument: str) -> None:
    picked = chosen_slot(turn, argument)
    if picked is None:
        branch_id = argument.rpartition("_")[0]
        turn.say("booking.taken")
        show_slots(turn, f"{branch_id}_0")
        return
    if not booking(turn).get("mode"):
        turn.remember(booking={"mode": "new", "reason": "asked"})
    set_booking(turn, branch=picked.branch_id, start=minute_of(picked.start))
    current = booking(turn)
    needs_question = (
        current.get("mode") == "new"
        and "interpreter" not in current
        and (turn.profile.language or SOURCE_LANGUAGE) != SOURCE_LANGUAGE
    )
    if needs_question:
        ask_interpreter(turn)
    else:
        show_confirm(turn)


@screen(Screen.INTERPRETER)
def ask_interpreter(turn: Turn) -> None:
    turn.go(Screen.INTERPRETER)
    turn.say(
        "booking.interpreter_question",
        [
            [turn.button("booking.interpreter_yes", "interp", "yes")],
            [turn.button("booking.interpreter_no", "interp", "no")],
        ],
    )


@action("interp")
def answer_interpreter(turn: Turn, answer: str) -> None:
    if answer not in ("yes", "no"):
        ask_interpreter(turn)
        return
    set_booking(turn, interpreter=answer == "yes")
    show_confirm(turn)


# -- confirming --------------------------------------------------------------------------------
def _pending_slot(turn: Turn) -> SlotTime | None:
    current = booking(turn)
    if not current.get("branch") or current.get("start") is None:
        return None
    return chosen_slot(turn, f"{current['branch']}_{current['start']}")


@screen(Screen.CONFIRM)
def show_confirm(turn: Turn) -> None:
    picked = _pending_slot(turn)
    if picked is None:
        _render_slots(turn)
        return
    texts = turn.texts
    lines = [
        render.details(
            texts,
            turn.content,
            "booking.confirm_question",
            picked.branch_id,
            picked.start,
            picked.end,
        )
    ]
    if booking(turn).get("interpreter"):
        lines.append(turn.t("booking.interpreter_noted"))
    rows = [
        [turn.button("booking.confirm_yes", "confirm")],
        [turn.button("booking.confirm_other_time", "slots", f"{picked.branch_id}_0")],
        [turn.button("nav.menu", "menu")],
    ]
    turn.go(Screen.CONFIRM)
    turn.send("\n\n".join(lines), rows, key="booking.confirm_question")


@action("confirm", step_bound=True)
def confirm(turn: Turn, _: str = "") -> None:
    picked = _pending_slot(turn)
    if picked is None:
        turn.say("booking.taken")
        _render_slots(turn)
        return
    current = booking(turn)
    own = view(turn).appointment
    place = branch(turn, picked.branch_id)
    owner = render.library_of(turn.content, picked.branch_id)
    assert place is not None and owner is not None
    planned = appointment_reminders(picked.start_utc, turn.now, policy_of(turn.content))
    turn.profile = replace(turn.profile, library_id=owner.id, branch_id=place.id)
    if current.get("mode") == "move" and own is not None:
        turn.effect(
            RescheduleAppointment(
                appointment_id=own.id,
                library_id=owner.id,
                branch_id=place.id,
                start=picked.start_utc,
                end=picked.end_utc,
                capacity=place.capacity,
                reminders=planned,
            )
        )
        turn.record("appointment_moved", own.task_id)
        turn.remember(booking=None)
        _confirmation(turn, picked, own.uid, own.sequence + 1, own.task_id, "booking.moved")
        turn.go(Screen.APPOINTMENT)
        turn.say(
            "booking.next",
            [[turn.button("appointment.my", "appointment")], [turn.button("nav.menu", "menu")]],
        )
        return
    if own is not None:
        from bot.conversation.flows.appointment import show_appointment

        turn.say("booking.already")
        show_appointment(turn)
        return
    task_id, step_id = ids_of(walking(turn))
    uid = render.calendar_uid(view(turn).owner, turn.now)
    turn.effect(
        BookSlot(
            library_id=owner.id,
            branch_id=place.id,
            start=picked.start_utc,
            end=picked.end_utc,
            capacity=place.capacity,
            uid=uid,
            task_id=task_id,
            step_id=step_id,
            interpreter=bool(current.get("interpreter")),
            language=turn.profile.language,
            reminders=planned,
        )
    )
    turn.record("appointment_booked", task_id, step_id)
    turn.remember(booking=None)
    _confirmation(turn, picked, uid, 0, task_id, "booking.confirmed")
    if current.get("interpreter"):
        turn.say("booking.interpreter_noted")
    ask_words(turn)


def _confirmation(
    turn: Turn, picked: SlotTime, uid: str, sequence: int, task_id: str | None, key: str
) -> None:
    """Address, time and what to bring; then the calendar file."""
    texts = turn.texts
    text = "\n\n".join(
        (
            render.details(texts, turn.content, key, picked.branch_id, picked.start, picked.end),
            render.bring(texts, turn.content, task_id),
        )
    )
    place = branch(turn, picked.branch_id)
    link = render.website(texts, turn.content, picked.branch_id)
    links = [link] if link is not None and place is not None and not place.address.complete else []
    turn.send(text, links=links, key=key)
    attachment = render.calendar_file(
        texts,
        turn.content,
        uid=uid,
        sequence=sequence,
        branch_id=picked.branch_id,
        start=picked.start_utc,
        end=picked.end_utc,
        task_id=task_id,
        now=turn.now,
    )
    turn.replies.append(
        Reply(
            text=turn.t("booking.calendar_file"), attachment=attachment, key="booking.calendar_file"
        )
    )


@on_failure("slot_taken")
def slot_taken(turn: Turn, branch_id: str) -> None:
    """Someone else booked the last place a moment earlier: say so kindly, show other times."""
    turn.record("slot_taken", turn.state.task_id, turn.state.step_id)
    turn.say("booking.taken")
    show_slots(turn, f"{branch_id or booking(turn).get('branch', '')}_0")


# -- the participant's own words for staff -----------------------------------------------------
@screen(Screen.WORDS)
def ask_words(turn: Turn) -> None:
    rows = [[turn.button("booking.words_skip", "words_skip")]]
    turn.go(Screen.WORDS)
    turn.say("booking.words_question", rows)


def after_booking(turn: Turn) -> None:
    rows = []
    walk = walking(turn)
    if walk is not None:
        rows.append([turn.button("booking.back_to_task", "start", walk.task.id)])
    rows.append([turn.button("appointment.my", "appointment"), turn.button("nav.menu", "menu")])
    turn.go(Screen.APPOINTMENT)
    turn.say("booking.next", rows)


@action("words_skip")
def skip_words(turn: Turn, _: str = "") -> None:
    after_booking(turn)


MAX_WORDS = 1000


@reads_text(Screen.WORDS)
def read_words(turn: Turn, text: str) -> None:
    """What went wrong, in their own words and language; the service translates it for staff."""
    words = " ".join(text.split())[:MAX_WORDS]
    if not words:
        ask_words(turn)
        return
    turn.effect(HandoverWords(text=words, language=turn.profile.language or SOURCE_LANGUAGE))
    turn.record("handover_words", turn.state.task_id, turn.state.step_id)
    turn.say("booking.words_thanks")
    after_booking(turn)
