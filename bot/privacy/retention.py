"""Retention: erase what is past its time, on a schedule and from `wegwijs privacy purge`.

- Participants who gave consent and sent nothing for RETENTION_INACTIVE_DAYS: erased entirely
  (the same erasure as /delete: appointments cancelled and kept as anonymous counts).
- Participants who said no, are under 16, or never answered: erased RETENTION_DECLINED_HOURS
  after their last message. Their conversation only lives that long.
- The participant's own words in a handover: erased RETENTION_HANDOVER_DAYS after it was closed.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from bot.clock import Clock, SystemClock
from bot.privacy.policy import RetentionPolicy
from bot.store.db import Database
from bot.store.errors import DatabaseUnavailable
from bot.store.retention import INACTIVE, NOT_GIVEN, Cutoffs, Expired, RetentionStore
from bot.store.translation_cache import TranslationCache

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PurgeReport:
    now: dt.datetime
    dry_run: bool
    cutoffs: Cutoffs
    inactive: Sequence[Expired] = ()
    not_given: Sequence[Expired] = ()
    handovers: Sequence[int] = ()
    erased: int = 0
    """Participants actually erased (not in a dry run; fewer if some came back meanwhile)."""
    words_erased: int = 0
    kept_because_back: int = 0
    translations_expired: int = 0

    def lines(self) -> list[str]:
        verb = "would erase" if self.dry_run else "erased"
        when = self.now.astimezone(dt.UTC).isoformat(timespec="seconds")
        lines = [
            f"retention purge at {when}{' (dry run: nothing changed)' if self.dry_run else ''}",
            f"- {verb} {len(self.inactive)} participant(s) inactive since before "
            f"{self.cutoffs.inactive_before:%Y-%m-%d %H:%M} UTC (consent given)",
            f"- {verb} {len(self.not_given)} participant(s) without consent, last seen before "
            f"{self.cutoffs.not_given_before:%Y-%m-%d %H:%M} UTC",
            f"- {verb} the words in {len(self.handovers)} handover(s) closed before "
            f"{self.cutoffs.words_closed_before:%Y-%m-%d %H:%M} UTC",
        ]
        if self.dry_run:
            for item in [*self.inactive, *self.not_given]:
                last = item.last_seen_at.astimezone(dt.UTC).isoformat(timespec="seconds")
                lines.append(f"  participant #{item.participant_id} ({item.reason}, last {last})")
            lines += [f"  handover #{number}" for number in self.handovers]
        elif self.kept_because_back:
            lines.append(f"- kept {self.kept_because_back} who wrote again during the purge")
        return lines

    def as_dict(self) -> dict[str, Any]:
        return {
            "now": self.now.isoformat(),
            "dry_run": self.dry_run,
            "inactive": [e.participant_id for e in self.inactive],
            "not_given": [e.participant_id for e in self.not_given],
            "handovers": list(self.handovers),
            "erased": self.erased,
            "words_erased": self.words_erased,
            "translations_expired": self.translations_expired,
        }


class Retention:
    def __init__(self, db: Database, policy: RetentionPolicy) -> None:
        self.store = RetentionStore(db)
        self.policy = policy
        # Cached machine translations are redacted text; they expire with the cache's own TTL.
        self.translations = TranslationCache(db, SystemClock())

    def cutoffs(self, now: dt.datetime) -> Cutoffs:
        return Cutoffs(
            inactive_before=now - self.policy.inactive,
            not_given_before=now - self.policy.declined,
            words_closed_before=now - self.policy.handover,
        )

    async def purge(self, now: dt.datetime, *, dry_run: bool = False) -> PurgeReport:
        cutoffs = self.cutoffs(now)
        expired = await self.store.expired(cutoffs)
        handovers = await self.store.handovers_with_old_words(cutoffs)
        report = PurgeReport(
            now=now,
            dry_run=dry_run,
            cutoffs=cutoffs,
            inactive=[e for e in expired if e.reason == INACTIVE],
            not_given=[e for e in expired if e.reason == NOT_GIVEN],
            handovers=handovers,
        )
        if dry_run:
            return report
        erased = 0
        for item in expired:
            erased += await self.store.erase(item, cutoffs, now)
        words = await self.store.erase_handover_words(handovers, cutoffs, now)
        translations = await self.translations.purge(now)
        report = replace(
            report,
            erased=erased,
            words_erased=words,
            kept_because_back=len(expired) - erased,
            translations_expired=translations,
        )
        log.info(
            "retention purge",
            extra={"erased": erased, "words_erased": words, "kept": report.kept_because_back},
        )
        return report


@dataclass
class PurgeLoop:
    """Runs the purge every RETENTION_PURGE_EVERY_MINUTES in a long-running process.

    A web-app `Component` (bot/web/app.py: add "bot.privacy.retention:component" to COMPONENTS)
    and an async context manager for other processes (`async with PurgeLoop(...)`)."""

    retention: Retention
    clock: Clock
    every: dt.timedelta
    name: str = "retention"
    runs: int = 0
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _task: asyncio.Task[None] | None = None

    @property
    def routes(self) -> Sequence[Any]:
        return ()

    async def start(self) -> None:
        if self._task is None:
            self._stop.clear()
            self._task = asyncio.create_task(self.run(), name="retention purge")

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def __aenter__(self) -> PurgeLoop:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def run(self) -> None:
        while not self._stop.is_set():
            await self.once()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), self.every.total_seconds())

    async def once(self) -> PurgeReport | None:
        try:
            return await self.retention.purge(self.clock.now())
        except DatabaseUnavailable:
            # Nothing was half-done (one transaction per participant); the next run catches up.
            log.warning("retention purge skipped: database unavailable")
            return None
        except Exception:
            log.exception("retention purge failed")
            return None
        finally:
            self.runs += 1


def purge_loop(db: Database, policy: RetentionPolicy, clock: Clock) -> PurgeLoop:
    return PurgeLoop(Retention(db, policy), clock, dt.timedelta(minutes=policy.purge_every_minutes))


async def component(app: Any, settings: Any) -> PurgeLoop:
    """Web-app component factory: `app` is bot.app.App, `settings` bot.settings.Settings."""
    return purge_loop(app.db, RetentionPolicy.from_settings(settings), app.clock)
