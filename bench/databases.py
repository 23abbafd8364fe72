"""The databases a benchmark runs on: a fresh SQLite file, or a fresh PostgreSQL database.

PostgreSQL gets its own database (`wegwijs_bench` by default, dropped and created again for each
run), never the tests' `test` database; `--postgres-url` / WEGWIJS_BENCH_POSTGRES_URL point it
elsewhere. When PostgreSQL does not answer, the PostgreSQL figures are left out with the reason.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

DEFAULT_POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/wegwijs_bench"


def postgres_url() -> str:
    return os.environ.get("WEGWIJS_BENCH_POSTGRES_URL") or DEFAULT_POSTGRES_URL


def plain(url: str) -> str:
    """The libpq form of a SQLAlchemy URL (for asyncpg's own connect)."""
    for driver in ("postgresql+asyncpg://", "postgresql+psycopg://"):
        url = url.replace(driver, "postgresql://")
    return url


async def postgres_problem(url: str) -> str | None:
    """None when the server answers; otherwise why not."""
    import asyncpg

    admin_url = plain(url).rsplit("/", 1)[0] + "/postgres"
    try:
        connection = await asyncpg.connect(admin_url, timeout=3)
    except Exception as error:
        return f"PostgreSQL not reachable at {admin_url} ({type(error).__name__}: {error})"
    await connection.close()
    return None


@contextlib.asynccontextmanager
async def fresh_postgres(url: str, suffix: str = "") -> AsyncIterator[str]:
    """An empty database named like the one in `url` (plus suffix), dropped afterwards."""
    import asyncpg

    base, name = url.rsplit("/", 1)
    name = name + suffix
    if name in ("test", "postgres", "template0", "template1"):
        raise ValueError(f"the benchmark will not drop the database {name!r}")
    admin_url = plain(base) + "/postgres"
    admin = await asyncpg.connect(admin_url)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    try:
        yield f"{base}/{name}"
    finally:
        admin = await asyncpg.connect(admin_url)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


@contextlib.contextmanager
def fresh_sqlite() -> Iterator[str]:
    """An empty SQLite file in a temporary folder, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="wegwijs-bench-") as folder:
        yield f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
