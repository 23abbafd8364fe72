"""`wegwijs nlu eval`: scores for whichever interpreter is active, as text or JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from tests.language.loopback import Request, Response, serve
from tests.language.test_rasa_interpreter import rasa_answer

ROOT = Path(__file__).resolve().parents[2]
HELD_OUT = ROOT / "dialogues" / "nlu" / "test"

SMALL = """version: "3.1"
nlu:
- intent: greet
  examples: |
    - goedemorgen allemaal
- intent: need_help
  examples: |
    - ik kom er echt niet uit
- intent: ask_task
  examples: |
    - hoe vraag ik [zorgtoeslag]{"entity": "task", "value": "zorgtoeslag"} aan
"""


@pytest.fixture
def small(tmp_path: Path) -> Path:
    path = tmp_path / "nl.yml"
    path.write_text(SMALL, encoding="utf-8")
    return path


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, object]]:
    code = main(["nlu", "eval", *args, "--json"])
    out = capsys.readouterr().out
    return code, json.loads(out) if out.strip() else {}


def test_the_builtin_interpreter_is_scored_on_the_held_out_split(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("RASA_URL", raising=False)
    code, report = run_json(capsys, "--data", str(HELD_OUT))
    assert code == 0
    assert report["interpreter"] == "builtin"
    assert isinstance(report["accuracy"], float) and 0 < report["accuracy"] <= 1
    per_intent = report["per_intent"]
    assert isinstance(per_intent, dict) and {"need_help", "ask_task"} <= per_intent.keys()
    assert set(per_intent["need_help"]) >= {"precision", "recall", "support"}
    assert isinstance(report["per_language"], dict)
    assert set(report["per_language"]) == {"nl", "en", "ar", "ti", "fa", "tr", "so", "ku"}


def test_text_output_names_accuracy_intents_and_confusions(
    capsys: pytest.CaptureFixture[str], small: Path
) -> None:
    assert main(["nlu", "eval", "--data", str(small), "--interpreter", "builtin"]) == 0
    out = capsys.readouterr().out
    assert "interpreter: builtin" in out and "accuracy:" in out
    assert "precision" in out and "recall" in out


def test_rasa_is_scored_over_http_with_the_builtin_beside_it(
    capsys: pytest.CaptureFixture[str], small: Path
) -> None:
    def rasa(request: Request) -> Response:
        text = request.json()["text"]
        intent = "greet" if "morgen" in text else "ask_task" if "zorg" in text else "deny"
        return Response(200, rasa_answer(text, intent, 0.9))

    with serve(rasa) as server:
        code, report = run_json(
            capsys, "--data", str(small), "--interpreter", "rasa", "--url", server.url
        )
    assert code == 0
    assert report["interpreter"] == "rasa"
    assert report["accuracy"] == pytest.approx(2 / 3, abs=1e-3)
    assert report["confusions"] == [{"expected": "need_help", "predicted": "deny", "count": 1}]
    beside = report["beside"]
    assert isinstance(beside, dict) and "builtin" in beside


def test_rasa_not_running_is_an_error_not_a_score(
    capsys: pytest.CaptureFixture[str], small: Path
) -> None:
    with serve() as gone:
        url = gone.url
    assert main(["nlu", "eval", "--data", str(small), "--interpreter", "rasa", "--url", url]) == 2
    assert "did not answer" in capsys.readouterr().err


def test_a_minimum_accuracy_fails_the_command_when_not_reached(
    capsys: pytest.CaptureFixture[str], small: Path
) -> None:
    args = ["nlu", "eval", "--data", str(small), "--interpreter", "builtin"]
    assert main([*args, "--min-accuracy", "1.01"]) == 1
    assert "below" in capsys.readouterr().err
