"""Shared fixtures: content, a real assistant on SQLite (and on PostgreSQL when reachable)."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.app import App, build_app
from bot.clock import FixedClock
from bot.settings import Settings

POSTGRES_URL = os.environ.get(
    "WEGWIJS_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
START = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)  # a Monday morning


def _postgres_problem() -> str | None:
    """None when PostgreSQL answers; otherwise why not (the skip reason)."""
    import psycopg

    try:
        psycopg.connect(_plain(POSTGRES_URL), connect_timeout=3).close()
    except Exception as error:
        return f"PostgreSQL not reachable at {POSTGRES_URL} ({type(error).__name__}: {error})"
    return None


def _plain(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://").replace(
        "postgresql+psycopg://", "postgresql://"
    )


_PG_PROBLEM: str | bool | None = False


def postgres_problem() -> str | None:
    global _PG_PROBLEM
    if _PG_PROBLEM is False:
        _PG_PROBLEM = _postgres_problem()
    return _PG_PROBLEM  # type: ignore[return-value]


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'wegwijs.db'}"


@contextlib.asynccontextmanager
async def fresh_postgres_database() -> AsyncIterator[str]:
    """A new, empty PostgreSQL database for one test, dropped afterwards."""
    problem = postgres_problem()
    if problem:
        pytest.skip(problem)
    import asyncpg

    name = f"wegwijs_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(_plain(POSTGRES_URL))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    base = POSTGRES_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        admin = await asyncpg.connect(_plain(POSTGRES_URL))
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    async with fresh_postgres_database() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """Runs a test once on SQLite and once on PostgreSQL (skipped with a reason if unreachable)."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'wegwijs.db'}"
        return
    async with fresh_postgres_database() as url:
        yield url


@pytest.fixture
async def app(sqlite_url: str, clock: FixedClock) -> AsyncIterator[App]:
    application = await build_app(Settings(database_url=sqlite_url), clock=clock)
    try:
        yield application
    finally:
        await application.close()


@pytest.fixture(scope="session")
def content_root() -> Iterator[Path]:
    from bot.content.root import content_root as find

    yield find()
