"""A slot's day and time read naturally in each of the eight languages."""

from __future__ import annotations

import datetime as dt

import pytest
from babel import localedata

from bot.appointments.calendar import AMSTERDAM, SlotTime
from bot.appointments.formatting import (
    LANGUAGES,
    babel_locale,
    format_day,
    format_slot,
    format_slot_range,
    format_time,
)

TUESDAY = dt.datetime(2026, 4, 14, 10, 30, tzinfo=AMSTERDAM)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_has_babel_data_and_shows_the_day_number(language: str) -> None:
    assert localedata.exists(language)
    assert babel_locale(language).language == language
    text = format_slot(TUESDAY, language)
    assert text.strip()
    assert "14" in text  # Western digits in every locale, ar and fa included
    assert "10:30" in text  # 24-hour clock everywhere


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("nl", "dinsdag 14 april, 10:30"),
        ("en", "Tuesday, April 14, 10:30"),
        ("tr", "14 Nisan Salı 10:30"),
        ("ku", "sêşem, 14ê nîsanê 10:30"),
        ("so", "Talaado, Abriil 14 10:30"),
    ],
)
def test_known_wordings(language: str, expected: str) -> None:
    assert format_slot(TUESDAY, language) == expected


def test_full_weekday_and_month_names_not_abbreviations() -> None:
    assert format_day(TUESDAY, "nl") == "dinsdag 14 april"
    assert "الثلاثاء" in format_day(TUESDAY, "ar")  # Tuesday, in full
    assert "أبريل" in format_day(TUESDAY, "ar")
    assert "سه\u200cشنبه" in format_day(TUESDAY, "fa")
    assert "ሚያዝያ" in format_day(TUESDAY, "ti")  # Miyazia (April), in full
    for language in LANGUAGES:
        assert "2026" not in format_day(TUESDAY, language)


def test_unknown_language_falls_back_to_dutch() -> None:
    assert format_slot(TUESDAY, "xx") == "dinsdag 14 april, 10:30"
    assert babel_locale("ku_TR").language == "ku"


def test_times_are_shown_in_amsterdam_time() -> None:
    in_utc = dt.datetime(2026, 4, 14, 8, 30, tzinfo=dt.UTC)
    assert format_time(in_utc, "nl") == "10:30"
    winter = dt.datetime(2026, 1, 13, 9, 30, tzinfo=dt.UTC)
    assert format_slot(winter, "nl") == "dinsdag 13 januari, 10:30"
    with pytest.raises(ValueError):
        format_slot(dt.datetime(2026, 4, 14, 10, 30), "nl")


def test_slot_range() -> None:
    slot = SlotTime("b", TUESDAY, TUESDAY + dt.timedelta(minutes=45))
    assert format_slot_range(slot, "nl") == "dinsdag 14 april, 10:30\u201311:15"
