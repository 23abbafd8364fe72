"""The Rasa interpreter against a server on 127.0.0.1 speaking Rasa's `/model/parse` protocol."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.app import build_app, load_everything
from bot.clock import FixedClock
from bot.language.breaker import CircuitBreaker, State
from bot.language.builtin import BuiltinInterpreter
from bot.language.rasa import RasaInterpreter
from bot.language.select import LayeredInterpreter, builtin_interpreter
from bot.settings import Settings
from tests.language.loopback import Loopback, Request, Response, serve


def rasa_answer(
    text: str, intent: str, confidence: float, entities: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """What Rasa 3.6's `POST /model/parse` returns (the fields we read, and some we do not)."""
    return {
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "entities": entities or [],
        "intent_ranking": [{"name": intent, "confidence": confidence}],
        "response_selector": {},
    }


def answers(intent: str, confidence: float = 0.93, entities: list[dict[str, Any]] | None = None):
    def handler(request: Request) -> Response:
        if request.method != "POST" or request.path != "/model/parse":
            return Response(404, {"version": "3.6.21", "status": "failure", "code": 404})
        return Response(200, rasa_answer(request.json()["text"], intent, confidence, entities))

    return handler


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


CONTENT, CATALOGUE, _ = load_everything()
TASKS = frozenset(CONTENT.tasks)


@pytest.fixture(scope="module")
def builtin() -> BuiltinInterpreter:
    return builtin_interpreter(CONTENT, CATALOGUE)


@pytest.fixture
def rasa_stub() -> Iterator[Loopback]:
    with serve(answers("need_help")) as loopback:
        yield loopback


def interpreter(url: str, builtin: BuiltinInterpreter, **options: Any) -> RasaInterpreter:
    return RasaInterpreter(url, entities=builtin.entities, known_tasks=TASKS, **options)


async def test_rasa_answers_with_the_intent_and_says_so(
    rasa_stub: Loopback, builtin: BuiltinInterpreter
) -> None:
    rasa = interpreter(rasa_stub.url, builtin)
    understood = await rasa.parse("ik kom er niet uit", "nl")
    await rasa.aclose()
    assert (understood.intent, understood.source) == ("need_help", "rasa")
    assert understood.confidence == pytest.approx(0.93)
    assert rasa_stub.requests[0].json() == {"text": "ik kom er niet uit"}


async def test_task_entities_become_stable_task_ids(
    rasa_stub: Loopback, builtin: BuiltinInterpreter
) -> None:
    rasa = interpreter(rasa_stub.url, builtin)
    # As EntitySynonymMapper gives it: the value is already the id.
    span = {"entity": "task", "start": 12, "end": 23, "value": "zorgtoeslag", "extractor": "DIET"}
    rasa_stub.answer(answers("ask_task", 0.9, [span]))
    assert (await rasa.parse("hoe vraag ik zorgtoeslag aan", "nl")).entities == {
        "task": "zorgtoeslag"
    }
    # A span that is not an id ("huurtoesla", a typo) is looked up.
    span = {"entity": "task", "start": 5, "end": 15, "value": "huurtoesla"}
    rasa_stub.answer(answers("ask_task", 0.9, [span]))
    assert (await rasa.parse("help huurtoesla", "nl")).entities == {"task": "huurtoeslag"}
    # No span at all: the task is looked up in the whole text.
    rasa_stub.answer(answers("ask_task", 0.9))
    assert (await rasa.parse("kinderbijslag aanvragen", "nl")).entities == {"task": "kinderbijslag"}
    # Glossary words come back as the glossary spells them.
    span = {"entity": "term", "start": 7, "end": 18, "value": "Beschiking"}
    rasa_stub.answer(answers("what_is", 0.9, [span]))
    assert (await rasa.parse("wat is Beschiking", "nl")).entities == {"term": "beschikking"}
    await rasa.aclose()


@pytest.mark.parametrize(("intent", "confidence"), [("nlu_fallback", 0.7), ("greet", 0.31)])
async def test_rasa_unsure_means_no_intent_not_a_guess(
    rasa_stub: Loopback, builtin: BuiltinInterpreter, intent: str, confidence: float
) -> None:
    rasa_stub.answer(answers(intent, confidence))
    layered = LayeredInterpreter(builtin, rasa=interpreter(rasa_stub.url, builtin))
    understood = await layered.parse("qwerty uiop", "nl")
    await layered.aclose()
    # Rasa answered, so the built-in interpreter is not asked to second-guess it.
    assert (understood.intent, understood.source) == (None, "rasa")


