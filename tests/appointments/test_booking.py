"""Booking in the chat: local times across daylight saving, one seat a place, moving, cancelling."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.appointments.planning import DAY_BEFORE, SOON
from bot.clock import FixedClock
from bot.conversation.flows.booking_data import bookings_needed
from bot.conversation.inbound import Command, Press, Text, Understanding
from bot.conversation.state import ConversationState, Screen, Snapshot
from bot.store.appointments import AppointmentStore
from bot.store.reminders import ReminderStore
from tests.appointments.booking_helpers import (
    BRANCH_ID,
    LIBRARY_ID,
    booking_app,
    slot_buttons,
    utc,
    walk_to_slots,
)
from tests.support.driver import ChatDriver


async def participant_id(driver: ChatDriver) -> int:
    loaded = await driver.app.assistant.store.load(driver.channel, driver.chat_id)
    assert loaded.participant_id is not None
    return loaded.participant_id


def attachment(driver: ChatDriver) -> bytes:
    files = [reply.attachment for reply in driver.last if reply.attachment is not None]
    assert len(files) == 1, driver.reply_keys()
    return files[0].data


@pytest.mark.parametrize(
    ("now", "label", "start", "day_before", "soon"),
    [
        pytest.param(
            utc(2026, 3, 27, 12, 0),  # Friday before the clocks go forward (CET, UTC+1)
            "maandag 30 maart, 10:00–10:45",
            utc(2026, 3, 30, 8, 0),  # 10:00 CEST is 08:00 UTC
            utc(2026, 3, 29, 8, 0),  # Sunday 10:00 CEST, after the switch that night
            utc(2026, 3, 30, 6, 0),  # 08:00 CEST
            id="last-sunday-of-march",
        ),
        pytest.param(
            utc(2026, 10, 23, 12, 0),  # Friday before the clocks go back (CEST, UTC+2)
            "maandag 26 oktober, 10:00–10:45",
            utc(2026, 10, 26, 9, 0),  # 10:00 CET is 09:00 UTC
            utc(2026, 10, 25, 9, 0),  # Sunday 10:00 CET, after the switch that night
            utc(2026, 10, 26, 7, 0),  # 08:00 CET
            id="last-sunday-of-october",
        ),
    ],
)
async def test_booking_across_daylight_saving_shows_local_time_and_stores_the_instant(
    database_url: str,
    now: dt.datetime,
    label: str,
    start: dt.datetime,
    day_before: dt.datetime,
    soon: dt.datetime,
) -> None:
    clock = FixedClock(now)
    async with booking_app(database_url, clock) as app:
        driver = await walk_to_slots(app, "dst")
        first_label = driver.labels()[0]
        assert first_label == label, "the first free time is Monday 10:00 local, after the switch"
        argument, instant = slot_buttons(driver)[0]
        assert instant == start
        await driver.press(f"slot:{argument}")
        await driver.press("confirm")
        assert "booking.confirmed" in driver.reply_keys()
        assert label in driver.text()
        ics = attachment(driver).decode()
        assert f"DTSTART:{start:%Y%m%dT%H%M%SZ}" in ics

        [appointment] = await AppointmentStore(app.db).for_participant(await participant_id(driver))
        assert appointment.starts_at == start
        assert appointment.ends_at == start + dt.timedelta(minutes=45)
        assert (appointment.branch_id, appointment.library_id) == (BRANCH_ID, LIBRARY_ID)
        due = {row["kind"]: row["due_at"] for row in await ReminderStore(app.db).rows()}
        assert due[DAY_BEFORE].astimezone(dt.UTC) == day_before
        assert due[SOON].astimezone(dt.UTC) == soon


@pytest.mark.postgres
async def test_fifty_people_pressing_five_slots_at_once_get_five_bookings(
    postgres_url: str, clock: FixedClock
) -> None:
    import asyncio
    import time

    async with booking_app(postgres_url, clock) as app:
        drivers: list[ChatDriver] = []
        for first in range(0, 50, 10):
            drivers += await asyncio.gather(
                *(walk_to_slots(app, f"race-{n}") for n in range(first, first + 10))
            )
        five = slot_buttons(drivers[0])[:5]
        wanted = {}
        for number, driver in enumerate(drivers):
            argument, instant = five[number % 5]
            await driver.press(f"slot:{argument}")
            assert "booking.confirm_question" in driver.reply_keys()
            wanted[driver.chat_id] = instant

        began = time.perf_counter()
        await asyncio.gather(*(driver.press("confirm") for driver in drivers))
        took = time.perf_counter() - began
        print(f"\n50 concurrent confirmations for 5 slots on PostgreSQL took {took:.2f}s")

        store = AppointmentStore(app.db)
        assert await store.count() == 5
        day_start, day_end = clock.now(), clock.now() + dt.timedelta(days=28)
        booked = await store.agenda(BRANCH_ID, day_start, day_end)
        assert sorted(a.starts_at for a in booked) == sorted(instant for _, instant in five)

        winners = [d for d in drivers if "booking.confirmed" in d.reply_keys()]
        losers = [d for d in drivers if "booking.taken" in d.reply_keys()]
        assert len(winners) == 5
        assert len(losers) == 45
        for loser in losers:
            offered = {instant for _, instant in slot_buttons(loser)}
            assert offered, "other times are offered"
            assert wanted[loser.chat_id] not in offered, "the taken time is not offered again"
            assert "booking.choose_slot" in loser.reply_keys()


async def test_a_slot_taken_between_showing_and_confirming_is_kindly_refused(
    sqlite_url: str, clock: FixedClock
) -> None:
    async with booking_app(sqlite_url, clock) as app:
        amira = await walk_to_slots(app, "amira")
        yonas = await walk_to_slots(app, "yonas")
        argument, instant = slot_buttons(amira)[0]
        await amira.press(f"slot:{argument}")
        await yonas.press(f"slot:{argument}")
        await amira.press("confirm")
        await yonas.press("confirm")

        assert "booking.confirmed" in amira.reply_keys()
        assert yonas.reply_keys()[:2] == ["booking.taken", "booking.choose_slot"]
        assert "net door iemand anders gekozen" in yonas.text()
        assert instant not in {start for _, start in slot_buttons(yonas)}
        assert await AppointmentStore(app.db).for_participant(await participant_id(yonas)) == []
        # The refused turn was rolled back: Yonas picks another time and books it.
        other, _ = slot_buttons(yonas)[0]
        await yonas.press(f"slot:{other}")
        await yonas.press("confirm")
        assert "booking.confirmed" in yonas.reply_keys()


async def test_two_helpers_take_two_people_in_one_slot_and_no_third(
    sqlite_url: str, clock: FixedClock
) -> None:
    async with booking_app(sqlite_url, clock, capacity=2) as app:
        people = [await walk_to_slots(app, f"p{n}") for n in range(3)]
        argument, instant = slot_buttons(people[0])[0]
        for person in people:
            await person.press(f"slot:{argument}")
        for person in people:
            await person.press("confirm")
        assert ["booking.confirmed" in p.reply_keys() for p in people] == [True, True, False]
        assert "booking.taken" in people[2].reply_keys()
        booked = await AppointmentStore(app.db).agenda(
            BRANCH_ID, instant, instant + dt.timedelta(minutes=1)
        )
        assert sorted(a.seat or 0 for a in booked) == [1, 2]


async def test_moving_keeps_the_calendar_entry_and_gives_the_old_seat_back(
    sqlite_url: str, clock: FixedClock
) -> None:
    async with booking_app(sqlite_url, clock) as app:
        sara = await walk_to_slots(app, "sara")
        (first, first_start), (second, second_start) = slot_buttons(sara)[:2]
        await sara.press(f"slot:{first}")
        await sara.press("confirm")
        uid = next(
            line for line in attachment(sara).decode().splitlines() if line.startswith("UID:")
        )

        await sara.command("appointment")
        await sara.press("reschedule")
        assert first_start not in {start for _, start in slot_buttons(sara)}
        await sara.press(f"slot:{second}")
        await sara.press("confirm")
        assert "booking.moved" in sara.reply_keys()
        moved = attachment(sara).decode()
        assert uid in moved, "the same UID, so the phone's calendar replaces the entry"
        assert "SEQUENCE:1" in moved

        store = AppointmentStore(app.db)
        rows = await store.for_participant(await participant_id(sara))
        assert [(r.status, r.seat) for r in rows] == [("cancelled", None), ("booked", 1)]
        assert rows[1].starts_at == second_start and rows[1].previous_id == rows[0].id

        # The old time is free again for someone else.
        omar = await walk_to_slots(app, "omar")
        assert first_start in {start for _, start in slot_buttons(omar)}
        await omar.press(f"slot:{first}")
        await omar.press("confirm")
        assert "booking.confirmed" in omar.reply_keys()

        # Cancelling: a calendar file that takes it out again, and no reminders left.
        await sara.command("appointment")
        await sara.press("cancel_appt")
        assert "appointment.cancel_question" in sara.reply_keys()
        await sara.press("cancel_yes")
        assert "appointment.cancelled" in sara.reply_keys()
        cancelled = attachment(sara).decode()
        assert "METHOD:CANCEL" in cancelled and uid in cancelled
        pending = [
            row
            for row in await ReminderStore(app.db).rows(await participant_id(sara))
            if row["status"] == "pending" and row["kind"] != "nudge"
        ]
        assert pending == []
        await sara.command("appointment")
        assert sara.reply_keys() == ["appointment.none"]


async def test_the_library_is_chosen_once_and_can_be_changed(
    sqlite_url: str, clock: FixedClock
) -> None:
    async with booking_app(sqlite_url, clock, real_libraries=True) as app:
        nour = ChatDriver(app, chat_id="nour")
        await nour.start(lang="nl")
        await nour.press("consent:yes")
        await nour.command("appointment")
        await nour.press("book")
        assert "booking.choose_library" in nour.reply_keys()
        await nour.press("library:stadkamer")
        await nour.press("menu")

        await nour.command("appointment")
        await nour.press("book")
        assert "booking.choose_branch" in nour.reply_keys(), "no second question"
        assert "Stadkamer Centrum" in nour.labels()

        await nour.press("library")
        await nour.press("library:bibliotheek-deventer")
        assert "booking.choose_branch" in nour.reply_keys()
        loaded = await app.assistant.store.load(nour.channel, nour.chat_id)
        assert loaded.snapshot.profile.library_id == "bibliotheek-deventer"

        await nour.command("library")
        assert "booking.choose_library" in nour.reply_keys()


async def test_without_consent_there_is_the_walk_in_desk_and_no_booking(
    sqlite_url: str, clock: FixedClock
) -> None:
    async with booking_app(sqlite_url, clock) as app:
        driver = ChatDriver(app, chat_id="no")
        await driver.start(lang="nl")
        await driver.press("consent:no")
        await driver.command("appointment")
        await driver.press("book")
        assert driver.reply_keys() == ["offer.library", "booking.needs_consent"]
        assert await AppointmentStore(app.db).count() == 0


async def test_one_coming_appointment_at_a_time(sqlite_url: str, clock: FixedClock) -> None:
    async with booking_app(sqlite_url, clock) as app:
        driver = await walk_to_slots(app, "once")
        await driver.press(f"slot:{slot_buttons(driver)[0][0]}")
        await driver.press("confirm")
        await driver.press("words_skip")
        # Asking for a person again (an old offer's button) shows the appointment they have.
        await driver.raw("1:library_help")
        assert driver.reply_keys()[:2] == ["booking.already", "appointment.show"]


def test_only_turns_about_booking_read_bookings() -> None:
    from bot.app import load_everything

    content, _, _ = load_everything()
    on_step = Snapshot(state=ConversationState(screen=Screen.STEP, keyboard=3))
    assert bookings_needed(content, on_step, Press("3:done")) is None
    assert bookings_needed(content, on_step, Text("hallo")) is None
    assert bookings_needed(content, on_step, Command("tasks")) is None
    assert bookings_needed(content, on_step, Press("3:library_help")) is not None
    assert bookings_needed(content, on_step, Command("appointment")) is not None
    asks = Text("ik wil een mens", Understanding(intent="talk_to_person"))
    assert bookings_needed(content, on_step, asks) is not None
    slots = bookings_needed(content, on_step, Press("3:slot:stadkamer-centrum_29925180"))
    assert slots is not None and "stadkamer-centrum" in slots


async def test_asking_for_help_in_words_offers_help_and_asking_for_a_person_books(
    sqlite_url: str, clock: FixedClock
) -> None:
    async with booking_app(sqlite_url, clock, real_libraries=True) as app:
        driver = ChatDriver(app, chat_id="words")
        await driver.start(lang="nl")
        await driver.press("consent:yes")
        await driver.press("tasks")
        await driver.press("task:digid-aanvragen")
        await driver.press("start:digid-aanvragen")
        await driver.say("Ik heb hulp nodig")
        assert driver.reply_keys() == ["offer.stuck"], "on a step: the offer, as with the button"
        assert "🙋 Hulp van een mens in de bibliotheek" in driver.labels()
        await driver.say("ik wil met iemand praten")
        assert driver.reply_keys() == ["offer.library", "booking.choose_library"]
        await driver.press("menu")
        await driver.say("ik wil een afspraak maken")
        assert "booking.choose_library" in driver.reply_keys()
