"""The service layer of one turn: redact, understand, run the engine, save it all in one go."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace

from bot.clock import Clock
from bot.conversation.engine import Engine
from bot.conversation.inbound import Inbound, Text
from bot.conversation.replies import Reply
from bot.language.interpreter import Interpreter
from bot.store.turns import TurnStore

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5


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

    async def handle(self, channel: str, chat_id: str, inbound: Inbound) -> tuple[Reply, ...]:
        loaded = await self.store.load(channel, chat_id)
        if isinstance(inbound, Text):
            inbound = await self._understand(inbound, loaded.snapshot.profile.language)
        for _ in range(MAX_ATTEMPTS):
            now = self.clock.now()
            outcome = self.engine.handle(loaded.snapshot, inbound, now)
            if await self.store.save(loaded, outcome, now):
                return outcome.replies
            # Another turn of this chat saved first: run this one again on its result.
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
