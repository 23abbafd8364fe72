"""The built-in interpreter: what people type, in eight languages, understood without Rasa."""

from __future__ import annotations

import pytest

from bot.app import load_everything
from bot.language.builtin import BuiltinInterpreter
from bot.language.nlu_eval import Entity, Example
from bot.language.normalise import normalise
from bot.language.select import builtin_interpreter


@pytest.fixture(scope="module")
def builtin() -> BuiltinInterpreter:
    content, catalogue, _ = load_everything()
    return builtin_interpreter(content, catalogue)


@pytest.mark.parametrize(
    ("lang", "text", "intent"),
    [
        ("nl", "Ik heb HULP nodig!!", "need_help"),
        ("nl", "ik snap er niks van, help", "need_help"),
        ("nl", "Is deze sms echt of nep?", "phishing_check"),
        ("nl", "ik wil met een mens praten", "talk_to_person"),
        ("en", "i need help please", "need_help"),
        ("ar", "بدي مساعدة", "need_help"),
        ("ar", "مَرْحَبًا", "greet"),  # with harakat
        ("ti", "ሓገዝ የድልየኒ", "need_help"),
        ("ti", "ሰላም", "greet"),
        ("fa", "سلام", "greet"),
        ("tr", "yardıma ihtiyacım var", "need_help"),
        ("tr", "yardima ihtiyacim var", "need_help"),  # typed without Turkish letters
        ("tr", "tesekkurler", "thanks"),
        ("so", "waan u baahanahay caawimaad", "need_help"),
        ("so", "mahadsanid", "thanks"),
        ("ku", "alîkarî lazim e", "need_help"),
        ("ku", "alikari lazim e", "need_help"),  # without the circumflexes
    ],
)
def test_typed_messages_are_understood_in_every_language(
    builtin: BuiltinInterpreter, lang: str, text: str, intent: str
) -> None:
    understood = builtin.parse_now(text, lang)
    assert understood.intent == intent
    assert understood.source == "builtin"
    assert 0 < understood.confidence <= 1


@pytest.mark.parametrize(
    ("lang", "text", "task"),
    [
        ("nl", "hoe vraag ik zorgtoeslag aan?", "zorgtoeslag"),
        ("en", "how do I apply for huurtoeslag", "huurtoeslag"),
        ("ar", "كيف بقدر اطلب zorgtoeslag", "zorgtoeslag"),
        ("nl", "ik wil mijn zorgtoesla aanvragen", "zorgtoeslag"),  # misspelt
    ],
)
def test_a_question_about_a_task_names_the_task(
    builtin: BuiltinInterpreter, lang: str, text: str, task: str
) -> None:
    understood = builtin.parse_now(text, lang)
    assert understood.intent == "ask_task"
    assert understood.entities == {"task": task}


@pytest.mark.parametrize(
    ("lang", "text", "term"),
    [
        ("nl", "wat betekent beschikking", "beschikking"),
        ("en", "what does toeslagpartner mean", "toeslagpartner"),
        ("ar", "شو يعني beschikking", "beschikking"),
    ],
)
def test_a_question_about_a_word_names_the_glossary_word(
    builtin: BuiltinInterpreter, lang: str, text: str, term: str
) -> None:
    understood = builtin.parse_now(text, lang)
    assert understood.intent == "what_is"
    assert understood.entities == {"term": term}


@pytest.mark.parametrize("text", ["asdfgh qwerty", "", "   ", "?!", "mijn kat heet Pluis"])
def test_nonsense_gets_no_intent_so_the_participant_sees_the_choices(
    builtin: BuiltinInterpreter, text: str
) -> None:
    understood = builtin.parse_now(text, "nl")
    assert understood.intent is None
    assert understood.entities == {}


def test_arabic_and_persian_letter_variants_give_the_same_answer(
    builtin: BuiltinInterpreter,
) -> None:
    # Persian typed on an Arabic keyboard: ي for ی, ك for ک.
    persian = builtin.parse_now("وقت می‌خوام", "fa")
    arabic_keyboard = builtin.parse_now("وقت ميخوام", "fa")
    assert persian.intent == arabic_keyboard.intent is not None


def test_another_language_is_understood_when_the_own_one_has_no_match(
    builtin: BuiltinInterpreter,
) -> None:
    # Someone who chose Arabic but types English.
    assert builtin.parse_now("i need help", "ar").intent == "need_help"
    # A language without any examples still gets the all-language answer.
    assert builtin.parse_now("thank you so much", "xx").intent == "thanks"


def test_normalising_folds_case_accents_harakat_letter_variants_and_digits() -> None:
    assert normalise("Zorgtoesläg!!") == "zorgtoeslag"
    assert normalise("مَرْحَبًا") == "مرحبا"
    assert normalise("كيف") == normalise("کیف")
    assert normalise("می‌خوام") == "میخوام"
    assert normalise("۱۲۳ ١٢٣") == "123 123"
    assert normalise("jaaaaa") == "jaa"
    assert normalise("ሰላም፧") == "ሰላም"


def test_a_small_training_set_is_enough_and_unknown_words_lower_the_confidence() -> None:
    examples = {
        "nl": [
            Example("hallo", "greet"),
            Example("goedemorgen", "greet"),
            Example("dank je wel", "thanks"),
            Example("bedankt", "thanks"),
            Example("hoe vraag ik [zorgtoeslag](task) aan", "ask_task"),
        ]
    }
    interpreter = BuiltinInterpreter(examples)
    assert interpreter.parse_now("Hallo!", "nl").intent == "greet"
    assert interpreter.parse_now("bedankt hoor", "nl").intent == "thanks"
    sure = interpreter.parse_now("hallo", "nl").confidence
    unsure = interpreter.parse_now("hallo ik heb een vraag over mijn fiets", "nl").confidence
    assert unsure < sure


def test_entities_come_from_the_annotated_spans_too() -> None:
    from bot.app import load_everything
    from bot.language.entities import EntityFinder

    content, catalogue, _ = load_everything()
    text = "چطوری دیجی دی بگیرم"
    span = Entity("task", "digid-aanvragen", 6, 13)
    finder = EntityFinder.from_content(content, catalogue, [Example(text, "ask_task", (span,))])
    assert finder.find("task", normalise("کمک برای دیجی دی")) == "digid-aanvragen"
    # The longest phrase wins: the app, not the account.
    assert finder.find("task", normalise("hoe moet ik de digid app activeren")) == (
        "digid-app-activeren"
    )
