"""Shared by the booking, reminder and handover tests: a test library, and walking to its slots.

The real libraries.yml has no Monday appointment windows, and its data is unverified; tests that
need exact slots use this small library instead (the real file is used by the scenarios).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.app import App, build_app
from bot.appointments.schema import Library, LibraryDirectory
from bot.clock import FixedClock
from bot.conversation.callbacks import decode
from bot.conversation.engine import Engine
from bot.settings import Settings
from tests.appointments.branches import make_branch
from tests.support.driver import ChatDriver

LIBRARY_ID = "testbieb"
BRANCH_ID = "testbieb-centrum"
OTHER_BRANCH_ID = "testbieb-noord"


def library_directory(capacity: int = 1) -> LibraryDirectory:
    return LibraryDirectory(
        libraries=(
            Library(
                id=LIBRARY_ID,
                name="Testbibliotheek",
                website="https://www.testbibliotheek.nl",
                gemeenten=("Zwolle",),
                branches=(
                    make_branch(id=BRANCH_ID, name="Testbibliotheek Centrum", capacity=capacity),
                    make_branch(
                        id=OTHER_BRANCH_ID,
                        name="Testbibliotheek Noord",
                        address={"street": "Noordweg", "number": "2", "city": "Zwolle"},
                    ),
                ),
            ),
        )
    )


def use_libraries(app: App, directory: LibraryDirectory) -> None:
    """Point the running app at another library directory (content is otherwise the real one)."""
    content = dataclasses.replace(
        app.content, extras={**app.content.extras, "libraries": directory}
    )
    app.content = content
    app.engine = Engine(content, app.catalogue)
    app.assistant.engine = app.engine


@asynccontextmanager
async def booking_app(
    url: str, clock: FixedClock, *, capacity: int = 1, real_libraries: bool = False
) -> AsyncIterator[App]:
    app = await build_app(Settings(database_url=url), clock=clock)
    if not real_libraries:
        use_libraries(app, library_directory(capacity))
    try:
        yield app
    finally:
        await app.close()


async def walk_to_slots(app: App, chat_id: str, lang: str = "nl") -> ChatDriver:
    """A new participant who asks for an appointment and picks the test branch."""
    driver = ChatDriver(app, chat_id=chat_id)
    await driver.start(lang=lang)
    await driver.press("consent:yes")
    await driver.command("appointment")
    await driver.press("book")
    await driver.press(f"library:{LIBRARY_ID}")
    await driver.press(f"branch:{BRANCH_ID}")
    assert "booking.choose_slot" in driver.reply_keys(), driver.text()
    return driver


def slot_buttons(driver: ChatDriver) -> list[tuple[str, dt.datetime]]:
    """(argument, UTC start) of the slot buttons on screen, in order."""
    found = []
    for button in driver.buttons():
        callback = decode(button.data)
        if callback is not None and callback.action == "slot":
            minute = int(callback.argument.rpartition("_")[2])
            found.append((callback.argument, dt.datetime.fromtimestamp(minute * 60, dt.UTC)))
    return found


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)  # type: ignore[misc]
