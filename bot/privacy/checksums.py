"""Check digits that tell a real BSN, IBAN or payment card number from any other number."""

from __future__ import annotations

import unicodedata

# IBAN length per country, from the SWIFT IBAN registry (iban-registry.txt). IR is not in the
# registry but Iranian "Sheba" account numbers use the same IR + 24 digits mod-97 format, and
# Persian-speaking participants may have one.
IBAN_LENGTHS: dict[str, int] = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BI": 27, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27,
    "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27,
    "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HN": 28, "HR": 21, "HU": 28,
    "IE": 22, "IL": 23, "IQ": 23, "IR": 26, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20,
    "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25, "MC": 27, "MD": 24,
    "ME": 22, "MK": 19, "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15,
    "OM": 23, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33,
    "SA": 24, "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25,
    "SV": 28, "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}  # fmt: skip
IBAN_MIN_LENGTH = 15
IBAN_MAX_LENGTH = 34


def digit_values(text: str) -> list[int]:
    """The decimal digits in `text`, from any script (Arabic-Indic ٣ and Persian ۳ are 3)."""
    return [unicodedata.decimal(c) for c in text if c.isdecimal()]


def is_bsn(digits: list[int]) -> bool:
    """Elfproef: 9a+8b+7c+6d+5e+4f+3g+2h-i ≡ 0 (mod 11); 8-digit numbers get a leading 0."""
    if len(digits) == 8:
        digits = [0, *digits]
    if len(digits) != 9 or not any(digits):
        return False  # 000000000 passes the sum but is nobody's number
    total = sum(weight * d for weight, d in zip(range(9, 1, -1), digits[:8], strict=True))
    return (total - digits[8]) % 11 == 0


def is_luhn(digits: list[int]) -> bool:
    """Luhn mod-10, the check digit of every payment card number."""
    total = 0
    for position, d in enumerate(reversed(digits)):
        if position % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return bool(digits) and total % 10 == 0


def is_iban(compact: str) -> bool:
    """ISO 13616 mod-97 on an IBAN without spaces; digits may be from any script."""
    if not IBAN_MIN_LENGTH <= len(compact) <= IBAN_MAX_LENGTH:
        return False
    expected = IBAN_LENGTHS.get(compact[:2].upper())
    if expected is not None and expected != len(compact):
        return False
    remainder = 0
    for c in compact[4:] + compact[:4]:
        if c.isdecimal():
            remainder = (remainder * 10 + unicodedata.decimal(c)) % 97
        elif "A" <= c.upper() <= "Z":
            remainder = (remainder * 100 + ord(c.upper()) - 55) % 97
        else:
            return False
    return remainder == 1
