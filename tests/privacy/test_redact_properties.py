"""Properties of redaction over generated numbers and arbitrary text in any script."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import yaml
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bot.privacy import Finding, Redactor
from bot.privacy.checksums import IBAN_LENGTHS

ROOT = Path(__file__).resolve().parents[2]
WORDS_FILE = ROOT / "knowledge" / "safety" / "secret_words.yml"
REDACTOR = Redactor.from_file(WORDS_FILE)
SETTINGS = settings(max_examples=200, deadline=None)

ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
BEFORE = [" ", "\n", ", ", " (", ": ", "; ", " - ", " «", "\u200f "]
AFTER = [" ", "\n", ". ", ", ", ") ", "! ", "؟ ", "። ", "» "]


# --- generated numbers ------------------------------------------------------------------


@st.composite
def bsns(draw: st.DrawFn) -> str:
    """A valid BSN, grouped the ways people type it, in ASCII, Arabic-Indic or Persian digits."""
    head = draw(st.lists(st.integers(0, 9), min_size=8, max_size=8))
    check = sum(w * d for w, d in zip(range(9, 1, -1), head, strict=True)) % 11
    assume(check <= 9 and any(head))
    digits = "".join(map(str, [*head, check]))
    text = draw(
        st.sampled_from(
            [
                digits,
                f"{digits[:3]} {digits[3:6]} {digits[6:]}",
                f"{digits[:4]}.{digits[4:6]}.{digits[6:]}",
                f"{digits[:3]}.{digits[3:6]}.{digits[6:]}",
                f"{digits[:3]}-{digits[3:6]}-{digits[6:]}",
            ]
        )
    )
    return text.translate(draw(st.sampled_from([{}, ARABIC_INDIC, PERSIAN])))


def _mod97(text: str) -> int:
    return int("".join(str(int(c, 36)) for c in text)) % 97


@st.composite
def ibans(draw: st.DrawFn) -> str:
    country = draw(st.sampled_from(sorted(IBAN_LENGTHS)))
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    bban = draw(
        st.text(alphabet, min_size=IBAN_LENGTHS[country] - 4, max_size=IBAN_LENGTHS[country] - 4)
    )
    check = 98 - _mod97(bban + country + "00")
    compact = f"{country}{check:02d}{bban}"
    text = draw(st.sampled_from([compact, " ".join(re.findall(".{1,4}", compact))]))
    return draw(st.sampled_from([text, text.lower()]))


@st.composite
def cards(draw: st.DrawFn) -> str:
    length = draw(st.integers(13, 19))
    first = draw(st.integers(2, 6))
    rest = draw(st.lists(st.integers(0, 9), min_size=length - 2, max_size=length - 2))
    body = [first, *rest]
    total = 0
    for position, d in enumerate(reversed(body)):
        if position % 2 == 0:
            d = d * 2 - 9 if d * 2 > 9 else d * 2
        total += d
    digits = "".join(map(str, [*body, (10 - total % 10) % 10]))
    groups = re.findall(".{1,4}", digits)
    return draw(st.sampled_from([digits, " ".join(groups), "-".join(groups)]))


def ascii_compact(text: str) -> str:
    """Digits in ASCII, upper case, without the separators people put between groups."""
    ascii_digits = "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in text)
    return re.sub(r"[\s.\-]", "", ascii_digits).upper()


# --- texts without anything to find -----------------------------------------------------


def _key(word: str) -> str:
    twins = str.maketrans({"ك": "ک", "ي": "ی", "ى": "ی", "ة": "ه", "أ": "ا", "إ": "ا", "آ": "ا"})
    return re.sub(r"[\s\u200c_\-*]", "", word.replace("İ", "I").lower().translate(twins))


def _all_trigger_keys() -> list[str]:
    data = yaml.safe_load(WORDS_FILE.read_text(encoding="utf-8"))
    words = [
        w
        for lang in data["languages"].values()
        for kind in ("secret", "bsn")
        for w in lang.get(kind, [])
    ]
    return sorted({_key(w) for w in words})


TRIGGER_KEYS = _all_trigger_keys()


def clean(text: str) -> bool:
    """No digit, no '@' and no trigger word: nothing redaction may touch.

    Broader than the redactor's own matching (a trigger inside another word, or spread over
    spaces, counts here too), so a text that passes is certainly free of triggers.
    """
    if "@" in text or any(c.isdigit() for c in text):
        return False
    key = _key(text)
    return not any(k in key for k in TRIGGER_KEYS)


# --- properties ---------------------------------------------------------------------------


@SETTINGS
@given(st.text(), bsns(), st.sampled_from(BEFORE), st.sampled_from(AFTER), st.text())
def test_a_valid_bsn_never_survives(before, bsn, left, right, after):
    out = REDACTOR.redact(before + left + bsn + right + after).text
    assert bsn not in out
    assert ascii_compact(bsn) not in ascii_compact(out)


@SETTINGS
@given(st.text(), ibans(), st.sampled_from(BEFORE), st.sampled_from(AFTER), st.text())
def test_a_valid_iban_never_survives(before, iban, left, right, after):
    out = REDACTOR.redact(before + left + iban + right + after).text
    assert iban not in out
    assert ascii_compact(iban) not in ascii_compact(out)


@SETTINGS
@given(st.text(), cards(), st.sampled_from(BEFORE), st.sampled_from(AFTER), st.text())
def test_a_valid_card_number_never_survives(before, card, left, right, after):
    out = REDACTOR.redact(before + left + card + right + after).text
    assert card not in out
    assert ascii_compact(card) not in ascii_compact(out)


@SETTINGS
@given(st.text())
def test_text_with_nothing_to_find_is_returned_unchanged(text):
    assume(clean(text))
    result = REDACTOR.redact(text)
    assert result.text == text
    assert result.found == frozenset()


LETTERS_AND_PUNCTUATION = (
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZéëïöüçşğıİŞ"
    "ابتثجحخدذرزسشصضطظعغفقكلمنهويةىأإآپچژکگی"
    "ሀለሐመረሰሸቀበተቸነአከወዐዘየደገጠጰጸፈፐ"
    "  \n.,:;!?-'\"()[]€%&/+=*#_፡።،؟‌‏"
)


@SETTINGS
@given(st.text(alphabet=LETTERS_AND_PUNCTUATION))
def test_words_without_digits_or_triggers_are_returned_unchanged(text):
    assume(clean(text))
    assert REDACTOR.redact(text).text == text


@SETTINGS
@given(
    st.text(),
    st.one_of(
        bsns().map(lambda v: (v, Finding.BSN)),
        ibans().map(lambda v: (v, Finding.IBAN)),
        cards().map(lambda v: (v, Finding.CARD)),
    ),
    st.sampled_from(BEFORE),
    st.sampled_from(AFTER),
    st.text(),
)
def test_only_the_number_itself_is_replaced(before, value_and_finding, left, right, after):
    value, finding = value_and_finding
    assume(clean(before) and clean(after))
    result = REDACTOR.redact(before + left + value + right + after)
    assert result.text == before + left + finding.marker + right + after
    assert result.found == {finding}
    assert result.sensitive


@SETTINGS
@given(st.text(), st.one_of(bsns(), ibans(), cards()), st.text())
def test_redacting_the_result_again_changes_nothing(before, value, after):
    once = REDACTOR.redact(before + " " + value + " " + after).text
    assert REDACTOR.redact(once).text == once
