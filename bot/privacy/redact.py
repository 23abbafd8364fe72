"""Replace BSNs, bank and card numbers, phones, e-mail addresses and typed secrets by markers.

Everything a participant types passes through `Redactor.redact` before it is stored, logged,
translated or shown to staff. Text without findings comes back unchanged, character for character.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from bot.privacy import numbers
from bot.privacy.findings import PRIORITY, SENSITIVE, Finding, Span
from bot.privacy.secret_words import load_secret_words
from bot.privacy.triggers import TriggerWords
from bot.privacy.typed_secrets import secrets_after

__all__ = ["DEFAULT_BSN_WORDS", "Finding", "Redacted", "Redactor"]

# Dutch government terms, so they may live in code; other languages come from the YAML file.
DEFAULT_BSN_WORDS = ("bsn", "bsn nummer", "burger service nummer", "sofi nummer")

_DIGIT = re.compile(r"\d")
_NOTHING: frozenset[Finding] = frozenset()


@dataclass(frozen=True)
class Redacted:
    text: str
    found: frozenset[Finding]

    @property
    def sensitive(self) -> bool:
        """Something the participant must be warned about: never share it, not even with us."""
        return not self.found.isdisjoint(SENSITIVE)


class Redactor:
    def __init__(
        self, secret_words: Iterable[str], *, bsn_words: Iterable[str] = DEFAULT_BSN_WORDS
    ) -> None:
        self._secret_words = TriggerWords(secret_words)
        self._bsn_words = TriggerWords(bsn_words)

    @classmethod
    def from_file(cls, path: Path) -> Redactor:
        """Read knowledge/safety/secret_words.yml, all languages merged."""
        words = load_secret_words(path)
        return cls(words.secret, bsn_words=words.bsn)

    def redact(self, text: str) -> Redacted:
        has_digit = _DIGIT.search(text) is not None
        has_at = "@" in text
        triggers = list(self._secret_words.find(text))
        if not (has_digit or has_at or triggers):
            return Redacted(text, _NOTHING)  # the common case: a few microseconds
        spans: list[Span] = []
        if has_at:
            spans.extend(numbers.find_emails(text))
        if has_digit:
            spans.extend(numbers.find_ibans(text))
            spans.extend(numbers.find_phones(text))
            spans.extend(numbers.find_checked_numbers(text))
            spans.extend(numbers.find_letter_codes(text))
            for match in self._bsn_words.find(text):
                bsn = numbers.bsn_after(text, match.end())
                if bsn is not None:
                    spans.append(bsn)
        for match in triggers:
            spans.extend(secrets_after(text, match.end()))
        if not spans:
            return Redacted(text, _NOTHING)
        return _apply(text, _merge(spans))


def _merge(spans: list[Span]) -> list[Span]:
    """Overlapping spans become one, named after the surest finding among them.

    Taking the union (rather than keeping only the winner) means no piece of a secret is left
    visible beside a marker, e.g. the "A" and "x!" of a password that contains a BSN.
    """
    spans.sort(key=lambda s: s.start)
    merged = [spans[0]]
    for span in spans[1:]:
        last = merged[-1]
        if span.start < last.end:
            winner = max(last.finding, span.finding, key=PRIORITY.__getitem__)
            merged[-1] = Span(last.start, max(last.end, span.end), winner)
        else:
            merged.append(span)
    return merged


def _apply(text: str, spans: list[Span]) -> Redacted:
    parts = []
    pos = 0
    for span in spans:
        parts.append(text[pos : span.start])
        parts.append(span.finding.marker)
        pos = span.end
    parts.append(text[pos:])
    return Redacted("".join(parts), frozenset(span.finding for span in spans))
