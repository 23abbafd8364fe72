"""The trigger-word file: every language present, drafts marked, mistakes reported clearly."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.privacy import Redactor
from bot.privacy.secret_words import SecretWordsError, load_secret_words

ROOT = Path(__file__).resolve().parents[2]
WORDS_FILE = ROOT / "knowledge" / "safety" / "secret_words.yml"
LANGUAGES = {"nl", "en", "ar", "ti", "fa", "tr", "so", "ku"}


def test_every_language_has_secret_and_bsn_words():
    languages = yaml.safe_load(WORDS_FILE.read_text(encoding="utf-8"))["languages"]
    assert set(languages) == LANGUAGES
    for lang, entry in languages.items():
        assert entry["secret"], lang
        assert entry["bsn"], lang


def test_only_dutch_and_english_count_as_reviewed():
    words = load_secret_words(WORDS_FILE)
    assert set(words.drafts) == LANGUAGES - {"nl", "en"}


@pytest.mark.parametrize(
    ("lang", "typed", "kept"),
    [
        ("nl", "Mijn wachtwoord is Welkom01!", "Mijn wachtwoord is [SECRET]"),
        ("en", "the pin code is 24680", "the pin code is [SECRET]"),
        ("ar", "الرقم السري 24680", "الرقم السري [SECRET]"),
        ("ti", "ፒን ኮድ 24680", "ፒን ኮድ [SECRET]"),
        ("fa", "پسوردم Abc123!", "پسوردم [SECRET]"),
        ("tr", "sms kodu 123456", "sms kodu [SECRET]"),
        ("so", "koodhka waa 123456", "koodhka waa [SECRET]"),
        ("ku", "peyva nepenî: Azadi2024", "peyva nepenî: [SECRET]"),
    ],
)
def test_a_secret_is_caught_after_a_word_of_each_language(lang, typed, kept):
    assert Redactor.from_file(WORDS_FILE).redact(typed).text == kept


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("burgerservicenummer 12345678", "burgerservicenummer [BSN]"),
        ("citizen service number: 123456783", "citizen service number: [BSN]"),
        ("رقم المواطن ١٢٣٤٥٦٧٨٣", "رقم المواطن [BSN]"),
        ("شماره شهروندی ۱۲۳۴۵۶۷۸", "شماره شهروندی [BSN]"),
        ("kimlik numaram 12345678", "kimlik numaram [BSN]"),
        ("lambarka muwaadinka 12345678", "lambarka muwaadinka [BSN]"),
        ("hejmara xizmeta welatiyan 12345678", "hejmara xizmeta welatiyan [BSN]"),
    ],
)
def test_a_mistyped_bsn_is_caught_after_a_bsn_word(typed, kept):
    assert Redactor.from_file(WORDS_FILE).redact(typed).text == kept


def test_a_username_is_not_treated_as_a_secret():
    # Deliberate: see the comment in secret_words.yml.
    redacted = Redactor.from_file(WORDS_FILE).redact("mijn gebruikersnaam is ahmedsyria")
    assert redacted.text == "mijn gebruikersnaam is ahmedsyria"


@pytest.mark.parametrize(
    ("content", "complaint"),
    [
        ("nl: [wachtwoord]\n", "'languages'"),
        ("languages:\n  nl:\n    secret: [wachtwoord]\n", "status"),
        ("languages:\n  nl:\n    status: done\n    secret: [wachtwoord]\n", "status"),
        ("languages:\n  nl:\n    status: draft\n    secret: wachtwoord\n", "secret"),
        ("languages:\n  nl:\n    status: draft\n    secret: ['*']\n", "secret"),
        ("languages:\n  nl:\n    status: draft\n    words: [x]\n", "unknown keys"),
    ],
)
def test_a_malformed_file_is_refused_with_the_place_of_the_mistake(tmp_path, content, complaint):
    path = tmp_path / "secret_words.yml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(SecretWordsError, match=complaint):
        load_secret_words(path)
