"""`wegwijs seed-demo` gives someone evaluating Wegwijs a living dashboard in one command: staff
see handovers and appointments, the trainer sees a class with progress; run twice, it refuses."""

from __future__ import annotations

import io
import re
from pathlib import Path

import httpx

from bot.app import build_app
from bot.commands.seed_demo import LIBRARY_ID, STAFF_EMAIL, TRAINER_EMAIL, seed
from bot.settings import Settings
from bot.store.classes import ClassStore
from bot.web.workers import web_app
from tests.web.support import csrf_of


async def login(client: httpx.AsyncClient, email: str, password: str) -> None:
    form = await client.get("/inloggen")
    answer = await client.post(
        "/inloggen", data={"email": email, "password": password, "csrf_token": csrf_of(form.text)}
    )
    assert answer.status_code == 303, answer.text


async def test_seed_demo_fills_a_living_dashboard(tmp_path: Path) -> None:
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}",
        secret_key="seed-demo-test-key-" + "x" * 40,
    )
    printed = io.StringIO()
    assert await seed(settings, participants=8, out=printed) == 0
    output = printed.getvalue()
    passwords = dict(re.findall(r"^\s+(\S+@\S+)\s+(\S+)$", output, re.MULTILINE))
    assert {STAFF_EMAIL, TRAINER_EMAIL} <= set(passwords)
    assert "2 with an appointment, 2 asking for a person" in output

    app = await build_app(settings)
    try:
        [group] = await ClassStore(app.db).for_library(LIBRARY_ID)
        web = await web_app(app, settings)
        async with web.router.lifespan_context(web):
            transport = httpx.ASGITransport(app=web, client=("10.0.0.9", 5000))
            async with httpx.AsyncClient(transport=transport, base_url="http://demo.test") as staff:
                await login(staff, STAFF_EMAIL, passwords[STAFF_EMAIL])
                inbox = await staff.get("/meldingen")
                assert inbox.status_code == 200
                assert "DigiD aanvragen" in inbox.text, "the stuck participants' handovers"
            async with httpx.AsyncClient(transport=transport, base_url="http://demo.test") as coach:
                await login(coach, TRAINER_EMAIL, passwords[TRAINER_EMAIL])
                page = await coach.get(f"/klassen/{group.id}")
                assert page.status_code == 200
                assert group.name in page.text
        progress = await ClassStore(app.db).progress(group.id)
        assert len(progress) == 8, "every demo participant joined the class"
    finally:
        await app.close()

    again = io.StringIO()
    assert await seed(settings, out=again) == 1, "a database with accounts is left alone"
