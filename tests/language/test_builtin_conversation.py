"""Typed words act in the conversation: the built-in interpreter behind the real assistant."""

from __future__ import annotations

import pytest

from bot.app import App
from bot.conversation import registry
from bot.conversation.inbound import Text, Understanding
from tests.support.driver import ChatDriver


async def _onboarded(app: App, lang: str, chat_id: str = "p1") -> ChatDriver:
    driver = ChatDriver(app, chat_id=chat_id)
    await driver.start(lang=lang)
    await driver.press("consent:yes")
    return driver


def _keys(driver: ChatDriver) -> list[str]:
    return [reply.key for reply in driver.last]


def _text(driver: ChatDriver) -> str:
    return "\n".join(reply.text for reply in driver.last)


async def test_asking_about_a_task_opens_that_task(app: App) -> None:
    driver = await _onboarded(app, "nl")
    await driver.say("hoe vraag ik zorgtoeslag aan?")
    assert "intro.heading" in _keys(driver)
    assert driver.find("start:zorgtoeslag", driver.buttons())


async def test_asking_what_a_word_means_answers_from_the_glossary(app: App) -> None:
    driver = await _onboarded(app, "en")
    await driver.say("what does beschikking mean?")
    assert _keys(driver)[0] == "glossary.entry"
    assert "beschikking" in _text(driver)


async def test_asking_whether_a_message_is_real_starts_the_safety_guide(app: App) -> None:
    driver = await _onboarded(app, "nl")
    await driver.say("is deze sms echt of nep??")
    assert "intro.heading" in _keys(driver)
    assert driver.find("start:nepberichten-herkennen", driver.buttons())


async def test_text_that_is_not_understood_gets_the_choices_not_a_guess(app: App) -> None:
    driver = await _onboarded(app, "nl")
    await driver.say("mijn kat heet Pluis")
    assert _keys(driver)[0] == "fallback.not_understood"
    assert driver.buttons(), "the choices are shown again"


@pytest.mark.parametrize(
    ("lang", "text", "intent"),
    [
        ("nl", "ik heb hulp nodig", "need_help"),
        ("ar", "بدي مساعدة", "need_help"),
        ("ti", "ሓገዝ የድልየኒ", "need_help"),
        ("en", "i want to talk to a real person", "talk_to_person"),
        ("tr", "yardima ihtiyacim var", "need_help"),
        ("nl", "hallo", "greet"),
        ("fa", "مرسی", "thanks"),
    ],
)
async def test_typed_words_do_what_their_intent_does(
    app: App, lang: str, text: str, intent: str
) -> None:
    """The participant typing is the same as the flow receiving the intent directly."""
    typed = await _onboarded(app, lang, chat_id="typed")
    await typed.say(text)
    direct = await _onboarded(app, lang, chat_id="direct")
    loaded = await app.assistant.store.load(direct.channel, direct.chat_id)
    outcome = app.engine.handle(
        loaded.snapshot, Text(text, Understanding(intent, 1.0, {}, "test")), app.clock.now()
    )
    assert intent in registry.intents
    assert _keys(typed) == [reply.key for reply in outcome.replies]
    assert "fallback.not_understood" not in _keys(typed)


def _nlu_intents() -> list[str]:
    from bot.app import load_everything
    from bot.language.builtin import nlu_files
    from bot.language.nlu_eval import load_examples

    content, _, _ = load_everything()
    files = nlu_files(content.root).values()
    return sorted({example.intent for path in files for example in load_examples(path)})


# Intents in the NLU data that no flow answers yet (none today; keep the mechanism for new ones).
_KNOWN_MISSING: set[str] = set()


@pytest.mark.parametrize(
    "intent",
    [
        pytest.param(
            name,
            marks=pytest.mark.xfail(reason="no handler registered yet", strict=False)
            if name in _KNOWN_MISSING
            else (),
        )
        for name in _nlu_intents()
    ],
)
def test_every_intent_in_the_training_data_does_something(intent: str) -> None:
    assert intent in registry.intents, f"{intent} is recognised but nothing answers it"
