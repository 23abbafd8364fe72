"""What a participant types, and what is left of it for the store, the log, translator and staff."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.privacy import Finding, Redacted, Redactor
from bot.privacy.checksums import is_bsn, is_iban, is_luhn

ROOT = Path(__file__).resolve().parents[2]
REDACTOR = Redactor.from_file(ROOT / "knowledge" / "safety" / "secret_words.yml")

BSN, IBAN, CARD, PHONE, EMAIL, CODE, SECRET = (
    Finding.BSN,
    Finding.IBAN,
    Finding.CARD,
    Finding.PHONE,
    Finding.EMAIL,
    Finding.ACTIVATION_CODE,
    Finding.SECRET,
)


def redact(text: str) -> Redacted:
    return REDACTOR.redact(text)


@pytest.mark.parametrize(
    ("typed", "kept", "found"),
    [
        ("Mijn BSN is 123456782.", "Mijn BSN is [BSN].", {BSN}),
        ("123456782", "[BSN]", {BSN}),
        ("Is 1234.56.782 goed ingevuld?", "Is [BSN] goed ingevuld?", {BSN}),
        ("nummer 123 456 782 staat op mijn pas", "nummer [BSN] staat op mijn pas", {BSN}),
        ("123-456-782", "[BSN]", {BSN}),
        # Arabic-Indic digits, in an Arabic sentence.
        (
            "رقم الخدمة المدنية الخاص بي هو ١٢٣٤٥٦٧٨٢ شكرا",
            "رقم الخدمة المدنية الخاص بي هو [BSN] شكرا",
            {BSN},
        ),
        # Persian digits, with dots between the groups.
        ("شماره من ۱۲۳.۴۵۶.۷۸۲ است", "شماره من [BSN] است", {BSN}),
        # After a BSN word an 8-digit (old) or mistyped number is still a BSN.
        ("sofinummer 12345678", "sofinummer [BSN]", {BSN}),
        ("mijn burgerservicenummer: 123456783", "mijn burgerservicenummer: [BSN]", {BSN}),
        ("BSN'im 123456782", "BSN'im [BSN]", {BSN}),
        ("ቁጽሪ ቢኤስኤን 12345678 እዩ", "ቁጽሪ ቢኤስኤን [BSN] እዩ", {BSN}),
        ("رقم بي اس ان ١٢٣٤٥٦٧٨", "رقم بي اس ان [BSN]", {BSN}),
    ],
)
def test_a_bsn_is_replaced_wherever_and_however_it_is_typed(typed, kept, found):
    result = redact(typed)
    assert result.text == kept
    assert result.found == found
    assert result.sensitive


@pytest.mark.parametrize(
    "typed",
    [
        "ordernummer 123456783",  # 9 digits, elfproef fails, no BSN word
        "000000000",  # passes the sum, but it is nobody's number
        "bsn 000000000",
        "Mijn BSN aanvragen op 12-03-2025?",  # a date after the BSN word is still a date
        "bsn kwijt, wat nu?",
    ],
)
def test_numbers_that_are_no_bsn_stay(typed):
    assert redact(typed) == Redacted(typed, frozenset())


def test_elfproef_matches_the_domain_brief():
    assert is_bsn([1, 2, 3, 4, 5, 6, 7, 8, 2])
    assert not is_bsn([1, 2, 3, 4, 5, 6, 7, 8, 3])
    assert not is_bsn([0] * 9)
    assert is_bsn([1, 1, 1, 1, 1, 1, 1, 2])  # 8 digits get a leading 0: 011111112


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("Mijn IBAN is NL91 ABNA 0417 1643 00, klopt dat?", "Mijn IBAN is [IBAN], klopt dat?"),
        ("nl91abna0417164300", "[IBAN]"),
        ("ቁጽሪ ሕሳበይ NL91ABNA0417164300 እዩ።", "ቁጽሪ ሕሳበይ [IBAN] እዩ።"),
        ("Hesabım TR33 0006 1005 1978 6457 8413 26", "Hesabım [IBAN]"),
        ("Konto DE89 3704 0044 0532 0130 00 danke", "Konto [IBAN] danke"),
        ("BE68 5390 0754 7034 dank", "[IBAN] dank"),  # a 4-letter word after the last group
        ("XY12 NL91 ABNA 0417 1643 00", "XY12 [IBAN]"),
    ],
)
def test_an_iban_is_replaced(typed, kept):
    result = redact(typed)
    assert result.text == kept
    assert result.found == {IBAN}
    assert result.sensitive


def test_an_iban_with_a_wrong_check_is_left_alone():
    assert not is_iban("NL92ABNA0417164300")
    assert IBAN not in redact("NL92 ABNA 0417 1643 00").found


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("mijn pas 4111 1111 1111 1111 werkt niet", "mijn pas [CARD] werkt niet"),
        ("5500-0000-0000-0004", "[CARD]"),
        ("بطاقتي ٤١١١١١١١١١١١١١١١", "بطاقتي [CARD]"),
        ("Amex 3782 822463 10005", "Amex [CARD]"),
    ],
)
def test_a_payment_card_number_is_replaced(typed, kept):
    result = redact(typed)
    assert result.text == kept
    assert result.found == {CARD}
    assert result.sensitive


def test_a_long_number_that_fails_luhn_is_no_card():
    assert not is_luhn([4, 1, 1, 1] * 3 + [1, 1, 1, 2])
    assert redact("4111 1111 1111 1112").found == frozenset()


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("Bel me: 06-12345678", "Bel me: [PHONE]"),
        ("0612345678", "[PHONE]"),
        ("06 12 34 56 78", "[PHONE]"),
        ("mijn nummer is +31 6 12345678.", "mijn nummer is [PHONE]."),
        ("+31 (0)6 1234 5678", "[PHONE]"),
        ("0031 6 1234 5678", "[PHONE]"),
        ("+31612345678", "[PHONE]"),
        ("vaste telefoon 038-4567890", "vaste telefoon [PHONE]"),
        ("(038) 456 78 90", "[PHONE]"),
        ("رقمي ٠٦١٢٣٤٥٦٧٨", "رقمي [PHONE]"),
        ("mijn broer: +963 944 123 456", "mijn broer: [PHONE]"),
        ("+49 151 23456789", "[PHONE]"),
    ],
)
def test_a_phone_number_is_replaced_without_a_warning(typed, kept):
    result = redact(typed)
    assert result.text == kept
    assert result.found == {PHONE}
    assert not result.sensitive  # a phone number is personal, not secret


def test_an_email_address_is_replaced_without_a_warning():
    result = redact("Stuur het naar fatima.ali+digid@gmail.com graag")
    assert result.text == "Stuur het naar [EMAIL] graag"
    assert result.found == {EMAIL}
    assert not result.sensitive


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("Mijn wachtwoord is Welkom01!", "Mijn wachtwoord is [SECRET]"),
        ("wachtwoord: zonnebloem", "wachtwoord: [SECRET]"),
        ("Mijn DigiD-wachtwoord:Geheim#2024", "Mijn DigiD-wachtwoord:[SECRET]"),
        ("inlogwachtwoord Welkom01!", "inlogwachtwoord [SECRET]"),
        ("my password is Summer2024! can you log in?", "my password is [SECRET] can you log in?"),
        ("كلمة السر هي Abc12345", "كلمة السر هي [SECRET]"),
        ("وكلمة المرور: salam", "وكلمة المرور: [SECRET]"),
        ("رمز عبور: xyz", "رمز عبور: [SECRET]"),
        ("رمز عبورم Tehran1400 است", "رمز عبورم [SECRET] است"),
        ("كد تایید ۱۲۳۴۵۶", "كد تایید [SECRET]"),  # Arabic kaf in a Persian word
        ("Şifrem Ankara06!", "Şifrem [SECRET]"),
        ("ŞİFRE: abc123", "ŞİFRE: [SECRET]"),
        ("furaha sirta waa Hooyo123", "furaha sirta waa [SECRET]"),
        ("şîfreya min Azadi2024 e", "şîfreya min [SECRET] e"),
        ("ፓስዎርደይ Abc12345 እዩ", "ፓስዎርደይ [SECRET] እዩ"),
        ("mijn pincode is 12345", "mijn pincode is [SECRET]"),
        ("De sms-code is 123 456", "De sms-code is [SECRET]"),
        ("bankpincode 1234", "bankpincode [SECRET]"),
        ("PIN'im 54321", "PIN'im [SECRET]"),
        ("pin-ka waa 24680", "pin-ka waa [SECRET]"),
        ("Ik heb de code 123456 gekregen", "Ik heb de code [SECRET] gekregen"),
        ("pincode 1234 en ok", "pincode [SECRET] en ok"),
    ],
)
def test_what_follows_a_secret_word_is_replaced(typed, kept):
    result = redact(typed)
    assert result.text == kept
    assert result.found == {SECRET}
    assert result.sensitive


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        # The DigiD letter code: A + 8 of BCDFGHJKLMNPQRSTVWXZ23456789.
        ("De activeringscode is A2B3C4D5F", "De activeringscode is [CODE]"),
        ("A2B3C4D5F", "[CODE]"),
        ("hier: a2b3c4d5f", "hier: [CODE]"),
        ("activeringscode: ABCDFGHJK", "activeringscode: [CODE]"),  # no digits: needs the word
        ("herstelcode H5K8M2P3Q", "herstelcode [CODE]"),
        ("H5K8M2P3Q", "[CODE]"),
        # The app's koppelcode: four letters without vowels.
        ("koppelcode BKDF", "koppelcode [CODE]"),
        ("الكود هو A7C9D2FGH", "الكود هو [CODE]"),
    ],
)
def test_a_digid_code_is_replaced(typed, kept):
    result = redact(typed)
    assert result.text == kept
    assert result.found == {CODE}
    assert result.sensitive


@pytest.mark.parametrize(
    "typed",
    [
        "Hallo, ik wil zorgtoeslag aanvragen.",
        "Mijn afspraak is op 12-03-2025 om 14:30.",
        "12-03-2025 12:00",
        "Open van 09:00 - 17:00 uur",
        "Postcode 7411 AB, huisnummer 12a",
        "De postcode is 7411AB",
        "Ik moet € 1.234,56 terugbetalen",
        "In 2025 woon ik hier, sinds 2019 in Nederland",
        "Ik heb 4 kinderen en woon op nummer 1234",
        "Mijn pincode werkt niet meer",
        "Ik ben mijn wachtwoord vergeten",
        "Wat is de code van de bibliotheek?",
        "Ik krijg geen sms-code op mijn 06-nummer",
        "Ik zit op B1-niveau en de code komt niet",
        "De code werkt al niet sinds maart 2024",
        "sms code komt pas na 10min",
        "Wachtwoord vergeten. Mijn afspraak is 2025",
        "Hmmmmmmmm",
        "BRRRRRRRR",
        "كلمة السر لا تعمل",
        "رمز عبورم را فراموش کردم",
        "Şifremi unuttum",
        "pinnen lukt niet, 50 euro",
        "Bel de DigiD helpdesk",
        "Ik heb een DigiD met sms-controle",
        "kaartnummer 1234",
        # Postcodes after words that mean "post code" in other languages.
        "zip code 7411 AB",
        "الرمز البريدي 7411 AB",
        "کد پستی 7411AB",
        "posta kodum 7411 AB",
    ],
)
def test_everyday_messages_come_back_unchanged(typed):
    result = redact(typed)
    assert result.text == typed
    assert result.found == frozenset()
    assert not result.sensitive


def test_a_message_with_several_findings_keeps_everything_else():
    typed = (
        "Hoi, mijn BSN is 123456782 en mijn IBAN NL91ABNA0417164300.\n"
        "Bel 06-12345678 of mail ahmed@example.nl. Wachtwoord: Welkom01!"
    )
    result = redact(typed)
    assert result.text == (
        "Hoi, mijn BSN is [BSN] en mijn IBAN [IBAN].\n"
        "Bel [PHONE] of mail [EMAIL]. Wachtwoord: [SECRET]"
    )
    assert result.found == {BSN, IBAN, PHONE, EMAIL, SECRET}
    assert result.sensitive


def test_no_piece_of_a_secret_is_left_beside_a_marker():
    # The password contains a valid BSN; the whole word goes, not just the digits.
    result = redact("wachtwoord A123456782x!")
    assert result.text == "wachtwoord [BSN]"
    assert result.sensitive


def test_redacting_twice_changes_nothing_more():
    once = redact("wachtwoord: Welkom01! bsn 123456782 code: A2B3C4D5F").text
    assert redact(once).text == once
    assert redact(once).found == frozenset()


def test_a_text_without_findings_is_the_same_text():
    typed = "Ｈｅｌｌｏ  wörld\u200f  ١٢٣"  # odd spaces, marks and digits are not normalised
    assert redact(typed).text == typed


def test_a_redactor_built_in_code_knows_its_words():
    redactor = Redactor(["wachtwoord"])
    assert redactor.redact("wachtwoord Welkom01!").text == "wachtwoord [SECRET]"
    assert redactor.redact("pincode 12345").text == "pincode 12345"  # not one of its words
    assert redactor.redact("bsn 12345678").text == "bsn [BSN]"  # the BSN words are built in
