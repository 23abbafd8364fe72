"""A real Rasa server: installed from the cached environment, trained once, served on 127.0.0.1.

CI installs the environment (scripts/rasa-env.sh) and trains the model (`wegwijs nlu train`,
cached by a hash of the training data and config) before pytest, so here both are found ready.
Run alone, this module installs and trains itself (slow: about 2 minutes + 10 on two cores).
It is skipped only when the Rasa environment cannot be installed for lack of network.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.app import load_everything
from bot.cli import main
from bot.language import nlu_models, rasa_runtime
from bot.language.rasa import RasaInterpreter
from bot.language.select import builtin_interpreter

pytestmark = [pytest.mark.rasa, pytest.mark.timeout(3600)]

ROOT = Path(__file__).resolve().parents[2]
HELD_OUT = ROOT / "dialogues" / "nlu" / "test"
TARGET = 0.85
# What pip says when it cannot reach an index: then, and only then, the module is skipped.
_OFFLINE = (
    "Failed to establish a new connection",
    "Temporary failure in name resolution",
    "Name or service not known",
    "Network is unreachable",
    "No route to host",
    "Could not fetch URL",
    "ProxyError",
    "connection broken",
)

# A handful per language, written for this test (not in the training or held-out files).
SENTENCES = {
    "nl": [
        ("goedemorgen, ik ben er weer", "greet", None),
        ("ik kom er niet uit, kun je helpen?", "need_help", None),
        ("hoe vraag ik huurtoeslag aan", "ask_task", "huurtoeslag"),
        ("dank je wel voor de hulp!", "thanks", None),
    ],
    "en": [
        ("hello there, good morning", "greet", None),
        ("i'm stuck, i need help", "need_help", None),
        ("how do i apply for zorgtoeslag", "ask_task", "zorgtoeslag"),
        ("thank you very much", "thanks", None),
    ],
    "ar": [
        ("مرحبا صباح الخير", "greet", None),
        ("ساعدني لو سمحت ما عم اقدر", "need_help", None),
        ("كيف اطلب zorgtoeslag", "ask_task", "zorgtoeslag"),
        ("شكرا كتير الك", "thanks", None),
    ],
    "ti": [
        ("ሰላም ከመይ ኣለኹም", "greet", None),
        ("ሓገዝ የድልየኒ", "need_help", None),
        ("zorgtoeslag ከመይ ይሓትት", "ask_task", "zorgtoeslag"),
        ("ብዙሕ የቐንየለይ", "thanks", None),
    ],
    "fa": [
        ("سلام صبح بخیر", "greet", None),
        ("گیر کردم کمک میخوام", "need_help", None),
        ("چطور zorgtoeslag درخواست کنم", "ask_task", "zorgtoeslag"),
        ("خیلی ممنون", "thanks", None),
    ],
    "tr": [
        ("merhaba günaydın", "greet", None),
        ("takıldım yardım lazım", "need_help", None),
        ("zorgtoeslag nasıl alınır", "ask_task", "zorgtoeslag"),
        ("çok teşekkür ederim", "thanks", None),
    ],
    "so": [
        ("salaan subax wanaagsan", "greet", None),
        ("waan xayiray caawimaad", "need_help", None),
        ("sidee loo helaa zorgtoeslag", "ask_task", "zorgtoeslag"),
        ("mahadsanid aad u badan", "thanks", None),
    ],
    "ku": [
        ("silav rojbaş", "greet", None),
        ("asê mam alîkarî", "need_help", None),
        ("zorgtoeslag çawa bistînim", "ask_task", "zorgtoeslag"),
        ("gelek spas", "thanks", None),
    ],
}


@pytest.fixture(scope="module")
def rasa_python() -> Path:
    try:
        return rasa_runtime.ensure_env()
    except rasa_runtime.RasaError as error:
        if any(sign in str(error) for sign in _OFFLINE):
            pytest.skip(f"the Rasa environment cannot be installed (no network): {error}")
        raise


@pytest.fixture(scope="module")
def rasa_url(rasa_python: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    model = nlu_models.cached_model(python=rasa_python, say=print)
    port = rasa_runtime.free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = tmp_path_factory.mktemp("rasa") / "serve.log"
    with log_path.open("wb") as log:
        server = rasa_runtime.serve(model, port, python=rasa_python, log=log)
        try:
            asyncio.run(rasa_runtime.wait_ready(url, process=server))
            yield url
        finally:
            rasa_runtime.stop(server)


@pytest.mark.parametrize("lang", list(SENTENCES))
async def test_rasa_understands_each_language(rasa_url: str, lang: str) -> None:
    content, catalogue, _ = load_everything()
    builtin = builtin_interpreter(content, catalogue)
    # As in a turn, but with room for a loaded CI machine: this checks the model, not speed.
    rasa = RasaInterpreter(
        rasa_url, entities=builtin.entities, known_tasks=frozenset(content.tasks), timeout=10.0
    )
    try:
        for text, intent, task in SENTENCES[lang]:
            understood = await rasa.parse(text, lang)
            assert (understood.intent, understood.source) == (intent, "rasa"), text
            if task is not None:
                assert understood.entities == {"task": task}, text
    finally:
        await rasa.aclose()


def test_held_out_accuracy_is_at_least_085_with_the_builtin_beside_it(
    rasa_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["nlu", "eval", "--data", str(HELD_OUT), "--url", rasa_url, "--json"])
    report = json.loads(capsys.readouterr().out)
    with capsys.disabled():
        print(
            f"\nheld-out accuracy: rasa {report['accuracy']:.3f}, "
            f"builtin {report['beside']['builtin']:.3f}; per language (rasa): "
            + ", ".join(f"{k} {v['accuracy']:.2f}" for k, v in report["per_language"].items())
            + f"; /model/parse p50 {report['latency_ms']['p50']:.1f} ms,"
            f" p95 {report['latency_ms']['p95']:.1f} ms"
        )
    assert code == 0
    assert report["interpreter"] == "rasa"
    assert report["accuracy"] >= TARGET, report["confusions"]
