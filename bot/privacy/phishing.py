"""Does a message look like a forwarded phishing text? Pure: text in, the sign found (or None) out.

The patterns live in knowledge/safety/phishing.yml (phrases, payment words, imitated brands, link
shorteners) and knowledge/official_domains.yml (the real addresses). A match only changes what
the assistant answers (the phishing guide, with a warning first); nothing is blocked or stored.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml


class Sign(StrEnum):
    """Why a message looks like phishing: the strongest sign found."""

    SHORTENED_LINK = "shortened_link"
    LOOKALIKE_DOMAIN = "lookalike_domain"
    PAYMENT_LINK = "payment_link"
    PHRASE = "phrase"
    REQUEST = "request"


class PhishingPatternsError(ValueError):
    """knowledge/safety/phishing.yml is malformed; the message says where."""


# Common top-level domains: a bare "name.tld" without http:// or www. counts as a web address
# only with one of these, so "klaar.Dan" (a missing space) is not taken for a link.
_BARE_TLDS = frozenset(
    [
        "nl",
        "com",
        "net",
        "org",
        "info",
        "eu",
        "be",
        "de",
        "io",
        "co",
        "xyz",
        "top",
        "online",
        "site",
        "app",
        "me",
        "live",
        "shop",
        "click",
        "link",
        "icu",
        "vip",
        "cc",
        "ru",
        "cn",
        "uk",
        "us",
        "biz",
        "club",
        "store",
        "support",
        "services",
        "help",
        "pw",
        "tk",
        "ml",
        "ga",
        "cf",
        "gq",
        "ly",
        "gd",
        "at",
        "id",
        "li",
        "to",
        "fr",
        "es",
        "it",
        "pl",
        "ch",
        "se",
        "dk",
        "no",
        "fi",
        "pt",
        "cz",
        "sk",
        "hu",
        "ro",
        "bg",
        "gr",
        "tr",
        "ir",
        "af",
        "so",
        "er",
        "et",
        "sy",
        "iq",
        "ae",
        "sa",
        "qa",
        "ma",
        "tn",
        "eg",
        "pk",
        "in",
        "tv",
        "ws",
        "su",
        "mobi",
        "pro",
        "work",
        "page",
        "digital",
        "network",
        "email",
        "today",
        "world",
        "cloud",
        "fun",
        "space",
        "website",
    ]
)
_URL = re.compile(
    r"(?:(?P<scheme>https?://)|(?P<www>www\.))?"
    r"(?P<host>(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?P<tld>[a-z]{2,24}|xn--[a-z0-9-]+))"
    r"(?![a-z0-9-])",
    re.IGNORECASE,
)
# Letters and digits that lookalike domains swap in ("d1gid", "dlgid", "belastlngdienst").
_HOMOGLYPHS = str.maketrans({"0": "o", "1": "i", "l": "i", "3": "e", "5": "s", "|": "i"})


def normalise(text: str) -> str:
    """Lower case, no accents, punctuation as spaces, single spaces: how entries are matched."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = "".join(c if c.isalnum() else " " for c in decomposed if not unicodedata.combining(c))
    return " ".join(kept.split())


def _squash(host: str) -> str:
    """A host name as letters only, with lookalike characters replaced, for finding brands."""
    return re.sub(r"[^a-z]", "", host.casefold().replace("rn", "m").translate(_HOMOGLYPHS))


@dataclass(frozen=True)
class PhishingPatterns:
    phrases: tuple[str, ...]
    payment_words: frozenset[str]
    brands: tuple[str, ...]
    short_brands: frozenset[str]
    request_brands: frozenset[str]
    request_words: tuple[str, ...]
    request_needs: tuple[str, ...]
    shorteners: tuple[str, ...]
    official: tuple[str, ...]


