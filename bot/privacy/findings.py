"""What redaction can find in a message, and where."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Finding(StrEnum):
    BSN = "bsn"
    IBAN = "iban"
    CARD = "card"
    PHONE = "phone"
    EMAIL = "email"
    ACTIVATION_CODE = "activation_code"
    SECRET = "secret"

    @property
    def marker(self) -> str:
        """ASCII, so it survives translation and sits unchanged in any script."""
        return _MARKERS[self]


_MARKERS = {
    Finding.BSN: "[BSN]",
    Finding.IBAN: "[IBAN]",
    Finding.CARD: "[CARD]",
    Finding.PHONE: "[PHONE]",
    Finding.EMAIL: "[EMAIL]",
    Finding.ACTIVATION_CODE: "[CODE]",
    Finding.SECRET: "[SECRET]",
}

# When two findings claim the same characters, the one that is surest of itself wins:
# a checksum beats a shape, and a shape beats "it came after the word wachtwoord".
PRIORITY = {
    Finding.EMAIL: 7,
    Finding.IBAN: 6,
    Finding.CARD: 5,
    Finding.PHONE: 4,
    Finding.BSN: 3,
    Finding.ACTIVATION_CODE: 2,
    Finding.SECRET: 1,
}

SENSITIVE = frozenset(
    {Finding.BSN, Finding.IBAN, Finding.CARD, Finding.ACTIVATION_CODE, Finding.SECRET}
)


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    finding: Finding
