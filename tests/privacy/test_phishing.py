"""Forwarded phishing texts lead to the phishing guide with a warning; questions do not."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.conversation.inbound import Understanding
from bot.privacy.phishing import PhishingDetector, PhishingPatternsError, Sign, load_patterns
from tests.support.driver import ChatDriver

ROOT = Path(__file__).resolve().parents[2]
PATTERNS = ROOT / "knowledge" / "safety" / "phishing.yml"
OFFICIAL = ROOT / "knowledge" / "official_domains.yml"
DETECTOR = PhishingDetector.from_files(PATTERNS, OFFICIAL)


@pytest.mark.parametrize(
    ("message", "sign"),
    [
        ("Uw DigiD verloopt vandaag. Verleng via https://digid-verlengen.com", "lookalike_domain"),
        ("Beste klant, uw DigiD wordt geblokkeerd. Log in via de link.", "phrase"),
        ("Uw DigiD-account verloopt! Klik op de onderstaande link.", "phrase"),
        ("Belastingdienst: openstaande aanslag €89,50. Betaal via bit.ly/3xYzAb", "shortened_link"),
        ("CJIB: laatste aanmaning. Voorkom extra kosten: cjib-betalen.nl/nu", "lookalike_domain"),
        ("Ik kreeg een sms van de Belastingdienst, ik moet betalen", "request"),
        ("Tikkie van Belastingdienst via WhatsApp", "request"),
        ("Your DigiD will expire today, click the link below", "phrase"),
        ("https://dlgid.nl/login", "lookalike_domain"),
        ("Inloggen: https://mijn-0verheid.info/berichtenbox", "lookalike_domain"),
        ("https://www.xn--digd-xxa.nl", "lookalike_domain"),
        ("Login: https://digid.nl.verify-account.com", "lookalike_domain"),
        ("U heeft recht op een teruggave van 245 euro", "phrase"),
        ("Betaal hier uw boete: https://pay-now.xyz/abc", "payment_link"),
        ("Activeer uw sms-controle direct via www.mijn-sms-controle.com", "payment_link"),
        ("DigiD hesabınız askıya alındı", "phrase"),
        ("Ik kreeg een sms van DigiD met een link", "request"),
    ],
)
def test_forwarded_fakes_are_recognised(message: str, sign: str) -> None:
    assert DETECTOR.check(message) == Sign(sign)


@pytest.mark.parametrize(
    "message",
    [
        "mijn digid is verlopen wat moet ik doen",
        "Wat is DigiD?",
        "hoe vraag ik zorgtoeslag aan",
        "ga naar www.digid.nl",
        "https://mijn.overheid.nl/berichtenbox",
        "kijk op https://www.rijksoverheid.nl/betalen",
        "ik moet de belastingdienst betalen hoe doe ik dat",
        "ik krijg geen sms van digid",
        "Ik ben klaar.Dan ga ik betalen",
        "Mijn wachtwoord werkt niet",
        "mijn DigiD is geblokkeerd, help",
        "ik wil een afspraak in de bibliotheek",
        "",
        "   ",
    ],
)
def test_questions_and_official_links_are_not_taken_for_fakes(message: str) -> None:
    assert DETECTOR.check(message) is None


def test_few_of_the_hostile_corpus_texts_look_like_phishing() -> None:
    """The hostile corpus is mostly junk and attacks, not phishing: few false alarms."""
    lines = (ROOT / "tests" / "hostile" / "corpus.jsonl").read_text(encoding="utf-8").split("\n")
    items = [json.loads(line) for line in lines if line.strip()]
    texts = [item["text"] for item in items if isinstance(item.get("text"), str)]
    assert len(texts) > 100
    flagged = [text for text in texts if DETECTOR.check(text)]
    assert len(flagged) <= len(texts) // 20, flagged


def test_a_broken_pattern_file_names_the_field(tmp_path: Path) -> None:
    broken = tmp_path / "phishing.yml"
    broken.write_text(
        "phrases: {nl: []}\npayment_words: {nl: [betaal]}\nbrands: [digid]\n"
        "short_brands: [ind]\nrequests: {brands: [cjib], words: [sms], also_needs: [boete]}\n"
        "shorteners: [bit.ly]\n",
        encoding="utf-8",
    )
    with pytest.raises(PhishingPatternsError, match=r"phrases\.nl"):
        load_patterns(broken, OFFICIAL)


async def test_a_forwarded_fake_opens_the_phishing_guide_with_a_warning(app: Any) -> None:
    driver = ChatDriver(app)
    await driver.start(lang="nl")
    await driver.press("consent:yes")
    await driver.press("tasks")
    await driver.say("Uw DigiD verloopt. Verleng direct via https://digid-verlengen.com")
    assert driver.reply_keys() == ["safety.phishing_warning", "intro.heading"]
    assert "Dit lijkt op een nepbericht. Klik niet op de link." in driver.text()
    assert "Nepberichten herkennen" in driver.text()
    assert driver.find("start:nepberichten-herkennen", driver.buttons())


async def test_the_warning_is_in_the_participants_language(app: Any) -> None:
    driver = ChatDriver(app)
    await driver.start(lang="ar")
    await driver.press("consent:yes")
    await driver.say("Belastingdienst: betaal uw openstaande aanslag via bit.ly/3xYzAb")
    assert driver.last[0].key == "safety.phishing_warning"
    assert driver.last[0].text == app.engine.texts("ar")("safety.phishing_warning")


async def test_asking_about_fake_messages_opens_the_guide_without_calling_it_a_fake(
    app: Any,
) -> None:
    class AsksAboutPhishing:
        name = "test"

        async def parse(self, text: str, lang: str) -> Understanding:
            return Understanding("phishing_check", 0.9, {}, "test")

    app.assistant.interpreter = AsksAboutPhishing()
    driver = ChatDriver(app)
    await driver.start(lang="nl")
    await driver.press("consent:yes")
    await driver.say("hoe herken ik een nepbericht?")
    assert driver.reply_keys() == ["intro.heading"]


async def test_a_phishing_text_does_not_reach_the_interpreter(app: Any) -> None:
    seen: list[str] = []

    class Recording:
        name = "recording"

        async def parse(self, text: str, lang: str) -> Understanding:
            seen.append(text)
            return Understanding(source=self.name)

    app.assistant.interpreter = Recording()
    driver = ChatDriver(app)
    await driver.start(lang="nl")
    await driver.press("consent:yes")
    await driver.say("Uw teruggave staat klaar: https://belastingdienst-teruggave.top")
    await driver.say("hallo")
    assert seen == ["hallo"]
