"""Scoring an interpreter on Rasa NLU files, the way the bot uses it (`wegwijs nlu eval`).

The interpreter is asked exactly as in a turn (with the file's language), so "no intent" counts
as not understood, like the engine treats it. Accuracy, per-intent precision and recall and the
most common confusions come from `bot.language.nlu_eval`; parse latency is measured here.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.conversation.inbound import Understanding
from bot.language.nlu_eval import Prediction, Report, load_examples, score

Parse = Callable[[str, str], Awaitable[Understanding | None]]
"""(text, lang) -> the understanding, or None when the interpreter did not answer at all."""


class NoAnswer(RuntimeError):
    """The interpreter did not answer (e.g. Rasa down): the score would be meaningless."""


@dataclass
class Evaluation:
    interpreter: str
    overall: Report
    per_language: dict[str, Report]
    latencies: list[float] = field(default_factory=list)
    """Seconds per parse, in the order asked."""
    beside: dict[str, float] = field(default_factory=dict)
    """Accuracy of other interpreters on the same data, e.g. {"builtin": 0.93}."""

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return 0.0
        return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def data_files(paths: Iterable[Path]) -> list[Path]:
    """Files given, and the *.yml files inside folders given."""
    files: list[Path] = []
    for path in paths:
        files.extend(sorted(path.glob("*.yml")) if path.is_dir() else [path])
    return files


def language_of(path: Path, known: Iterable[str], default: str) -> str:
    """The file's language: its name when that is a language code (test/ar.yml), else default."""
    return path.stem if path.stem in set(known) else default


async def evaluate(
    name: str, files: Iterable[tuple[Path, str]], parse: Parse, top: int = 10
) -> Evaluation:
    """files: (path, language). Every example is parsed once, one after the other."""
    per_language: dict[str, list[Prediction]] = {}
    latencies: list[float] = []
    for path, lang in files:
        for example in load_examples(path):
            started = time.perf_counter()
            understood = await parse(example.text, lang)
            latencies.append(time.perf_counter() - started)
            if understood is None:
                raise NoAnswer(f"{name} did not answer for an example in {path}")
            prediction = Prediction(
                example.text, example.intent, understood.intent, understood.confidence
            )
            per_language.setdefault(lang, []).append(prediction)
    return Evaluation(
        interpreter=name,
        overall=score((p for items in per_language.values() for p in items), top=top),
        per_language={lang: score(items, top=top) for lang, items in per_language.items()},
        latencies=latencies,
    )


def as_json(evaluation: Evaluation) -> dict[str, Any]:
    report = evaluation.overall
    return {
        "interpreter": evaluation.interpreter,
        "accuracy": round(report.accuracy, 4),
        "total": report.total,
        "correct": report.correct,
        "per_intent": {
            intent: {
                "precision": round(s.precision, 4),
                "recall": round(s.recall, 4),
                "f1": round(s.f1, 4),
                "support": s.support,
            }
            for intent, s in report.per_intent.items()
        },
        "confusions": [
            {"expected": expected, "predicted": predicted, "count": count}
            for expected, predicted, count in report.confusions
        ],
        "per_language": {
            lang: {"accuracy": round(r.accuracy, 4), "total": r.total}
            for lang, r in evaluation.per_language.items()
        },
        "latency_ms": {
            "p50": round(evaluation.percentile(0.5) * 1000, 3),
            "p95": round(evaluation.percentile(0.95) * 1000, 3),
        },
        "beside": {name: round(value, 4) for name, value in evaluation.beside.items()},
    }


def as_text(evaluation: Evaluation) -> str:
    report = evaluation.overall
    lines = [f"interpreter: {evaluation.interpreter}"]
    lines.append(f"accuracy: {report.accuracy:.3f} ({report.correct}/{report.total})")
    for name, value in evaluation.beside.items():
        lines.append(f"  {name} on the same data: {value:.3f}")
    if len(evaluation.per_language) > 1:
        for lang, r in evaluation.per_language.items():
            lines.append(f"  {lang}: {r.accuracy:.3f} ({r.correct}/{r.total})")
    lines.append(
        f"parse latency: p50 {evaluation.percentile(0.5) * 1000:.2f} ms, "
        f"p95 {evaluation.percentile(0.95) * 1000:.2f} ms"
    )
    lines.append("")
    lines.append(f"{'intent':24}{'precision':>10}{'recall':>8}{'f1':>7}{'support':>9}")
    for intent, s in report.per_intent.items():
        lines.append(f"{intent:24}{s.precision:10.2f}{s.recall:8.2f}{s.f1:7.2f}{s.support:9}")
    if report.confusions:
        lines.append("")
        lines.append("most common confusions (expected -> predicted):")
        for expected, predicted, count in report.confusions:
            lines.append(f"  {count:3}  {expected} -> {predicted}")
    return "\n".join(lines)
