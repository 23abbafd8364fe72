"""Day and time of a slot in the participant's language, with Babel (CLDR) data.

Decisions (checked against Babel 2.18 / CLDR 47 in the project venv):

* All eight languages have CLDR data in Babel: nl, en, ar, ti, fa, tr, so and ku. Babel's `ku` is
  Kurmanji ("kurdî (kurmancî)", Latin script), which is what we mean by ku; Sorani would be
  `ckb` and is not used. Should a Babel version lack a locale, `babel_locale` falls back to the
  base language and then to Dutch, the language of the library and of the letters people get.
* The day is the locale's full date pattern without the year, with the day-and-month part taken
  from the locale's own "day month" pattern so grammar stays right (Kurmanji "14ê nîsanê", not
  the "14ê nîsana" of the full pattern that expects a year after it). Result: "dinsdag 14 april".
* Times use the 24-hour clock in every language (CLDR's "Hm" skeleton): Dutch letters, opening
  hours and appointment cards use it, and it avoids AM/PM markers participants would have to
  map back onto what the library says.
* Digits: Babel writes dates and times with Western digits (0-9) for every locale, including
  ar and fa, even though CLDR's default numbering for fa is Persian digits. We keep that: the
  numbers then match the ones on the library's door, the letter and the SMS. Right-to-left
  isolation of numbers is the renderer's job (see DESIGN: Unicode isolates), not done here.
* Date and time are joined with the locale's medium date-time pattern ("{1}, {0}" in Dutch).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from babel import Locale, UnknownLocaleError, localedata
from babel.dates import format_datetime, format_skeleton, tokenize_pattern

from bot.appointments.calendar import AMSTERDAM, SlotTime

LANGUAGES = ("nl", "en", "ar", "ti", "fa", "tr", "so", "ku")
FALLBACK = "nl"

_DATE_FIELDS = frozenset("dMLy")


def babel_locale(language: str) -> Locale:
    """The Babel locale for one of our language codes, falling back to its base, then Dutch."""
    for candidate in (language, language.split("_")[0].split("-")[0], FALLBACK):
        if candidate and localedata.exists(candidate):
            try:
                return Locale.parse(candidate)
            except (UnknownLocaleError, ValueError):
                continue
    return Locale.parse(FALLBACK)


def _scan(pattern: str) -> list[tuple[str, str]]:
    """('field', 'EEEE') and ('text', ', ') tokens of a CLDR pattern, quotes resolved."""
    result: list[tuple[str, str]] = []
    for kind, value in tokenize_pattern(pattern):
        if kind == "field" and isinstance(value, tuple):
            letter, width = value
            result.append(("field", str(letter) * int(width)))
        else:
            result.append(("text", str(value)))
    return result


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'" if text else ""


def _join(tokens: list[tuple[str, str]]) -> str:
    return "".join(value if kind == "field" else _quote(value) for kind, value in tokens)


@lru_cache(maxsize=32)
def day_pattern(language: str) -> str:
    """The CLDR pattern for "weekday day month" in this language, without the year."""
    locale = babel_locale(language)
    full = _scan(locale.date_formats["full"].pattern)
    day_month = locale.datetime_skeletons.get("MMMMd")
    fields = [
        i for i, (kind, value) in enumerate(full) if kind == "field" and value[0] in _DATE_FIELDS
    ]
    if not fields or day_month is None:
        return locale.date_formats["full"].pattern
    first, last = fields[0], fields[-1]
    # A suffix glued to the year ("2026an") belongs to the year; a separator (", ") does not.
    if last + 1 < len(full) and full[last + 1][0] == "text" and full[last + 1][1][:1].isalpha():
        last += 1
    replacement = _scan(day_month.pattern)
    return _join(full[:first] + replacement + full[last + 1 :])


def _local(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("format an aware datetime; naive times are ambiguous")
    return moment.astimezone(AMSTERDAM)


def format_day(moment: dt.datetime, language: str) -> str:
    """E.g. "dinsdag 14 april" (nl), "Tuesday, April 14" (en)."""
    return format_datetime(_local(moment), day_pattern(language), locale=babel_locale(language))


def format_time(moment: dt.datetime, language: str) -> str:
    """E.g. "10:30"; 24-hour clock in every language."""
    return format_skeleton("Hm", _local(moment), locale=babel_locale(language))


def format_slot(moment: dt.datetime, language: str) -> str:
    """Day and start time, e.g. "dinsdag 14 april, 10:30" (nl)."""
    locale = babel_locale(language)
    joiner = str(locale.datetime_formats.get("medium", "{1} {0}"))
    return joiner.replace("{1}", format_day(moment, language)).replace(
        "{0}", format_time(moment, language)
    )


def format_slot_range(slot: SlotTime, language: str) -> str:
    """Day with start and end time, e.g. "dinsdag 14 april, 10:30–11:15" (nl)."""
    return f"{format_slot(slot.start, language)}\u2013{format_time(slot.end, language)}"
