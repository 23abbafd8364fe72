"""Each Telegram update is handled once across workers: claims, duplicates, dead workers."""

from __future__ import annotations

import asyncio
import datetime as dt

from bot.store.db import Database
from bot.store.updates import Claim, UpdateLedger, bot_id_of
from tests.conftest import START

BOT = 123456789


async def ledger_on(url: str) -> UpdateLedger:
    db = Database(url)
    await db.upgrade()
    return UpdateLedger(db, BOT)


async def test_a_duplicate_is_recognised_once_the_update_is_done(database_url: str) -> None:
    ledger = await ledger_on(database_url)
    try:
        first = await ledger.claim(41, START)
        assert first.outcome is Claim.NEW
        assert (await ledger.claim(41, START)).outcome is Claim.BUSY, "still being handled"
        await ledger.finish(first, START)
        assert (await ledger.claim(41, START)).outcome is Claim.DONE
        assert (await ledger.claim(42, START)).outcome is Claim.NEW, "another update is new"
    finally:
        await ledger.db.close()


async def test_a_claim_of_a_worker_that_died_is_taken_over_after_the_lease(
    database_url: str,
) -> None:
    ledger = await ledger_on(database_url)
    try:
        await ledger.claim(7, START)  # this worker dies without finishing
        soon = START + ledger.lease / 2
        assert (await ledger.claim(7, soon)).outcome is Claim.BUSY
        later = START + ledger.lease + dt.timedelta(seconds=1)
        takeover = await ledger.claim(7, later)
        assert takeover.outcome is Claim.NEW, "Telegram's redelivery is handled after all"
        assert (await ledger.claim(7, later)).outcome is Claim.BUSY
        await ledger.finish(takeover, later)
        assert (await ledger.claim(7, later)).outcome is Claim.DONE
    finally:
        await ledger.db.close()


async def test_a_released_claim_is_handled_at_the_next_delivery(database_url: str) -> None:
    ledger = await ledger_on(database_url)
    try:
        ticket = await ledger.claim(9, START)
        await ledger.release(ticket)
        assert (await ledger.claim(9, START)).outcome is Claim.NEW
    finally:
        await ledger.db.close()


async def test_racing_claims_of_one_update_give_exactly_one_winner(postgres_url: str) -> None:
    ledgers = [await ledger_on(postgres_url) for _ in range(4)]
    try:
        tickets = await asyncio.gather(
            *(ledger.claim(update, START) for update in range(100, 150) for ledger in ledgers)
        )
        winners = [t.update_id for t in tickets if t.outcome is Claim.NEW]
        assert sorted(winners) == list(range(100, 150)), "each update claimed exactly once"
    finally:
        for ledger in ledgers:
            await ledger.db.close()


async def test_old_rows_are_pruned_and_bots_do_not_share_ids(database_url: str) -> None:
    ledger = await ledger_on(database_url)
    other = UpdateLedger(ledger.db, BOT + 1)
    try:
        await ledger.finish(await ledger.claim(1, START), START)
        assert (await other.claim(1, START)).outcome is Claim.NEW, "another bot's update 1"
        assert await ledger.prune(START + ledger.keep + dt.timedelta(hours=1)) == 2
        assert (await ledger.claim(1, START)).outcome is Claim.NEW
    finally:
        await ledger.db.close()


def test_the_bot_id_is_the_number_before_the_colon() -> None:
    assert bot_id_of("123456789:AAxyz") == 123456789
    assert bot_id_of("not-a-token") == 0
