"""The handover staff read, and what staff can do: claim, book a follow-up, move, mark, agenda."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pytest

from bot.appointments.staff import SlotUnavailable, StaffDesk
from bot.clock import FixedClock
from bot.conversation.replies import Reply
from bot.language.bidi import strip_isolates
from bot.language.translation import Translation
from bot.notify import RecordingNotifier
from bot.store.appointments import AppointmentStore
from bot.store.handovers import HandoverStore
from bot.store.reminders import ReminderStore
from tests.appointments.booking_helpers import booking_app, slot_buttons, utc
from tests.support.driver import ChatDriver

LIBRARY = "stadkamer"
BRANCH = "stadkamer-centrum"


async def stuck_and_booked(driver: ChatDriver, lang: str, interpreter: bool = True) -> None:
    """Two "didn't work" on the first DigiD step, help from a person, the first free time."""
    await driver.start(lang=lang)
    await driver.press("consent:yes")
    await driver.press("tasks")
    await driver.press("task:digid-aanvragen")
    await driver.press("start:digid-aanvragen")
    await driver.press("failed")
    await driver.press("failed")
    await driver.press("library_help")
    await driver.press(f"library:{LIBRARY}")
    await driver.press(f"branch:{BRANCH}")
    await driver.press(f"slot:{slot_buttons(driver)[0][0]}")
    if lang != "nl":
        await driver.press("interp:yes" if interpreter else "interp:no")
    await driver.press("confirm")
    assert "booking.words_question" in driver.reply_keys()


async def test_the_handover_says_what_failed_with_the_words_redacted_and_not_translated(
    sqlite_url: str, clock: FixedClock
) -> None:
    async with booking_app(sqlite_url, clock, real_libraries=True) as app:
        driver = ChatDriver(app, chat_id="ar")
        await stuck_and_booked(driver, "ar")
        # A BSN is never stored: the participant is warned and asked again.
        await driver.say("رقمي 111222333 ولم تصلني الرسالة")
        assert driver.reply_keys() == ["safety.secret_removed", "booking.words_question"]
        # A phone number and an e-mail address are not secrets, but staff need neither.
        await driver.say("لم تصلني الرسالة على 0612345678 ولا على fatima.ali@gmail.com")
        assert "booking.words_thanks" in driver.reply_keys()

        desk = StaffDesk.for_app(app, RecordingNotifier())
        [handover] = await desk.handovers(LIBRARY)
        assert handover.task_title == "DigiD aanvragen"
        assert (handover.step_number, handover.reason, handover.failures) == (1, "failed", 2)
        assert handover.step_text and handover.step_text.strip()
        assert (handover.language, handover.interpreter) == ("ar", True)
        assert handover.words_original == "لم تصلني الرسالة على [PHONE] ولا على [EMAIL]"
        assert "0612345678" not in str(handover) and "gmail" not in str(handover)
        assert "111222333" not in str(await HandoverStore(app.db).for_participant(1))
        assert (handover.words_dutch, handover.translation) == (None, "not_translated")
        assert handover.appointment is not None
        assert handover.appointment.branch_name == "Stadkamer Centrum"
        assert handover.appointment.start == utc(2026, 11, 24, 9, 0)


async def test_words_go_through_the_translator_and_dutch_words_need_none(
    sqlite_url: str, clock: FixedClock
) -> None:
    class Translator:
        """Stands in for a machine-translation provider (the real ones are tested elsewhere)."""

        def __init__(self) -> None:
            self.asked: list[tuple[str, str, str]] = []

        async def translate(self, text: str, source: str, target: str) -> Translation:
            self.asked.append((text, source, target))
            return Translation("Ik heb de brief niet gekregen.", True, "loopback")

    async with booking_app(sqlite_url, clock, real_libraries=True) as app:
        translator = Translator()
        app.assistant.translator = translator
        arabic = ChatDriver(app, chat_id="ar")
        await stuck_and_booked(arabic, "ar", interpreter=False)
        await arabic.say("لم تصلني الرسالة")
        dutch = ChatDriver(app, chat_id="nl")
        await stuck_and_booked(dutch, "nl")
        await dutch.say("De brief met de code is niet gekomen")

        assert translator.asked == [("لم تصلني الرسالة", "ar", "nl")], "Dutch is not translated"
        views = {
            view.language: view
            for view in await StaffDesk.for_app(app, RecordingNotifier()).handovers(LIBRARY)
        }
        assert views["ar"].words_original == "لم تصلني الرسالة"
        assert views["ar"].words_dutch == "Ik heb de brief niet gekregen."
        assert (views["ar"].translation, views["ar"].translation_provider) == (
            "translated",
            "loopback",
        )
        assert views["ar"].interpreter is False
        assert views["nl"].translation == "source"
        assert views["nl"].words_dutch == "De brief met de code is niet gekomen"


async def test_staff_claim_once_book_a_follow_up_and_the_participant_hears_it_in_arabic(
    sqlite_url: str, clock: FixedClock
) -> None:
    async with booking_app(sqlite_url, clock, real_libraries=True) as app:
        driver = ChatDriver(app, chat_id="ar")
        await stuck_and_booked(driver, "ar")
        await driver.press("words_skip")
        notifier = RecordingNotifier()
        desk = StaffDesk.for_app(app, notifier)
        [handover] = await desk.handovers(LIBRARY)

        assert await desk.claim(handover.id, "Els") is True
        assert await desk.claim(handover.id, "Piet") is False, "one staff member at a time"
        assert (await desk.handover(handover.id)).claimed_by == "Els"

        # The first appointment was attended; Els books a follow-up for Thursday.
        assert handover.appointment is not None
        clock.set(handover.appointment.end.astimezone(dt.UTC))
        attended = await desk.mark_attended(handover.appointment.appointment_id)
        assert attended.status == "attended"
        free = [slot for slot in await desk.free_slots(BRANCH) if slot.start.weekday() == 3]
        booked = await desk.book_follow_up(1, BRANCH, free[0].start, handover_id=handover.id)
        assert booked.notified
        assert (booked.entry.booked_by, booked.entry.language) == ("staff", "ar")
        assert booked.entry.interpreter is True, "taken over from the handover"

        [(_, chat, replies)] = notifier.sent
        assert chat == "ar"
        message, calendar = replies
        assert message.key == "staff.booked"
        when = strip_isolates(message.text)
        assert "الخميس، 26 نوفمبر، 14:00–14:45" in when
        assert "De bibliotheek heeft" not in when
        assert calendar.attachment is not None
        assert calendar.attachment.filename.endswith(".ics")
        kinds = {r["kind"] for r in await ReminderStore(app.db).rows() if r["status"] == "pending"}
        assert {"day_before", "soon"} <= kinds

        # The participant sees it with /appointment, in the chat.
        await driver.command("appointment")
        assert "الخميس، 26 نوفمبر، 14:00–14:45" in driver.text()

        # Double booking is refused for staff too.
        with pytest.raises(SlotUnavailable):
            await desk.book_follow_up(1, BRANCH, free[0].start)

        # Staff move it: the participant is told the new time.
        moved = await desk.reschedule(booked.entry.appointment_id, free[1].start)
        assert moved.notified and moved.entry.sequence == 1 and moved.entry.uid == booked.entry.uid
        assert notifier.sent[-1][2][0].key == "staff.moved"

        # The day's agenda, as data and as one calendar file for staff.
        day = moved.entry.start.date()
        agenda = await desk.agenda(BRANCH, day)
        assert [entry.appointment_id for entry in agenda] == [moved.entry.appointment_id]
        ics = await desk.agenda_ics(BRANCH, day)
        assert ics is not None
        unfolded = ics.replace(b"\r\n ", b"").decode()
        assert "SUMMARY:Wegwijs-afspraak: DigiD aanvragen (ar)\\, tolk gevraagd" in unfolded
        assert b"BEGIN:VEVENT" in await desk.appointment_ics(moved.entry.appointment_id)

        # Staff cancel: the participant hears it and gets the cancelling calendar file.
        assert await desk.cancel(moved.entry.appointment_id) is True
        cancel_message, cancel_file = notifier.sent[-1][2]
        assert cancel_message.key == "staff.cancelled"
        assert cancel_file.attachment is not None
        assert b"METHOD:CANCEL" in cancel_file.attachment.data
        assert await desk.cancel(moved.entry.appointment_id) is False
        assert await AppointmentStore(app.db).count(("booked",)) == 0

        assert await desk.close(handover.id) is True
        assert await desk.handovers(LIBRARY) == []
        assert len(await desk.handovers(LIBRARY, include_done=True)) == 1


async def test_a_no_show_is_recorded_and_its_reminders_stop(
    sqlite_url: str, clock: FixedClock
) -> None:
    async with booking_app(sqlite_url, clock, real_libraries=True) as app:
        driver = ChatDriver(app, chat_id="nl")
        await stuck_and_booked(driver, "nl")
        desk = StaffDesk.for_app(app, RecordingNotifier())
        [handover] = await desk.handovers(LIBRARY)
        assert handover.appointment is not None
        entry = await desk.mark_no_show(handover.appointment.appointment_id)
        assert entry.status == "no_show"
        pending = [
            r
            for r in await ReminderStore(app.db).rows()
            if r["status"] == "pending" and r["kind"] != "nudge"
        ]
        assert pending == []


class Blocked:
    async def notify(self, channel: str, chat_id: str, replies: Sequence[Reply]) -> bool:
        return False


async def test_a_follow_up_is_booked_even_when_the_participant_cannot_be_reached(
    sqlite_url: str, clock: FixedClock
) -> None:
    async with booking_app(sqlite_url, clock, real_libraries=True) as app:
        driver = ChatDriver(app, chat_id="gone")
        await driver.start(lang="nl")
        await driver.press("consent:yes")
        desk = StaffDesk(app.db, app.content, app.engine.texts, Blocked(), app.clock)
        free = await desk.free_slots(BRANCH)
        booked = await desk.book_follow_up(1, BRANCH, free[0].start)
        assert booked.notified is False
        assert booked.entry.status == "booked"
