"""The service layer of one turn: redact, understand, run the engine, save it all in one go."""

from __future__ import annotations

import asyncio
import logging
import random
import weakref
from collections.abc import Callable
from dataclasses import dataclass, replace

from bot.clock import Clock
from bot.conversation.engine import Engine
from bot.conversation.inbound import Inbound, Text
from bot.conversation.replies import Reply
from bot.language.interpreter import Interpreter
from bot.store.turns import TurnStore

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8


@dataclass(frozen=True)
class Redaction:
    text: str
    sensitive: bool


Redact = Callable[[str], Redaction]


def no_redaction(text: str) -> Redaction:
    return Redaction(text, False)


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
    ) -> None:
        self.engine = engine
        self.store = store
        self.interpreter = interpreter
        self.clock = clock
        self.redact = redact
        # One turn at a time per chat inside this process; the version check in the store covers
        # turns of the same chat in other processes.
        self._locks: weakref.WeakValueDictionary[tuple[str, str], asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )

    async def handle(self, channel: str, chat_id: str, inbound: Inbound) -> tuple[Reply, ...]:
        key = (channel, chat_id)
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        async with lock:
            return await self._turn(channel, chat_id, inbound)

    async def _turn(self, channel: str, chat_id: str, inbound: Inbound) -> tuple[Reply, ...]:
        loaded = await self.store.load(channel, chat_id)
        if isinstance(inbound, Text):
            inbound = await self._understand(inbound, loaded.snapshot.profile.language)
        for attempt in range(MAX_ATTEMPTS):
            now = self.clock.now()
            outcome = self.engine.handle(loaded.snapshot, inbound, now)
            if await self.store.save(loaded, outcome, now):
                return outcome.replies
            # Another process saved a turn of this chat first: run this one again on its result,
            # after a short random pause so two racing workers do not collide again and again.
            await asyncio.sleep(random.uniform(0, 0.005 * (attempt + 1)))
            loaded = await self.store.load(channel, chat_id)
        raise ConcurrentUpdateError(f"{channel} chat kept changing during a turn")

    async def _understand(self, text: Text, lang: str | None) -> Text:
        # Redaction comes first, so neither the interpreter nor the store ever sees a secret.
        redacted = self.redact(text.text)
        understanding = await self.interpreter.parse(redacted.text, lang or "nl")
        return replace(
            text,
            text=redacted.text,
            understanding=understanding,
            secrets_removed=text.secrets_removed or redacted.sensitive,
        )
