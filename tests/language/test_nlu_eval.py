"""Scoring an NLU model: annotation stripping, and the numbers on a small hand-made set."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.language.nlu_eval import (
    FALLBACK_INTENT,
    Entity,
    Prediction,
    evaluate,
    is_correct,
    load_examples,
    score,
    strip_annotations,
)


def test_strip_round_brackets_annotation() -> None:
    text, entities = strip_annotations("wat is een [beschikking](term)?")
    assert text == "wat is een beschikking?"
    assert entities == (Entity("term", "beschikking", 11, 22),)


def test_strip_json_annotation_keeps_the_task_id_as_value() -> None:
    text, entities = strip_annotations(
        'hoe vraag ik [zorgtoeslag aan]{"entity": "task", "value": "zorgtoeslag"} bij [DigiD](term)'
    )
    assert text == "hoe vraag ik zorgtoeslag aan bij DigiD"
    assert entities == (
        Entity("task", "zorgtoeslag", 13, 28),
        Entity("term", "DigiD", 33, 38),
    )
    assert text[13:28] == "zorgtoeslag aan"


def test_strip_synonym_shorthand_and_multiple_entities_on_one_span() -> None:
    text, entities = strip_annotations(
        '[ديجيد](task:digid-aanvragen) و [werk.nl][{"entity": "task", "value": '
        '"werk-nl-inschrijven"}, {"entity": "term"}]'
    )
    assert text == "ديجيد و werk.nl"
    assert entities == (
        Entity("task", "digid-aanvragen", 0, 5),
        Entity("task", "werk-nl-inschrijven", 8, 15),
        Entity("term", "werk.nl", 8, 15),
    )


def test_text_without_annotations_is_unchanged() -> None:
    assert strip_annotations("ik snap het niet [help]") == ("ik snap het niet [help]", ())


def test_load_examples_reads_intents_and_skips_synonyms(tmp_path: Path) -> None:
    path = tmp_path / "nl.yml"
    path.write_text(
        'version: "3.1"\n'
        "nlu:\n"
        "- intent: greet\n"
        "  examples: |\n"
        "    - hoi\n"
        "    - goedemorgen\n"
        "- synonym: digid-aanvragen\n"
        "  examples: |\n"
        "    - digid aanvragen\n"
        "- intent: what_is\n"
        "  examples:\n"
        "  - text: |\n"
        "      wat is [BSN](term)\n",
        encoding="utf-8",
    )
    examples = load_examples(path)
    assert [(e.text, e.intent) for e in examples] == [
        ("hoi", "greet"),
        ("goedemorgen", "greet"),
        ("wat is BSN", "what_is"),
    ]
    assert examples[2].entities == (Entity("term", "BSN", 7, 10),)


def test_fallback_is_right_only_where_nothing_should_be_understood() -> None:
    assert is_correct("out_of_scope", FALLBACK_INTENT)
    assert is_correct("out_of_scope", "out_of_scope")
    assert is_correct("out_of_scope", None)
    assert not is_correct("greet", FALLBACK_INTENT)
    assert not is_correct("out_of_scope", "affirm")
    assert is_correct("greet", "greet")


# Six messages: four right (one of them a fallback on nonsense), two wrong.
HAND_MADE = [
    Prediction("hoi", "greet", "greet", 0.9),
    Prediction("hallo", "greet", "goodbye", 0.6),
    Prediction("doei", "goodbye", "goodbye", 0.8),
    Prediction("ja", "affirm", "affirm", 0.95),
    Prediction("asdfgh qwerty", "out_of_scope", FALLBACK_INTENT, 0.3),
    Prediction("okee", "affirm", FALLBACK_INTENT, 0.4),
]


def test_accuracy_counts_fallback_on_nonsense_as_right() -> None:
    report = score(HAND_MADE)
    assert (report.correct, report.total) == (4, 6)
    assert report.accuracy == pytest.approx(4 / 6)


def test_per_intent_precision_recall_f1() -> None:
    report = score(HAND_MADE)
    greet, goodbye, affirm = (report.per_intent[i] for i in ("greet", "goodbye", "affirm"))
    assert (greet.precision, greet.recall, greet.support) == (1.0, 0.5, 2)
    assert greet.f1 == pytest.approx(2 / 3)
    # "hallo" was taken for goodbye: goodbye is found every time but is right half the time.
    assert (goodbye.precision, goodbye.recall) == (0.5, 1.0)
    assert (affirm.precision, affirm.recall) == (1.0, 0.5)
    # A fallback means "not understood": it counts as an out_of_scope prediction.
    out = report.per_intent["out_of_scope"]
    assert (out.precision, out.recall, out.support) == (0.5, 1.0, 1)


def test_confusions_list_the_most_common_mistakes_first() -> None:
    predictions = [
        *HAND_MADE,
        Prediction("hee", "greet", "goodbye", 0.7),
        Prediction("qqq", "out_of_scope", "affirm", 0.99),
    ]
    report = score(predictions, top=2)
    assert report.confusions == [("greet", "goodbye", 2), ("affirm", FALLBACK_INTENT, 1)]


def test_empty_set_scores_zero_without_dividing_by_zero() -> None:
    report = score([])
    assert (report.total, report.accuracy, report.per_intent, report.confusions) == (0, 0.0, {}, [])


async def test_evaluate_asks_the_parser_about_every_example() -> None:
    answers = {
        "hoi": ("greet", 0.9),
        "afspraak maken": ("book_appointment", 0.8),
        "xyz": (None, 0.0),
    }
    asked: list[str] = []

    async def parse(text: str) -> tuple[str | None, float]:
        asked.append(text)
        return answers[text]

    examples = [("hoi", "greet"), ("afspraak maken", "cancel_appointment"), ("xyz", "out_of_scope")]
    report = await evaluate(examples, parse)
    assert asked == ["hoi", "afspraak maken", "xyz"]
    assert report.correct == 2
    assert report.confusions == [("cancel_appointment", "book_appointment", 1)]
    assert [p.correct for p in report.predictions] == [True, False, True]
