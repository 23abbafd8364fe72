"""Each Telegram update handled once, across every worker and container sharing the database.

A worker claims an update before handling it (INSERT ... ON CONFLICT DO NOTHING on the update's
id and the bot's id) and marks it done afterwards. The webhook answers Telegram only after that,
so:

- a duplicate of an update that was handled is answered 200 and dropped (`Claim.DONE`);
- a duplicate arriving while another worker still handles the update is answered 503, so
  Telegram asks again later, when it is done (`Claim.BUSY`);
- a worker that dies between claim and turn leaves a claim without a 200 answer: Telegram
  delivers the update again, and once the claim is older than `lease` another worker takes it
  over (`Claim.NEW`). So a crash never loses an update.

The one window left: a worker that dies after its turn was saved and before `finish` ran
leaves the claim open, and after the lease the update is handled a second time (on the saved
state, so a pressed button reads as old). It is a single quick UPDATE after the turn.

The rows hold two numbers and two times, nothing about the person; `prune` deletes old ones
(Telegram keeps an update at most 24 hours, so a week is plenty).
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import BigInteger, String, Table, and_, bindparam, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql import Executable

from bot.store import direct
from bot.store.db import Database
from bot.store.errors import translate_unavailable
from bot.store.models import Base, UtcDateTime

DEFAULT_LEASE = dt.timedelta(minutes=2)
"""How long a claim protects an update being handled. A turn, its replies included, takes
seconds; a claim older than this belongs to a worker that died."""
DEFAULT_KEEP = dt.timedelta(days=7)
CLAIMED, DONE = "claimed", "done"


class ProcessedUpdate(Base):
    __tablename__ = "processed_updates"

    bot_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    status: Mapped[str] = mapped_column(String(8))
    claim_token: Mapped[str] = mapped_column(String(32))
    claimed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), index=True)
    processed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime(), nullable=True)


U = cast(Table, ProcessedUpdate.__table__)


class Claim(enum.Enum):
    NEW = "new"
    """Ours to handle (first delivery, or taken over from a worker that died)."""
    DONE = "done"
    """Handled before: a duplicate."""
    BUSY = "busy"
    """Another worker is handling it right now."""


@dataclass(frozen=True)
class Ticket:
    update_id: int
    token: str
    outcome: Claim


def bot_id_of(token: str) -> int:
    """The bot's numeric id: the part of its token before the colon."""
    head = token.split(":", 1)[0]
    return int(head) if head.isdigit() else 0


def _claim(dialect: str) -> Executable:
    module: Any = postgresql if dialect == "postgresql" else sqlite
    statement: Executable = (
        module.insert(U)
        .values(
            bot_id=bindparam("b_bot_id"),
            update_id=bindparam("b_update_id"),
            status=CLAIMED,
            claim_token=bindparam("b_token"),
            claimed_at=bindparam("b_now"),
        )
        .on_conflict_do_nothing(index_elements=[U.c.bot_id, U.c.update_id])
    )
    return statement


# Built once with bound parameters: every webhook delivery runs a claim and a finish, so these
# are on the hot path beside the turn (and go the direct way with it, see direct.py).
_THIS_UPDATE = and_(U.c.bot_id == bindparam("b_bot_id"), U.c.update_id == bindparam("b_update_id"))
_CLAIM = {dialect: _claim(dialect) for dialect in ("postgresql", "sqlite")}
_TAKE_OVER = (
    update(U)
    .where(_THIS_UPDATE, U.c.status == CLAIMED, U.c.claimed_at < bindparam("b_stale_before"))
    .values(claim_token=bindparam("b_token"), claimed_at=bindparam("b_now"))
)
_STATUS = select(U.c.status).where(_THIS_UPDATE)
_FINISH = update(U).where(_THIS_UPDATE).values(status=DONE, processed_at=bindparam("b_now"))


class UpdateLedger:
    def __init__(
        self,
        db: Database,
        bot_id: int,
        *,
        lease: dt.timedelta = DEFAULT_LEASE,
        keep: dt.timedelta = DEFAULT_KEEP,
    ) -> None:
        self.db = db
        self.bot_id = bot_id
        self.lease = lease
        self.keep = keep
        self._last_prune: dt.datetime | None = None
        self._claim = _CLAIM["postgresql" if db.dialect == "postgresql" else "sqlite"]
        self._direct = db.direct

    @translate_unavailable
    async def claim(self, update_id: int, now: dt.datetime) -> Ticket:
        token = uuid.uuid4().hex
        values = {
            "b_bot_id": self.bot_id,
            "b_update_id": update_id,
            "b_token": token,
            "b_now": now,
            "b_stale_before": now - self.lease,
        }
        # Each statement is atomic on its own (the conditions do the work), so none needs a
        # transaction with the others.
        if await self._alone(self._claim, values) == 1:
            return Ticket(update_id, token, Claim.NEW)
        # Known already. Take it over only if its claim is stale (the worker died); the
        # condition in the UPDATE makes the takeover atomic between racing workers.
        if await self._alone(_TAKE_OVER, values) == 1:
            return Ticket(update_id, token, Claim.NEW)
        if self._direct is not None:
            found = await self._direct.rows(_STATUS, values)
        else:
            async with direct.writing(self.db.engine, None) as reader:
                found = await reader.rows(_STATUS, values)
        status = found[0][0] if found else None
        return Ticket(update_id, token, Claim.DONE if status == DONE else Claim.BUSY)

    @translate_unavailable
    async def finish(self, ticket: Ticket, now: dt.datetime) -> None:
        """Mark the update handled (a no-op for a ticket that was not NEW)."""
        if ticket.outcome is not Claim.NEW:
            return
        values = {"b_bot_id": self.bot_id, "b_update_id": ticket.update_id, "b_now": now}
        await self._alone(_FINISH, values)
        await self._prune_now_and_then(now)

    async def _alone(self, statement: Executable, values: dict[str, Any]) -> int:
        if self._direct is not None:
            return await self._direct.execute_alone(statement, values)
        async with direct.writing(self.db.engine, None) as writer:
            return await writer.execute(statement, values)

    @translate_unavailable
    async def release(self, ticket: Ticket) -> None:
        """Give a claim back (the update was not handled), so a redelivery is handled at once."""
        if ticket.outcome is not Claim.NEW:
            return
        async with self.db.engine.begin() as connection:
            await connection.execute(
                delete(U).where(
                    and_(
                        U.c.bot_id == self.bot_id,
                        U.c.update_id == ticket.update_id,
                        U.c.claim_token == ticket.token,
                        U.c.status == CLAIMED,
                    )
                )
            )

    @translate_unavailable
    async def prune(self, now: dt.datetime) -> int:
        """Forget updates claimed longer ago than `keep`; returns how many rows went."""
        async with self.db.engine.begin() as connection:
            result = await connection.execute(delete(U).where(U.c.claimed_at < now - self.keep))
        self._last_prune = now
        return int(result.rowcount or 0)

    async def _prune_now_and_then(self, now: dt.datetime) -> None:
        # Every worker prunes about once an hour; the DELETE is idempotent, so racing is fine.
        if self._last_prune is None or now - self._last_prune >= dt.timedelta(hours=1):
            await self.prune(now)
