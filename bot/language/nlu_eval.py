"""Read Rasa NLU training files and score an NLU model on held-out examples.

Pure functions only (no Rasa import, no HTTP): the caller hands in an async `parse` callable,
so the same scoring works for the Rasa server, the built-in interpreter or a test double.
`python -m bot.language.nlu_eval` runs the whole check against a freshly trained Rasa model.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

FALLBACK_INTENT = "nlu_fallback"
OUT_OF_SCOPE = "out_of_scope"

# Rasa's own annotation grammar: [text](entity), [text](entity:value), [text]{"entity": ...}
# and [text][{...}, {...}] for several entities on one span.
_ANNOTATION = re.compile(
    r"\[(?P<text>[^\]]+?)\]"
    r"(?:\((?P<entity>[^:)]+?)(?::(?P<value>[^)]+))?\)"
    r"|(?P<dict>\{[^}]+?\})"
    r"|(?P<dicts>\[\s*\{.*?\}\s*\]))"
)


@dataclass(frozen=True)
class Entity:
    entity: str
    value: str
    start: int
    end: int


@dataclass(frozen=True)
class Example:
    text: str
    intent: str
    entities: tuple[Entity, ...] = ()


def strip_annotations(annotated: str) -> tuple[str, tuple[Entity, ...]]:
    """The plain text a participant would type, and the entities marked up in it."""
    plain: list[str] = []
    entities: list[Entity] = []
    position = 0
    length = 0
    for match in _ANNOTATION.finditer(annotated):
        before = annotated[position : match.start()]
        plain.append(before)
        length += len(before)
        span = match.group("text")
        start, end = length, length + len(span)
        for entity, value in _entity_values(match, span):
            entities.append(Entity(entity=entity, value=value, start=start, end=end))
        plain.append(span)
        length = end
        position = match.end()
    plain.append(annotated[position:])
    return "".join(plain), tuple(entities)


def _entity_values(match: re.Match[str], span: str) -> list[tuple[str, str]]:
    if match.group("entity"):
        return [(match.group("entity").strip(), (match.group("value") or span).strip())]
    raw = match.group("dict") or match.group("dicts")
    parsed: Any = json.loads(raw)
    items = parsed if isinstance(parsed, list) else [parsed]
    return [(str(item["entity"]), str(item.get("value", span))) for item in items]


def load_examples(path: Path) -> list[Example]:
    """Every intent example in one Rasa 3.x NLU YAML file (synonyms, regexes, lookups skipped)."""
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    examples: list[Example] = []
    for block in document.get("nlu") or []:
        intent = block.get("intent")
        if not intent:
            continue
        for annotated in _example_lines(block.get("examples")):
            text, entities = strip_annotations(annotated)
            examples.append(Example(text=text, intent=str(intent), entities=entities))
    return examples


def _example_lines(examples: object) -> list[str]:
    if isinstance(examples, str):
        lines = (line.strip() for line in examples.splitlines())
        return [line[2:].strip() for line in lines if line.startswith("- ")]
    if isinstance(examples, list):  # the long form: [{text: ..., metadata: ...}]
        return [str(item["text"]).strip() for item in examples if isinstance(item, Mapping)]
    return []


# --- scoring -----------------------------------------------------------------------------

Parse = Callable[[str], Awaitable[tuple[str | None, float]]]


@dataclass(frozen=True)
class Prediction:
    text: str
    expected: str
    predicted: str | None
    confidence: float

    @property
    def correct(self) -> bool:
        return is_correct(self.expected, self.predicted)


@dataclass(frozen=True)
class IntentScore:
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class Report:
    total: int
    correct: int
    accuracy: float
    per_intent: dict[str, IntentScore]
    confusions: list[tuple[str, str, int]]
    """(expected, predicted, how often), most frequent first; fallback shows as nlu_fallback."""
    predictions: list[Prediction]


def is_correct(expected: str, predicted: str | None) -> bool:
    """A fallback is wrong, except where nothing should have been understood."""
    if expected == OUT_OF_SCOPE:
        return predicted in (OUT_OF_SCOPE, FALLBACK_INTENT, None)
    return predicted == expected


def _resolved(prediction: Prediction) -> str:
    # For precision/recall a fallback means "not understood", i.e. out_of_scope.
    if prediction.predicted in (None, FALLBACK_INTENT):
        return OUT_OF_SCOPE
    return prediction.predicted


def score(predictions: Iterable[Prediction], top: int = 10) -> Report:
    """Accuracy, per-intent precision/recall/F1 and the most common confusions."""
    items = list(predictions)
    correct = sum(1 for p in items if p.correct)
    expected_counts = Counter(p.expected for p in items)
    predicted_counts = Counter(_resolved(p) for p in items)
    hits = Counter(p.expected for p in items if _resolved(p) == p.expected)
    per_intent: dict[str, IntentScore] = {}
    for intent in sorted(expected_counts.keys() | predicted_counts.keys()):
        tp = hits[intent]
        precision = tp / predicted_counts[intent] if predicted_counts[intent] else 0.0
        recall = tp / expected_counts[intent] if expected_counts[intent] else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_intent[intent] = IntentScore(precision, recall, f1, expected_counts[intent])
    confusions = Counter(
        (p.expected, p.predicted or FALLBACK_INTENT) for p in items if not p.correct
    )
    ranked = sorted(confusions.items(), key=lambda pair: (-pair[1], pair[0]))
    return Report(
        total=len(items),
        correct=correct,
        accuracy=correct / len(items) if items else 0.0,
        per_intent=per_intent,
        confusions=[(expected, got, n) for (expected, got), n in ranked[:top]],
        predictions=items,
    )


async def evaluate(examples: Iterable[tuple[str, str]], parse: Parse, top: int = 10) -> Report:
    """Parse each (text, expected intent) one after the other and score the answers."""
    predictions = []
    for text, expected in examples:
        intent, confidence = await parse(text)
        predictions.append(Prediction(text, expected, intent, confidence))
    return score(predictions, top=top)


# --- the end-to-end check: train, serve on loopback, parse the held-out split over HTTP ----


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))] if ordered else 0.0


def _print_report(title: str, report: Report) -> None:
    print(f"{title}: {report.correct}/{report.total} = {report.accuracy:.3f}")


async def _check(url: str, by_language: dict[str, list[Example]], target: float) -> int:
    import time

    import httpx

    from bot.language import rasa_runtime

    latencies: list[float] = []
    entities_seen: dict[str, set[str]] = {}
    async with httpx.AsyncClient(timeout=30.0) as client:

        async def parse(text: str) -> tuple[str | None, float]:
            started = time.perf_counter()
            answer = await rasa_runtime.parse(client, url, text)
            latencies.append(time.perf_counter() - started)
            entities_seen[text] = {
                str(e.get("value")) for e in answer.get("entities", []) if e.get("entity") == "task"
            }
            intent = answer.get("intent") or {}
            return intent.get("name"), float(intent.get("confidence") or 0.0)

        reports = {}
        for lang, examples in by_language.items():
            reports[lang] = await evaluate(((e.text, e.intent) for e in examples), parse)
    overall = score(p for report in reports.values() for p in report.predictions)
    for lang, report in reports.items():
        _print_report(f"  {lang}", report)
    _print_report("overall", overall)
    print("\nintent                  precision recall   f1  support")
    for intent, s in overall.per_intent.items():
        print(f"{intent:24}{s.precision:8.2f}{s.recall:7.2f}{s.f1:6.2f}{s.support:6}")
    print("\nmost common confusions (expected -> predicted):")
    for expected, got, n in overall.confusions:
        print(f"  {n:3}  {expected} -> {got}")
    wanted = [
        (e.text, {x.value for x in e.entities if x.entity == "task"})
        for ex in by_language.values()
        for e in ex
    ]
    wanted = [(text, values) for text, values in wanted if values]
    found = sum(1 for text, values in wanted if values <= entities_seen.get(text, set()))
    print(f"\ntask entity found with the right id: {found}/{len(wanted)}")
    print(
        f"/model/parse latency: p50 {_percentile(latencies, 0.5) * 1000:.1f} ms, "
        f"p95 {_percentile(latencies, 0.95) * 1000:.1f} ms over {len(latencies)} requests"
    )
    return 0 if overall.accuracy >= target else 1


async def _run(args: Any, by_language: dict[str, list[Example]]) -> int:
    import tempfile
    import time

    from bot.language import rasa_runtime

    if args.url:
        return await _check(args.url.rstrip("/"), by_language, args.target)
    started = time.monotonic()
    python = rasa_runtime.ensure_env()
    print(f"rasa environment: {python} ({time.monotonic() - started:.0f} s)")
    with tempfile.TemporaryDirectory(prefix="wegwijs-nlu-eval-") as scratch:
        model: Path = args.model
        if model is None:
            started = time.monotonic()
            model = rasa_runtime.train(args.out or Path(scratch), python=python)
            print(f"trained {model} in {time.monotonic() - started:.0f} s")
        port = rasa_runtime.free_port()
        url = f"http://127.0.0.1:{port}"
        with (Path(scratch) / "serve.log").open("wb") as log:
            started = time.monotonic()
            server = rasa_runtime.serve(model, port, python=python, log=log)
            try:
                await rasa_runtime.wait_ready(url, process=server)
                print(f"server ready at {url} in {time.monotonic() - started:.0f} s\n")
                return await _check(url, by_language, args.target)
            finally:
                rasa_runtime.stop(server)


def main(argv: list[str] | None = None) -> int:
    import argparse
    import asyncio

    parser = argparse.ArgumentParser(
        prog="python -m bot.language.nlu_eval",
        description="Train the Rasa NLU model, serve it on 127.0.0.1 and score the held-out "
        "split in dialogues/nlu/test/ over HTTP. Exit 1 when accuracy is below --target.",
    )
    parser.add_argument("--url", help="score an already running Rasa server instead")
    parser.add_argument("--model", type=Path, help="serve this model instead of training one")
    parser.add_argument("--out", type=Path, help="keep the trained model in this folder")
    parser.add_argument("--test-dir", type=Path, help="held-out files (default: the repo's)")
    parser.add_argument("--target", type=float, default=0.85)
    args = parser.parse_args(argv)
    from bot.language.rasa_runtime import nlu_dir

    test_dir: Path = args.test_dir or nlu_dir() / "test"
    by_language = {path.stem: load_examples(path) for path in sorted(test_dir.glob("*.yml"))}
    return asyncio.run(_run(args, by_language))


if __name__ == "__main__":
    raise SystemExit(main())