class PhishingDetector:
    def __init__(self, patterns: PhishingPatterns) -> None:
        self.p = patterns
        self._phrases = tuple(f" {phrase} " for phrase in patterns.phrases)
        self._brand_squashes = tuple(_squash(brand) for brand in patterns.brands)

    @classmethod
    def from_files(cls, phishing: Path, official_domains: Path) -> PhishingDetector:
        return cls(load_patterns(phishing, official_domains))

    def check(self, text: str) -> Sign | None:
        """The sign that makes `text` look like a forwarded phishing message, or None."""
        if not text or not text.strip():
            return None
        words = f" {normalise(text)} "
        hosts = [host for host in _hosts(text) if not self._official(host)]
        for host in hosts:
            if self._shortener(host):
                return Sign.SHORTENED_LINK
        for host in hosts:
            if self._lookalike(host):
                return Sign.LOOKALIKE_DOMAIN
        if hosts and (
            self._any_word(words, self.p.payment_words) or self._any_word(words, self.p.brands)
        ):
            return Sign.PAYMENT_LINK
        if any(phrase in words for phrase in self._phrases):
            return Sign.PHRASE
        if (
            self._any_word(words, self.p.request_brands)
            and self._any_word(words, self.p.request_words)
            and self._any_word(words, self.p.request_needs)
        ):
            return Sign.REQUEST
        return None

    # -- helpers ------------------------------------------------------------------------------
    @staticmethod
    def _any_word(words: str, entries: Iterable[str]) -> bool:
        return any(f" {entry} " in words for entry in entries)

    def _official(self, host: str) -> bool:
        return any(host == domain or host.endswith("." + domain) for domain in self.p.official)

    def _shortener(self, host: str) -> bool:
        return any(host == short or host.endswith("." + short) for short in self.p.shorteners)

    def _lookalike(self, host: str) -> bool:
        labels = host.split(".")
        if any(label.startswith("xn--") for label in labels):
            return True  # an internationalised name imitating a Latin one ("dіgid" with і)
        squashed = _squash(host)
        if any(brand in squashed for brand in self._brand_squashes):
            return True
        parts = {part for label in labels for part in label.split("-")}
        return not parts.isdisjoint(self.p.short_brands)


def _hosts(text: str) -> Iterator[str]:
    for match in _URL.finditer(text):
        host = match.group("host").casefold().rstrip(".")
        tld = match.group("tld").casefold()
        if match.group("scheme") or match.group("www") or tld in _BARE_TLDS:
            yield host


def load_patterns(path: Path, official_domains: Path) -> PhishingPatterns:
    data = _mapping(path, yaml.safe_load(path.read_text(encoding="utf-8")), "")
    official = _mapping(
        official_domains, yaml.safe_load(official_domains.read_text(encoding="utf-8")), ""
    )
    phrases = _mapping(path, data.get("phrases"), "phrases")
    payment = _mapping(path, data.get("payment_words"), "payment_words")
    requests = _mapping(path, data.get("requests"), "requests")
    return PhishingPatterns(
        phrases=tuple(
            normalise(p) for lang in phrases for p in _words(path, phrases[lang], f"phrases.{lang}")
        ),
        payment_words=frozenset(
            normalise(w)
            for lang in payment
            for w in _words(path, payment[lang], f"payment_words.{lang}")
        ),
        brands=tuple(normalise(b) for b in _words(path, data.get("brands"), "brands")),
        short_brands=frozenset(
            normalise(b) for b in _words(path, data.get("short_brands"), "short_brands")
        ),
        request_brands=frozenset(
            normalise(b) for b in _words(path, requests.get("brands"), "requests.brands")
        ),
        request_words=tuple(
            normalise(w) for w in _words(path, requests.get("words"), "requests.words")
        ),
        request_needs=tuple(
            normalise(w) for w in _words(path, requests.get("also_needs"), "requests.also_needs")
        ),
        shorteners=tuple(s.casefold() for s in _words(path, data.get("shorteners"), "shorteners")),
        official=tuple(
            d.casefold() for d in _words(official_domains, official.get("official"), "official")
        ),
    )


def _mapping(path: Path, value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict) or not value:
        raise PhishingPatternsError(f"{path}: {where or 'the file'}: expected a non-empty mapping")
    return value


def _words(path: Path, value: Any, where: str) -> list[str]:
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(w, str) and normalise(w) for w in value)
    ):
        raise PhishingPatternsError(f"{path}: {where}: expected a list of non-empty strings")
    return [str(w) for w in value]
