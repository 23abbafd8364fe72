"""'Between sessions' nudges: one friendly message after stopping mid-task, at a sensible hour."""

from __future__ import annotations

import datetime as dt

from bot.appointments.reminders import Reminders
from bot.clock import FixedClock
from bot.conversation.replies import Reply
from bot.language.bidi import strip_isolates
from bot.notify import RecordingNotifier
from bot.store.reminders import ReminderStore
from tests.appointments.booking_helpers import booking_app, utc
from tests.support.driver import ChatDriver

TASK = "zorgtoeslag"


def sent_to(notifier: RecordingNotifier, chat_id: str) -> list[Reply]:
    return [reply for _, chat, replies in notifier.sent if chat == chat_id for reply in replies]


async def stop_after_one_step(driver: ChatDriver, lang: str = "nl", consent: str = "yes") -> None:
    await driver.start(lang=lang)
    await driver.press(f"consent:{consent}")
    await driver.press("tasks")
    await driver.press(f"task:{TASK}")
    await driver.press(f"start:{TASK}")
    await driver.press("done")
    assert "step.header" in driver.reply_keys()


async def run_until(reminders: Reminders, clock: FixedClock, end: dt.datetime) -> list[str]:
    """Run the loop every 30 minutes of (test) time until `end`; when something was sent."""
    moments = []
    while clock.now() < end:
        clock.advance(dt.timedelta(minutes=30))
        if (await reminders.send_due(clock.now())).sent:
            moments.append(clock.now().isoformat())
    return moments


async def test_one_nudge_days_later_at_a_sensible_hour_in_their_language(
    database_url: str,
) -> None:
    # Stopping on Monday 23 November at 22:30 local: three days later is Thursday 22:30, too
    # late in the evening, so the nudge comes on Friday at 10:00 local (09:00 UTC).
    clock = FixedClock(utc(2026, 11, 23, 21, 30))
    async with booking_app(database_url, clock, real_libraries=True) as app:
        driver = ChatDriver(app, chat_id="ar")
        await stop_after_one_step(driver, lang="ar")
        notifier = RecordingNotifier()
        reminders = Reminders.for_app(app, notifier)

        moments = await run_until(reminders, clock, utc(2026, 12, 7, 12, 0))
        assert moments == [utc(2026, 11, 27, 9, 0).isoformat()], "once, Friday 10:00 local"
        [nudge] = sent_to(notifier, "ar")
        assert nudge.key == "nudge.text"
        text = strip_isolates(nudge.text)
        assert "2" in text and "Je was bezig" not in text, "in Arabic, at step 2"
        actions = [b.data.split(":")[1] for row in nudge.buttons for b in row]
        assert actions == ["start", "library_help", "nudges"]

        # The participant taps "continue": the button works outside any turn's keyboard.
        driver.last = (nudge,)
        await driver.press(f"start:{TASK}")
        assert "step.header" in driver.reply_keys()


async def test_no_nudge_when_turned_off_without_consent_or_when_done(database_url: str) -> None:
    clock = FixedClock(utc(2026, 11, 23, 9, 0))
    async with booking_app(database_url, clock, real_libraries=True) as app:
        off = ChatDriver(app, chat_id="off")
        await stop_after_one_step(off)
        await off.command("reminders")
        assert "nudge.settings_on" in off.reply_keys()
        await off.press("nudges:off")
        assert "nudge.now_off" in off.reply_keys()

        declined = ChatDriver(app, chat_id="declined")
        await stop_after_one_step(declined, consent="no")

        done = ChatDriver(app, chat_id="done")
        await stop_after_one_step(done)
        for _ in range(20):
            await done.press("done")
            if "done.text" in done.reply_keys():
                break
        assert "done.text" in done.reply_keys()

        notifier = RecordingNotifier()
        await run_until(Reminders.for_app(app, notifier), clock, utc(2026, 12, 3, 12, 0))
        assert notifier.sent == []


async def test_coming_back_without_moving_on_waits_again(database_url: str) -> None:
    clock = FixedClock(utc(2026, 11, 23, 9, 0))  # Monday 10:00 local
    async with booking_app(database_url, clock, real_libraries=True) as app:
        driver = ChatDriver(app, chat_id="back")
        await stop_after_one_step(driver)
        notifier = RecordingNotifier()
        reminders = Reminders.for_app(app, notifier)
        clock.set(utc(2026, 11, 25, 9, 0))  # Wednesday: a look at the menu, nothing more
        await driver.command("help")
        moments = await run_until(reminders, clock, utc(2026, 12, 3, 12, 0))
        # Three days after Wednesday 10:00 local, not after Monday.
        assert moments == [utc(2026, 11, 28, 9, 0).isoformat()]


async def test_never_more_nudges_for_a_task_than_agreed(database_url: str) -> None:
    clock = FixedClock(utc(2026, 11, 23, 9, 0))
    async with booking_app(database_url, clock, real_libraries=True) as app:
        driver = ChatDriver(app, chat_id="limit")
        await stop_after_one_step(driver)
        notifier = RecordingNotifier()
        reminders = Reminders.for_app(app, notifier)
        assert len(await run_until(reminders, clock, utc(2026, 11, 27, 12, 0))) == 1

        # Back, one more step, and away again: the one nudge for this task was already sent.
        await driver.press("done")
        assert await run_until(reminders, clock, utc(2026, 12, 10, 12, 0)) == []
        rows = [r for r in await ReminderStore(app.db).rows() if r["kind"] == "nudge"]
        # (Each step reached replaced the pending nudge of the step before: "superseded".)
        kept = [r for r in rows if r["drop_reason"] != "superseded"]
        assert [(r["status"], r["drop_reason"]) for r in kept] == [
            ("sent", None),
            ("dropped", "limit"),
        ]
