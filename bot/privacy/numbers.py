"""Find numbers with a known shape: BSN, IBAN, payment card, phone, e-mail, DigiD codes.

Every detector takes the original text and returns spans in it. Digits of any script count
(`\\d` in a str pattern is every Unicode decimal digit), so a BSN typed in Arabic-Indic or
Persian digits is found without rewriting the text first.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.privacy.checksums import (
    IBAN_LENGTHS,
    IBAN_MAX_LENGTH,
    IBAN_MIN_LENGTH,
    digit_values,
    is_bsn,
    is_iban,
    is_luhn,
)
from bot.privacy.findings import Finding, Span

_LOCAL = r"[\w.!#$%&'*+/=?^`{|}~-]"
# The look-behind starts a match only where the local part starts: without it a long word
# before a stray "@" is retried from every letter, which costs quadratic time.
EMAIL = re.compile(rf"(?<!{_LOCAL}){_LOCAL}+@[\w-]+(?:\.[\w-]+)+")

# A digit run: digit groups joined by one separator each ("123 456 782", "1234.56.782").
# No comma: "1.234,56" is an amount, and a comma separates list items.
RUN = re.compile(r"\d+(?:[ .\-\u00a0\u202f]\d+)*")
_GROUP = re.compile(r"\d+")

_IBAN_START = re.compile(r"(?<![^\W_])[A-Za-z]{2}\d{2}(?:[ ]?[A-Za-z\d]){11,32}")

# A zero in ASCII, Arabic-Indic or Persian digits: "٠٦..." is a mobile number too.
_ZERO = "[0\u0660\u06f0]"
_PHONE_INTERNATIONAL = re.compile(
    rf"(?<![\w+])(?:\+|{_ZERO}{{2}})(?!{_ZERO})\d(?:[ .\-/]?(?:\({_ZERO}\)|\(\d{{1,4}}\)|\d))+"
)
# Dutch national numbers: a 0 and nine more digits, in the ways people group them
# ("06-12345678", "06 1234 5678", "(038) 123 45 67", "0612345678").
_PHONE_NATIONAL = re.compile(rf"(?<![\w+])\(?{_ZERO}(?:[ .\-/)]{{0,2}}\d){{9}}(?!\d)")
_TRUNK = re.compile(rf"\({_ZERO}\)")
_DATE_START = re.compile(r"\(?\d{1,2}[-./]\d{1,2}[-./]\d{2,4}")

# DigiD letter codes: a capital (A activeringscode, H herstelcode, B baliecode, E e-mail code)
# and 8 characters from BCDFGHJKLMNPQRSTVWXZ23456789 (no vowels, no 0 or 1).
# Source: VerificationCode in MinBZK/woo-besluit-broncode-digid (see the tests).
CODE_CHARS = "BCDFGHJKLMNPQRSTVWXZ23456789"
_CODE_CLASS = "[" + CODE_CHARS + CODE_CHARS.lower() + "]"
_LETTER_CODE = re.compile(r"(?<![^\W_])[ABEHabeh]" + _CODE_CLASS + r"{8}(?![^\W_])")


def find_emails(text: str) -> Iterator[Span]:
    for m in EMAIL.finditer(text):
        yield Span(m.start(), m.end(), Finding.EMAIL)


def find_ibans(text: str) -> Iterator[Span]:
    pos = 0
    while (m := _IBAN_START.search(text, pos)) is not None:
        span = _iban_at(text, m)
        if span is None:
            pos = m.start() + 1  # "XY12 NL91 ABNA...": the real IBAN may start inside the miss
        else:
            pos = span.end
            yield span


def _iban_at(text: str, m: re.Match[str]) -> Span | None:
    positions = [m.start() + i for i, c in enumerate(m.group()) if c != " "]
    country = m.group()[:2].upper()
    if country in IBAN_LENGTHS:
        lengths: list[int] = [IBAN_LENGTHS[country]]
    else:
        lengths = list(range(min(len(positions), IBAN_MAX_LENGTH), IBAN_MIN_LENGTH - 1, -1))
    for length in lengths:
        if length > len(positions):
            continue
        end = positions[length - 1] + 1
        if end < len(text) and text[end].isalnum():
            continue  # the IBAN would end in the middle of a word
        if is_iban("".join(text[p] for p in positions[:length])):
            return Span(m.start(), end, Finding.IBAN)
    return None


def find_phones(text: str) -> Iterator[Span]:
    for m in _PHONE_INTERNATIONAL.finditer(text):
        span = _international_span(text, m)
        if span is not None:
            yield span
    for m in _PHONE_NATIONAL.finditer(text):
        if not _DATE_START.match(m.group()):
            yield Span(m.start(), m.end(), Finding.PHONE)


def _international_span(text: str, m: re.Match[str]) -> Span | None:
    # Positions of the digits that count; "(0)" in "+31 (0)6..." is a habit, not a digit.
    skip = 1 if m.group().startswith("+") else 2  # "+" or "00"
    body = _TRUNK.sub("   ", m.group())
    digits = [m.start() + i for i, c in enumerate(body) if c.isdecimal() and i >= skip]
    values = digit_values("".join(text[p] for p in digits[:3]))
    if values[:2] == [3, 1]:
        # +31: nine more digits, ten if the participant kept the trunk 0 ("+31 06...").
        wanted = 12 if len(values) > 2 and values[2] == 0 else 11
        if len(digits) < wanted:
            return None
        return Span(m.start(), digits[wanted - 1] + 1, Finding.PHONE)
    if len(digits) < 8:
        return None
    # E.164 allows at most 15 digits after the "+"; cut a longer run where a group ends.
    keep = len(digits)
    while keep > 15 or (keep < len(digits) and digits[keep] == digits[keep - 1] + 1):
        keep -= 1
    if keep < 8:
        return None
    return Span(m.start(), digits[keep - 1] + 1, Finding.PHONE)


def find_checked_numbers(text: str) -> Iterator[Span]:
    """Payment cards (Luhn) and BSNs (elfproef) inside every run of digits."""
    for run in RUN.finditer(text):
        if sum(map(str.isdecimal, run.group())) < 9:
            continue  # dates, times, house numbers: too short to be either
        groups = _groups(run)
        for first, last, value in _candidates(text, groups, max_digits=19):
            start, end = groups[first][0], groups[last][1]
            n = len(value)
            if 13 <= n <= 19 and 2 <= value[0] <= 6 and is_luhn(value):
                yield Span(start, end, Finding.CARD)
            elif n == 9 and is_bsn(value):
                yield Span(start, end, Finding.BSN)


def _groups(run: re.Match[str]) -> list[tuple[int, int]]:
    return [(run.start() + g.start(), run.start() + g.end()) for g in _GROUP.finditer(run.group())]


def _candidates(
    text: str, groups: list[tuple[int, int]], max_digits: int
) -> Iterator[tuple[int, int, list[int]]]:
    """Every stretch of whole groups joined by one and the same separator."""
    values = [digit_values(text[start:end]) for start, end in groups]
    for first in range(len(groups)):
        value: list[int] = []
        separator = None
        for last in range(first, len(groups)):
            if last > first:
                between = text[groups[last - 1][1] : groups[last][0]]
                if separator is None:
                    separator = between
                elif between != separator:
                    break
                if groups[first][1] - groups[first][0] < 2:
                    break  # "kamer 2 12345678": a lone digit in front is something else
            value = value + values[last]  # a new list: callers keep the ones yielded
            if len(value) > max_digits:
                break
            yield first, last, value


def bsn_after(text: str, start: int) -> Span | None:
    """An 8- or 9-digit number soon after a BSN word is a BSN, typo or not."""
    run = RUN.search(text, start)
    if run is None or run.start() - start > 40 or "\n" in text[start : run.start()]:
        return None
    groups = _groups(run)
    found = None
    for first, last, value in _candidates(text, groups, max_digits=9):
        if (
            len(value) in (8, 9)
            and any(value)
            and not _is_date(groups[first : last + 1])
            and (found is None or len(value) > found[2])
        ):
            found = (groups[first][0], groups[last][1], len(value))
    return Span(found[0], found[1], Finding.BSN) if found else None


def _is_date(groups: list[tuple[int, int]]) -> bool:
    lengths = [end - start for start, end in groups]
    return len(lengths) == 3 and lengths[0] <= 2 and lengths[1] <= 2 and lengths[2] in (2, 4)


def find_letter_codes(text: str) -> Iterator[Span]:
    """DigiD letter codes standing on their own. A code without digits is only taken after a
    trigger word: "Hmmmmmmmm" or "BRRRRRRRR" must stay what they are."""
    for m in _LETTER_CODE.finditer(text):
        tail = m.group()[1:].upper()
        if any(c.isdecimal() for c in tail) and len(set(tail)) >= 3:
            yield Span(m.start(), m.end(), Finding.ACTIVATION_CODE)
