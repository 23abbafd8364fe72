"""Machine translations kept in the database, so the same text is sent to a provider only once.

Only redacted text is ever translated, and the cache does not even keep that: an entry is found
by a SHA-256 of (provider, languages, redacted text) and holds only the translation. Entries
expire after `ttl` (they are ignored, and `purge` deletes them), so a participant's words do not
outlive the handover they were written for.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import cast

from sqlalchemy import String, Table, Text, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from bot.clock import Clock
from bot.store.db import Database
from bot.store.models import Base, UtcDateTime

DEFAULT_TTL = dt.timedelta(days=30)


class TranslationCacheEntry(Base):
    __tablename__ = "translation_cache"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    """sha256(provider, source, target, redacted text): the text itself is not stored."""
    provider: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(8))
    target: Mapped[str] = mapped_column(String(8))
    translation: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), index=True)


C = cast(Table, TranslationCacheEntry.__table__)


def cache_key(provider: str, source: str, target: str, text: str) -> str:
    material = "\x1f".join((provider, source, target, text)).encode("utf-8")
    return hashlib.sha256(material).hexdigest()


class TranslationCache:
    def __init__(self, db: Database, clock: Clock, ttl: dt.timedelta = DEFAULT_TTL) -> None:
        self.db = db
        self.clock = clock
        self.ttl = ttl

    async def get(self, provider: str, source: str, target: str, text: str) -> str | None:
        fresh_after = self.clock.now() - self.ttl
        statement = select(C.c.translation).where(
            C.c.key == cache_key(provider, source, target, text), C.c.created_at > fresh_after
        )
        async with self.db.engine.connect() as connection:
            found = (await connection.execute(statement)).scalar_one_or_none()
        return found

    async def put(
        self, provider: str, source: str, target: str, text: str, translation: str
    ) -> None:
        values = {
            "key": cache_key(provider, source, target, text),
            "provider": provider,
            "source": source,
            "target": target,
            "translation": translation,
            "created_at": self.clock.now(),
        }
        dialect = postgresql if self.db.dialect == "postgresql" else sqlite
        statement = dialect.insert(C).values(**values)
        statement = statement.on_conflict_do_update(
            index_elements=[C.c.key],
            set_={"translation": values["translation"], "created_at": values["created_at"]},
        )
        async with self.db.engine.begin() as connection:
            await connection.execute(statement)

    async def purge(self, now: dt.datetime | None = None) -> int:
        """Delete expired entries; how many were deleted."""
        moment = now or self.clock.now()
        statement = delete(C).where(C.c.created_at <= moment - self.ttl)
        async with self.db.engine.begin() as connection:
            result = await connection.execute(statement)
        return int(result.rowcount or 0)
