"""The dashboard's tables: the migration matches the models, on SQLite and PostgreSQL; what the
dashboard keeps about a participant is in their export and goes with an erasure; joining a class
in a turn works on both databases."""

from __future__ import annotations

import datetime as dt

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from bot.store import dashboard_tables
from bot.store.models import Base
from bot.store.notes import NoteStore
from bot.store.personal_data import PersonalData
from bot.store.turns import TurnStore
from tests.appointments.test_handover import stuck_and_booked
from tests.support.driver import ChatDriver
from tests.web.support import LIBRARY_A, Site

MINE = {
    table.name
    for table in Base.metadata.tables.values()
    if table.name
    in {
        "staff_users",
        "web_sessions",
        "api_tokens",
        "login_failures",
        "audit_log",
        "dashboard_settings",
        "training_classes",
        "class_meetings",
        "class_members",
        "homework",
        "appointment_notes",
        "branch_settings",
        "branch_closures",
        "library_records",
    }
}


async def test_the_migration_creates_exactly_the_modelled_tables(any_site: Site) -> None:
    assert dashboard_tables.ROLES and len(MINE) == 14

    def differences(connection):  # type: ignore[no-untyped-def]
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        return compare_metadata(context, Base.metadata)

    async with any_site.app.db.engine.connect() as connection:
        diff = await connection.run_sync(differences)

    def table_of(item: object) -> str | None:
        entry = item[0] if isinstance(item, list) else item
        for part in entry[1:] if isinstance(entry, tuple) else ():
            name = getattr(part, "name", None) if not isinstance(part, str) else part
            table = getattr(part, "table", None)
            if table is not None and getattr(table, "name", None) in MINE:
                return str(table.name)
            if name in MINE:
                return str(name)
        return None

    mine = [item for item in diff if table_of(item) is not None]
    assert mine == []


async def test_export_and_erasure_cover_classes_and_notes(any_site: Site) -> None:
    site = any_site
    tess = site.users["tess@stadkamer.test"]
    created = await site.dashboard.services.classes.create(
        library_id=LIBRARY_A, trainer_id=tess.id, name="Groep 1", meetings=[], now=site.clock.now()
    )
    driver = ChatDriver(site.app, chat_id="p1")
    await stuck_and_booked(driver, "nl")
    await driver.start(f"c_{created.code}")
    loaded = await TurnStore(site.app.db).load("test", "p1")
    assert loaded.snapshot.profile.library_id == LIBRARY_A
    assert await site.dashboard.services.classes.member_ids(created.id) == [1]
    [appointment] = await site.dashboard.services.desk().appointments.for_participant(1)
    await NoteStore(site.app.db).add(
        appointment_id=appointment.id,
        participant_id=1,
        library_id=LIBRARY_A,
        author_id=1,
        author="Anna",
        text="Heeft een tolk Arabisch nodig",
        now=site.clock.now(),
    )
    data = await PersonalData(site.app.db).export("test", "p1", site.clock.now())
    assert data is not None
    assert data["classes"][0]["name"] == "Groep 1"
    assert data["appointment_notes"][0]["text"] == "Heeft een tolk Arabisch nodig"

    assert await PersonalData(site.app.db).erase("test", "p1", site.clock.now())
    assert await site.dashboard.services.classes.member_ids(created.id) == []
    assert await NoteStore(site.app.db).for_appointments([appointment.id]) == {}


async def test_an_archived_class_link_no_longer_joins(site: Site) -> None:
    tess = site.users["tess@stadkamer.test"]
    classes = site.dashboard.services.classes
    created = await classes.create(
        library_id=LIBRARY_A,
        trainer_id=tess.id,
        name="Oud",
        meetings=[dt.date(2026, 12, 1)],
        now=site.clock.now(),
    )
    await classes.archive(created.id, site.clock.now())
    driver = ChatDriver(site.app, chat_id="late")
    await driver.start(f"c_{created.code}", lang="nl")
    assert await classes.member_ids(created.id) == []


async def test_a_bot_started_later_books_by_the_dashboards_branch_settings(site: Site) -> None:
    """`wegwijs telegram` in another process reads the settings when it starts."""
    from bot.app import build_app
    from tests.web.support import BRANCH_A

    today = site.clock.now().date()
    await site.dashboard.services.branches.add_closure(
        branch_id=BRANCH_A,
        library_id=LIBRARY_A,
        starts_on=today,
        ends_on=today + dt.timedelta(days=30),
        reason="Verbouwing",
        closed_from=None,
        closed_until=None,
        by="anna@stadkamer.test",
        now=site.clock.now(),
    )
    other = await build_app(site.app.settings, clock=site.clock)
    try:
        branch = other.content.libraries.branch(BRANCH_A)
        assert any(c.reason == "Verbouwing" for c in branch.closures)
        file_branch = site.app.content.extras["libraries_file"].branch(BRANCH_A)
        assert not any(c.reason == "Verbouwing" for c in file_branch.closures)
    finally:
        await other.close()
