"""/mydata sends everything stored; /delete erases everything, on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import ForeignKey, inspect, select, text

from bot.app import App
from bot.clock import FixedClock
from bot.store import personal_data
from bot.store.models import Appointment, Base, Event, Handover, Participant, Reminder
from tests.appointments.booking_helpers import booking_app, slot_buttons, walk_to_slots
from tests.support.driver import ChatDriver

CHAT_ID = "7788991122334455"
"""Distinctive, so a search of the whole database for it cannot hit anything else."""
WORDS = "De DigiD app vraagt een code die ik niet heb"
NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


async def book_with_words(app: App, chat_id: str = CHAT_ID) -> ChatDriver:
    """Consent, a started task, an appointment with its reminders and words for staff."""
    driver = await walk_to_slots(app, chat_id)
    argument, _ = slot_buttons(driver)[0]
    await driver.press(f"slot:{argument}")
    await driver.press("confirm")
    assert "booking.confirmed" in driver.reply_keys()
    await driver.say(WORDS)
    assert "booking.words_thanks" in driver.reply_keys()
    await driver.command("tasks")
    await driver.press("task:digid-aanvragen")
    await driver.press("start:digid-aanvragen")
    return driver


async def rows(app: App, model: Any) -> list[Any]:
    async with app.db.engine.connect() as connection:
        return list(await connection.execute(select(model.__table__)))


async def every_value(app: App) -> list[tuple[str, str]]:
    """(table, value as text) for every cell of every table in the database."""
    found: list[tuple[str, str]] = []
    async with app.db.engine.connect() as connection:
        names = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
        for name in names:
            result = await connection.execute(text(f'SELECT * FROM "{name}"'))
            for row in result:
                found += [(name, str(value)) for value in row if value is not None]
    return found


def exported(driver: ChatDriver) -> dict[str, Any]:
    files = [reply.attachment for reply in driver.last if reply.attachment is not None]
    assert len(files) == 1, driver.reply_keys()
    assert files[0].mime_type == "application/json"
    assert files[0].filename.endswith(".json")
    data: dict[str, Any] = json.loads(files[0].data)
    return data


async def test_mydata_sends_everything_stored_as_a_json_file(database_url: str) -> None:
    clock = FixedClock(NOW)
    async with booking_app(database_url, clock) as app:
        driver = await book_with_words(app)
        await driver.command("mydata")
        assert driver.reply_keys() == ["privacy.mydata.ready"]
        data = exported(driver)

    assert data["participant"]["chat_id"] == CHAT_ID
    assert data["participant"]["language"] == "nl"
    assert data["participant"]["consent"] == "given"
    assert data["participant"]["share_with_trainer"] is False
    assert data["conversation_state"]["data"]["screen"] == "privacy"
    assert [p["task_id"] for p in data["task_progress"]] == ["digid-aanvragen"]
    assert {"consent_given", "task_started", "data_exported"} <= {e["kind"] for e in data["events"]}
    [appointment] = data["appointments"]
    assert appointment["status"] == "booked"
    assert appointment["starts_at"].endswith("+00:00"), "times are ISO 8601 in UTC"
    assert len(data["reminders"]) == 2
    assert any(h["words_original"] == WORDS for h in data["handovers"])
    assert data["exported_at"].startswith("2026-11-23T09:00")


async def test_mydata_through_the_privacy_button(app: App) -> None:
    driver = ChatDriver(app)
    await driver.start(lang="en")
    await driver.press("consent:yes")
    await driver.command("privacy")
    await driver.press("mydata")
    data = exported(driver)
    assert data["participant"]["language"] == "en"
    assert driver.last[0].text == app.engine.texts("en")("privacy.mydata.ready")


async def test_delete_asks_first_and_no_keeps_everything(app: App) -> None:
    driver = ChatDriver(app, chat_id=CHAT_ID)
    await driver.start(lang="nl")
    await driver.press("consent:yes")
    await driver.command("delete")
    assert driver.reply_keys() == ["privacy.delete.ask"]
    assert "Dit kun je niet terugdraaien." in driver.text()
    await driver.press("erase:no")
    assert driver.reply_keys() == ["privacy.delete.kept", "menu.text"]
    assert len(await rows(app, Participant)) == 1


async def test_only_the_newest_erase_button_counts(app: App) -> None:
    driver = ChatDriver(app, chat_id=CHAT_ID)
    await driver.start(lang="nl")
    await driver.press("consent:yes")
    await driver.command("delete")
    await driver.press("erase:no")
    await driver.press_old("erase:yes")
    assert "fallback.old_button" in driver.reply_keys()
    assert len(await rows(app, Participant)) == 1, "an old 'yes, erase' erases nothing"


async def test_delete_erases_everything_and_the_chat_id_is_nowhere(database_url: str) -> None:
    clock = FixedClock(NOW)
    async with booking_app(database_url, clock) as app:
        driver = await book_with_words(app)
        other = await book_with_words(app, chat_id="someone-else")
        [mine] = [p for p in await rows(app, Participant) if p.chat_id == CHAT_ID]
        [my_appointment] = [a for a in await rows(app, Appointment) if a.participant_id == mine.id]

        await driver.command("delete")
        await driver.press("erase:yes")
        assert driver.reply_keys() == ["privacy.delete.done"]
        assert not driver.buttons()

        assert [p.chat_id for p in await rows(app, Participant)] == ["someone-else"]
        hits = [(table, value) for table, value in await every_value(app) if CHAT_ID in value]
        assert hits == [], f"the chat id is still stored: {hits}"

        # Appointments: the coming one cancelled (its seat free again), kept only as a count.
        appointments = {a.id: a for a in await rows(app, Appointment)}
        gone = appointments[my_appointment.id]
        assert (gone.status, gone.participant_id, gone.seat) == ("cancelled", None, None)
        assert f"p{mine.id}-" not in gone.uid, "the calendar UID no longer names them"
        async with app.db.engine.connect() as connection:
            mark = (
                await connection.execute(
                    text("SELECT participant_removed_at FROM appointments WHERE id = :id"),
                    {"id": gone.id},
                )
            ).scalar()
        assert mark is not None, "staff see 'participant removed their data'"
        reminders = await rows(app, Reminder)
        assert reminders, "the other participant's reminders stay"
        assert all(r.participant_id != mine.id for r in reminders), "theirs are gone"

        # Handovers: the words erased, the handover kept and marked for staff.
        handovers = await rows(app, Handover)
        erased = [h for h in handovers if h.participant_id is None]
        assert erased and all(h.words_original is None and h.words_dutch is None for h in erased)
        async with app.db.engine.connect() as connection:
            marks = (
                await connection.execute(
                    text(
                        "SELECT participant_removed_at, words_erased_at FROM handovers"
                        " WHERE participant_id IS NULL"
                    )
                )
            ).all()
        assert marks and all(m[0] is not None and m[1] is not None for m in marks)
        kept = [h for h in handovers if h.participant_id is not None]
        assert kept and all(h.words_original == WORDS for h in kept)

        # Events: anonymous counts; nothing links them to anybody erased.
        remaining = {None, *(p.id for p in await rows(app, Participant))}
        assert all(e.participant_id in remaining for e in await rows(app, Event))
        assert "data_erased" in {e.kind for e in await rows(app, Event)}

        # The other participant is untouched, and the erased one starts afresh.
        await other.command("mydata")
        assert exported(other)["participant"]["chat_id"] == "someone-else"
        await driver.start()
        assert driver.reply_keys() == ["language.choose"]


async def test_someone_who_said_no_can_erase_the_conversation_at_once(app: App) -> None:
    driver = ChatDriver(app, chat_id=CHAT_ID)
    await driver.start(lang="nl")
    await driver.press("consent:no")
    await driver.command("verwijder")
    await driver.press("erase:yes")
    assert await rows(app, Participant) == []
    assert [v for _, v in await every_value(app) if CHAT_ID in v] == []


async def test_erasure_outside_the_chat_from_the_command_line_functions(app: App) -> None:
    driver = ChatDriver(app, chat_id=CHAT_ID)
    await driver.start(lang="nl")
    await driver.press("consent:yes")
    data = await personal_data.PersonalData(app.db).export("test", CHAT_ID, NOW)
    assert data is not None and data["participant"]["chat_id"] == CHAT_ID
    assert await personal_data.PersonalData(app.db).erase("test", CHAT_ID, NOW)
    assert not await personal_data.PersonalData(app.db).erase("test", CHAT_ID, NOW)
    assert await personal_data.PersonalData(app.db).export("test", CHAT_ID, NOW) is None


def _linked_tables() -> set[str]:
    """Tables with a column that points at participants.id."""
    linked = set()
    for table in Base.metadata.tables.values():
        for column in table.columns:
            if any(
                isinstance(fk, ForeignKey) and fk.column.table.name == "participants"
                for fk in column.foreign_keys
            ):
                linked.add(table.name)
    return linked


def test_every_table_linked_to_a_participant_is_exported_and_erased() -> None:
    linked = _linked_tables()
    assert {"conversation_states", "task_progress", "events"} <= linked
    missing_export = linked - personal_data.exported_tables()
    missing_erase = linked - personal_data.erased_tables()
    assert not missing_export, (
        f"register an exporter in bot/store/personal_data.py: {missing_export}"
    )
    assert not missing_erase, f"register an eraser (personal_data.py): {missing_erase}"
    assert "participants" in personal_data.exported_tables()


@pytest.mark.parametrize("command", ["mydata", "mijngegevens"])
async def test_mydata_aliases(app: App, command: str) -> None:
    driver = ChatDriver(app)
    await driver.start(lang="nl")
    await driver.press("consent:yes")
    await driver.command(command)
    assert exported(driver)["participant"]["consent"] == "given"


async def test_delete_also_removes_the_translation_of_their_words_from_the_cache(
    sqlite_url: str,
) -> None:
    clock = FixedClock(NOW)
    async with booking_app(sqlite_url, clock) as app:
        driver = await book_with_words(app)
        dutch = "De DigiD app vraagt een code die ik niet heb (vertaald)"
        async with app.db.engine.begin() as connection:
            await connection.execute(
                text("UPDATE handovers SET words_dutch = :dutch WHERE words_original = :words"),
                {"dutch": dutch, "words": WORDS},
            )
            for key, translation in (("a" * 64, dutch), ("b" * 64, "iemand anders")):
                await connection.execute(
                    text(
                        "INSERT INTO translation_cache"
                        " (key, provider, source, target, translation, created_at)"
                        " VALUES (:key, 'libre', 'ar', 'nl', :translation, :at)"
                    ),
                    {"key": key, "translation": translation, "at": NOW.isoformat()},
                )
        await driver.command("delete")
        await driver.press("erase:yes")
        values = [value for _, value in await every_value(app)]
        assert dutch not in values and WORDS not in values
        assert "iemand anders" in values, "other cached translations stay"
