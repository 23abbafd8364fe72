"""Retention: inactive participants, people who said no, and handover words are erased in time."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import select, text

from bot.app import App
from bot.clock import FixedClock
from bot.privacy.policy import RetentionPolicy
from bot.privacy.retention import PurgeLoop, Retention, purge_loop
from bot.settings import Settings
from bot.store.db import Database
from bot.store.handovers import HandoverStore
from bot.store.models import Appointment, Event, Handover, Participant
from tests.appointments.booking_helpers import booking_app, slot_buttons, walk_to_slots
from tests.support.driver import ChatDriver

NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


async def rows(app: App, model: Any) -> list[Any]:
    async with app.db.engine.connect() as connection:
        return list(await connection.execute(select(model.__table__)))


async def chat_ids(app: App) -> set[str]:
    return {p.chat_id for p in await rows(app, Participant)}


async def new_participant(app: App, chat_id: str, answer: str) -> ChatDriver:
    driver = ChatDriver(app, chat_id=chat_id)
    await driver.start(lang="nl")
    if answer != "none":
        await driver.press(f"consent:{answer}")
    return driver


async def test_inactive_and_not_consenting_participants_are_erased_in_time(
    database_url: str,
) -> None:
    clock = FixedClock(NOW)
    async with booking_app(database_url, clock) as app:
        retention = Retention(app.db, RetentionPolicy())
        await new_participant(app, "long-gone", "yes")
        await new_participant(app, "said-no", "no")
        await new_participant(app, "never-answered", "none")
        await new_participant(app, "too-young", "young")

        clock.advance(dt.timedelta(hours=23))
        report = await retention.purge(clock.now())
        assert report.erased == 0, "within 24 hours nothing is erased"
        assert len(await chat_ids(app)) == 4

        clock.advance(dt.timedelta(hours=2))
        report = await retention.purge(clock.now())
        assert report.erased == 3
        assert await chat_ids(app) == {"long-gone"}, "without consent: gone after 24 hours"

        clock.advance(dt.timedelta(days=300))
        active = await new_participant(app, "active", "yes")
        clock.advance(dt.timedelta(days=63))  # 364 days after long-gone's last message
        await active.command("tasks")
        assert (await retention.purge(clock.now())).erased == 0
        clock.advance(dt.timedelta(days=2))
        report = await retention.purge(clock.now())
        assert [e.reason for e in report.inactive] == ["inactive"]
        assert await chat_ids(app) == {"active"}, "12 months without a message: erased"


async def test_a_dry_run_shows_what_would_go_and_changes_nothing(database_url: str) -> None:
    clock = FixedClock(NOW)
    async with booking_app(database_url, clock) as app:
        await new_participant(app, "said-no", "no")
        clock.advance(dt.timedelta(days=2))
        report = await Retention(app.db, RetentionPolicy()).purge(clock.now(), dry_run=True)
        assert len(report.not_given) == 1
        assert report.erased == 0
        assert "would erase 1 participant(s) without consent" in "\n".join(report.lines())
        assert await chat_ids(app) == {"said-no"}


async def test_someone_who_writes_again_during_the_purge_is_kept(sqlite_url: str) -> None:
    clock = FixedClock(NOW)
    async with booking_app(sqlite_url, clock) as app:
        retention = Retention(app.db, RetentionPolicy())
        driver = await new_participant(app, "back", "no")
        clock.advance(dt.timedelta(days=2))
        expired = await retention.store.expired(retention.cutoffs(clock.now()))
        await driver.command("tasks")  # a message between finding and erasing
        assert not await retention.store.erase(expired[0], retention.cutoffs(clock.now()), NOW)
        assert await chat_ids(app) == {"back"}


async def test_an_inactive_participants_appointments_become_anonymous_counts(
    database_url: str,
) -> None:
    clock = FixedClock(NOW)
    async with booking_app(database_url, clock) as app:
        driver = await walk_to_slots(app, "booked-then-gone")
        argument, _ = slot_buttons(driver)[0]
        await driver.press(f"slot:{argument}")
        await driver.press("confirm")
        clock.advance(dt.timedelta(days=400))
        report = await Retention(app.db, RetentionPolicy()).purge(clock.now())
        assert report.erased == 1
        [appointment] = await rows(app, Appointment)
        assert appointment.participant_id is None
        assert appointment.status == "booked", "a past appointment keeps its status for counts"
        assert all(e.participant_id is None for e in await rows(app, Event))


async def test_handover_words_are_erased_three_months_after_closing(database_url: str) -> None:
    clock = FixedClock(NOW)
    async with booking_app(database_url, clock) as app:
        driver = await walk_to_slots(app, "words")
        argument, _ = slot_buttons(driver)[0]
        await driver.press(f"slot:{argument}")
        await driver.press("confirm")
        await driver.say("Ik kan niet inloggen bij de Belastingdienst")
        [handover] = [h for h in await rows(app, Handover) if h.words_original]
        retention = Retention(app.db, RetentionPolicy())

        clock.advance(dt.timedelta(days=200))
        await driver.command("tasks")  # keeps the participant active
        assert (await retention.purge(clock.now())).words_erased == 0, "open: the words stay"

        assert await HandoverStore(app.db).close(handover.id, clock.now())
        clock.advance(dt.timedelta(days=89))
        await driver.command("tasks")
        assert (await retention.purge(clock.now())).words_erased == 0
        clock.advance(dt.timedelta(days=2))
        await driver.command("tasks")
        dry = await retention.purge(clock.now(), dry_run=True)
        assert list(dry.handovers) == [handover.id]
        report = await retention.purge(clock.now())
        assert report.words_erased == 1
        [after] = [h for h in await rows(app, Handover) if h.id == handover.id]
        assert (after.words_original, after.words_dutch) == (None, None)
        assert after.participant_id is not None, "only the words go; the participant stays"
        async with app.db.engine.connect() as connection:
            erased_at = (
                await connection.execute(
                    text("SELECT words_erased_at FROM handovers WHERE id = :id"),
                    {"id": handover.id},
                )
            ).scalar()
        assert erased_at is not None


async def test_the_loop_purges_on_its_schedule_and_survives_a_database_outage(
    app: App, clock: FixedClock
) -> None:
    await new_participant(app, "said-no", "no")
    clock.advance(dt.timedelta(days=2))
    loop = purge_loop(app.db, RetentionPolicy(purge_every_minutes=1), clock)
    assert loop.every == dt.timedelta(minutes=1)
    async with loop:
        for _ in range(200):
            if loop.runs:
                break
            await asyncio.sleep(0.01)
    assert loop.runs >= 1
    assert await chat_ids(app) == set()

    unreachable = Database("sqlite+aiosqlite:////nonexistent-folder/wegwijs.db")
    try:
        broken = PurgeLoop(Retention(unreachable, RetentionPolicy()), clock, loop.every)
        assert await broken.once() is None, "an outage is logged and retried later, not raised"
        assert broken.runs == 1
    finally:
        await unreachable.close()


def test_settings_come_from_the_environment(monkeypatch: Any) -> None:
    monkeypatch.setenv("RETENTION_INACTIVE_DAYS", "180")
    monkeypatch.setenv("RETENTION_HANDOVER_DAYS", "30")
    monkeypatch.setenv("RETENTION_DECLINED_HOURS", "2")
    policy = RetentionPolicy.from_settings(Settings.from_env(Path("/nonexistent/.env")))
    assert (policy.inactive_days, policy.handover_days, policy.declined_hours) == (180, 30, 2)
    assert policy.inactive_months == 6


def test_wegwijs_privacy_purge_dry_run_from_the_command_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "RETENTION"))}
    env["DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'purge.db'}"
    result = subprocess.run(
        [sys.executable, "-m", "bot", "privacy", "purge", "--dry-run"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "dry run: nothing changed" in result.stdout
    assert "would erase 0 participant(s)" in result.stdout


async def test_the_web_process_runs_the_purge_loop(app: App) -> None:
    from bot.web.app import build_components

    components = await build_components(app, Settings(database_url="sqlite+aiosqlite://"))
    [loop] = [c for c in components if c.name == "retention"]
    assert isinstance(loop, PurgeLoop)
    assert loop.every == dt.timedelta(minutes=60)
    await loop.start()
    await loop.stop()
