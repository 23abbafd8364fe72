"""Appointment reminders: rows in the database, sent once, late if still useful, never after."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence

import pytest

from bot.app import App, build_app
from bot.appointments.planning import DAY_BEFORE, SOON
from bot.appointments.reminders import Reminders
from bot.clock import FixedClock
from bot.conversation.effects import ScheduledReminder
from bot.conversation.replies import Reply
from bot.language.bidi import strip_isolates
from bot.notify import RecordingNotifier
from bot.settings import Settings
from bot.store.appointments import AppointmentStore, NewBooking
from bot.store.reminders import ReminderStore
from tests.appointments.booking_helpers import (
    BRANCH_ID,
    LIBRARY_ID,
    booking_app,
    library_directory,
    slot_buttons,
    use_libraries,
    utc,
    walk_to_slots,
)
from tests.support.driver import ChatDriver

# The clock starts on Monday 23 November 2026, 10:00 local. The test branch's first free times
# are Tuesday 24 November 10:00, 10:45 and 11:30 (local).
TUESDAY_10 = utc(2026, 11, 24, 9, 0)


def sent_to(notifier: RecordingNotifier, chat_id: str) -> list[Reply]:
    return [reply for _, chat, replies in notifier.sent if chat == chat_id for reply in replies]


async def book_first_slot(driver: ChatDriver, index: int = 0) -> dt.datetime:
    argument, start = slot_buttons(driver)[index]
    await driver.press(f"slot:{argument}")
    if "booking.interpreter_question" in driver.reply_keys():
        await driver.press("interp:no")
    await driver.press("confirm")
    assert "booking.confirmed" in driver.reply_keys()
    return start


async def test_the_day_before_and_two_hours_before_once_each(
    sqlite_url: str, clock: FixedClock
) -> None:
    async with booking_app(sqlite_url, clock) as app:
        driver = await walk_to_slots(app, "p1")
        start = await book_first_slot(driver, index=3)  # Wednesday 25 November 14:00 local
        assert start == utc(2026, 11, 25, 13, 0)
        notifier = RecordingNotifier()
        reminders = Reminders.for_app(app, notifier)

        clock.set(utc(2026, 11, 24, 12, 59))  # a minute early
        assert (await reminders.send_due(clock.now())).sent == 0
        clock.set(utc(2026, 11, 24, 13, 0))  # Tuesday 14:00 local
        assert (await reminders.send_due(clock.now())).sent == 1
        assert (await reminders.send_due(clock.now())).sent == 0, "never twice"
        [day_before] = sent_to(notifier, "p1")
        assert day_before.key == "reminder.day_before"
        assert "woensdag 25 november, 14:00–14:45" in day_before.text
        assert [b.data for row in day_before.buttons for b in row] == ["0:appointment"]

        clock.set(utc(2026, 11, 25, 11, 0))  # Wednesday 12:00 local
        report = await reminders.send_due(clock.now())
        assert report.sent == 1
        assert sent_to(notifier, "p1")[-1].key == "reminder.soon"
        assert "Over 2 uur" in sent_to(notifier, "p1")[-1].text
        clock.set(utc(2026, 11, 26, 11, 0))
        assert (await reminders.send_due(clock.now())).sent == 0


@pytest.mark.parametrize(
    ("back_at", "expected", "statuses"),
    [
        # Down from Monday until Tuesday 15:00: the day-before one is late but still useful.
        pytest.param(
            utc(2026, 11, 24, 14, 0),
            ["reminder.day_before"],
            {DAY_BEFORE: "sent", SOON: "pending"},
            id="late-day-before",
        ),
        # Until Wednesday 13:00: the day-before one has lost its point; the two-hours one not.
        pytest.param(
            utc(2026, 11, 25, 12, 0),
            ["reminder.soon"],
            {DAY_BEFORE: "dropped", SOON: "sent"},
            id="only-the-soon-one",
        ),
        # Until Wednesday 14:30: the appointment has begun; nothing is sent.
        pytest.param(
            utc(2026, 11, 25, 13, 30),
            [],
            {DAY_BEFORE: "dropped", SOON: "dropped"},
            id="appointment-passed",
        ),
    ],
)
async def test_after_downtime_late_reminders_go_out_if_useful_and_are_dropped_if_not(
    sqlite_url: str,
    clock: FixedClock,
    back_at: dt.datetime,
    expected: list[str],
    statuses: dict[str, str],
) -> None:
    settings = Settings(database_url=sqlite_url)
    async with booking_app(sqlite_url, clock) as app:
        driver = await walk_to_slots(app, "p1")
        start = await book_first_slot(driver, index=3)
    assert start == utc(2026, 11, 25, 13, 0)  # Wednesday 14:00 local

    # The bot was down; it starts again with new objects on the same database.
    clock.set(back_at)
    app = await build_app(settings, clock=clock)
    use_libraries(app, library_directory())
    try:
        notifier = RecordingNotifier()
        report = await Reminders.for_app(app, notifier).send_due(clock.now())
        assert [reply.key for reply in sent_to(notifier, "p1")] == expected
        assert report.sent == len(expected)
        rows = await ReminderStore(app.db).rows()
        assert {row["kind"]: row["status"] for row in rows} == statuses
    finally:
        await app.close()


async def test_a_reminder_survives_a_restart_and_speaks_the_participants_language(
    sqlite_url: str, clock: FixedClock
) -> None:
    settings = Settings(database_url=sqlite_url)
    async with booking_app(sqlite_url, clock) as app:
        driver = await walk_to_slots(app, "ar", lang="ar")
        await book_first_slot(driver, index=3)  # Wednesday 25 November 14:00 local

    clock.set(utc(2026, 11, 24, 13, 0))
    app = await build_app(settings, clock=clock)
    use_libraries(app, library_directory())
    try:
        notifier = RecordingNotifier()
        await Reminders.for_app(app, notifier).send_due(clock.now())
        [reminder] = sent_to(notifier, "ar")
        assert reminder.key == "reminder.day_before"
        text = strip_isolates(reminder.text)
        assert "الأربعاء، 25 نوفمبر، 14:00–14:45" in text
        assert "Morgen heb je" not in text
    finally:
        await app.close()


async def test_nothing_is_sent_at_night_and_it_goes_out_in_the_morning(
    sqlite_url: str, clock: FixedClock
) -> None:
    async with booking_app(sqlite_url, clock) as app:
        driver = await walk_to_slots(app, "p1")
        await book_first_slot(driver, index=3)  # Wednesday 25 November 14:00 local
        notifier = RecordingNotifier()
        reminders = Reminders.for_app(app, notifier)
        # The bot was down all Tuesday afternoon; back at 23:30 local it is night: wait.
        clock.set(utc(2026, 11, 24, 22, 30))
        assert (await reminders.send_due(clock.now())).sent == 0
        clock.set(utc(2026, 11, 25, 7, 0))  # 08:00 local
        assert (await reminders.send_due(clock.now())).sent == 1
        assert [r.key for r in sent_to(notifier, "p1")] == ["reminder.day_before"]


async def test_a_claim_left_by_a_sender_that_died_is_dropped_not_sent_twice(
    sqlite_url: str, clock: FixedClock
) -> None:
    async with booking_app(sqlite_url, clock) as app:
        driver = await walk_to_slots(app, "p1")
        await book_first_slot(driver, index=3)
        clock.set(utc(2026, 11, 24, 13, 0))
        store = ReminderStore(app.db)
        # A sender claimed the reminder, maybe sent it, and died before marking it.
        assert len(await store.claim(clock.now(), [DAY_BEFORE], "dead-sender")) == 1

        clock.advance(dt.timedelta(minutes=20))
        notifier = RecordingNotifier()
        report = await Reminders.for_app(app, notifier).send_due(clock.now())
        assert notifier.sent == []
        assert report.dropped == 1
        [row] = [r for r in await store.rows() if r["kind"] == DAY_BEFORE]
        assert (row["status"], row["drop_reason"]) == ("dropped", "interrupted")


async def test_no_reminder_for_a_blocked_chat_or_a_cancelled_appointment(
    sqlite_url: str, clock: FixedClock
) -> None:
    class Unreachable:
        async def notify(self, channel: str, chat_id: str, replies: Sequence[Reply]) -> bool:
            return False  # the participant blocked the bot

    async with booking_app(sqlite_url, clock) as app:
        first = await walk_to_slots(app, "blocked")
        await book_first_slot(first, index=3)
        second = await walk_to_slots(app, "cancels")
        await book_first_slot(second, index=4)
        await second.command("appointment")
        await second.press("cancel_appt")
        await second.press("cancel_yes")

        clock.set(utc(2026, 11, 24, 14, 0))
        report = await Reminders(app.db, app.content, app.engine.texts, Unreachable()).send_due(
            clock.now()
        )
        assert (report.sent, report.unreachable) == (0, 1)
        rows = await ReminderStore(app.db).rows()
        by_chat = {
            chat: [
                (row["kind"], row["status"], row["drop_reason"])
                for row in rows
                if row["participant_id"] == await participant(app, chat)
            ]
            for chat in ("blocked", "cancels")
        }
        assert by_chat["blocked"] == [
            (DAY_BEFORE, "dropped", "unreachable"),
            (SOON, "pending", None),
        ]
        assert by_chat["cancels"] == [
            (DAY_BEFORE, "dropped", "cancelled"),
            (SOON, "dropped", "cancelled"),
        ]


async def participant(app: App, chat_id: str) -> int:
    loaded = await app.assistant.store.load("test", chat_id)
    assert loaded.participant_id is not None
    return loaded.participant_id


class SlowNotifier(RecordingNotifier):
    """Takes a moment per message, like a real network, so two senders overlap."""

    async def notify(self, channel: str, chat_id: str, replies: Sequence[Reply]) -> bool:
        await asyncio.sleep(0.002)
        return await super().notify(channel, chat_id, replies)


@pytest.mark.postgres
async def test_two_senders_at_once_never_send_a_reminder_twice(
    postgres_url: str, clock: FixedClock
) -> None:
    async with booking_app(postgres_url, clock) as app:
        # 40 participants, each with an appointment whose two reminders are due now.
        store = AppointmentStore(app.db)
        people = []
        for number in range(40):
            driver = ChatDriver(app, chat_id=f"r{number}")
            await driver.start(lang="nl")
            await driver.press("consent:yes")
            loaded = await app.assistant.store.load(driver.channel, driver.chat_id)
            assert loaded.participant_id is not None
            people.append(loaded.participant_id)
        now = clock.now()
        for number, participant in enumerate(people):
            start = TUESDAY_10 + dt.timedelta(days=7 * (number // 3), minutes=45 * (number % 3))
            await store.book(
                NewBooking(
                    participant_id=participant,
                    library_id=LIBRARY_ID,
                    branch_id=BRANCH_ID,
                    start=start,
                    end=start + dt.timedelta(minutes=45),
                    capacity=1,
                    uid=f"test-{number}@wegwijs.invalid",
                ),
                [
                    ScheduledReminder(DAY_BEFORE, now, start),
                    ScheduledReminder(SOON, now, start),
                ],
                now,
            )

        first, second = SlowNotifier(), SlowNotifier()
        senders = [
            Reminders(app.db, app.content, app.engine.texts, notifier, batch=5)
            for notifier in (first, second)
        ]
        reports = await asyncio.gather(*(sender.send_due(now) for sender in senders))
        print(f"\ntwo senders sent {reports[0].sent} and {reports[1].sent} of 80 reminders")

        delivered = [
            (chat, reply.key) for n in (first, second) for _, chat, rs in n.sent for reply in rs
        ]
        assert len(delivered) == 80
        assert len(set(delivered)) == 80, "no reminder went out twice"
        assert reports[0].sent + reports[1].sent == 80
        again = await asyncio.gather(*(sender.send_due(now) for sender in senders))
        assert sum(report.sent for report in again) == 0
