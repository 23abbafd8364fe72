"""What an operator sees: metrics counting turns, NLU sources, escalations, bookings and
reminders; /readyz telling a worker that cannot reach its database; /metrics behind a token."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import replace

import httpx
import pytest
from prometheus_client import REGISTRY

from bot.app import App
from bot.appointments.reminders import Report
from bot.conversation.effects import BookSlot, CancelAppointment, OpenHandover
from bot.conversation.inbound import Start, Text
from bot.observability import metrics
from bot.observability.web import Operations
from bot.settings import Settings
from bot.store.db import Database
from bot.web.app import create_app


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.fixture
async def client(app: App) -> AsyncIterator[httpx.AsyncClient]:
    web = create_app([Operations(app, Settings(metrics_token="scrape-me"))])
    transport = httpx.ASGITransport(app=web)
    async with httpx.AsyncClient(transport=transport, base_url="http://wegwijs") as http:
        yield http


async def test_turns_and_understanding_are_counted(app: App) -> None:
    answered = value("wegwijs_turns_total", channel="console", outcome="answered")
    timed = value("wegwijs_turn_seconds_count", channel="console")
    builtin = value("wegwijs_nlu_total", source="builtin")
    await app.assistant.handle("console", "ops-1", Start(language="nl"))
    await app.assistant.handle("console", "ops-1", Text("ik snap het niet"))
    assert value("wegwijs_turns_total", channel="console", outcome="answered") == answered + 2
    assert value("wegwijs_turn_seconds_count", channel="console") == timed + 2
    assert value("wegwijs_nlu_total", source="builtin") == builtin + 1


async def test_a_turn_without_database_counts_as_try_again(app: App) -> None:
    before = value("wegwijs_errors_total", kind="database_unavailable")
    await app.db.close()
    app.assistant.store.db.engine = Database("sqlite+aiosqlite:////nonexistent/dir/x.db").engine
    await app.assistant.handle("console", "ops-2", Start(language="nl"))
    assert value("wegwijs_turns_total", channel="console", outcome="try_again") >= 1
    assert value("wegwijs_errors_total", kind="database_unavailable") == before + 1


def test_escalations_bookings_and_reminders_are_counted() -> None:
    stuck = value("wegwijs_escalations_total", reason="stuck")
    booked = value("wegwijs_bookings_total", action="booked")
    cancelled = value("wegwijs_bookings_total", action="cancelled")
    sent = value("wegwijs_reminders_total", result="sent")
    start = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)
    metrics.turn_saved(
        [
            OpenHandover("stadkamer", "digid-aanvragen", "open-site", "stuck", 0, "ar"),
            BookSlot("stadkamer", "centrum", start, start + dt.timedelta(minutes=45), 1, "u1"),
            CancelAppointment(7),
        ]
    )
    metrics.reminders_done(Report(sent=2, dropped=1))
    assert value("wegwijs_escalations_total", reason="stuck") == stuck + 1
    assert value("wegwijs_bookings_total", action="booked") == booked + 1
    assert value("wegwijs_bookings_total", action="cancelled") == cancelled + 1
    assert value("wegwijs_reminders_total", result="sent") == sent + 2


async def test_metrics_want_the_token(client: httpx.AsyncClient) -> None:
    assert (await client.get("/metrics")).status_code == 401
    scraped = await client.get("/metrics", headers={"Authorization": "Bearer scrape-me"})
    assert scraped.status_code == 200
    assert "wegwijs_turns_total" in scraped.text


async def test_ready_when_the_database_answers_and_not_when_it_does_not(
    app: App, client: httpx.AsyncClient
) -> None:
    ready = await client.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json()["database"]["status"] == "ok"
    unreachable = Database("postgresql+asyncpg://postgres@127.0.0.1:9/none")
    try:
        broken = replace(app, db=unreachable)
        web = create_app([Operations(broken, Settings())])
        transport = httpx.ASGITransport(app=web)
        async with httpx.AsyncClient(transport=transport, base_url="http://w") as http:
            answer = await http.get("/readyz")
    finally:
        await unreachable.close()
    assert answer.status_code == 503
    assert answer.json()["database"]["status"] == "unavailable"
    assert answer.json()["rasa"]["configured"] is False, "Rasa is reported, not required"
