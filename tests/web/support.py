"""Helpers for the dashboard tests: the dashboard on a real database, accounts of each role, a
client per person that logs in through the real login form, and participants with handovers."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import httpx

from bot.app import App, build_app
from bot.clock import FixedClock
from bot.notify import RecordingNotifier
from bot.settings import Settings
from bot.store.staff_accounts import StaffAccounts, UserRecord
from bot.web.dashboard import Dashboard
from bot.web.passwords import hash_password
from tests.support.driver import ChatDriver

LIBRARY_A = "stadkamer"
BRANCH_A = "stadkamer-centrum"
LIBRARY_B = "bibliotheek-deventer"
BRANCH_B = "deventer-centrum"
PASSWORD = "correct horse battery"
BASE = "http://dashboard.test"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "no CSRF token on the page"
    return found.group(1)


@dataclass
class Site:
    app: App
    dashboard: Dashboard
    notifier: RecordingNotifier
    clock: FixedClock
    users: dict[str, UserRecord] = field(default_factory=dict)

    def client(self) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=self.dashboard.asgi, client=("10.0.0.9", 5000))
        return httpx.AsyncClient(transport=transport, base_url=BASE)

    async def add_user(
        self, email: str, role: str, library_id: str | None, name: str | None = None
    ) -> UserRecord:
        user = await StaffAccounts(self.app.db).add_user(
            email=email,
            role=role,
            library_id=library_id,
            password_hash=hash_password(PASSWORD),
            name=name,
            now=self.clock.now(),
        )
        self.users[email] = user
        return user

    async def login(self, email: str, password: str = PASSWORD) -> httpx.AsyncClient:
        client = self.client()
        form = await client.get("/inloggen")
        response = await client.post(
            "/inloggen",
            data={"email": email, "password": password, "csrf_token": csrf_of(form.text)},
        )
        assert response.status_code == 303, response.text
        return client


async def post_form(
    client: httpx.AsyncClient, page: str, action: str, **data: str
) -> httpx.Response:
    """Submit a form the way a browser does: the CSRF token comes from the page it is on."""
    html = (await client.get(page)).text
    return await client.post(action, data={"csrf_token": csrf_of(html), **data})


@contextlib.asynccontextmanager
async def dashboard_site(database_url: str, clock: FixedClock) -> AsyncIterator[Site]:
    app = await build_app(Settings(database_url=database_url), clock=clock)
    notifier = RecordingNotifier()
    dashboard = Dashboard(app, app.settings, notifier=notifier)
    await dashboard.start()
    site = Site(app, dashboard, notifier, clock)
    try:
        await site.add_user("anna@stadkamer.test", "staff", LIBRARY_A, "Anna")
        await site.add_user("bram@deventer.test", "staff", LIBRARY_B, "Bram")
        await site.add_user("tess@stadkamer.test", "trainer", LIBRARY_A, "Tess")
        await site.add_user("tom@deventer.test", "trainer", LIBRARY_B, "Tom")
        await site.add_user("admin@wegwijs.test", "admin", None, "Beheer")
        yield site
    finally:
        await dashboard.stop()
        await app.close()


async def stuck_participant(
    app: App, chat_id: str, lang: str, library_id: str = LIBRARY_A, words: str | None = None
) -> ChatDriver:
    """A participant stuck on the first DigiD step who asks the library for help (a handover)."""
    driver = ChatDriver(app, chat_id=chat_id)
    await driver.start(lang=lang)
    await driver.press("consent:yes")
    await driver.press("tasks")
    await driver.press("task:digid-aanvragen")
    await driver.press("start:digid-aanvragen")
    await driver.press("failed")
    await driver.press("failed")
    await driver.press("library_help")
    await driver.press(f"library:{library_id}")
    if words is not None and "booking.words_question" in driver.reply_keys():
        await driver.say(words)
    return driver


async def walk_task(
    app: App, chat_id: str, lang: str, library_id: str, task_id: str, steps: int, stuck: bool
) -> ChatDriver:
    """A participant of a library who does `steps` steps of a task, then maybe gets stuck."""
    person = ChatDriver(app, chat_id=chat_id)
    await person.start(lang=lang)
    await person.press("consent:yes")
    await person.command("library")
    await person.press(f"library:{library_id}")
    await person.press("tasks")
    await person.press(f"task:{task_id}")
    await person.press(f"start:{task_id}")
    for _ in range(steps):
        await person.press("done")
    if stuck:
        await person.press("stuck")
    return person


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    from bot.appointments.calendar import AMSTERDAM

    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=AMSTERDAM)
