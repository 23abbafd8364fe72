"""The service layer of one turn: redact, understand, run the engine, save it all in one go."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import random
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, replace

from bot import faults
from bot.appointments.planning import nudge_effects
from bot.appointments.policy import policy_of
from bot.clock import Clock
from bot.conversation.effects import EffectRejected, ExportPersonalData, HandoverWords
from bot.conversation.engine import Engine
from bot.conversation.flows.booking_data import bookings_needed
from bot.conversation.inbound import EffectFailed, Inbound, Start, Text, Understanding
from bot.conversation.replies import Attachment, Reply
from bot.conversation.state import Snapshot
from bot.conversation.turn import Outcome
from bot.language.interpreter import Interpreter
from bot.language.translation import NoTranslator, Translator
from bot.observability import metrics
from bot.store.appointments import AppointmentStore
from bot.store.errors import is_unavailable
from bot.store.personal_data import PersonalData, export_json
from bot.store.turns import Loaded, TurnStore

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8
EXPORT_FILENAME = "wegwijs-gegevens.json"
TRANSLATION_TIMEOUT = 5.0
"""Seconds a translator may take for a handover before staff get the original text instead."""


@dataclass(frozen=True)
class Redaction:
    text: str
    sensitive: bool


Redact = Callable[[str], Redaction]


def no_redaction(text: str) -> Redaction:
    return Redaction(text, False)


SpotPhishing = Callable[[str], str | None]
"""Redacted text -> why it looks like a forwarded phishing message, or None."""


class ConcurrentUpdateError(RuntimeError):
    """The same chat kept changing under this turn; it was not saved."""


class Assistant:
    def __init__(
        self,
        engine: Engine,
        store: TurnStore,
        interpreter: Interpreter,
        clock: Clock,
        redact: Redact = no_redaction,
        spot_phishing: SpotPhishing | None = None,
        translator: Translator | None = None,
        bookings: AppointmentStore | None = None,
    ) -> None:
        self.engine = engine
        self.store = store
        self.interpreter = interpreter
        self.clock = clock
        self.redact = redact
        self.spot_phishing = spot_phishing
        self.personal_data = PersonalData(store.db)
        self.translator: Translator = translator or NoTranslator()
        self.bookings = bookings or AppointmentStore(store.db)
        self.policy = policy_of(engine.content)
        # One turn at a time per chat inside this process; the version check in the store covers
        # turns of the same chat in other processes.
        self._locks: weakref.WeakValueDictionary[tuple[str, str], asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )

    async def handle(
        self, channel: str, chat_id: str, inbound: Inbound, language_hint: str | None = None
    ) -> tuple[Reply, ...]:
        """One turn. `language_hint` (Telegram's language_code) is only used when the database
        is down and the participant's own language cannot be read."""
        key = (channel, chat_id)
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        started = time.perf_counter()
        async with lock:
            try:
                replies = await self._turn(channel, chat_id, inbound)
                metrics.turn_done(channel, "answered", time.perf_counter() - started)
                return replies
            except Exception as error:
                if not is_unavailable(error):
                    metrics.turn_done(channel, "failed", time.perf_counter() - started)
                    metrics.error(_error_kind(error))
                    raise
                metrics.turn_done(channel, "try_again", time.perf_counter() - started)
                metrics.error("database_unavailable")
                # The database rolled the turn back: nothing of it was written.
                # Only the type: a driver's message can hold the statement's parameters.
                log.warning("database unavailable, turn not saved (%s)", type(error).__name__)
                if language_hint is None and isinstance(inbound, Start):
                    language_hint = inbound.language or inbound.language_hint
                return self.try_again(language_hint)

    def try_again(self, language: str | None = None) -> tuple[Reply, ...]:
        """Say "try again in a moment": in `language` if we have it, else Dutch and English.

        Needs no database: channels may call it when they cannot reach the assistant at all."""
        return faults.try_again(self.engine, language)

    async def _turn(self, channel: str, chat_id: str, inbound: Inbound) -> tuple[Reply, ...]:
        loaded = await self.store.load(channel, chat_id)
        if isinstance(inbound, Text):
            inbound = await self._understand(inbound, loaded.snapshot.profile.language)
        for attempt in range(MAX_ATTEMPTS):
            now = self.clock.now()
            snapshot = await self._with_bookings(loaded, inbound, now)
            outcome = await self._complete(
                snapshot, self.engine.handle(snapshot, inbound, now), now
            )
            try:
                saved = await self.store.save(loaded, outcome, now)
            except EffectRejected as rejected:
                if isinstance(inbound, EffectFailed):
                    raise
                # E.g. the slot was booked by someone else a moment ago: the turn was rolled back;
                # run the engine again so it answers with what is true now.
                log.info("effect rejected", extra={"reason": rejected.reason})
                metrics.BOOKINGS.labels("rejected").inc()
                inbound = EffectFailed(rejected.reason, rejected.detail)
                loaded = await self.store.load(channel, chat_id)
                continue
            if saved:
                metrics.turn_saved(outcome.effects)
                return await self._deliver(channel, chat_id, outcome, now)
            metrics.TURN_RETRIES.inc()
            # Another process saved a turn of this chat first: run this one again on its result,
            # after a short random pause so two racing workers do not collide again and again.
            await asyncio.sleep(random.uniform(0, 0.005 * (attempt + 1)))
            loaded = await self.store.load(channel, chat_id)
        raise ConcurrentUpdateError(f"{channel} chat kept changing during a turn")

    async def _with_bookings(self, loaded: Loaded, inbound: Inbound, now: dt.datetime) -> Snapshot:
        """Add appointments and taken seats to the snapshot, only for turns that may need them."""
        branches = bookings_needed(self.engine.content, loaded.snapshot, inbound)
        if branches is None:
            return loaded.snapshot
        view = await self.bookings.view(
            loaded.participant_id, branches, now, self.policy.booking.horizon
        )
        return replace(loaded.snapshot, bookings=view)

    async def _complete(self, snapshot: Snapshot, outcome: Outcome, now: dt.datetime) -> Outcome:
        """Service work on the outcome before saving: translate words for staff, plan nudges."""
        effects = list(outcome.effects)
        for index, effect in enumerate(effects):
            if isinstance(effect, HandoverWords):
                effects[index] = await self._translate(effect)
        effects += nudge_effects(outcome, now, self.policy)
        return replace(outcome, effects=tuple(effects))

    async def _translate(self, words: HandoverWords) -> HandoverWords:
        if words.language == "nl":
            return replace(words, dutch=words.text, translated=False, provider=None)
        try:
            translation = await asyncio.wait_for(
                self.translator.translate(words.text, words.language, "nl"), TRANSLATION_TIMEOUT
            )
        except Exception:  # a translator must never cost the participant their booking
            log.warning("translation failed", exc_info=True)
            return words
        if not translation.translated:
            return replace(words, dutch=None, translated=False, provider=translation.provider)
        return replace(
            words, dutch=translation.text, translated=True, provider=translation.provider
        )

    async def _deliver(
        self, channel: str, chat_id: str, outcome: Outcome, now: dt.datetime
    ) -> tuple[Reply, ...]:
        """After the save: add what only the database can give, the /mydata file."""
        exports = [e for e in outcome.effects if isinstance(e, ExportPersonalData)]
        if not exports:
            return outcome.replies
        data = await self.personal_data.export(channel, chat_id, now)
        attachment = Attachment(EXPORT_FILENAME, export_json(data or {}), "application/json")
        replies = list(outcome.replies)
        for index, reply in enumerate(replies):
            if reply.key == exports[0].attach_to:
                replies[index] = replace(reply, attachment=attachment)
                break
        else:
            replies.append(Reply(text="", attachment=attachment))
        return tuple(replies)

    async def _understand(self, text: Text, lang: str | None) -> Text:
        # Redaction comes first, so neither the interpreter nor the store ever sees a secret.
        redacted = self.redact(text.text)
        sign = self.spot_phishing(redacted.text) if self.spot_phishing else None
        if sign:
            # A forwarded fake goes to the phishing guide, whatever an NLU model makes of it.
            understanding = Understanding(
                "phishing_check", 1.0, {"phishing_signal": str(sign)}, "phishing"
            )
        else:
            understanding = await self.interpreter.parse(redacted.text, lang or "nl")
        metrics.understood(understanding.source)
        return replace(
            text,
            text=redacted.text,
            understanding=understanding,
            secrets_removed=text.secrets_removed or redacted.sensitive,
        )


def _error_kind(error: Exception) -> str:
    return "concurrent_update" if isinstance(error, ConcurrentUpdateError) else "turn_failed"
