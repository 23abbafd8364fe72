"""Machine translation behind the `Translator` protocol, chosen by TRANSLATOR (off by default).

Used for the handover (the participant's words in Dutch for staff), for staff messages in the
participant's language, and for `wegwijs content draft`. Whatever the provider:

- text is redacted before it leaves the process (a phone number or e-mail address staff typed
  on purpose, such as the library's, is put back into the translation afterwards: it never
  left; a BSN, bank number, code or password stays a marker);
- answers are cached in the database, keyed by a hash of the redacted text;
- a call never takes longer than `timeout`, and after repeated failures the provider is skipped
  for a while (circuit breaker);
- any failure gives the original text with `translated=False`, which staff see as "not
  translated". Nothing raises.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from typing import Protocol

from bot.language.breaker import CircuitBreaker
from bot.language.translation import NoTranslator, Translation, Translator
from bot.language.translation_providers import (
    DeepL,
    GoogleWeb,
    Libre,
    Microsoft,
    Provider,
)
from bot.privacy.findings import SENSITIVE, Finding
from bot.settings import Settings

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 2.0
"""Seconds per translation. A handover is written during a turn: it must not wait long."""
PROVIDERS = ("google", "microsoft", "deepl", "libre")
_OFF = {"", "none", "off", "0", "false", "no"}
# Markers the redactor puts in place of what it removed ("[BSN]", "[PHONE]", ...).
_MARKER = re.compile(r"\[[A-Z_]+\]")
# What staff may type on purpose (the library's phone number, its e-mail address) is put back
# after translation; a BSN, bank number, code or password never is, whoever typed it.
RESTORABLE = frozenset(finding.marker for finding in Finding if finding not in SENSITIVE)


class Cache(Protocol):
    async def get(self, provider: str, source: str, target: str, text: str) -> str | None: ...

    async def put(
        self, provider: str, source: str, target: str, text: str, translation: str
    ) -> None: ...


Redact = Callable[[str], str]


class MachineTranslator:
    """A provider wrapped in redaction, caching, a deadline, a breaker and the fallback."""

    def __init__(
        self,
        provider: Provider,
        *,
        redact: Redact,
        cache: Cache | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        breaker: CircuitBreaker | None = None,
    ) -> None:
        self.provider = provider
        self.name = provider.name
        self.redact = redact
        self.cache = cache
        self.timeout = timeout
        self.breaker = breaker or CircuitBreaker(failures=3, cooldown=60.0)

    async def translate(self, text: str, source: str, target: str) -> Translation:
        if source == target:
            return Translation(text, True, "same-language")
        original = Translation(text, False, self.name)
        if not text.strip() or not self.provider.supports(source, target):
            return original
        redacted = self.redact(text)
        cached = await self._cached(redacted, source, target)
        if cached is not None:
            return Translation(restore(cached, redacted, text), True, self.name)
        if not self.breaker.allow():
            return original
        try:
            async with asyncio.timeout(self.timeout):
                result = await self.provider.translate(redacted, source, target)
        except Exception as error:  # any provider trouble: show the original
            opened = self.breaker.failure()
            log.warning(
                "translation failed; showing the original",
                extra={
                    "provider": self.name,
                    "error": type(error).__name__,
                    "breaker_opened": opened,
                },
            )
            return original
        self.breaker.success()
        await self._remember(redacted, source, target, result)
        return Translation(restore(result, redacted, text), True, self.name)

    async def _cached(self, redacted: str, source: str, target: str) -> str | None:
        if self.cache is None:
            return None
        try:
            return await self.cache.get(self.name, source, target, redacted)
        except Exception:  # the cache is an optimisation; a broken one must not cost the text
            log.exception("translation cache unavailable")
            return None

    async def _remember(self, redacted: str, source: str, target: str, result: str) -> None:
        if self.cache is None:
            return
        try:
            await self.cache.put(self.name, source, target, redacted, result)
        except Exception:
            log.exception("translation cache unavailable")

    async def aclose(self) -> None:
        await self.provider.aclose()


def removed_values(redacted: str, original: str) -> list[tuple[str, str]]:
    """(marker, original text) for each marker the redactor put into `original`, in order.

    Redaction replaces spans and leaves every other character as it was, so the text between
    two markers is found again in the original right after the previous value. When that
    does not work out (two markers side by side), nothing is restored: markers stay markers.
    """
    pieces = _MARKER.split(redacted)
    markers = _MARKER.findall(redacted)
    if not markers or not original.startswith(pieces[0]) or not original.endswith(pieces[-1]):
        return []
    values = []
    position = len(pieces[0])
    last = len(markers) - 1
    for number, (marker, piece) in enumerate(zip(markers, pieces[1:], strict=True)):
        if number == last:
            end = len(original) - len(piece)
        elif not piece:
            return []
        else:
            end = original.find(piece, position + 1)
        if end <= position:
            return []
        values.append((marker, original[position:end]))
        position = end + len(piece)
    return values


def restore(translation: str, redacted: str, original: str) -> str:
    """Put back the phone numbers and e-mail addresses redaction removed from `original`.

    They never left the process. Text a participant typed was redacted before it reached us,
    so its markers come back as markers; secrets (RESTORABLE excludes them) stay markers.
    """
    values: dict[str, list[str]] = {}
    for marker, value in removed_values(redacted, original):
        values.setdefault(marker, []).append(value if marker in RESTORABLE else marker)

    def put_back(match: re.Match[str]) -> str:
        queue = values.get(match.group(0))
        return queue.pop(0) if queue else match.group(0)

    return _MARKER.sub(put_back, translation) if values else translation


def parse_translator_setting(value: str | None) -> tuple[str | None, str | None]:
    """TRANSLATOR -> (provider, option): "microsoft:westeurope" gives the Azure region."""
    if value is None or value.strip().lower() in _OFF:
        return None, None
    name, _, option = value.strip().partition(":")
    name = name.lower()
    if name == "libretranslate":
        name = "libre"
    return name, option or None


def make_provider(settings: Settings, timeout: float = DEFAULT_TIMEOUT) -> Provider | None:
    """The configured provider, or None (off, or misconfigured: logged as an error)."""
    name, option = parse_translator_setting(settings.translator)
    key, url = settings.translator_api_key, settings.translator_url
    if name is None:
        return None
    if name == "google":
        return GoogleWeb(url=url, timeout=timeout)
    if name == "microsoft" and key:
        return Microsoft(api_key=key, region=option, url=url, timeout=timeout)
    if name == "deepl" and key:
        return DeepL(api_key=key, url=url, timeout=timeout)
    if name == "libre" and url:
        return Libre(url=url, api_key=key, timeout=timeout)
    needs = {"microsoft": "TRANSLATOR_API_KEY", "deepl": "TRANSLATOR_API_KEY"}
    log.error(
        "translation stays off: TRANSLATOR=%s is not usable",
        settings.translator,
        extra={"needs": needs.get(name, "TRANSLATOR_URL" if name == "libre" else PROVIDERS)},
    )
    return None


def translator_from_settings(
    settings: Settings,
    *,
    redact: Redact,
    cache: Cache | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> Translator:
    """The configured translator; `NoTranslator` (show the original) when TRANSLATOR is off."""
    provider = make_provider(settings, timeout)
    if provider is None:
        return NoTranslator()
    log.info("machine translation on", extra={"provider": provider.name})
    return MachineTranslator(provider, redact=redact, cache=cache, timeout=timeout)