async def test_a_slow_rasa_is_not_waited_for(
    rasa_stub: Loopback, builtin: BuiltinInterpreter
) -> None:
    release = threading.Event()

    def slow(request: Request) -> Response:
        release.wait(5)
        return answers("greet")(request)

    rasa_stub.answer(slow)
    layered = LayeredInterpreter(builtin, rasa=interpreter(rasa_stub.url, builtin, timeout=0.2))
    try:
        understood = await layered.parse("ik heb hulp nodig", "nl")
    finally:
        release.set()
        await layered.aclose()
    assert rasa_stub.requests, "Rasa was asked"
    assert (understood.intent, understood.source) == ("need_help", "builtin")


async def test_rasa_down_means_the_builtin_answers(builtin: BuiltinInterpreter) -> None:
    with serve() as gone:
        url = gone.url  # a port that nothing listens on after the block
    layered = LayeredInterpreter(builtin, rasa=interpreter(url, builtin))
    understood = await layered.parse("dankjewel", "nl")
    await layered.aclose()
    assert (understood.intent, understood.source) == ("thanks", "builtin")


async def test_after_repeated_failures_rasa_is_skipped_until_the_cooldown(
    rasa_stub: Loopback, builtin: BuiltinInterpreter
) -> None:
    rasa_stub.answer(lambda request: Response(500, {"error": "model not loaded"}))
    clock = Clock()
    breaker = CircuitBreaker(failures=3, cooldown=30, monotonic=clock)
    layered = LayeredInterpreter(builtin, rasa=interpreter(rasa_stub.url, builtin, breaker=breaker))
    for _ in range(3):
        assert (await layered.parse("hallo", "nl")).source == "builtin"
    assert breaker.state is State.OPEN
    # Open: the next turns do not even try Rasa.
    for _ in range(5):
        assert (await layered.parse("hallo", "nl")).intent == "greet"
    assert len(rasa_stub.requests) == 3
    # After the cooldown one trial goes through; Rasa is healthy again and answers.
    clock.now += 31
    rasa_stub.answer(answers("greet", 0.99))
    understood = await layered.parse("hallo", "nl")
    assert (understood.intent, understood.source) == ("greet", "rasa")
    assert breaker.state is State.CLOSED
    await layered.aclose()


async def test_a_failed_trial_opens_the_breaker_again(
    rasa_stub: Loopback, builtin: BuiltinInterpreter
) -> None:
    rasa_stub.answer(lambda request: Response(200, b"<html>proxy error</html>", "text/html"))
    clock = Clock()
    breaker = CircuitBreaker(failures=2, cooldown=10, monotonic=clock)
    rasa = interpreter(rasa_stub.url, builtin, breaker=breaker)
    for _ in range(2):
        assert await rasa.ask("hallo", "nl") is None
    clock.now += 11
    assert await rasa.ask("hallo", "nl") is None  # the trial, answered with junk
    assert breaker.state is State.OPEN
    assert await rasa.ask("hallo", "nl") is None
    assert len(rasa_stub.requests) == 3
    await rasa.aclose()


async def test_nothing_recognised_falls_back_to_task_titles_and_glossary_words(
    rasa_stub: Loopback, builtin: BuiltinInterpreter
) -> None:
    from bot.language.lookup import LookupInterpreter

    rasa_stub.answer(answers("nlu_fallback", 0.4))
    layered = LayeredInterpreter(
        builtin, LookupInterpreter(CONTENT, CATALOGUE), interpreter(rasa_stub.url, builtin)
    )
    understood = await layered.parse("activeringscode", "nl")
    await layered.aclose()
    assert (understood.intent, understood.source) == ("what_is", "lookup")


async def test_the_app_uses_rasa_when_rasa_url_is_set(
    rasa_stub: Loopback, tmp_path: Path, clock: FixedClock
) -> None:
    from tests.support.driver import ChatDriver

    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'w.db'}")
    app = await build_app(Settings(**{**settings.__dict__, "rasa_url": rasa_stub.url}), clock=clock)
    try:
        driver = ChatDriver(app)
        await driver.start(lang="nl")
        await driver.press("consent:yes")
        rasa_stub.answer(answers("what_is", 0.95, [{"entity": "term", "value": "voorschot"}]))
        await driver.say("zeg eens wat over dat ding")
        assert driver.last[0].key == "glossary.entry"
        assert "voorschot" in driver.last[0].text
        assert [r.json()["text"] for r in rasa_stub.requests] == ["zeg eens wat over dat ding"]
    finally:
        await app.close()
