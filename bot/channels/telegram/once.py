"""A webhook delivery handled once across workers, answered only when it is done.

Telegram sends an update again until it gets a 2xx, and sends a chat's next update only after
the previous one was answered. So the webhook answers after the turn: a worker that dies
mid-turn never answered, and the update comes back (see bot/store/updates.py for the claims).

- first delivery: claim, handle, mark done, 200;
- duplicate of a handled update: 200 at once, nothing sent again;
- duplicate while another worker handles it: 503 with Retry-After, so Telegram asks again;
- database unreachable: handled without the check (the assistant answers "try again in a
  moment" and nothing is saved, so a duplicate can do no harm), 200.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Protocol

from telegram import Update

from bot.clock import Clock
from bot.observability import metrics
from bot.store.errors import DatabaseUnavailable
from bot.store.updates import Claim, UpdateLedger

log = logging.getLogger(__name__)
BUSY_RETRY_AFTER = "5"


class Handler(Protocol):
    async def process_now(self, update: Update) -> None: ...


async def handle_once(ledger: UpdateLedger, handler: Handler, update: Update, clock: Clock) -> int:
    """Handle the update unless it was handled before; returns the HTTP status to answer."""
    try:
        ticket = await ledger.claim(update.update_id, clock.now())
    except DatabaseUnavailable:
        metrics.UPDATES.labels("unchecked").inc()
        await handler.process_now(update)
        return 200
    if ticket.outcome is Claim.DONE:
        metrics.UPDATES.labels("duplicate").inc()
        log.info("update %s was handled before; dropped", update.update_id)
        return 200
    if ticket.outcome is Claim.BUSY:
        metrics.UPDATES.labels("busy").inc()
        log.info("update %s is being handled by another worker", update.update_id)
        return 503
    metrics.UPDATES.labels("new").inc()
    try:
        await handler.process_now(update)
    except Exception:
        # Not handled: give the claim back so Telegram's next delivery is handled at once.
        with contextlib.suppress(Exception):
            await ledger.release(ticket)
        raise
    try:
        await ledger.finish(ticket, clock.now())
    except DatabaseUnavailable:
        # The turn is done, so Telegram gets its 200 and will not send it again; the open
        # claim only matters to a duplicate, which waits for the lease.
        log.warning("update %s handled, not marked done: database unavailable", update.update_id)
    return 200
