"""Fixtures for the dashboard tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.clock import FixedClock
from tests.web.support import Site, dashboard_site


@pytest.fixture
async def site(sqlite_url: str, clock: FixedClock) -> AsyncIterator[Site]:
    async with dashboard_site(sqlite_url, clock) as running:
        yield running


@pytest.fixture
async def any_site(database_url: str, clock: FixedClock) -> AsyncIterator[Site]:
    """The dashboard on SQLite and on PostgreSQL."""
    async with dashboard_site(database_url, clock) as running:
        yield running
