"""The translation layer: a small `Translator` protocol and the default that translates nothing.

Staff read what a participant wrote in Dutch when a translator is configured; without one they see
the original, marked "not translated". Real providers (deep-translator, a self-hosted server) live
behind this protocol in `bot/language/` and are chosen by configuration.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Translation:
    text: str
    """The translation, or the original text when `translated` is False."""
    translated: bool
    provider: str
    """Which translator answered ("none" when nothing was translated)."""


class Translator(Protocol):
    async def translate(self, text: str, source: str, target: str) -> Translation:
        """Never raises: on trouble it returns the original with translated=False."""
        ...


class NoTranslator:
    """The embedded default: no machine translation, the original text is kept as it is."""

    name = "none"

    async def translate(self, text: str, source: str, target: str) -> Translation:
        return Translation(text=text, translated=False, provider=self.name)
