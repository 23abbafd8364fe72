"""The Rasa interpreter: asks a Rasa NLU server (`POST /model/parse`) what a message means.

A turn never waits long on it: every call has a short deadline, and after a few failures in a
row a circuit breaker skips Rasa for a while, so the built-in interpreter answers at once (see
`bot.language.select`). Rasa's `nlu_fallback` and answers below `min_confidence` become "no
intent": the engine then says it did not understand and shows the choices, it does not guess.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

import httpx

from bot.conversation.inbound import Understanding
from bot.language.breaker import CircuitBreaker, State
from bot.language.builtin import ENTITY_OF_INTENT
from bot.language.entities import TASK, EntityFinder
from bot.language.nlu_eval import FALLBACK_INTENT, OUT_OF_SCOPE
from bot.language.normalise import normalise

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 0.3
"""Seconds. Rasa parses a short message in ~10-40 ms on loopback; 300 ms means it is in trouble."""


class RasaInterpreter:
    name = "rasa"

    def __init__(
        self,
        url: str,
        *,
        entities: EntityFinder | None = None,
        known_tasks: frozenset[str] = frozenset(),
        timeout: float = DEFAULT_TIMEOUT,
        min_confidence: float = 0.5,
        breaker: CircuitBreaker | None = None,
        token: str | None = None,
    ) -> None:
        """url: the server's base URL, e.g. http://127.0.0.1:5005 (RASA_URL).

        entities: fills in the task or glossary word when Rasa found the intent but not (or
        not exactly) the entity. token: Rasa's `--auth-token`, sent as `?token=`.
        """
        self.url = url.rstrip("/")
        self.entities = entities
        self.known_tasks = known_tasks
        self.timeout = timeout
        self.min_confidence = min_confidence
        self.breaker = breaker or CircuitBreaker()
        self._params = {"token": token} if token else {}
        self._client: httpx.AsyncClient | None = None

    def _http(self) -> httpx.AsyncClient:
        if self._client is None or self._client.is_closed:
            # trust_env=False: Rasa is our own service; a proxy from the environment would only
            # add a hop (and see the text).
            self._client = httpx.AsyncClient(
                timeout=httpx.Timeout(self.timeout),
                limits=httpx.Limits(max_connections=64, max_keepalive_connections=16),
                trust_env=False,
            )
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def parse(self, text: str, lang: str) -> Understanding:
        """Never raises; "no intent" from this interpreter when Rasa cannot answer."""
        return await self.ask(text, lang) or Understanding(source=self.name)

    async def ask(self, text: str, lang: str) -> Understanding | None:
        """Rasa's understanding, or None when Rasa did not answer (down, slow, breaker open)."""
        if not text.strip():
            return Understanding(source=self.name)
        if not self.breaker.allow():
            return None
        try:
            async with asyncio.timeout(self.timeout):
                response = await self._http().post(
                    f"{self.url}/model/parse", json={"text": text}, params=self._params
                )
            response.raise_for_status()
            answer = response.json()
            if not isinstance(answer, dict) or not isinstance(answer.get("intent"), dict):
                raise ValueError("no intent in Rasa's answer")
        except (TimeoutError, httpx.HTTPError, ValueError) as error:
            if self.breaker.failure():
                log.warning(
                    "Rasa not answering; using the built-in interpreter for %.0f s",
                    self.breaker.cooldown,
                    extra={"rasa_error": type(error).__name__},
                )
            return None
        if self.breaker.state is not State.CLOSED:
            log.info("Rasa answers again")
        self.breaker.success()
        return self._understanding(answer, text)

    def _understanding(self, answer: Mapping[str, Any], text: str) -> Understanding:
        intent = answer["intent"]
        name = intent.get("name")
        confidence = float(intent.get("confidence") or 0.0)
        if (
            not isinstance(name, str)
            or name in (FALLBACK_INTENT, OUT_OF_SCOPE)
            or confidence < self.min_confidence
        ):
            return Understanding(None, confidence, {}, self.name)
        return Understanding(name, confidence, self._entities(name, answer, text), self.name)

    def _entities(self, intent: str, answer: Mapping[str, Any], text: str) -> dict[str, str]:
        kind = ENTITY_OF_INTENT.get(intent)
        if kind is None:
            return {}
        found = [
            e
            for e in answer.get("entities") or []
            if isinstance(e, dict) and e.get("entity") == kind
        ]
        for entity in found:
            value = str(entity.get("value") or "")
            if kind == TASK and value in self.known_tasks:
                return {kind: value}  # EntitySynonymMapper already gave the stable id
            looked_up = self.entities.find(kind, normalise(value)) if self.entities else None
            if looked_up:
                return {kind: looked_up}
        if self.entities is not None:
            looked_up = self.entities.find(kind, normalise(text))
            if looked_up:
                return {kind: looked_up}
        if found and kind != TASK:
            # A word Rasa marked that the glossary does not know: the flow says so kindly.
            return {kind: str(found[0].get("value") or "")}
        return {}
