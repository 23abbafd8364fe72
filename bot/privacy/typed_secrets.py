"""Decide which words after "wachtwoord", "pincode", "code"... are the secret itself.

Redacting every word after a trigger would turn "mijn wachtwoord werkt niet" into nonsense
and the bot could no longer help. So only words that look like a secret go:
- anything typed right after "wachtwoord:" or "pincode =" (the participant is giving it);
- 4 to 10 digits (a DigiD pincode has 5, an sms code 6, a bank pincode 4), also "123 456";
- a word with letters and digits or symbols: every DigiD password has them, because DigiD
  demands a capital, a small letter, a digit and a special character
  (PasswordCheck in MinBZK/woo-besluit-broncode-digid);
- a DigiD code: a code letter plus consonants and digits 2-9, or the app's 4-letter koppelcode.
A plain word ("vergeten", "kwijt", "niet") is never taken. Words after the first four, or on
the next line, are left alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.privacy.findings import Finding, Span
from bot.privacy.numbers import CODE_CHARS

WINDOW = 4
_MARKERS = frozenset(f.marker for f in Finding)
_SUFFIX = re.compile(r"['’\-][^\W\d_]+")  # Turkish "PIN'im", Somali "pin-ka"
_TOKEN = re.compile(r"[^\S\n]*(\S+)")
_ARROWS = frozenset(":=-–—>→")
_OPEN = "\"'“”‘’«»([{<"
_CLOSE = "\"'“”‘’«»)]}>"
_TRAILING = ",.;:?!؟،؛።፣፤"
_SENTENCE_END = ".?!؟።"
_SYMBOLS = frozenset("!@#$%^&*_+=~|\\<>{}[]§£€")
_CODE = "[" + CODE_CHARS + CODE_CHARS.lower() + "]"
_DIGID_CODE = re.compile(r"[ABEHKRabehkr]" + _CODE + r"{4,9}")
_KOPPELCODE = re.compile(r"[BCDFGHJ-NP-TV-XZbcdfghj-np-tv-xz]{4}")
# Words with digits that are not secrets: "10min", "2x", "1ste", "06-nummer", "B1-niveau".
_NUMBER_WORD = re.compile(r"\d+(?:[.,:]\d+)?[^\W\d_]{1,10}|\d+-[^\W\d_]+|[ABCabc][12]-[^\W\d_]+")
_YEAR = re.compile(r"(?:19|20)\d\d")
# A Dutch postcode after "post code", "posta kodu", "الرمز البريدي" or "کد پستی" is no secret.
_POSTCODE = re.compile(r"[1-9]\d{3}[A-Za-z]{2}")
# Separated letters only in capitals: "pincode 1234 en ..." must not pass for a postcode.
_POSTCODE_LETTERS = re.compile(r"[^\S\n]+[A-Z]{2}(?![^\W\d_])")


def secrets_after(text: str, end: int) -> Iterator[Span]:
    """Spans of secrets among the few words after a trigger word that ends at `end`."""
    suffix = _SUFFIX.match(text, end)
    pos = suffix.end() if suffix else end
    explicit = False
    counted = 0
    while counted < WINDOW:
        m = _TOKEN.match(text, pos)
        if m is None:
            return
        start, pos = m.span(1)
        token = m.group(1)
        if set(token) <= _ARROWS:
            explicit = explicit or (counted == 0 and (":" in token or "=" in token))
            continue
        if counted == 0 and token[0] in ":=":
            explicit = True
            start += len(token) - len(token.lstrip(":="))
        core_start, core_end = _core(text, start, pos)
        if text[start:pos].rstrip(_TRAILING) in _MARKERS:
            return  # already redacted: "wachtwoord: [SECRET]" stays as it is
        counted += 1
        core = text[core_start:core_end].rstrip(_TRAILING)
        if _POSTCODE.fullmatch(core) or (
            _POSTCODE.fullmatch(core + "AA") and _POSTCODE_LETTERS.match(text, core_end)
        ):
            continue
        if core.isdecimal():
            core_end = core_start + len(core)  # keep the full stop after "pincode 12345."
            if len(core) < 8:
                # "123 456": a code typed in groups.
                pos, core_end, core = _join_digit_groups(text, pos, core_end, core)
        finding = _classify(core, near=counted <= 2, explicit=explicit and counted == 1)
        if finding is not None:
            yield Span(core_start, core_end, finding)
        elif token[-1] in _SENTENCE_END:
            return  # the sentence ended; what follows is about something else


def _core(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in _OPEN:
        start += 1
    while end > start and text[end - 1] in _CLOSE:
        end -= 1
    return start, end


def _join_digit_groups(text: str, pos: int, core_end: int, core: str) -> tuple[int, int, str]:
    while True:
        m = _TOKEN.match(text, pos)
        if m is None:
            return pos, core_end, core
        nxt = m.group(1).rstrip(_TRAILING)
        if not nxt.isdecimal() or len(core) + len(nxt) > 10:
            return pos, core_end, core
        core += nxt
        pos = m.end(1)
        core_end = m.start(1) + len(nxt)


def _classify(core: str, near: bool, explicit: bool) -> Finding | None:
    if not core:
        return None
    if (_DIGID_CODE.fullmatch(core) or _KOPPELCODE.fullmatch(core)) and len(set(core.upper())) >= 3:
        return Finding.ACTIVATION_CODE  # but not "hmmm" or "Kkkkk"
    if explicit:
        return Finding.SECRET if len(core) >= 3 else None
    if core.isdecimal():
        if not 4 <= len(core) <= 10:
            return None
        if len(core) == 4 and not near and _YEAR.fullmatch(core):
            return None  # "code werkt niet sinds 2024"
        return Finding.SECRET
    if len(core) < 4 or "://" in core or core.lower().startswith("www."):
        return None
    has_letter = any(c.isalpha() for c in core)
    has_digit = any(c.isdecimal() for c in core)
    has_symbol = any(c in _SYMBOLS for c in core)
    if not has_letter or not (has_digit or has_symbol):
        return None
    if _NUMBER_WORD.fullmatch(core) and not any(c.isupper() for c in core[1:]):
        return None
    return Finding.SECRET
